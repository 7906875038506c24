/**
 * What Braintree's notifications mean for Medusa: the whole outcome for the plugin's
 * pipeline (`readBraintreeNotification`) and Medusa's own action (`mapWebhookEvent`), from
 * one verified, parsed notification. Pure.
 * @see https://developer.paypal.com/braintree/docs/reference/general/webhooks/overview
 */
import type { WebhookActionResult } from "@medusajs/framework/types"
import { PaymentActions } from "@medusajs/framework/utils"
import type { DisputeStatus, GatewayOutcome } from "../../lib/payments/outcomes/types"
import { braintreeDecimal, fromBraintreeAmount, MEDUSA_SESSION_ID } from "./mapping"
import type { BraintreeDispute, BraintreeNotification, BraintreeTransaction } from "./types"

/**
 * Dispute kinds and what they say of the dispute.
 * @see https://developer.paypal.com/braintree/docs/reference/general/webhooks/dispute/node
 */
const DISPUTE_KINDS: Readonly<Record<string, DisputeStatus>> = Object.freeze({
  dispute_opened: "opened",
  dispute_under_review: "updated",
  dispute_disputed: "updated",
  dispute_won: "won",
  dispute_lost: "lost",
  // The merchant accepted the chargeback, or Braintree did for them: the money is the buyer's.
  dispute_accepted: "lost",
  dispute_auto_accepted: "lost",
  // No evidence in time: lost.
  dispute_expired: "lost",
})

function toIso(value: Date | string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined
  const date = value instanceof Date ? value : new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

/**
 * Braintree's notifications carry no id: the kind, the subject and Braintree's timestamp
 * name one delivery, which a redelivery repeats exactly.
 */
export function notificationRef(notification: BraintreeNotification, subjectId: string): { event_id: string; event_type: string; occurred_at?: string } {
  const occurred = toIso(notification.timestamp)
  return { event_id: `${notification.kind}:${subjectId}:${occurred ?? "?"}`, event_type: notification.kind, ...(occurred ? { occurred_at: occurred } : {}) }
}

/** The whole outcome of a verified notification. */
export function readBraintreeNotification(notification: BraintreeNotification): GatewayOutcome {
  const kind = notification.kind
  if (kind in DISPUTE_KINDS) return disputeOutcome(notification, DISPUTE_KINDS[kind])
  const transaction = notification.transaction
  if ((kind === "transaction_settled" || kind === "transaction_settlement_declined") && transaction?.id) {
    const ref = notificationRef(notification, transaction.id)
    const sessionId = transaction.type === "sale" ? sessionOf(transaction) : null
    if (!sessionId) return { ...ref, kind: "ignored", reason: "not a sale of this store (its orderId is not a Medusa payment session)" }
    const currency = transaction.currencyIsoCode
    const amount = braintreeDecimal(fromBraintreeAmount(transaction.amount, currency), currency)
    if (kind === "transaction_settled") {
      return { ...ref, kind: "captured", session_id: sessionId, amount, currency_code: currency, captured_total: amount }
    }
    return { ...ref, kind: "failed", session_id: sessionId, reason: settlementReason(transaction) }
  }
  const ref = notificationRef(notification, transaction?.id ?? notification.dispute?.id ?? "-")
  if (kind.startsWith("subscription_")) return { ...ref, kind: "ignored", reason: "subscriptions are not Medusa payments" }
  if (kind === "check") return { ...ref, kind: "ignored", reason: "a test notification from the Control Panel" }
  return { ...ref, kind: "ignored", reason: `${kind} notifications are not acted on` }
}

function settlementReason(transaction: BraintreeTransaction): string {
  const code = transaction.processorResponseCode
  return `settlement declined${code ? ` (processor response ${code})` : ""}`
}

function disputeOutcome(notification: BraintreeNotification, status: DisputeStatus): GatewayOutcome {
  const dispute = notification.dispute as BraintreeDispute | undefined
  const ref = notificationRef(notification, dispute?.id ?? "-")
  const orderId = dispute?.transaction?.orderId ?? null
  if (!dispute?.id || !orderId || !MEDUSA_SESSION_ID.test(orderId)) {
    return { ...ref, kind: "ignored", reason: "the disputed transaction was not made by this store (its orderId is not a Medusa payment session)" }
  }
  const currency = dispute.currencyIsoCode ?? "USD"
  const disputed = dispute.amountDisputed ?? dispute.amount ?? dispute.transaction?.amount ?? "0"
  const evidence = toIso(dispute.replyByDate ?? undefined)
  return {
    ...ref,
    kind: "dispute",
    session_id: orderId,
    dispute_id: dispute.id,
    status,
    // Braintree writes "250.0": read exactly, written with the currency's decimals.
    amount: braintreeDecimal(fromBraintreeAmount(disputed, currency), currency),
    currency_code: currency,
    ...(dispute.reason ? { reason: dispute.reason } : {}),
    ...(evidence && status === "opened" ? { evidence_due_by: evidence } : {}),
  }
}

function sessionOf(transaction: BraintreeTransaction): string | null {
  const orderId = transaction.orderId
  return orderId && MEDUSA_SESSION_ID.test(orderId) ? orderId : null
}

/** Medusa's action for a notification: a settled sale is captured; a declined settlement failed; the rest not Medusa's. */
export function mapWebhookEvent(outcome: GatewayOutcome): WebhookActionResult {
  switch (outcome.kind) {
    case "captured":
      return { action: PaymentActions.SUCCESSFUL, data: { session_id: outcome.session_id, amount: Number(outcome.amount) } }
    case "failed":
      return { action: PaymentActions.FAILED, data: { session_id: outcome.session_id, amount: 0 } }
    default:
      return { action: PaymentActions.NOT_SUPPORTED }
  }
}
