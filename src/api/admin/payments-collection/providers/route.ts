import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { collectionProviders } from "../../../../runtime/admin"

/**
 * `GET /admin/payments-collection/providers`: the registered providers of the collection
 * with their own names ("Cash on delivery", "Card payment (Stripe)"), for the admin pages
 * that would otherwise show `pp_cod_offline`.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> => {
  res.json({ providers: await collectionProviders(req.scope) })
}
