/**
 * What Stripe's webhook events and answers mean for Medusa, without I/O: Medusa's own action
 * for an event (`mapWebhookEvent`), the whole outcome the plugin acts on (`readStripeEvent`),
 * and what the admin and the reconciliation read of a payment (`describeStripePayment`,
 * `toStripeSnapshot`). The amounts and session data they use are in `mapping.ts`.
 */
import type Stripe from "stripe"
import type { WebhookActionResult } from "@medusajs/framework/types"
import { PaymentActions } from "@medusajs/framework/utils"
import type {
  DisputeStatus,
  GatewayEventRef,
  GatewayOutcome,
  GatewayPaymentSnapshot,
  GatewayRefund,
  PaymentDescription,
} from "../../lib/payments/outcomes/types"
import { truncateText } from "../../lib/payments/options"
import { redactText } from "../../lib/payments/redact"
import { formatStripeAmount, fromStripeAmount, idOf, isAsync, mapIntentStatus, stripeMajorString } from "./mapping"

const INTENT_EVENTS: Readonly<Record<string, PaymentActions>> = Object.freeze({
  "payment_intent.created": PaymentActions.PENDING,
  "payment_intent.processing": PaymentActions.PENDING,
  "payment_intent.requires_action": PaymentActions.REQUIRES_MORE,
  "payment_intent.partially_funded": PaymentActions.REQUIRES_MORE,
  "payment_intent.amount_capturable_updated": PaymentActions.AUTHORIZED,
  "payment_intent.succeeded": PaymentActions.SUCCESSFUL,
  "payment_intent.payment_failed": PaymentActions.FAILED,
  "payment_intent.canceled": PaymentActions.CANCELED,
})

/**
 * Refund events; the object is a Refund. `charge.refund.updated` is sent "on selected payment
 * methods" only, `refund.updated` for all (https://docs.stripe.com/api/events/types).
 */
const REFUND_EVENTS = Object.freeze(["refund.created", "refund.updated", "refund.failed", "charge.refund.updated"])

/** Dispute events; the object is a Dispute. */
const DISPUTE_EVENTS: Readonly<Record<string, DisputeStatus | "closed_by_status">> = Object.freeze({
  "charge.dispute.created": "opened",
  "charge.dispute.updated": "updated",
  "charge.dispute.funds_withdrawn": "updated",
  "charge.dispute.funds_reinstated": "updated",
  "charge.dispute.closed": "closed_by_status",
})

/** The events the provider reads, for the README and the webhook endpoint in Stripe's dashboard. */
export const STRIPE_WEBHOOK_EVENTS = Object.freeze([...Object.keys(INTENT_EVENTS), ...REFUND_EVENTS, ...Object.keys(DISPUTE_EVENTS)])

/**
 * A verified Stripe event -> Medusa's action, with the amount in major units.
 * Events of other types, and intents this store did not create (no `session_id` in
 * their metadata), are `not_supported`.
 */
export function mapWebhookEvent(event: Stripe.Event, asyncPaymentMethodTypes: readonly string[] = []): WebhookActionResult {
  const action = INTENT_EVENTS[event.type]
  if (!action) {
    return { action: PaymentActions.NOT_SUPPORTED }
  }
  const intent = event.data.object as Stripe.PaymentIntent
  const sessionId = intent.metadata?.session_id
  if (intent.object !== "payment_intent" || !sessionId || !/^payses_/.test(sessionId)) {
    return { action: PaymentActions.NOT_SUPPORTED }
  }
  let minor = intent.amount
  let mapped = action
  if (event.type === "payment_intent.amount_capturable_updated") {
    minor = intent.amount_capturable
  } else if (event.type === "payment_intent.succeeded") {
    minor = intent.amount_received
  } else if (event.type === "payment_intent.processing" && isAsync(intent, asyncPaymentMethodTypes)) {
    mapped = PaymentActions.PENDING_AUTHORIZATION
  }
  return {
    action: mapped,
    data: { session_id: sessionId, amount: fromStripeAmount(minor, intent.currency) },
  }
}

// ---- The full outcome of an event (`readGatewayEvent`) -------------------------------------

/**
 * What a verified Stripe event means for Medusa. A PaymentIntent event names its session in
 * the intent's metadata; a refund or a dispute names the PaymentIntent only, so the session
 * comes from the intent, which the service looks up (`paymentIntent`) before completing the
 * outcome with its `metadata.session_id` (undefined: not this store's payment).
 */
