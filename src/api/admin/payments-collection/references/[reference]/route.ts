import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ordersByReference } from "../../../../../runtime/admin"

/**
 * `GET /admin/payments-collection/references/:reference`: the orders whose bank-transfer
 * payment carries this payment reference (an RF creditor reference; spaces and case
 * ignored), for matching an incoming transfer to its order.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> => {
  res.json({ orders: await ordersByReference(req.scope, String(req.params.reference ?? "")) })
}
