/**
 * Acting on a verified gateway outcome, once: the outcomes Medusa's own webhook subscriber
 * drops (a decline, a cancellation at the gateway, a refund made in the gateway's dashboard,
 * a dispute), and, on the plugin's own webhook route, the payments that settle a cart.
 *
 * Each gateway event is recorded in a ledger keyed by the gateway's event id, and processed
 * under a lock keyed by the payment session (Medusa's Locking Module in the app), so the
 * same event delivered ten times at once, or two events about the same refund, change
 * Medusa once. A processing that fails is recorded as `failed` and answered so the gateway
 * sends the event again (or the reconciliation job catches up); a redelivery then runs it
 * again.
 *
 * Medusa is reached through the ports below (`OutcomeDependencies`); `src/runtime/outcomes.ts`
 * builds them from a container. This file imports nothing of Medusa's workflow layer.
 */
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { externalRefundNote, hasExternalRefund, recordsGatewayRefund } from "../external-refunds"
import { compareAmounts, formatAmount, recordedAmount, sumOfRecordedAmounts, toBigNumber } from "../money"
import { redactText } from "../redact"
import type { HostedLogger } from "../hosted/contract"
import { isSettled, type SessionReader, type SessionRecord } from "../hosted/sessions"
import { messageOf, settle, type PaymentWorkflowRunner } from "../hosted/settle"
import type { DisputeStatus, GatewayOutcome } from "./types"

// ---- The ledger -------------------------------------------------------------------------------

/** What happened to a gateway event. */
export type EventOutcome = "received" | "acted_on" | "duplicate" | "ignored" | "failed"

/** Where an outcome came from. */
export type EventSource = "webhook" | "medusa_webhook" | "reconciliation" | "admin"

export interface EventRecord {
  id: string
  provider_id: string
  event_id: string
  event_type: string
  kind: string
  source: string
  session_id: string | null
  payment_id: string | null
  outcome: EventOutcome | string
  detail: string | null
  deliveries: number
  attempts: number
  occurred_at: string | Date | null
  processed_at: string | Date | null
}

export type NewEventRecord = Omit<EventRecord, "id" | "deliveries" | "attempts" | "processed_at" | "detail"> & { detail?: string | null }

export interface EventLedger {
  find(providerId: string, eventId: string): Promise<EventRecord | undefined>
  /**
   * Insert the event; when another process inserted the same (provider, event id) first,
   * answer that one with `created: false`.
   */
  create(record: NewEventRecord): Promise<{ record: EventRecord; created: boolean }>
  update(id: string, patch: Partial<Omit<EventRecord, "id">>): Promise<void>
}

export interface DisputeRecord {
  id: string
  provider_id: string
  dispute_id: string
  session_id: string | null
  payment_id: string | null
  order_id: string | null
  status: DisputeStatus | string
  reason: string | null
  amount: string
  currency_code: string
  evidence_due_by: string | Date | null
  opened_at: string | Date | null
  closed_at: string | Date | null
  last_event_id: string | null
}

export interface DisputeLedger {
  find(providerId: string, disputeId: string): Promise<DisputeRecord | undefined>
  create(record: Omit<DisputeRecord, "id">): Promise<DisputeRecord>
  update(id: string, patch: Partial<Omit<DisputeRecord, "id">>): Promise<DisputeRecord>
}

// ---- Medusa, as this needs it -----------------------------------------------------------------

/** A Medusa payment with what the outcomes need of it. */
export interface PaymentOfSession {
  id: string
  provider_id: string
  amount: unknown
  raw_amount?: unknown
  currency_code: string
  data: Record<string, unknown> | null
  canceled_at: string | Date | null
  captures: Array<{ amount: unknown; raw_amount?: unknown }>
  refunds: Array<{ id: string; amount: unknown; raw_amount?: unknown; note?: string | null }>
  /** The order the payment's cart became, if any. */
  order_id?: string
}