export type StripeEventReading =
  | { outcome: GatewayOutcome }
  | { paymentIntent: string; outcome(sessionId: string | undefined): GatewayOutcome }

const MEDUSA_SESSION = /^payses_[A-Za-z0-9]+$/

/** A Medusa payment session id, or undefined (another integration's object, or none). */
export function medusaSessionId(value: unknown): string | undefined {
  return typeof value === "string" && MEDUSA_SESSION.test(value) ? value : undefined
}

/**
 * The metadata key of the Medusa refund id on the refunds the provider creates: a refund
 * carrying it was made by this store (and Medusa recorded it), one without was made in
 * Stripe's dashboard or by another integration.
 */
export const MEDUSA_REFUND_ID = "medusa_refund_id"

/**
 * A refund this store made (events and inspection alike): it carries the Medusa refund id, or,
 * made before the provider added that, the Medusa session id the provider has always put in
 * a refund's metadata. A refund made in Stripe's dashboard carries neither: Stripe gives a
 * refund its own metadata, empty unless its creator sets it.
 */
/** The Medusa refund id of the store's mark, to tell a refund whose answer was lost (`isLostStoreRefund`). */
function storeRefundId(refund: Pick<Stripe.Refund, "metadata">): { medusa_refund_id?: string } {
  const mark = refund.metadata?.[MEDUSA_REFUND_ID]
  return typeof mark === "string" && mark.length > 0 ? { medusa_refund_id: mark } : {}
}

export function isStoreRefund(refund: Pick<Stripe.Refund, "metadata">): boolean {
  const mark = refund.metadata?.[MEDUSA_REFUND_ID]
  return (typeof mark === "string" && mark.length > 0) || medusaSessionId(refund.metadata?.session_id) !== undefined
}

/** A verified Stripe event -> its full outcome (or the PaymentIntent to look up first). */
export function readStripeEvent(event: Stripe.Event): StripeEventReading {
  const ref: GatewayEventRef = {
    event_id: event.id,
    event_type: event.type,
    ...(typeof event.created === "number" ? { occurred_at: new Date(event.created * 1000).toISOString() } : {}),
  }
  const ignored = (reason: string, session_id?: string): { outcome: GatewayOutcome } => ({
    outcome: { ...ref, kind: "ignored", reason, ...(session_id ? { session_id } : {}) },
  })
  const object = event.data.object as unknown as Record<string, unknown>

  if (event.type in INTENT_EVENTS) {
    const intent = object as unknown as Stripe.PaymentIntent
    const session_id = medusaSessionId(intent.metadata?.session_id)
    if (intent.object !== "payment_intent" || !session_id) {
      return ignored(`PaymentIntent ${String(intent.id ?? "")} carries no Medusa payment session id (another integration's payment)`)
    }
    return { outcome: intentOutcome(event.type, intent, { ...ref, session_id }) }
  }

  if (REFUND_EVENTS.includes(event.type)) {
    const refund = object as unknown as Stripe.Refund
    const paymentIntent = idOf(refund.payment_intent)
    if (!paymentIntent) {
      return ignored(`refund ${String(refund.id ?? "")} has no PaymentIntent (a charge this store did not create)`)
    }
    const status = refundStatus(refund.status)
    return {
      paymentIntent,
      outcome: (sessionId) => {
        const session_id = medusaSessionId(sessionId)
        if (!session_id) return ignored(`refund ${refund.id}: PaymentIntent ${paymentIntent} carries no Medusa payment session id`).outcome
        return {
          ...ref,
          kind: "refunded",
          session_id,
          refund_id: refund.id,
          amount: stripeMajorString(refund.amount, refund.currency),
          currency_code: refund.currency.toLowerCase(),
          made_by_store: isStoreRefund(refund),
          ...storeRefundId(refund),
          ...(status ? { status } : {}),
        }
      },
    }
  }

  if (event.type === "charge.refunded") {
    // The Charge's refunds are not expanded in recent API versions: each refund comes with
    // its own refund.created (and refund.updated), which names it.
    return ignored("charge.refunded is read from refund.created and refund.updated, which name the refund")
  }

  const disputeEvent = DISPUTE_EVENTS[event.type]
  if (disputeEvent) {
    const dispute = object as unknown as Stripe.Dispute
    const paymentIntent = idOf(dispute.payment_intent)
    if (!paymentIntent) {
      return ignored(`dispute ${String(dispute.id ?? "")} has no PaymentIntent (a charge this store did not create)`)
    }
    const status: DisputeStatus = disputeEvent === "closed_by_status" ? closedDisputeStatus(dispute.status) : disputeEvent
    const due = dispute.evidence_details?.due_by
    return {
      paymentIntent,
      outcome: (sessionId) => {
        const session_id = medusaSessionId(sessionId)
        if (!session_id) return ignored(`dispute ${dispute.id}: PaymentIntent ${paymentIntent} carries no Medusa payment session id`).outcome
        return {
          ...ref,
          kind: "dispute",
          session_id,
          dispute_id: dispute.id,
          status,
          amount: stripeMajorString(dispute.amount, dispute.currency),
          currency_code: dispute.currency.toLowerCase(),
          ...(dispute.reason ? { reason: dispute.reason } : {}),
          ...(typeof due === "number" ? { evidence_due_by: new Date(due * 1000).toISOString() } : {}),
        }
      },
    }
  }

  return ignored(`Stripe event type ${event.type} is not acted on`)
}

