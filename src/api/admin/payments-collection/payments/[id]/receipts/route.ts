import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { recordReceipt } from "../../../../../../runtime/admin"

/**
 * `POST /admin/payments-collection/payments/:id/receipts` with `{ "amount": "8.00" }`:
 * records an amount received for an offline payment (bank transfer, cash on delivery) as a
 * partial capture, so "€8 received" and then "€12 received" can both be recorded; Medusa's
 * own capture dialog always sends the whole amount.
 */
export const POST = async (req: AuthenticatedMedusaRequest<{ amount?: unknown }>, res: MedusaResponse): Promise<void> => {
  const payment = await recordReceipt(req.scope, String(req.params.id), req.body?.amount, req.auth_context?.actor_id)
  res.json({ payment })
}
