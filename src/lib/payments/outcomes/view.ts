/**
 * What the admin widget shows for an order's payments of the collection
 * (`GET /admin/payments-collection/orders/:id`): built here from plain records, so it is
 * tested without Medusa. Only what the admin API may show: ids, statuses, amounts, dates,
 * the gateway's reference and a dashboard link. Never a secret, a client secret, card data or
 * the buyer's personal data (session `data` is read by the provider's `describePayment`,
 * never copied out).
 */
import { recordedAmount, sumOfRecordedAmounts, toBigNumber } from "../money"
import type { DisputeRecord, EventRecord } from "./ports"
import type { GatewayStateRecord } from "./reconcile"
import type { PaymentDescription } from "./types"

/** One gateway event on the timeline. */
export interface TimelineEntry {
  id: string
  event_id: string
  event_type: string
  kind: string
  source: string
  /** received (being processed), acted_on, duplicate, ignored, failed (to be retried). */
  outcome: string
  detail: string | null
  deliveries: number
  received_at: string
  occurred_at: string | null
}

export interface DisputeEntry {
  id: string
  dispute_id: string
  status: string
  reason: string | null
  amount: string
  currency_code: string
  evidence_due_by: string | null
  opened_at: string | null
  closed_at: string | null
  /** Open, with the evidence deadline within three days (or past). */
  urgent: boolean
}

export interface GatewayStateEntry {
  status: string
  gateway_status: string | null
  currency_code: string | null
  authorized_amount: string | null
  captured_amount: string | null
  refunded_amount: string | null
  authorization_expires_at: string | null
  checked_at: string
  error: string | null
}

export interface AdminPaymentView {
  payment_id: string
  session_id: string | null
  provider_id: string
  /** The provider's own name ("Card payment (Stripe)"); the provider id when it has none. */
  label: string
  gateway: string
  reference: { label: string; value: string } | null
  dashboard_url: string | null
  mode: "test" | "live" | null
  currency_code: string
  medusa: {
    /** authorized, partially_captured, captured, partially_refunded, refunded, canceled. */
    status: string
    amount: string
    captured: string
    refunded: string
    canceled_at: string | null
  }
  /** The last answer of the gateway (`null` until it was asked). */
  gateway_state: GatewayStateEntry | null
  /** Where Medusa's amounts and the gateway's disagree, in words. */
  mismatches: string[]
  /** The authorization lapses soon (or has) and nothing is captured. */
  authorization_expiring: boolean
  /** What can still be captured (an amount received, for offline payments); `null` when nothing. */
  capturable: string | null
  /** The gateway's check can be asked for (`POST /admin/payments-collection/payments/:id/reconcile`). */
  can_check: boolean
  events: TimelineEntry[]
  disputes: DisputeEntry[]
}

export interface AdminOrderPaymentsView {
  order_id: string
  payments: AdminPaymentView[]
}

// ---- Building it ------------------------------------------------------------------------------

export interface PaymentRecordForView {
  id: string
  provider_id: string
  amount: unknown
  raw_amount?: unknown
  currency_code: string
  canceled_at: string | Date | null
  captured_at?: string | Date | null
  payment_session?: { id: string; data?: Record<string, unknown> | null } | null
  data?: Record<string, unknown> | null
  captures?: Array<{ amount: unknown; raw_amount?: unknown }> | null
  refunds?: Array<{ amount: unknown; raw_amount?: unknown }> | null
}

/** The ledger's rows as the view reads them (a stored row carries `created_at`). */
export type EventRecordForView = Pick<EventRecord, "id" | "event_id" | "event_type" | "kind" | "source" | "outcome" | "detail" | "deliveries" | "occurred_at"> & {
  created_at: string | Date
}

export type DisputeRecordForView = Pick<
  DisputeRecord,
  "id" | "dispute_id" | "status" | "reason" | "amount" | "currency_code" | "evidence_due_by" | "opened_at" | "closed_at"
>

/** The gateway's last answer as stored (its dates come back as strings or dates). */
export type StateRecordForView = Omit<GatewayStateRecord, "provider_id" | "session_id" | "payment_id" | "checked_at"> & { checked_at: string | Date }

export interface PaymentViewInput {
  payment: PaymentRecordForView
  /** `undefined` when the provider does not describe payments (not one of the collection). */
  description?: PaymentDescription
  can_check: boolean
  events: EventRecordForView[]
  disputes: DisputeRecordForView[]
  state?: StateRecordForView | null
  /** Milliseconds since the epoch. */
  now: number
}