function intentOutcome(type: string, intent: Stripe.PaymentIntent, base: GatewayEventRef & { session_id: string }): GatewayOutcome {
  const currency_code = intent.currency.toLowerCase()
  switch (INTENT_EVENTS[type]) {
    case PaymentActions.AUTHORIZED:
      return { ...base, kind: "authorized", amount: stripeMajorString(intent.amount_capturable, intent.currency), currency_code }
    case PaymentActions.SUCCESSFUL:
      return {
        ...base,
        kind: "captured",
        amount: stripeMajorString(intent.amount_received, intent.currency),
        currency_code,
        // All Stripe holds as captured: beyond Medusa's captures, a capture made in the dashboard.
        captured_total: stripeMajorString(intent.amount_received, intent.currency),
      }
    case PaymentActions.FAILED: {
      const reason = declineReason(intent.last_payment_error)
      return { ...base, kind: "failed", ...(reason ? { reason } : {}) }
    }
    case PaymentActions.CANCELED:
      return { ...base, kind: "canceled", ...(intent.cancellation_reason ? { reason: intent.cancellation_reason } : {}) }
    case PaymentActions.REQUIRES_MORE:
      return { ...base, kind: "requires_more" }
    case PaymentActions.PENDING:
      return { ...base, kind: "pending" }
    default:
      throw new Error(`Stripe event type ${type} has no outcome`)
  }
}

/**
 * Why an attempt failed, from Stripe's codes and message: never the payment method on the
 * error (it carries the card holder's billing details), and scrubbed of anything that looks
 * like a secret or a card number.
 */
function declineReason(error: Stripe.PaymentIntent.LastPaymentError | null | undefined): string | undefined {
  if (!error) return undefined
  const codes = [error.code, error.decline_code ? `(${error.decline_code})` : undefined].filter(Boolean).join(" ")
  const message = error.message ? redactText(truncateText(error.message, 300)) : undefined
  const reason = [codes, message].filter(Boolean).join(": ")
  return reason || undefined
}

/**
 * A Refund's status -> the outcome's, exhaustively; `null` (Stripe's type allows it) says
 * nothing. `requires_action` waits for the customer (some refund methods): pending.
 * @see https://docs.stripe.com/api/refunds/object#refund_object-status
 */
function refundStatus(status: string | null | undefined): "succeeded" | "pending" | "failed" | "canceled" | undefined {
  if (status === null || status === undefined) return undefined
  switch (status) {
    case "succeeded":
      return "succeeded"
    case "pending":
    case "requires_action":
      return "pending"
    case "failed":
      return "failed"
    case "canceled":
      return "canceled"
    default:
      throw new Error(`Unknown Stripe refund status: ${JSON.stringify(status)}`)
  }
}

/**
 * A closed dispute's status: `won` and `lost` as they are; anything else (`warning_closed`,
 * an inquiry that ended without a chargeback, `prevented`) closed without a verdict.
 * @see https://docs.stripe.com/api/disputes/object#dispute_object-status
 */
