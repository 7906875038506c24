/**
 * The notification pipeline: everything that happens to a hosted gateway's notification
 * after the route has read its body. The gateway's provider verifies the signature and the
 * merchant; this checks the gateway's order number and the amount against the Medusa payment
 * session, drops replays, and hands the result to Medusa's own webhook processing (through
 * the injected `runPaymentWorkflow`), so an order is created once. The route answers the
 * gateway with the acknowledgement it expects.
 */
import type { GetPaymentStatusOutput } from "@medusajs/framework/types"
import { compareAmounts, toBigNumber } from "../money"
import { redactText } from "../redact"
import {
  isHostedPaymentProvider,
  type HostedLogger,
  type HostedPaymentProvider,
  type NotificationOutcome,
  type NotificationVerdict,
} from "./contract"
import { type HostedPaymentDependencies, type Log, messageOf, settle, settledAction } from "./settle"
import { isSettled, type SessionRecord } from "./sessions"
import { DEFAULT_MIN_INTERVAL_MS, sharedStatusThrottle } from "./throttle"
import type { ProcessResult } from "../outcomes/process"

/**
 * Handle one notification. Never throws: every failure becomes an outcome the route turns
 * into the gateway's negative acknowledgement, so the gateway retries.
 *
 * @param providerId the provider registered for the route (`pp_ecpay_<id>`)
 * @param fields the notification's form fields (`parseFormBody`); `undefined` for a body that is not a form
 * @param label how the gateway is named in log lines ("ECPay")
 */
export async function handleHostedNotification(
  deps: HostedPaymentDependencies,
  providerId: string,
  fields: Record<string, string> | undefined,
  label: string
): Promise<NotificationOutcome> {
  const { logger } = deps
  const log: Log = (level: keyof HostedLogger, message: string) => logger[level](redactText(`${label} notification: ${message}`))
  if (!fields) {
    log("warn", "refused a body that is not a form")
    return { acknowledge: false, result: "rejected", detail: "malformed" }
  }
  let provider: unknown
  try {
    provider = deps.providers(providerId)
  } catch (error) {
    log("error", `cannot reach provider ${providerId}: ${messageOf(error)}`)
    return { acknowledge: false, result: "retry", detail: "provider unavailable" }
  }
  if (!isHostedPaymentProvider(provider)) {
    log("warn", `no hosted payment provider is registered as ${providerId}`)
    return { acknowledge: false, result: "rejected", detail: "unknown provider" }
  }

  let verdict: NotificationVerdict
  try {
    verdict = provider.verifyNotification(fields)
  } catch (error) {
    log("warn", `refused a notification that could not be read: ${messageOf(error)}`)
    return { acknowledge: false, result: "rejected", detail: "malformed" }
  }

  switch (verdict.kind) {
    case "rejected":
      log("warn", `refused: ${verdict.reason}`)
      return { acknowledge: false, result: "rejected", detail: verdict.reason }
    case "failed":
      return recordFailure(deps, provider, providerId, verdict, log)
    case "ignored":
      // Verified and for this merchant, with nothing to pay: acknowledged so the gateway
      // stops sending it.
      log("info", `${verdict.kind}${verdict.reference ? ` (${verdict.reference})` : ""}: ${verdict.reason}`)
      return { acknowledge: true, result: "ignored", detail: verdict.reason, session_id: verdict.session_id }
    case "stale":
      return settleStale(deps, provider, providerId, verdict, log)
    case "paid":
      return settlePaid(deps, provider, providerId, verdict, log)
    default: {
      const unknown: never = verdict
      log("error", `unknown verdict ${JSON.stringify(unknown)}`)
      return { acknowledge: false, result: "retry", detail: "unknown verdict" }
    }
  }
}

/** The checks every paid notification passes before Medusa hears of it. */
async function checkedSession(
  deps: HostedPaymentDependencies,
  provider: HostedPaymentProvider,
  providerId: string,
  sessionId: string,
  reference: string,
  log: Log
): Promise<{ session: SessionRecord } | { outcome: NotificationOutcome }> {
  let session: SessionRecord | undefined
  try {
    session = await deps.sessions.session(sessionId)
  } catch (error) {
    log("error", `could not read payment session ${sessionId}: ${messageOf(error)}`)
    return { outcome: { acknowledge: false, result: "retry", detail: "session lookup failed", session_id: sessionId } }
  }
  if (!session) {
    // Money may have moved for a session Medusa no longer has (the cart changed and the
    // session was replaced): say so loudly, and do not acknowledge, so the gateway's back
    // office shows the notification as undelivered.
    log("error", `payment ${reference} is for payment session ${sessionId}, which does not exist (any more); if it was paid, refund it from the gateway's back office`)
    return { outcome: { acknowledge: false, result: "rejected", detail: "unknown session", session_id: sessionId } }
  }
  if (session.provider_id !== providerId) {
    log("warn", `payment session ${sessionId} belongs to ${session.provider_id}, not ${providerId}`)
    return { outcome: { acknowledge: false, result: "rejected", detail: "session of another provider", session_id: sessionId } }
  }
  const expected = provider.referenceOf(session.data)
  if (!expected || expected !== reference) {
    log("warn", `order number ${reference} is not the one of payment session ${sessionId} (${expected ?? "none"})`)
    return { outcome: { acknowledge: false, result: "rejected", detail: "order number mismatch", session_id: sessionId } }
  }
  return { session }
}

