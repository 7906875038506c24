/**
 * The outcomes about a payment session's state: a payment that settles a cart (and a capture
 * made in the gateway's dashboard), the shopper still at work, a decline, a cancellation at
 * the gateway. Called by `processOutcome` under the session's lock, once per event.
 */
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { compareAmounts, formatAmount, recordedAmount, sumOfRecordedAmounts, toBigNumber } from "../money"
import { isSettled, type SessionRecord } from "../hosted/sessions"
import { settle } from "../hosted/settle"
import { Retry, type Act, type Log, type OutcomeDependencies, type ProcessInput } from "./ports"
import type { GatewayOutcome } from "./types"

export async function settleFromEvent(
  deps: OutcomeDependencies,
  input: ProcessInput,
  outcome: Extract<GatewayOutcome, { kind: "authorized" | "captured" }>,
  session: SessionRecord,
  log: Log
): Promise<Act> {
  if (input.source === "medusa_webhook") {
    // Medusa's own payment-webhook subscriber handles these from the same event.
    return { outcome: "ignored", detail: `${outcome.kind}: left to Medusa's payment-webhook subscriber`, payment_id: session.payment?.id }
  }
  const sessionAmount = recordedAmount(session)
  // What the gateway charged for the session's amount, when it rounds it (5.125 KWD is 5.130
  // at Stripe): an event about exactly that is about this payment.
  let charged: string | undefined
  try {
    charged = deps.chargedAmount?.(input.providerId, sessionAmount.toFixed(), String(session.currency_code))
  } catch {
    charged = undefined
  }
  // Once Medusa has the payment, a later event about it (Stripe's payment_intent.succeeded
  // after a partial capture in the admin) only needs the order checked, not the amount.
  const differs =
    outcome.currency_code.toLowerCase() !== String(session.currency_code).toLowerCase() ||
    (compareAmounts(outcome.amount, sessionAmount) !== 0 && (charged === undefined || compareAmounts(outcome.amount, charged) !== 0))
  if (!isSettled(session) && differs) {
    log(
      "error",
      `reports ${formatAmount(outcome.amount, outcome.currency_code)} but payment session ${session.id} is for ` +
        `${formatAmount(sessionAmount, String(session.currency_code))}; not applied`
    )
    return { outcome: "ignored", detail: "amount or currency differs from the payment session's; not applied" }
  }
  if (outcome.kind === "captured" && outcome.captured_total !== undefined && isSettled(session)) {
    const recorded = await recordGatewayCapture(deps, outcome, session, log)
    if (recorded) return recorded
  }
  if (session.status === PaymentSessionStatus.ERROR) {
    // An earlier decline errored the session, and the shopper paid on the same gateway
    // payment after all (Stripe's PaymentIntent takes another card after a decline): the
    // session is live again, or Medusa would not complete its cart.
    await deps.actions.setSessionStatus(session.id, "pending")
    session = { ...session, status: PaymentSessionStatus.PENDING }
  }
  const result = await settle(deps, session, outcome.kind, log, "webhook")
  if (!result.acknowledge) throw new Retry(`not settled yet: ${result.detail}`)
  const after = await deps.sessions.session(session.id)
  return {
    outcome: result.result === "duplicate" ? "duplicate" : "acted_on",
    detail: result.result === "duplicate" ? "the payment was already settled" : `payment ${outcome.kind}${result.order_id ? `; order ${result.order_id}` : ""}`,
    payment_id: after?.payment?.id,
    order_id: result.order_id,
  }
}

/**
 * A capture made at the gateway (its dashboard) on a payment Medusa has authorized: what the
 * gateway captured beyond what Medusa recorded is recorded, at most what is left to capture.
 * Medusa's own captures are recorded before the gateway is called, so their events find
 * nothing beyond. `undefined` when there is nothing to record (the settling goes on).
 */