export interface OutcomeActions {
  paymentOfSession(sessionId: string): Promise<PaymentOfSession | undefined>
  /** Set the session's status in Medusa (the gateway has already acted; nothing is sent to it). */
  setSessionStatus(sessionId: string, status: "error" | "canceled" | "pending" | "requires_more"): Promise<void>
  /** Mark the Medusa payment canceled (the gateway already canceled it; nothing is sent to it). */
  markPaymentCanceled(paymentId: string): Promise<void>
  /**
   * Record a refund the gateway made outside Medusa: note it in the payment's data
   * (`noteExternalRefund`) and run Medusa's refund workflow for exactly its amount, with
   * `note`; the provider takes the noted refund instead of calling the gateway.
   */
  recordExternalRefund(payment: PaymentOfSession, refund: { refund_id: string; amount: string; currency_code: string; note: string }): Promise<void>
  /**
   * Record a capture the gateway made outside Medusa (its dashboard) with Medusa's capture
   * workflow for `amount`; the provider finds the gateway's capture already made and records
   * it without capturing again.
   */
  recordGatewayCapture(payment: PaymentOfSession, amount: string): Promise<void>
  /** Keep the order's record of its disputes (`order.metadata`) in step. */
  noteDisputeOnOrder(orderId: string, dispute: DisputeRecord): Promise<void>
  /** Emit a Medusa event (see `DISPUTE_EVENTS`). */
  emit(name: string, data: Record<string, unknown>): Promise<void>
}

export interface OutcomeDependencies {
  sessions: SessionReader
  runPaymentWorkflow: PaymentWorkflowRunner
  events: EventLedger
  disputes: DisputeLedger
  actions: OutcomeActions
  /** Run `job` holding the lock on `key` (Medusa's Locking Module), across processes. */
  lock<T>(key: string, job: () => Promise<T>): Promise<T>
  logger: HostedLogger
  /** @default () => new Date() */
  now?: () => Date
  /**
   * The amount the provider's gateway charges for a Medusa amount (`GatewayChargedAmount`),
   * or `undefined` when it charges the exact amount.
   */
  chargedAmount?(providerId: string, amount: string, currency: string): string | undefined
}

/** The Medusa events emitted for disputes; `data` is a `DisputeEventData`. */
export const DISPUTE_EVENTS = {
  opened: "payments-collection.dispute.opened",
  updated: "payments-collection.dispute.updated",
  closed: "payments-collection.dispute.closed",
} as const

/** The payload of a `DISPUTE_EVENTS` event: ids, status, money and dates; no personal data. */
export interface DisputeEventData {
  id: string
  dispute_id: string
  provider_id: string
  payment_id: string | null
  order_id: string | null
  status: string
  reason: string | null
  amount: string
  currency_code: string
  evidence_due_by: string | null
}

export interface ProcessResult {
  outcome: EventOutcome
  detail: string
  event_id: string
  session_id?: string
  order_id?: string
  /** Processing failed and may succeed later: the delivery is to be answered so the gateway retries. */
  retry: boolean
}

export interface ProcessInput {
  providerId: string
  outcome: GatewayOutcome
  source: EventSource
  /** The gateway, for log lines ("Stripe"). */
  label: string
}

// ---- Processing -------------------------------------------------------------------------------

const FINAL = new Set<string>(["acted_on", "duplicate", "ignored"])

export function lockKeyOfSession(sessionId: string): string {
  return `payments-collection:session:${sessionId}`
}

/** Process one verified outcome. Never throws; a failure is a result with `retry: true`. */
export async function processOutcome(deps: OutcomeDependencies, input: ProcessInput): Promise<ProcessResult> {
  const { outcome } = input
  const log = (level: keyof HostedLogger, message: string) =>
    deps.logger[level](redactText(`${input.label} event ${outcome.event_id} (${outcome.event_type}): ${message}`))
  const sessionId = outcome.session_id
  const run = () => processRecorded(deps, input, log)
  let ran = false
  try {
    return sessionId
      ? await deps.lock(lockKeyOfSession(sessionId), () => {
          ran = true
          return run()
        })
      : await run()
  } catch (error) {
    if (sessionId && !ran) {
      // The lock was not had in time (another delivery, or a reconciliation, is at work on
      // the payment): the delivery is recorded and answered so the gateway sends it again.
      log("warn", `the payment is being processed elsewhere; delivery to be retried (${messageOf(error)})`)
      return recordUnprocessed(deps, input)
    }
    log("error", `could not be processed: ${messageOf(error)}`)
    return { outcome: "failed", detail: "processing failed", event_id: outcome.event_id, session_id: sessionId, retry: true }
  }
}

