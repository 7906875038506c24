/**
 * The outcomes about money after the payment: refunds made at the gateway (recorded once as
 * Medusa refunds, never sent back) and disputes (recorded on the payment and the order, and
 * announced). Called by `processOutcome` under the session's lock, once per event.
 */
import { externalRefundNote, hasExternalRefund, recordsGatewayRefund } from "../external-refunds"
import { formatAmount, sumOfRecordedAmounts, toBigNumber } from "../money"
import type { SessionRecord } from "../hosted/sessions"
import { DISPUTE_EVENTS, Retry, type Act, type DisputeEventData, type DisputeRecord, type Log, type OutcomeDependencies, type PaymentOfSession, type ProcessInput } from "./ports"
import type { GatewayOutcome } from "./types"

/**
 * A refund carrying the store's mark whose Medusa refund no longer exists: Medusa records a
 * refund before calling the gateway and deletes it when the call fails, so a call whose answer
 * was lost (a timeout after the gateway refunded) leaves money refunded that Medusa does not
 * show. Such a refund is recorded like one made outside Medusa, once.
 */
export function isLostStoreRefund(
  refund: { made_by_store: boolean; medusa_refund_id?: string },
  payment: Pick<PaymentOfSession, "refunds"> | undefined
): boolean {
  return refund.made_by_store && !!refund.medusa_refund_id && !!payment && !payment.refunds.some((r) => r.id === refund.medusa_refund_id)
}

export async function refunded(
  deps: OutcomeDependencies,
  input: ProcessInput,
  outcome: Extract<GatewayOutcome, { kind: "refunded" }>,
  session: SessionRecord,
  log: Log
): Promise<Act> {
  const amountText = formatAmount(outcome.amount, outcome.currency_code)
  const payment = await deps.actions.paymentOfSession(session.id)
  const status = outcome.status ?? "succeeded"
  const lost = isLostStoreRefund(outcome, payment)
  if (lost) {
    log("warn", `refund ${outcome.refund_id} of ${amountText} carries this store's mark, but Medusa has no refund ${outcome.medusa_refund_id} (its answer was lost); recorded now`)
  }
  if (outcome.made_by_store && !lost) {
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

export async function disputed(
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