function closedDisputeStatus(status: Stripe.Dispute.Status): DisputeStatus {
  return status === "won" ? "won" : status === "lost" ? "lost" : "closed"
}

// ---- What the admin and the reconciliation read (`GatewayPaymentInspector`) ----------------

/** Test or live, as Stripe's keys say: `sk_live_…` and `rk_live_…` are live, the rest test. */
export function stripeMode(apiKey: string): "test" | "live" {
  return /^(sk|rk)_live_/.test(apiKey) ? "live" : "test"
}

/**
 * The dashboard's page of a payment: `/test/payments/<pi_…>` in test mode, `/payments/<pi_…>`
 * live, the paths Stripe's dashboard itself uses for a PaymentIntent.
 */
export function stripeDashboardUrl(intentId: string, mode: "test" | "live"): string {
  return `https://dashboard.stripe.com/${mode === "test" ? "test/" : ""}payments/${encodeURIComponent(intentId)}`
}

const INTENT_ID = /^pi_[A-Za-z0-9]+$/

/**
 * How the admin names a Stripe payment and finds it in Stripe's dashboard, from the session
 * data alone: the PaymentIntent id and nothing else of it (not the client secret, the
 * customer or the payment method). Empty or foreign data gives the name only.
 */
export function describeStripePayment(data: Record<string, unknown> | null | undefined, context: { label: string; mode: "test" | "live" }): PaymentDescription {
  const description: PaymentDescription = { label: context.label, gateway: "stripe", mode: context.mode }
  const id = data?.id
  if (typeof id === "string" && INTENT_ID.test(id)) {
    description.reference = { label: "PaymentIntent", value: id }
    description.dashboard_url = stripeDashboardUrl(id, context.mode)
  }
  return description
}

/**
 * How long Stripe keeps an uncaptured PaymentIntent when its charge does not say
 * (`capture_before`): "Uncaptured PaymentIntents are cancelled a set number of days (7 by
 * default) after their creation" (https://docs.stripe.com/api/payment_intents/capture), the
 * validity of an online card authorization (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method).
 */
export const STRIPE_UNCAPTURED_VALIDITY_SECONDS = 7 * 24 * 60 * 60

/**
 * What Stripe says about a payment now: the PaymentIntent (its latest charge expanded) and
 * the charge's refunds. Money only from a captured charge: canceling an uncaptured one
 * "refunds" the authorization at Stripe (`amount_refunded`, `refunded: true`), which returns
 * no money that was taken. The authorization's end is the charge's
 * `payment_method_details.card.capture_before`, else 7 days after the intent was created.
 */
export function toStripeSnapshot(
  intent: Stripe.PaymentIntent,
  refunds: readonly Stripe.Refund[],
  asyncPaymentMethodTypes: readonly string[] = []
): GatewayPaymentSnapshot {
  const currency = intent.currency
  const charge = intent.latest_charge && typeof intent.latest_charge === "object" ? intent.latest_charge : undefined
  const status = mapIntentStatus(intent, asyncPaymentMethodTypes)
  const captured = charge?.captured === true
  const snapshot: GatewayPaymentSnapshot = {
    status,
    gateway_status: intent.status,
    currency_code: currency.toLowerCase(),
    amount: stripeMajorString(
      intent.status === "succeeded" ? intent.amount_received : intent.status === "requires_capture" && intent.amount_capturable > 0 ? intent.amount_capturable : intent.amount,
      currency
    ),
    captured_amount: stripeMajorString(intent.amount_received ?? 0, currency),
    refunded_amount: stripeMajorString(captured ? charge.amount_refunded ?? 0 : 0, currency),
    refunds: captured ? refunds.map(toGatewayRefund) : [],
  }
  if (intent.status === "requires_capture") {
    const before = charge?.payment_method_details?.card?.capture_before
    const ends = typeof before === "number" ? before : intent.created + STRIPE_UNCAPTURED_VALIDITY_SECONDS
    snapshot.authorization_expires_at = new Date(ends * 1000).toISOString()
  }
  const reason =
    intent.status === "canceled"
      ? intent.cancellation_reason ?? undefined
      : intent.status === "requires_payment_method"
        ? declineReason(intent.last_payment_error)
        : undefined
  if (reason) snapshot.reason = reason
  return snapshot
}