/** A delivery that could not be processed now, on the ledger (or a duplicate of one already done). */
async function recordUnprocessed(deps: OutcomeDependencies, input: ProcessInput): Promise<ProcessResult> {
  const { outcome } = input
  const base = { event_id: outcome.event_id, session_id: outcome.session_id }
  const detail = "the payment was being processed elsewhere; to be delivered again"
  try {
    const existing = await deps.events.find(input.providerId, outcome.event_id)
    if (existing && FINAL.has(existing.outcome)) {
      await deps.events.update(existing.id, { deliveries: existing.deliveries + 1 })
      return { ...base, outcome: "duplicate", detail: `already ${existing.outcome.replace("_", " ")}`, retry: false }
    }
    if (existing) {
      await deps.events.update(existing.id, { deliveries: existing.deliveries + 1, attempts: existing.attempts + 1, detail })
    } else {
      const { record, created } = await deps.events.create({
        provider_id: input.providerId,
        event_id: outcome.event_id,
        event_type: outcome.event_type,
        kind: outcome.kind,
        source: input.source,
        session_id: outcome.session_id ?? null,
        payment_id: null,
        outcome: "failed",
        detail,
        occurred_at: outcome.occurred_at ?? null,
      })
      if (created) await deps.events.update(record.id, { attempts: 1 })
      else if (FINAL.has(record.outcome)) return { ...base, outcome: "duplicate", detail: `already ${record.outcome.replace("_", " ")}`, retry: false }
    }
  } catch {
    // The ledger is unreachable too: the answer is the same, deliver again.
  }
  return { ...base, outcome: "failed", detail, retry: true }
}

type Log = (level: keyof HostedLogger, message: string) => void

interface Act {
  outcome: Exclude<EventOutcome, "received" | "failed">
  detail: string
  payment_id?: string
  order_id?: string
}

class Retry extends Error {}

async function processRecorded(deps: OutcomeDependencies, input: ProcessInput, log: Log): Promise<ProcessResult> {
  const { outcome } = input
  const now = deps.now ?? (() => new Date())
  const base = { event_id: outcome.event_id, session_id: outcome.session_id }

  let record = await deps.events.find(input.providerId, outcome.event_id)
  if (record && FINAL.has(record.outcome)) {
    await deps.events.update(record.id, { deliveries: record.deliveries + 1 })
    return { ...base, outcome: "duplicate", detail: `already ${record.outcome.replace("_", " ")}`, retry: false }
  }
  if (!record) {
    const created = await deps.events.create({
      provider_id: input.providerId,
      event_id: outcome.event_id,
      event_type: outcome.event_type,
      kind: outcome.kind,
      source: input.source,
      session_id: outcome.session_id ?? null,
      payment_id: null,
      outcome: "received",
      occurred_at: outcome.occurred_at ?? null,
    })
    record = created.record
    if (!created.created) {
      // Another process recorded it between the lookup and the insert (no session, so no lock).
      if (FINAL.has(record.outcome)) {
        await deps.events.update(record.id, { deliveries: record.deliveries + 1 })
        return { ...base, outcome: "duplicate", detail: `already ${record.outcome.replace("_", " ")}`, retry: false }
      }
    }
  } else {
    await deps.events.update(record.id, { deliveries: record.deliveries + 1 })
  }

  let act: Act
  try {
    act = await actOn(deps, input, log)
  } catch (error) {
    const detail = error instanceof Retry ? error.message : `processing failed: ${messageOf(error)}`
    if (!(error instanceof Retry)) log("error", detail)
    await deps.events.update(record.id, { outcome: "failed", detail: redactText(detail).slice(0, 500), attempts: record.attempts + 1 })
    return { ...base, outcome: "failed", detail, retry: true }
  }
  await deps.events.update(record.id, {
    outcome: act.outcome,
    detail: redactText(act.detail).slice(0, 500),
    attempts: record.attempts + 1,
    processed_at: now(),
    ...(act.payment_id ? { payment_id: act.payment_id } : {}),
  })
  if (act.outcome === "ignored" && outcome.kind === "ignored") {
    // Logged once, when first recorded (a redelivery is a duplicate above).
    log("info", `not acted on: ${act.detail}`)
  }
  return { ...base, outcome: act.outcome, detail: act.detail, order_id: act.order_id, retry: false }
}

