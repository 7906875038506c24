/**
 * What PayPal's webhook events mean for Medusa, without I/O: Medusa's own action for an event
 * (`mapWebhookEvent`) and the whole outcome the plugin acts on (`readPaypalEvent`): refunds,
 * reversals and disputes included. Session data and statuses are ./mapping.ts.
 */
import type { WebhookActionResult } from "@medusajs/framework/types"
import { PaymentActions } from "@medusajs/framework/utils"
import type { DisputeStatus, GatewayEventRef, GatewayOutcome } from "../../lib/payments/outcomes/types"
import { fromPaypalMoney, paypalDecimal } from "./money"
import { MEDUSA_SESSION, captureIdOfLinks, parseRefundCustomId } from "./mapping"
import type { PaypalDispute, PaypalMoney, PaypalWebhookEvent } from "./types"

// ---- Webhooks -----------------------------------------------------------------------------

/** The customer dispute events and what each says of the dispute. */
const DISPUTE_EVENTS: Readonly<Record<string, DisputeStatus | "resolved">> = Object.freeze({
  "CUSTOMER.DISPUTE.CREATED": "opened",
  "CUSTOMER.DISPUTE.UPDATED": "updated",
  "CUSTOMER.DISPUTE.RESOLVED": "resolved",
})

/**
 * The events the provider reads: subscribe the webhook to these (and only these are
 * needed). Others are answered `not_supported` (and `ignored` by `readPaypalEvent`).
 * @see https://developer.paypal.com/api/rest/webhooks/event-names/
 */
export const PAYPAL_WEBHOOK_EVENTS = Object.freeze([
  "CHECKOUT.ORDER.APPROVED",
  "PAYMENT.AUTHORIZATION.CREATED",
  "PAYMENT.AUTHORIZATION.VOIDED",
  "PAYMENT.CAPTURE.COMPLETED",
  "PAYMENT.CAPTURE.PENDING",
  "PAYMENT.CAPTURE.DENIED",
  "PAYMENT.CAPTURE.REFUNDED",
  "PAYMENT.CAPTURE.REVERSED",
  ...Object.keys(DISPUTE_EVENTS),
])

export interface MappedWebhook {
  result: WebhookActionResult
  /** Why an event of a known type was not acted on, for the log. */
  note?: string
}

/**
 * A verified PayPal event -> Medusa's action, with the session id from `custom_id` and the
 * amount in major units. Only call this with a body whose signature was verified.
 *
 * - CHECKOUT.ORDER.APPROVED -> authorized: the buyer approved and never came back; Medusa
 *   completes the cart, which calls `authorizePayment`, which authorizes (or captures) at
 *   PayPal. Nothing is reserved before that call.
 * - PAYMENT.CAPTURE.COMPLETED -> captured for a final capture only. Medusa reads a captured
 *   action on an existing payment as "capture this amount", so echoing a partial capture
 *   the admin made would capture it twice.
 * - PAYMENT.CAPTURE.REFUNDED and the disputes: Medusa has no refund or dispute action;
 *   logged, not acted on (`readPaypalEvent` says what they are).
 */