/**
 * A Stripe refund as the reconciliation reads it: the store's own when it carries the Medusa
 * refund id in its metadata, as `readStripeEvent` decides for its events. A refund whose
 * status Stripe leaves `null` (the type allows it) is counted as pending.
 */
export function toGatewayRefund(refund: Stripe.Refund): GatewayRefund {
  return {
    refund_id: refund.id,
    amount: stripeMajorString(refund.amount, refund.currency),
    currency_code: refund.currency.toLowerCase(),
    made_by_store: isStoreRefund(refund),
    ...storeRefundId(refund),
    status: refundStatus(refund.status) ?? "pending",
  }
}

// ---- Before a refund: what Stripe holds that the session does not record ------------------

/** A refund of the intent that Stripe made or is making: money returned, or on its way. */
function isLiveRefund(refund: Pick<Stripe.Refund, "status">): boolean {
  const status = refundStatus(refund.status)
  return status !== "failed" && status !== "canceled"
}

/**
 * The intent's refunds at Stripe against what the session data records: each live refund
 * (succeeded, pending, requiring action) whose id the data's `refunds` do not name, nor its
 * recorded `external_refunds` (a refund made in Stripe's dashboard, once the plugin recorded
 * it, is in both, so it is never counted again), and what Stripe holds as refunded in all,
 * in minor units. Failed and canceled refunds returned nothing and are left out.
 */
export function refundsUnknownToSession(
  data: { refunds?: ReadonlyArray<{ id: string }>; external_refunds?: ReadonlyArray<{ refund_id: string; recorded_at: string | null }> },
  listed: readonly Stripe.Refund[]
): { unknown: Stripe.Refund[]; total: number } {
  const recorded = new Set<string>([
    ...(data.refunds ?? []).map((r) => r.id),
    ...(data.external_refunds ?? []).filter((e) => e.recorded_at !== null).map((e) => e.refund_id),
  ])
  const live = listed.filter(isLiveRefund)
  return { unknown: live.filter((r) => !recorded.has(r.id)), total: live.reduce((sum, r) => sum + r.amount, 0) }
}

/** The Medusa refund id a refund's store mark names, if it carries one. */
export function markOf(refund: Pick<Stripe.Refund, "metadata">): string | undefined {
  return storeRefundId(refund).medusa_refund_id
}

/**
 * Why a refund is refused because Stripe holds refunds Medusa has not recorded: each one with
 * its amount and who made it, or, when every refund is named but Stripe's total is beyond the
 * session's, the two totals. Says nothing was refunded and what records them.
 */
export function unrecordedRefundsMessage(input: {
  intentId: string
  currency: string
  refunds: readonly Stripe.Refund[]
  /** The marks whose Medusa refund was looked up and is gone; `undefined` when it could not be looked up. */
  goneMarks?: ReadonlySet<string>
  /** Refund ids the plugin noted from Stripe and is recording. */
  noted: ReadonlySet<string>
  total: number
  recorded: number
}): string {
  const show = (minor: number) => formatStripeAmount(minor, input.currency)
  const what = input.refunds.length
    ? input.refunds
        .map((refund) => {
          const mark = markOf(refund)
          const by = mark
            ? input.goneMarks?.has(mark)
              ? `made by this store for Medusa refund ${mark}, which Medusa no longer has: its answer was lost`
              : `made by this store for Medusa refund ${mark}, which this payment does not record`
            : "made outside Medusa, in Stripe's dashboard or by another integration"
          const state = [
            refundStatus(refund.status) === "pending" || refund.status === null ? "pending at Stripe, recorded once it succeeds" : undefined,
            input.noted.has(refund.id) ? "being recorded from Stripe's answer" : undefined,
          ].filter(Boolean)
          return `refund ${refund.id} of ${show(refund.amount)} (${[by, ...state].join("; ")})`
        })
        .join(", ")
    : undefined
  const head = what
    ? `Stripe: payment ${input.intentId} already has ${what} that Medusa has not recorded`
    : `Stripe: payment ${input.intentId} has ${show(input.total)} refunded at Stripe, more than the ${show(input.recorded)} Medusa has recorded`
  return (
    `${head}; nothing was refunded now, ` +
    `so nothing is refunded twice. Stripe's refund event or the admin's "Check with the gateway" (the reconciliation) ` +
    `records it in Medusa; then refund only what is still owed`
  )
}
