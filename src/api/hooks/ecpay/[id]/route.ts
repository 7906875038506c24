import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { handleHostedNotification, parseFormBody } from "../../../../lib/payments/hosted"

/**
 * `POST /hooks/ecpay/:id`: ECPay's payment notification (`ReturnURL`) for the provider
 * registered as `pp_ecpay_<id>` (`/hooks/ecpay/ecpay` for the collection's registration).
 *
 * ECPay keeps sending a notification until it reads exactly `1|OK`, so the answer is
 * `1|OK` only once the notification is verified and handled (or verified with nothing to
 * do), and `0|<reason>` otherwise, so that a genuine one is sent again later.
 * @see https://developers.ecpay.com.tw/?p=2878
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse): Promise<void> => {
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  const id = String(req.params.id ?? "")
  res.status(200).type("text/plain")
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    res.send("0|unknown provider")
    return
  }
  const raw = (req as MedusaRequest & { rawBody?: Buffer }).rawBody
  const fields = parseFormBody(raw)
  const outcome = await handleHostedNotification(req.scope, `pp_ecpay_${id}`, fields, "ECPay", logger)
  res.send(outcome.acknowledge ? "1|OK" : `0|${outcome.detail.replace(/[^A-Za-z0-9 .,:_-]/g, "").slice(0, 100)}`)
}
