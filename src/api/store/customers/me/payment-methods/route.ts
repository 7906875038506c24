import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { listSavedPaymentMethods, savePaymentMethod } from "../../../../../runtime/payment-methods"
import type { SavePaymentMethodBody, SavedMethodsQuery } from "../../../../payment-methods-middlewares"

/**
 * `GET /store/customers/me/payment-methods?provider_id=pp_...`: the logged-in customer's
 * saved methods at that provider, asked of the gateway each time, as
 * `{ payment_methods: [{ id, provider_id, data }] }` (`data`: what the provider lets a
 * storefront show, e.g. brand, last 4 and expiry); empty when the customer has none there.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> => {
  const { provider_id } = req.validatedQuery as SavedMethodsQuery
  const payment_methods = await listSavedPaymentMethods(req.scope, req.auth_context.actor_id, provider_id)
  res.json({ payment_methods })
}

/**
 * `POST /store/customers/me/payment-methods` with `{ provider_id, data }`: saves a method at
 * the provider for the customer (creating the customer's account holder there first) and
 * answers `{ payment_method: { id, provider_id, data } }` as the provider returns it (Stripe:
 * a SetupIntent's id, status and client secret, for Stripe.js to confirm).
 */
export const POST = async (req: AuthenticatedMedusaRequest<SavePaymentMethodBody>, res: MedusaResponse): Promise<void> => {
  const { provider_id, data } = req.validatedBody
  const payment_method = await savePaymentMethod(req.scope, req.auth_context.actor_id, provider_id, data)
  res.json({ payment_method })
}