async function recordGatewayCapture(
  deps: OutcomeDependencies,
  outcome: Extract<GatewayOutcome, { kind: "authorized" | "captured" }>,
  session: SessionRecord,
  log: Log
): Promise<Act | undefined> {
  const payment = await deps.actions.paymentOfSession(session.id)
  if (!payment || payment.canceled_at) return undefined
  if (outcome.currency_code.toLowerCase() !== payment.currency_code.toLowerCase()) return undefined
  const captured = sumOfRecordedAmounts(payment.captures)
  const beyond = toBigNumber(outcome.captured_total as never).minus(captured)
  if (!beyond.gt(0)) return undefined
  const left = recordedAmount(payment).minus(captured)
  if (!left.gt(0)) return undefined
  const amount = beyond.gt(left) ? left : beyond
  const text = formatAmount(amount, payment.currency_code)
  await deps.actions.recordGatewayCapture(payment, amount.toFixed())
  log("info", `recorded a capture of ${text} made at the gateway on payment ${payment.id}`)
  return { outcome: "acted_on", detail: `recorded a capture of ${text} made at the gateway`, payment_id: payment.id, order_id: payment.order_id }
}

export async function awaitingShopper(deps: OutcomeDependencies, kind: "pending" | "requires_more", session: SessionRecord): Promise<Act> {
  if (isSettled(session)) return { outcome: "ignored", detail: `${kind} after the payment was settled`, payment_id: session.payment?.id }
  // Events come in any order: a late "processing" does not bring a canceled session back.
  if (session.status === PaymentSessionStatus.CANCELED) return { outcome: "ignored", detail: `${kind} after the session was canceled` }
  if (session.status === kind) return { outcome: "duplicate", detail: `the session is already ${kind}` }
  await deps.actions.setSessionStatus(session.id, kind)
  return { outcome: "acted_on", detail: `session ${kind === "pending" ? "pending at the gateway" : "awaits the shopper's action"}` }
}

export async function failed(
  deps: OutcomeDependencies,
  outcome: Extract<GatewayOutcome, { kind: "failed" }>,
  session: SessionRecord,
  log: Log
): Promise<Act> {
  const why = outcome.reason ? ` (${outcome.reason})` : ""
  if (isSettled(session)) {
    log("warn", `a failure${why} reported after payment session ${session.id} was authorized; left as it is`)
    return { outcome: "ignored", detail: `failure${why} after the payment was authorized; check the gateway`, payment_id: session.payment?.id }
  }
  if (session.status === PaymentSessionStatus.ERROR) return { outcome: "duplicate", detail: "the session is already marked as errored" }
  await deps.actions.setSessionStatus(session.id, "error")
  return { outcome: "acted_on", detail: `payment failed${why}; the session is marked as errored and the shopper can pay again` }
}

export async function canceled(
  deps: OutcomeDependencies,
  outcome: Extract<GatewayOutcome, { kind: "canceled" }>,
  session: SessionRecord,
  log: Log
): Promise<Act> {
  const why = outcome.reason ? ` (${outcome.reason})` : ""
  const payment = await deps.actions.paymentOfSession(session.id)
  if (payment) {
    if (payment.canceled_at) return { outcome: "duplicate", detail: "the payment is already canceled", payment_id: payment.id }
    const captured = sumOfRecordedAmounts(payment.captures)
    if (captured.gt(0)) {
      log("warn", `the gateway reports payment ${payment.id} canceled${why}, but Medusa has captured ${captured.toFixed()}; left as it is`)
      return { outcome: "ignored", detail: `canceled at the gateway${why} but captured in Medusa; check the gateway`, payment_id: payment.id }
    }
    await deps.actions.markPaymentCanceled(payment.id)
    return { outcome: "acted_on", detail: `payment canceled at the gateway${why}; canceled in Medusa`, payment_id: payment.id, order_id: payment.order_id }
  }
  if (session.status === PaymentSessionStatus.CANCELED) return { outcome: "duplicate", detail: "the session is already canceled" }
  await deps.actions.setSessionStatus(session.id, "canceled")
  return { outcome: "acted_on", detail: `payment canceled at the gateway${why}; the session is canceled and the shopper can pay again` }
}