async function actOn(deps: OutcomeDependencies, input: ProcessInput, log: Log): Promise<Act> {
  const { outcome } = input
  if (outcome.kind === "ignored") return { outcome: "ignored", detail: outcome.reason }

  const session = await deps.sessions.session(outcome.session_id)
  if (!session) {
    log("warn", `payment session ${outcome.session_id} does not exist (any more); nothing recorded`)
    return { outcome: "ignored", detail: "no such payment session in this store" }
  }
  if (session.provider_id !== input.providerId) {
    log("warn", `payment session ${session.id} belongs to ${session.provider_id}, not ${input.providerId}`)
    return { outcome: "ignored", detail: `the payment session belongs to another provider (${session.provider_id})` }
  }

  switch (outcome.kind) {
    case "authorized":
    case "captured":
      return settleFromEvent(deps, input, outcome, session, log)
    case "pending":
    case "requires_more":
      return awaitingShopper(deps, outcome.kind, session)
    case "failed":
      return failed(deps, outcome, session, log)
    case "canceled":
      return canceled(deps, outcome, session, log)
    case "refunded":
      return refunded(deps, input, outcome, session, log)
    case "dispute":
      return disputed(deps, input, outcome, session, log)
    default: {
      const unknown: never = outcome
      throw new Error(`unknown outcome ${JSON.stringify(unknown)}`)
    }
  }
}

