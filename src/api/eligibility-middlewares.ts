import type { MedusaNextFunction, MedusaRequest, MedusaResponse, MiddlewareRoute } from "@medusajs/framework/http"
import { PAYMENT_NOT_ELIGIBLE_CODE } from "../lib/payments/eligibility"
import { judgeProvider, paymentCollectionFacts } from "./eligibility/evaluate"

/**
 * Refuses to create a payment session with a provider the cart is not eligible for,
 * before Medusa creates anything: `initiatePayment` sees the amount and currency but not
 * the cart's shipping address, so the country rule can only be judged here. Answers 400
 * with the reason and the rule; anything it cannot judge (no provider in the body, an
 * unknown collection, a provider not in the region) is left to Medusa's own checks.
 */
export async function refuseIneligiblePaymentSession(
  req: MedusaRequest,
  res: MedusaResponse,
  next: MedusaNextFunction
): Promise<void> {
  const body = ((req as { validatedBody?: unknown }).validatedBody ?? req.body) as { provider_id?: unknown } | undefined
  const providerId = typeof body?.provider_id === "string" ? body.provider_id : undefined
  if (!providerId) {
    return next()
  }
  const facts = await paymentCollectionFacts(req.scope, req.params.id)
  if (!facts || (facts.region_provider_ids && !facts.region_provider_ids.includes(providerId))) {
    return next()
  }
  const verdict = await judgeProvider(req.scope, providerId, facts)
  if (verdict.is_eligible) {
    return next()
  }
  res.status(400).json({
    type: "invalid_data",
    code: PAYMENT_NOT_ELIGIBLE_CODE,
    message: verdict.reason,
    provider_id: providerId,
    rule: verdict.rule,
  })
}

/** The eligibility guard's routes, listed in src/api/middlewares.ts. */
export const eligibilityMiddlewares: MiddlewareRoute[] = [
  {
    method: ["POST"],
    matcher: "/store/payment-collections/:id/payment-sessions",
    middlewares: [refuseIneligiblePaymentSession],
  },
]
