import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { judgeCart } from "../../../../eligibility/evaluate"

/**
 * `GET /store/carts/:id/payment-providers`: every payment provider enabled in the cart's
 * region, with whether the cart may use it and, when not, which rule failed and why (as
 * Vendure's `eligiblePaymentMethods`), so a storefront can grey a method out instead of
 * failing at checkout. Judged on the cart's total, currency and shipping country (billing
 * when it ships nowhere), with the same evaluation that guards payment-session creation.
 * Needs the publishable key like every store route; an unknown cart is a 404.
 */
export async function GET(req: MedusaRequest, res: MedusaResponse): Promise<void> {
  const cartId = req.params.id
  const payment_providers = await judgeCart(req.scope, cartId)
  res.status(200).json({ cart_id: cartId, payment_providers })
}
