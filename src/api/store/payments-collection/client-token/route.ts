import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { clientTokenFor } from "../../../../runtime/client-tokens"
import type { ClientTokenBody } from "../../../client-token-middlewares"

/**
 * `POST /store/payments-collection/client-token` with `{ provider_id, currency_code? }`: a
 * client token for the gateway's own card form (Braintree's Drop-in or Hosted Fields), as
 * `{ client_token }`. For a logged-in customer with an account holder at the provider it is
 * scoped to that gateway customer, so the form offers their saved methods; a guest's is not.
 * Like every store route it needs the publishable key.
 */
export const POST = async (req: AuthenticatedMedusaRequest<ClientTokenBody>, res: MedusaResponse): Promise<void> => {
  const { provider_id, currency_code } = req.validatedBody
  const client_token = await clientTokenFor(req.scope, provider_id, req.auth_context?.actor_id ?? null, currency_code ?? null)
  res.json({ client_token })
}
