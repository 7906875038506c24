import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { processPaymentWorkflow } from "@medusajs/medusa/core-flows"
import { parseFormBody } from "../../../../lib/payments/hosted/contract"
import { handleHostedNotification } from "../../../../lib/payments/hosted/notifications"
import { paymentProviders, querySessionReader } from "../../../../lib/payments/hosted/sessions"
import { processOutcome } from "../../../../lib/payments/outcomes/process"
import { outcomeDependencies } from "../../../../runtime/outcomes"
import { statusThrottle } from "../../../../runtime/status-throttle"

/**
 * `POST /hooks/ecpay/:id`: ECPay's payment notification (`ReturnURL`) for the provider
 * registered as `pp_ecpay_<id>` (`/hooks/ecpay/ecpay` for the collection's registration).
 *
 * ECPay keeps sending a notification until it reads exactly `1|OK`, so the answer is
 * `1|OK` only once the notification is verified and handled (or verified with nothing to
 * do), and `0|<reason>` otherwise, so that a genuine one is sent again later.
 * @see https://developers.ecpay.com.tw/?p=2878
 *
 * The pipeline gets Medusa from here: the request's query (through `querySessionReader`), the
 * Payment Module's providers, Medusa's `processPaymentWorkflow` to settle a paid notification
 * with (what Medusa's own webhook subscriber runs), and the plugin's outcome pipeline, which
 * records each notification once and errors the session of a failed payment.
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
  const providerId = `pp_ecpay_${id}`
  const outcome = await handleHostedNotification(
    {
      sessions: querySessionReader(req.scope),
      providers: paymentProviders(req.scope),
      runPaymentWorkflow: (input) => processPaymentWorkflow(req.scope).run({ input }),
      logger,
      // One gateway query per session per interval across every server instance.
      throttle: statusThrottle(req.scope),
      // On the payment's event timeline, once per notification; a failed payment errors its session.
      recordOutcome: (gatewayOutcome) =>
        processOutcome(outcomeDependencies(req.scope), { providerId, outcome: gatewayOutcome, source: "webhook", label: "ECPay" }),
    },
    providerId,
    fields,
    "ECPay"
  )
  res.send(outcome.acknowledge ? "1|OK" : `0|${outcome.detail.replace(/[^A-Za-z0-9 .,:_-]/g, "").slice(0, 100)}`)
}
