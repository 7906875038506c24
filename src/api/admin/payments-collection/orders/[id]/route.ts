import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { orderPaymentsView } from "../../../../../runtime/admin"

/**
 * `GET /admin/payments-collection/orders/:id`: the order's payments of the collection as
 * the admin widget shows them (`AdminOrderPaymentsView` in lib/payments/outcomes/view.ts):
 * label, gateway reference and dashboard link, Medusa's amounts against the gateway's last
 * answer, the timeline of gateway events, disputes.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> => {
  res.json(await orderPaymentsView(req.scope, String(req.params.id)))
}
