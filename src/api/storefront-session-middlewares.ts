import type { MedusaNextFunction, MedusaRequest, MedusaResponse, MiddlewareRoute } from "@medusajs/framework/http"

/**
 * Session data only the merchant's own server-side code may give (a workflow that creates a
 * payment session through the Payment Module): `off_session` tells the gateway the customer is
 * not at the checkout, which lets the issuer skip authentication (Stripe: "the customer isn't
 * in your checkout flow during this payment attempt"). A shopper at the store's checkout is,
 * so the store route refuses it rather than let a storefront claim an exemption.
 * https://docs.stripe.com/api/payment_intents/confirm#confirm_payment_intent-off_session
 */
const MERCHANT_ONLY_FIELDS = ["off_session"] as const

export function refuseMerchantOnlySessionData(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction): void {
  const body = ((req as { validatedBody?: unknown }).validatedBody ?? req.body) as { data?: unknown } | undefined
  const data = body?.data
  if (!data || typeof data !== "object") return next()
  const given = MERCHANT_ONLY_FIELDS.filter((field) => (data as Record<string, unknown>)[field] !== undefined)
  if (!given.length) return next()
  res.status(400).json({
    type: "invalid_data",
    message: `\`${given.join("`, `")}\` cannot be set from a storefront: it is for payments the merchant makes while the customer is away`,
  })
}

/** Listed in src/api/middlewares.ts. */
export const storefrontSessionMiddlewares: MiddlewareRoute[] = [
  {
    method: ["POST"],
    matcher: "/store/payment-collections/:id/payment-sessions",
    middlewares: [refuseMerchantOnlySessionData],
  },
]
