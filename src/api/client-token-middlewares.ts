import { authenticate, validateAndTransformBody } from "@medusajs/framework/http"
import type { MiddlewareRoute } from "@medusajs/framework/http"
import { z } from "@medusajs/framework/zod"

/**
 * The body of `POST /store/payments-collection/client-token`: the provider (one that hands
 * the storefront a client token, such as Braintree's Drop-in) and the cart's currency, whose
 * merchant account the token is scoped to.
 */
export const ClientTokenBody = z
  .object({
    provider_id: z.string().regex(/^pp_[A-Za-z0-9_-]+$/, "must be a payment provider id (pp_<identifier>_<id>)"),
    currency_code: z.string().regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 currency code").optional(),
  })
  .strict()
export type ClientTokenBody = z.infer<typeof ClientTokenBody>

/** A guest gets a token too; a logged-in customer's is scoped to their saved methods. */
export const clientTokenMiddlewares: MiddlewareRoute[] = [
  {
    method: ["POST"],
    matcher: "/store/payments-collection/client-token",
    middlewares: [authenticate("customer", ["session", "bearer"], { allowUnauthenticated: true }), validateAndTransformBody(ClientTokenBody)],
  },
]
