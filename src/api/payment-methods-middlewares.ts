import { authenticate, validateAndTransformBody } from "@medusajs/framework/http"
import type { MedusaNextFunction, MedusaRequest, MedusaResponse, MiddlewareRoute } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { z } from "@medusajs/framework/zod"

/** A Medusa payment provider id as registered: `pp_<identifier>_<id>`. */
const providerId = z.string().regex(/^pp_[A-Za-z0-9_-]+$/, "must be a payment provider id (pp_<identifier>_<id>)")

/** `?provider_id=pp_...` of the listing and the deletion. */
export const SavedMethodsQuery = z.object({ provider_id: providerId }).strict()
export type SavedMethodsQuery = z.infer<typeof SavedMethodsQuery>

/** The body of `POST /store/customers/me/payment-methods`: the provider and what its vault takes. */
export const SavePaymentMethodBody = z
  .object({ provider_id: providerId, data: z.record(z.string(), z.unknown()).default({}) })
  .strict()
export type SavePaymentMethodBody = z.infer<typeof SavePaymentMethodBody>

/** A saved method's id as the gateways write them (pm_..., a Braintree token, a PayPal vault id). */
export const PAYMENT_METHOD_ID = /^[A-Za-z0-9_-]{1,128}$/

/** Validates the query string like Medusa's body validation: 400 `invalid_data` naming the field. */
function validateQuery(schema: z.ZodType) {
  return (req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction): void => {
    const parsed = schema.safeParse(req.query)
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "query"}: ${issue.message}`)
      return next(new MedusaError(MedusaError.Types.INVALID_DATA, `Invalid request: ${problems.join("; ")}`))
    }
    req.validatedQuery = parsed.data as MedusaRequest["validatedQuery"]
    next()
  }
}

const customer = authenticate("customer", ["session", "bearer"])

/** The saved payment method routes' middlewares, listed in src/api/middlewares.ts. */
export const paymentMethodsMiddlewares: MiddlewareRoute[] = [
  {
    method: ["GET"],
    matcher: "/store/customers/me/payment-methods",
    middlewares: [customer, validateQuery(SavedMethodsQuery)],
  },
  {
    method: ["POST"],
    matcher: "/store/customers/me/payment-methods",
    middlewares: [customer, validateAndTransformBody(SavePaymentMethodBody)],
  },
  {
    method: ["DELETE"],
    matcher: "/store/customers/me/payment-methods/:id",
    middlewares: [customer, validateQuery(SavedMethodsQuery)],
  },
]