export function mapWebhookEvent(event: PaypalWebhookEvent): MappedWebhook {
  const resource = (event.resource ?? {}) as Record<string, unknown>
  const sessionId = sessionIdOf(event.event_type, resource)
  const notSupported = (note?: string): MappedWebhook => ({ result: { action: PaymentActions.NOT_SUPPORTED }, note })
  if (!PAYPAL_WEBHOOK_EVENTS.includes(event.event_type)) {
    return notSupported()
  }
  if (event.event_type in DISPUTE_EVENTS) {
    return notSupported(`${event.event_type} ${String(resource.dispute_id ?? "")}: Medusa has no dispute action`)
  }
  if (!sessionId || !/^payses_[A-Za-z0-9]+$/.test(sessionId)) {
    // Another integration on the same PayPal account, or an object made outside Medusa.
    return notSupported(`${event.event_type} ${String(resource.id ?? "")} carries no Medusa session id`)
  }
  const money = moneyOf(event.event_type, resource)
  if (!money) {
    return notSupported(`${event.event_type} ${String(resource.id ?? "")} carries no amount`)
  }
  let amount: number
  try {
    amount = fromPaypalMoney(money).toNumber()
  } catch {
    return notSupported(`${event.event_type} ${String(resource.id ?? "")} carries an amount PayPal would not send`)
  }
  const data = { session_id: sessionId, amount }
  const act = (action: PaymentActions): MappedWebhook => ({ result: { action, data } })
  switch (event.event_type) {
    case "CHECKOUT.ORDER.APPROVED":
      return act(PaymentActions.AUTHORIZED)
    case "PAYMENT.AUTHORIZATION.CREATED":
      return act(resource.status === "PENDING" ? PaymentActions.PENDING_AUTHORIZATION : PaymentActions.AUTHORIZED)
    case "PAYMENT.AUTHORIZATION.VOIDED":
      return act(PaymentActions.CANCELED)
    case "PAYMENT.CAPTURE.COMPLETED":
      return resource.final_capture === true
        ? act(PaymentActions.SUCCESSFUL)
        : notSupported(`partial capture ${String(resource.id ?? "")} of ${sessionId} is already recorded by the capture that made it`)
    case "PAYMENT.CAPTURE.PENDING":
      return act(PaymentActions.PENDING)
    case "PAYMENT.CAPTURE.DENIED":
    case "PAYMENT.CAPTURE.REVERSED":
      return act(PaymentActions.FAILED)
    case "PAYMENT.CAPTURE.REFUNDED":
      return notSupported(`refund ${String(resource.id ?? "")} of ${sessionId}: Medusa records refunds made in its admin only`)
    default:
      return notSupported()
  }
}

function sessionIdOf(eventType: string, resource: Record<string, unknown>): string | undefined {
  if (eventType.startsWith("CHECKOUT.ORDER.")) {
    const units = resource.purchase_units
    const unit = Array.isArray(units) ? (units[0] as Record<string, unknown> | undefined) : undefined
    return typeof unit?.custom_id === "string" ? unit.custom_id : undefined
  }
  if (REFUND_RESOURCES.has(eventType)) {
    // A refund's custom_id is `<session id>.<Medusa refund id>` when this store made it.
    return parseRefundCustomId(resource.custom_id).session_id ?? (typeof resource.custom_id === "string" ? resource.custom_id : undefined)
  }
  return typeof resource.custom_id === "string" ? resource.custom_id : undefined
}

/** Events whose resource is a refund (a reversal is shown as one). */
const REFUND_RESOURCES = new Set(["PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.REVERSED"])

function moneyOf(eventType: string, resource: Record<string, unknown>): PaypalMoney | undefined {
  const candidate = eventType.startsWith("CHECKOUT.ORDER.")
    ? (Array.isArray(resource.purchase_units) ? (resource.purchase_units[0] as Record<string, unknown> | undefined)?.amount : undefined)
    : resource.amount
  const money = candidate as Partial<PaypalMoney> | undefined
  return typeof money?.value === "string" && typeof money.currency_code === "string"
    ? { value: money.value, currency_code: money.currency_code }
    : undefined
}

// ---- The full outcome of an event (`readGatewayEvent`) -------------------------------------

/**
 * What a verified PayPal notification means for Medusa. Payments name their session in
 * `custom_id`; a refund made in PayPal's dashboard, a reversal or a dispute may not, and the
 * session then comes from the capture they belong to, which the service looks up
 * (`captureId`) before completing the outcome with its `custom_id` (undefined: not found).
 */
export type PaypalEventReading =
  | { outcome: GatewayOutcome }
  | { captureId: string; outcome(sessionId: string | undefined): GatewayOutcome }

