import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { deleteSavedPaymentMethod } from "../../../../../../runtime/payment-methods"
import { PAYMENT_METHOD_ID, type SavedMethodsQuery } from "../../../../../payment-methods-middlewares"

/**
 * `DELETE /store/customers/me/payment-methods/:id?provider_id=pp_...`: deletes one of the
 * logged-in customer's saved methods at the provider. An id the gateway does not list for
 * this customer is 404 and nothing is deleted at the gateway.
 */
export const DELETE = async (req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> => {
  const { provider_id } = req.validatedQuery as SavedMethodsQuery
  const id = String(req.params.id ?? "")
  if (!PAYMENT_METHOD_ID.test(id)) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, "Payment method was not found")
  }
  await deleteSavedPaymentMethod(req.scope, req.auth_context.actor_id, provider_id, id)
  res.json({ id, object: "payment_method", deleted: true })
}
