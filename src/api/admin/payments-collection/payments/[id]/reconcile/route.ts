import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { reconcileSession } from "../../../../../../lib/payments/outcomes/reconcile"
import { paymentView } from "../../../../../../runtime/admin"
import { reconcileDependencies } from "../../../../../../runtime/reconcile"

/**
 * `POST /admin/payments-collection/payments/:id/reconcile`: "check with the gateway" for one
 * payment, now: the reconciliation the scheduled job runs, for this payment only. Answers
 * what was found and done, and the payment's view afterwards.
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<void> => {
  const { view, session_id } = await paymentView(req.scope, String(req.params.id))
  if (!session_id || !view.can_check) {
    res.json({ result: { outcome: "skipped", detail: "this payment has no gateway to ask" }, payment: view })
    return
  }
  const result = await reconcileSession(reconcileDependencies(req.scope), session_id, "admin")
  res.json({
    result: { outcome: result.status, detail: result.detail },
    payment: (await paymentView(req.scope, view.payment_id)).view,
  })
}