async function settlePaid(
  deps: HostedPaymentDependencies,
  provider: HostedPaymentProvider,
  providerId: string,
  verdict: Extract<NotificationVerdict, { kind: "paid" }>,
  log: Log
): Promise<NotificationOutcome> {
  const checked = await checkedSession(deps, provider, providerId, verdict.session_id, verdict.reference, log)
  if ("outcome" in checked) return checked.outcome
  const { session } = checked
  if (
    verdict.currency_code.toLowerCase() !== String(session.currency_code).toLowerCase() ||
    compareAmounts(verdict.amount, (session.raw_amount ?? session.amount) as never) !== 0
  ) {
    log(
      "error",
      `payment ${verdict.reference} reports ${verdict.amount.toFixed()} ${verdict.currency_code.toUpperCase()} but payment session ` +
        `${session.id} is for ${toBigNumber((session.raw_amount ?? session.amount) as never).toFixed()} ${String(session.currency_code).toUpperCase()}; not applied`
    )
    return { acknowledge: false, result: "rejected", detail: "amount mismatch", session_id: session.id }
  }
  if (deps.recordOutcome) {
    return asNotificationOutcome(
      await deps.recordOutcome({
        event_id: `${verdict.reference}:${verdict.action}`,
        event_type: `notification.${verdict.action}`,
        kind: verdict.action,
        session_id: session.id,
        amount: verdict.amount.toFixed(),
        currency_code: verdict.currency_code,
      }),
      session.id
    )
  }
  return settle(deps, session, verdict.action, log, "notification")
}

/**
 * A signed notification of a failed attempt: the session errors (the shopper can pay again)
 * when it is the session's current attempt; an older attempt's failure changes nothing.
 */
async function recordFailure(
  deps: HostedPaymentDependencies,
  provider: HostedPaymentProvider,
  providerId: string,
  verdict: Extract<NotificationVerdict, { kind: "failed" }>,
  log: Log
): Promise<NotificationOutcome> {
  log("info", `failed${verdict.reference ? ` (${verdict.reference})` : ""}: ${verdict.reason}`)
  const ignored: NotificationOutcome = { acknowledge: true, result: "ignored", detail: verdict.reason, session_id: verdict.session_id }
  if (!deps.recordOutcome || !verdict.session_id || !verdict.reference) return ignored
  let session: SessionRecord | undefined
  try {
    session = await deps.sessions.session(verdict.session_id)
  } catch (error) {
    log("error", `could not read payment session ${verdict.session_id}: ${messageOf(error)}`)
    return { acknowledge: false, result: "retry", detail: "session lookup failed", session_id: verdict.session_id }
  }
  if (!session || session.provider_id !== providerId || provider.referenceOf(session.data) !== verdict.reference) return ignored
  const result = await deps.recordOutcome({
    event_id: `${verdict.reference}:failed`,
    event_type: "notification.failed",
    kind: "failed",
    session_id: session.id,
    reason: verdict.reason,
  })
  return result.retry ? { acknowledge: false, result: "retry", detail: result.detail, session_id: session.id } : { ...ignored, detail: result.detail }
}

/** What the outcome pipeline did, as the notification route answers it. */
function asNotificationOutcome(result: ProcessResult, sessionId: string): NotificationOutcome {
  switch (result.outcome) {
    case "acted_on":
      return { acknowledge: true, result: "processed", detail: result.detail, session_id: sessionId, order_id: result.order_id }
    case "duplicate":
      return { acknowledge: true, result: "duplicate", detail: result.detail, session_id: sessionId, order_id: result.order_id }
    case "ignored":
      // Verified but not applied (an amount that is not the session's): not acknowledged, so
      // it shows as undelivered in the gateway's back office.
      return { acknowledge: false, result: "rejected", detail: result.detail, session_id: sessionId }
    default:
      return { acknowledge: false, result: "retry", detail: result.detail, session_id: sessionId }
  }
}

async function settleStale(
  deps: HostedPaymentDependencies,
  provider: HostedPaymentProvider,
  providerId: string,
  verdict: Extract<NotificationVerdict, { kind: "stale" }>,
  log: Log
): Promise<NotificationOutcome> {
  const checked = await checkedSession(deps, provider, providerId, verdict.session_id, verdict.reference, log)
  if ("outcome" in checked) return checked.outcome
  const { session } = checked
  if (isSettled(session)) {
    return { acknowledge: true, result: "duplicate", detail: "already settled", session_id: session.id }
  }
  // Replaying an old signed notification must not make the store hammer the gateway's
  // order query (gateways rate-limit it): one query per session per interval.
  const throttle = deps.throttle ?? sharedStatusThrottle
  if ((await throttle.wait(session.id, (deps.now ?? Date.now)(), DEFAULT_MIN_INTERVAL_MS)) > 0) {
    return { acknowledge: false, result: "retry", detail: "checked recently", session_id: session.id }
  }
  log("info", `${verdict.reason}; asking the gateway for the status of ${verdict.reference}`)
  let status: GetPaymentStatusOutput
  try {
    status = await provider.getPaymentStatus({ data: session.data ?? {} })
  } catch (error) {
    log("warn", `could not confirm ${verdict.reference} with the gateway: ${messageOf(error)}`)
    return { acknowledge: false, result: "retry", detail: "status unavailable", session_id: session.id }
  }
  const action = settledAction(status.status)
  if (!action) {
    return { acknowledge: false, result: "retry", detail: `gateway reports ${status.status}`, session_id: session.id }
  }
  if (deps.recordOutcome) {
    return asNotificationOutcome(
      await deps.recordOutcome({
        event_id: `${verdict.reference}:${action}`,
        event_type: `status_query.${action}`,
        kind: action,
        session_id: session.id,
        // The provider's status query checks the gateway's amount against the session's.
        amount: toBigNumber((session.raw_amount ?? session.amount) as never).toFixed(),
        currency_code: String(session.currency_code),
      }),
      session.id
    )
  }
  return settle(deps, session, action, log, "status query")
}
