/**
 * The outcome pipeline's ports and records: the event and dispute ledgers, Medusa as the
 * pipeline needs it (`OutcomeActions`), its dependencies, and what a handler returns. The
 * pipeline (`process.ts`) and its handlers (`settling.ts`, `refunds-disputes.ts`) share them;
 * `src/runtime/outcomes.ts` builds them from a container.
 */
import type { HostedLogger } from "../hosted/contract"
import type { SessionReader } from "../hosted/sessions"
import type { PaymentWorkflowRunner } from "../hosted/settle"
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

/** How a handler logs: prefixed with the gateway and the event, redacted. */
export type Log = (level: keyof HostedLogger, message: string) => void

/** What a handler did about an outcome. */
export interface Act {
  outcome: Exclude<EventOutcome, "received" | "failed">
  detail: string
  payment_id?: string
  order_id?: string
}

/** Thrown by a handler: the outcome is recorded as failed and the delivery asked for again. */
export class Retry extends Error {}