/** A verified PayPal notification -> its full outcome (or the capture to look up first). */
export function readPaypalEvent(event: PaypalWebhookEvent): PaypalEventReading {
  const resource = (event.resource ?? {}) as Record<string, unknown>
  const type = event.event_type
  const ref: GatewayEventRef = {
    event_id: event.id,
    event_type: type,
    ...(typeof event.create_time === "string" ? { occurred_at: event.create_time } : {}),
  }
  const ignored = (reason: string, session_id?: string): { outcome: GatewayOutcome } => ({
    outcome: { ...ref, kind: "ignored", reason, ...(session_id ? { session_id } : {}) },
  })
  const id = String(resource.id ?? "")

  if (type in DISPUTE_EVENTS) {
    return readDispute(ref, DISPUTE_EVENTS[type], resource as unknown as PaypalDispute, ignored)
  }
  if (!PAYPAL_WEBHOOK_EVENTS.includes(type)) {
    return ignored(`PayPal event type ${type} is not acted on`)
  }
  const money = moneyOf(type, resource)
  const amount = money ? exactAmount(money) : undefined
  if (!money || !amount) {
    return ignored(`${type} ${id} carries no amount PayPal would send`)
  }
  const currency_code = money.currency_code.toLowerCase()

  if (REFUND_RESOURCES.has(type)) {
    const mark = parseRefundCustomId(resource.custom_id)
    const complete = (sessionId: string | undefined): GatewayOutcome => {
      const session_id = MEDUSA_SESSION.test(sessionId ?? "") ? sessionId! : undefined
      if (!session_id) return ignored(`${type} ${id}: its capture carries no Medusa session id`).outcome
      if (type === "PAYMENT.CAPTURE.REVERSED") {
        // PayPal took the captured money back (a chargeback, a reversal it decided): the
        // store lost it, whatever comes next.
        return { ...ref, kind: "dispute", session_id, dispute_id: id, status: "lost", amount, currency_code, reason: "reversed" }
      }
      const status = refundOutcomeStatus(String(resource.status ?? ""))
      return {
        ...ref,
        kind: "refunded",
        session_id,
        refund_id: id,
        amount,
        currency_code,
        made_by_store: !!mark.medusa_refund_id,
        ...(mark.medusa_refund_id ? { medusa_refund_id: mark.medusa_refund_id } : {}),
        status,
      }
    }
    if (mark.session_id) return { outcome: complete(mark.session_id) }
    const captureId = captureIdOfLinks(resource.links)
    if (!captureId) return ignored(`${type} ${id} carries no Medusa session id and names no capture`)
    return { captureId, outcome: complete }
  }

  const sessionId = sessionIdOf(type, resource)
  if (!sessionId || !MEDUSA_SESSION.test(sessionId)) {
    return ignored(`${type} ${id} carries no Medusa session id (another integration's payment)`)
  }
  const base = { ...ref, session_id: sessionId }
  switch (type) {
    case "CHECKOUT.ORDER.APPROVED":
      return { outcome: { ...base, kind: "authorized", amount, currency_code } }
    case "PAYMENT.AUTHORIZATION.CREATED":
      return { outcome: resource.status === "PENDING" ? { ...base, kind: "pending" } : { ...base, kind: "authorized", amount, currency_code } }
    case "PAYMENT.AUTHORIZATION.VOIDED":
      return { outcome: { ...base, kind: "canceled", reason: `authorization ${id} voided` } }
    case "PAYMENT.CAPTURE.COMPLETED":
      return resource.final_capture === true
        ? { outcome: { ...base, kind: "captured", amount, currency_code } }
        : ignored(`partial capture ${id} of ${sessionId} is already recorded by the capture that made it`, sessionId)
    case "PAYMENT.CAPTURE.PENDING":
      return { outcome: { ...base, kind: "pending" } }
    case "PAYMENT.CAPTURE.DENIED": {
      const why = (resource.status_details as { reason?: unknown } | undefined)?.reason
      return { outcome: { ...base, kind: "failed", reason: `capture ${id} ${String(resource.status ?? "DENIED")}${typeof why === "string" ? ` (${why})` : ""}` } }
    }
    default:
      return ignored(`PayPal event type ${type} is not acted on`)
  }
}