const DAY_MS = 24 * 60 * 60 * 1000
/** Warn of an authorization lapsing within this. */
export const AUTHORIZATION_WARNING_MS = 2 * DAY_MS
const DISPUTE_URGENT_MS = 3 * DAY_MS
const OPEN_DISPUTE = new Set(["opened", "updated"])

const iso = (value: string | Date | null | undefined): string | null =>
  value === null || value === undefined ? null : new Date(value).toISOString()


function medusaStatus(amount: ReturnType<typeof toBigNumber>, captured: ReturnType<typeof toBigNumber>, refunded: ReturnType<typeof toBigNumber>, canceled: boolean): string {
  if (canceled) return "canceled"
  if (refunded.gt(0)) return refunded.gte(captured) ? "refunded" : "partially_refunded"
  if (captured.gt(0)) return captured.gte(amount) ? "captured" : "partially_captured"
  return "authorized"
}

export function buildPaymentView(input: PaymentViewInput): AdminPaymentView {
  const { payment, description, state } = input
  const amount = recordedAmount(payment)
  const captured = sumOfRecordedAmounts(payment.captures)
  const refunded = sumOfRecordedAmounts(payment.refunds)
  const canceled = !!payment.canceled_at
  const currency = String(payment.currency_code).toUpperCase()

  const mismatches: string[] = []
  if (state && !state.error) {
    const compare = (what: string, ours: ReturnType<typeof toBigNumber>, theirs: string | null) => {
      if (theirs === null || theirs === undefined) return
      const gateway = toBigNumber(theirs)
      if (!gateway.eq(ours)) {
        mismatches.push(`${what}: ${ours.toFixed()} ${currency} in Medusa, ${gateway.toFixed()} ${currency} at the gateway`)
      }
    }
    compare("Captured", captured, state.captured_amount)
    compare("Refunded", refunded, state.refunded_amount)
    if (state.status === "canceled" && !canceled && captured.eq(0)) {
      mismatches.push("Canceled at the gateway, not in Medusa")
    }
  }

  const expiresAt = state?.authorization_expires_at ? new Date(state.authorization_expires_at).getTime() : undefined
  const authorizationExpiring =
    expiresAt !== undefined && !canceled && captured.eq(0) && expiresAt - input.now <= AUTHORIZATION_WARNING_MS

  const remaining = canceled ? toBigNumber(0) : amount.minus(captured)

  return {
    payment_id: payment.id,
    session_id: payment.payment_session?.id ?? null,
    provider_id: payment.provider_id,
    label: description?.label ?? payment.provider_id,
    gateway: description?.gateway ?? payment.provider_id.replace(/^pp_/, "").split("_")[0],
    reference: description?.reference ?? null,
    dashboard_url: description?.dashboard_url ?? null,
    mode: description?.mode ?? null,
    currency_code: payment.currency_code,
    medusa: {
      status: medusaStatus(amount, captured, refunded, canceled),
      amount: amount.toFixed(),
      captured: captured.toFixed(),
      refunded: refunded.toFixed(),
      canceled_at: iso(payment.canceled_at),
    },
    gateway_state: state
      ? {
          status: state.status,
          gateway_status: state.gateway_status,
          currency_code: state.currency_code,
          authorized_amount: state.authorized_amount,
          captured_amount: state.captured_amount,
          refunded_amount: state.refunded_amount,
          authorization_expires_at: iso(state.authorization_expires_at),
          checked_at: iso(state.checked_at)!,
          error: state.error,
        }
      : null,
    mismatches,
    authorization_expiring: authorizationExpiring,
    capturable: remaining.gt(0) ? remaining.toFixed() : null,
    can_check: input.can_check,
    events: [...input.events]
      .sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime())
      .map((event) => ({
        id: event.id,
        event_id: event.event_id,
        event_type: event.event_type,
        kind: event.kind,
        source: event.source,
        outcome: event.outcome,
        detail: event.detail,
        deliveries: event.deliveries,
        received_at: iso(event.created_at)!,
        occurred_at: iso(event.occurred_at),
      })),
    disputes: input.disputes.map((dispute) => {
      const due = dispute.evidence_due_by ? new Date(dispute.evidence_due_by).getTime() : undefined
      return {
        id: dispute.id,
        dispute_id: dispute.dispute_id,
        status: dispute.status,
        reason: dispute.reason,
        amount: dispute.amount,
        currency_code: dispute.currency_code,
        evidence_due_by: iso(dispute.evidence_due_by),
        opened_at: iso(dispute.opened_at),
        closed_at: iso(dispute.closed_at),
        urgent: OPEN_DISPUTE.has(dispute.status) && due !== undefined && due - input.now <= DISPUTE_URGENT_MS,
      }
    }),
  }
}