async function settleFromEvent(
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

async function awaitingShopper(deps: OutcomeDependencies, kind: "pending" | "requires_more", session: SessionRecord): Promise<Act> {
  if (isSettled(session)) return { outcome: "ignored", detail: `${kind} after the payment was settled`, payment_id: session.payment?.id }
  // Events come in any order: a late "processing" does not bring a canceled session back.
  if (session.status === PaymentSessionStatus.CANCELED) return { outcome: "ignored", detail: `${kind} after the session was canceled` }
  if (session.status === kind) return { outcome: "duplicate", detail: `the session is already ${kind}` }
  await deps.actions.setSessionStatus(session.id, kind)
  return { outcome: "acted_on", detail: `session ${kind === "pending" ? "pending at the gateway" : "awaits the shopper's action"}` }
}

async function failed(
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

async function canceled(
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

async function refunded(
  deps: OutcomeDependencies,
  input: ProcessInput,
  outcome: Extract<GatewayOutcome, { kind: "refunded" }>,
  session: SessionRecord,
  log: Log
): Promise<Act> {
  const amountText = formatAmount(outcome.amount, outcome.currency_code)
  const payment = await deps.actions.paymentOfSession(session.id)
  const status = outcome.status ?? "succeeded"
  if (outcome.made_by_store) {
    if (status === "failed" || status === "canceled") {
      log("warn", `refund ${outcome.refund_id} of ${amountText}, made by this store, is ${status} at the gateway; Medusa shows it refunded: correct the order by hand`)
      return { outcome: "ignored", detail: `refund made by this store ${status} at the gateway after Medusa recorded it; correct the order by hand`, payment_id: payment?.id }
    }
    return { outcome: "duplicate", detail: `refund ${outcome.refund_id} of ${amountText} was made by this store; Medusa recorded it`, payment_id: payment?.id }
  }
  if (status === "pending") {
    return { outcome: "ignored", detail: `refund ${outcome.refund_id} of ${amountText} is pending at the gateway; recorded once it succeeds`, payment_id: payment?.id }
  }
  if (status !== "succeeded") {
    if (payment && hasExternalRefund(payment.data, outcome.refund_id)) {
      log("warn", `refund ${outcome.refund_id} of ${amountText} is ${status} at the gateway after Medusa recorded it; correct the order by hand`)
      return { outcome: "ignored", detail: `refund ${status} at the gateway after it was recorded; correct the order by hand`, payment_id: payment.id }
    }
    return { outcome: "ignored", detail: `refund ${outcome.refund_id} ${status} at the gateway; nothing to record`, payment_id: payment?.id }
  }
  if (!payment) {
    // The refund of a payment Medusa has not recorded yet: retried until the payment is.
    throw new Retry(`no Medusa payment for payment session ${session.id} yet; refund ${outcome.refund_id} not recorded`)
  }
  if (hasExternalRefund(payment.data, outcome.refund_id)) {
    return { outcome: "duplicate", detail: `refund ${outcome.refund_id} was already recorded`, payment_id: payment.id }
  }
  if (recordsGatewayRefund(payment.refunds, outcome.refund_id)) {
    // A Medusa refund records it already (its note names it), whatever the payment's data
    // says by now (written over by a capture or a refund made meanwhile).
    return { outcome: "duplicate", detail: `refund ${outcome.refund_id} was already recorded`, payment_id: payment.id }
  }
  if (outcome.currency_code.toLowerCase() !== payment.currency_code.toLowerCase()) {
    log("error", `refund ${outcome.refund_id} is in ${outcome.currency_code.toUpperCase()}, payment ${payment.id} in ${payment.currency_code.toUpperCase()}; not recorded`)
    return { outcome: "ignored", detail: "refund in another currency than the payment's; not recorded", payment_id: payment.id }
  }
  const refundable = sumOfRecordedAmounts(payment.captures).minus(sumOfRecordedAmounts(payment.refunds))
  if (toBigNumber(outcome.amount).gt(refundable)) {
    log(
      "error",
      `refund ${outcome.refund_id} of ${amountText} is more than Medusa can refund on payment ${payment.id} ` +
        `(${formatAmount(refundable, payment.currency_code)} captured and not refunded); not recorded, check the order`
    )
    return { outcome: "ignored", detail: `refund of ${amountText} exceeds what Medusa captured and did not refund; check the order`, payment_id: payment.id }
  }
  await deps.actions.recordExternalRefund(payment, {
    refund_id: outcome.refund_id,
    amount: toBigNumber(outcome.amount).toFixed(),
    currency_code: outcome.currency_code,
    note: externalRefundNote(input.label, outcome.refund_id, input.source === "reconciliation" || input.source === "admin" ? "payment status" : "event"),
  })
  log("info", `recorded refund ${outcome.refund_id} of ${amountText} made at the gateway on payment ${payment.id}`)
  return { outcome: "acted_on", detail: `recorded a refund of ${amountText} made at the gateway (${outcome.refund_id})`, payment_id: payment.id, order_id: payment.order_id }
}

const CLOSED_DISPUTE = new Set<string>(["won", "lost", "closed"])

async function disputed(
  deps: OutcomeDependencies,
  input: ProcessInput,
  outcome: Extract<GatewayOutcome, { kind: "dispute" }>,
  session: SessionRecord,
  log: Log
): Promise<Act> {
  const payment = await deps.actions.paymentOfSession(session.id)
  const now = (deps.now ?? (() => new Date()))()
  const existing = await deps.disputes.find(input.providerId, outcome.dispute_id)
  const fields = {
    status: outcome.status,
    reason: outcome.reason ?? existing?.reason ?? null,
    amount: toBigNumber(outcome.amount).toFixed(),
    currency_code: outcome.currency_code.toLowerCase(),
    evidence_due_by: outcome.evidence_due_by ?? existing?.evidence_due_by ?? null,
    payment_id: payment?.id ?? existing?.payment_id ?? null,
    order_id: payment?.order_id ?? existing?.order_id ?? null,
    last_event_id: outcome.event_id,
  }
  let record: DisputeRecord
  let event: keyof typeof DISPUTE_EVENTS
  if (existing) {
    const same =
      existing.status === fields.status &&
      existing.amount === fields.amount &&
      isoOf(existing.evidence_due_by) === isoOf(fields.evidence_due_by) &&
      existing.reason === fields.reason
    if (same && existing.last_event_id !== outcome.event_id) {
      return { outcome: "duplicate", detail: `dispute ${outcome.dispute_id} is already ${outcome.status}`, payment_id: fields.payment_id ?? undefined }
    }
    if (same) {
      // This very event wrote the dispute, and its processing failed after (the order's note
      // or the announcement): its redelivery does what is left. A ledger that recorded it as
      // done answers its redeliveries as duplicates before they get here.
      record = existing
      event = CLOSED_DISPUTE.has(existing.status) ? "closed" : existing.status === "opened" ? "opened" : "updated"
      return announceDispute(deps, record, event, log)
    }
    if (CLOSED_DISPUTE.has(existing.status) && !CLOSED_DISPUTE.has(fields.status)) {
      // Events can arrive out of order: a closed dispute is not reopened by an older update.
      return { outcome: "ignored", detail: `dispute ${outcome.dispute_id} is already ${existing.status}; a later "${outcome.status}" is not applied`, payment_id: fields.payment_id ?? undefined }
    }
    record = await deps.disputes.update(existing.id, {
      ...fields,
      closed_at: CLOSED_DISPUTE.has(fields.status) ? existing.closed_at ?? now : null,
    })
    event = CLOSED_DISPUTE.has(fields.status) ? "closed" : "updated"
  } else {
    record = await deps.disputes.create({
      provider_id: input.providerId,
      dispute_id: outcome.dispute_id,
      session_id: session.id,
      ...fields,
      opened_at: outcome.occurred_at ?? now,
      closed_at: CLOSED_DISPUTE.has(fields.status) ? now : null,
    })
    event = CLOSED_DISPUTE.has(fields.status) ? "closed" : "opened"
  }
  return announceDispute(deps, record, event, log)
}

/** A dispute's change on its order and to the store's subscribers, once it is recorded. */
async function announceDispute(deps: OutcomeDependencies, record: DisputeRecord, event: keyof typeof DISPUTE_EVENTS, log: Log): Promise<Act> {
  if (record.order_id) await deps.actions.noteDisputeOnOrder(record.order_id, record)
  const data: DisputeEventData = {
    id: record.id,
    dispute_id: record.dispute_id,
    provider_id: record.provider_id,
    payment_id: record.payment_id,
    order_id: record.order_id,
    status: record.status,
    reason: record.reason,
    amount: record.amount,
    currency_code: record.currency_code,
    evidence_due_by: isoOf(record.evidence_due_by),
  }
  await deps.actions.emit(DISPUTE_EVENTS[event], data as unknown as Record<string, unknown>)
  const due = data.evidence_due_by ? `; evidence due by ${data.evidence_due_by}` : ""
  log("warn", `dispute ${record.dispute_id} ${record.status}: ${formatAmount(record.amount, record.currency_code)}${record.reason ? `, ${record.reason}` : ""}${due}`)
  return {
    outcome: "acted_on",
    detail: `dispute ${record.dispute_id} ${record.status} (${formatAmount(record.amount, record.currency_code)}${record.reason ? `, ${record.reason}` : ""})${due}`,
    payment_id: record.payment_id ?? undefined,
    order_id: record.order_id ?? undefined,
  }
}

function isoOf(value: string | Date | null | undefined): string | null {
  return value === null || value === undefined ? null : new Date(value).toISOString()
}