function readDispute(
  ref: GatewayEventRef,
  event: DisputeStatus | "resolved",
  dispute: PaypalDispute,
  ignored: (reason: string, session_id?: string) => { outcome: GatewayOutcome }
): PaypalEventReading {
  const id = String(dispute.dispute_id ?? "")
  const money = dispute.dispute_amount && typeof dispute.dispute_amount.value === "string" ? dispute.dispute_amount : undefined
  const amount = money ? exactAmount(money) : undefined
  if (!money || !amount) {
    return ignored(`dispute ${id} carries no amount PayPal would send`)
  }
  const status: DisputeStatus = event === "resolved" ? resolvedDisputeStatus(dispute.dispute_outcome?.outcome_code) : event
  const transaction = Array.isArray(dispute.disputed_transactions) ? dispute.disputed_transactions[0] : undefined
  const complete = (sessionId: string | undefined): GatewayOutcome => {
    const session_id = MEDUSA_SESSION.test(sessionId ?? "") ? sessionId! : undefined
    if (!session_id) return ignored(`dispute ${id}: its capture carries no Medusa session id`).outcome
    return {
      ...ref,
      kind: "dispute",
      session_id,
      dispute_id: id,
      status,
      amount,
      currency_code: money.currency_code.toLowerCase(),
      ...(dispute.reason ? { reason: dispute.reason } : {}),
      ...(dispute.seller_response_due_date ? { evidence_due_by: dispute.seller_response_due_date } : {}),
    }
  }
  // `custom` is the custom_id of the disputed capture: the session, when PayPal includes it.
  const carried = parseRefundCustomId(transaction?.custom).session_id
  if (carried) return { outcome: complete(carried) }
  const captureId = transaction?.seller_transaction_id
  if (!captureId) return ignored(`dispute ${id} names no transaction of this store`)
  return { captureId, outcome: complete }
}

/**
 * A resolved dispute's `dispute_outcome.outcome_code` -> the store's verdict, exhaustively:
 * won when the seller kept the money (decided in its favour, or the claim denied), lost when
 * the buyer got it back (decided for the buyer, or the seller accepted the claim), closed
 * without a verdict otherwise (canceled by the buyer, paid out by PayPal, none). A resolution
 * without an outcome is closed.
 * @see https://developer.paypal.com/docs/api/customer-disputes/v1/#definition-dispute_outcome
 */
function resolvedDisputeStatus(code: string | undefined): DisputeStatus {
  if (code === undefined) return "closed"
  switch (code) {
    case "RESOLVED_SELLER_FAVOUR":
    case "DENIED":
      return "won"
    case "RESOLVED_BUYER_FAVOUR":
    case "ACCEPTED":
      return "lost"
    case "CANCELED_BY_BUYER":
    case "RESOLVED_WITH_PAYOUT":
    case "NONE":
      return "closed"
    default:
      throw new Error(`Unknown PayPal dispute outcome: ${JSON.stringify(code)}`)
  }
}

/**
 * A refund's status -> the outcome's, exhaustively.
 * @see https://developer.paypal.com/docs/api/payments/v2/#definition-refund_status
 */
export function refundOutcomeStatus(status: string): "succeeded" | "pending" | "failed" | "canceled" {
  switch (status) {
    case "COMPLETED":
      return "succeeded"
    case "PENDING":
      return "pending"
    case "FAILED":
      return "failed"
    case "CANCELLED":
      return "canceled"
    default:
      throw new Error(`Unknown PayPal refund status: ${JSON.stringify(status)}`)
  }
}

/** PayPal's amount as an exact decimal string in its precision ("20.00", "1500"), or undefined if PayPal would not send it. */
function exactAmount(money: PaypalMoney): string | undefined {
  try {
    // A reversal may be shown with a negative value: what was taken back.
    return paypalDecimal(fromPaypalMoney(money).abs(), money.currency_code)
  } catch {
    return undefined
  }
}
