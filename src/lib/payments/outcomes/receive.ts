/**
 * One webhook delivery, from the HTTP request to the answer the gateway sees, for a provider
 * of the collection (`GatewayEventSource`): verify first (a forged or unreadable delivery
 * gets a 4xx and changes nothing), then process (`processOutcome`), and answer 5xx when the
 * processing failed, so the gateway delivers it again (Stripe retries for up to three days,
 * PayPal up to 25 times) instead of Medusa's route, which answers 200 before it has looked.
 */
import { redactText } from "../redact"
import { messageOf } from "../hosted/settle"
import { processOutcome, type EventSource, type OutcomeDependencies, type ProcessResult } from "./process"
import type { GatewayEventSource, GatewayEventVerdict, GatewayWebhookPayload } from "./types"

export interface WebhookAnswer {
  status: 200 | 400 | 401 | 500 | 503
  body: { received: boolean; outcome?: ProcessResult["outcome"]; message?: string }
  result?: ProcessResult
}

export async function receiveGatewayEvent(
  deps: OutcomeDependencies,
  provider: GatewayEventSource,
  providerId: string,
  payload: GatewayWebhookPayload,
  options: { label: string; source?: EventSource }
): Promise<WebhookAnswer> {
  const log = (level: "info" | "warn" | "error", message: string) => deps.logger[level](redactText(`${options.label} webhook: ${message}`))
  let verdict: GatewayEventVerdict
  try {
    verdict = await provider.readGatewayEvent(payload)
  } catch (error) {
    // The provider could not tell (the gateway's verification API is down): the gateway is
    // asked to deliver it again later.
    log("warn", `could not verify a delivery for ${providerId} yet: ${messageOf(error)}`)
    return { status: 503, body: { received: false, message: "could not be verified now; deliver again later" } }
  }
  if (!verdict.verified) {
    log("warn", `refused a delivery for ${providerId}: ${verdict.reason}`)
    return { status: 401, body: { received: false, message: "not verified" } }
  }
  const result = await processOutcome(deps, {
    providerId,
    outcome: verdict.outcome,
    source: options.source ?? "webhook",
    label: options.label,
  })
  if (result.retry) {
    return { status: 500, body: { received: false, outcome: result.outcome, message: "processing failed; deliver again" }, result }
  }
  return { status: 200, body: { received: true, outcome: result.outcome }, result }
}
