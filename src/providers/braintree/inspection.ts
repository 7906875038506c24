/**
 * What the admin and the reconciliation read of a Braintree payment (`GatewayPaymentInspector`):
 * how it is named and found in the Control Panel, from the session data alone, and what
 * Braintree says of it now, from its transactions. Pure: no I/O, no clock.
 */
import BigNumberJS from "bignumber.js"
import type { GatewayPaymentSnapshot, GatewayRefund, PaymentDescription } from "../../lib/payments/outcomes/types"
import { braintreeDecimal, fromBraintreeAmount, mapTransactionStatus, MEDUSA_REFUND_ID, SUBMITTED } from "./mapping"
import type { BraintreeTransaction } from "./types"

/**
 * A transaction's page in the Control Panel, per environment.
 * @see https://developer.paypal.com/braintree/articles/control-panel/transactions/search
 */
export const BRAINTREE_CONTROL_PANEL: Readonly<Record<"sandbox" | "production", string>> = Object.freeze({
  sandbox: "https://sandbox.braintreegateway.com/merchants/",
  production: "https://www.braintreegateway.com/merchants/",
})

/** Braintree's transaction ids: letters and digits. */
const TRANSACTION_ID = /^[a-z0-9]{1,36}$/i

/**
 * Braintree keeps an authorization for a period that depends on the card brand and the
 * merchant category, and says when in `authorizationExpiresAt`; without it, 7 days is the
 * shortest period its guide gives for a card brand.
 * @see https://developer.paypal.com/braintree/articles/control-panel/transactions/authorization-expiration
 */
export const AUTHORIZATION_VALIDITY_MS = 7 * 24 * 60 * 60 * 1000

export function describeBraintreePayment(
  data: Record<string, unknown> | null | undefined,
  context: { label: string; environment: "sandbox" | "production"; merchantId: string }
): PaymentDescription {
  const description: PaymentDescription = { label: context.label, gateway: "braintree", mode: context.environment === "production" ? "live" : "test" }
  const id = typeof data?.transaction_id === "string" && TRANSACTION_ID.test(data.transaction_id) ? data.transaction_id : undefined
  if (!id) return description
  description.reference = { label: "Braintree transaction", value: id }
  description.dashboard_url = `${BRAINTREE_CONTROL_PANEL[context.environment]}${encodeURIComponent(context.merchantId)}/transactions/${encodeURIComponent(id)}`
  return description
}

/**
 * What Braintree says of a payment now: the sale (its status as `getPaymentStatus` maps it),
 * its partial settlements, and its refunds (each the store's own when its `orderId` is a
 * Medusa refund id, as `refundPayment` sets it).
 */
export function toBraintreeSnapshot(sale: BraintreeTransaction, settlements: BraintreeTransaction[], refunds: BraintreeTransaction[]): GatewayPaymentSnapshot {
  const currency = sale.currencyIsoCode
  const amount = (t: BraintreeTransaction) => fromBraintreeAmount(t.amount, currency)
  const sum = (list: BraintreeTransaction[]) => list.reduce((total, t) => total.plus(amount(t)), new BigNumberJS(0))
  const captured = settlements.length
    ? sum(settlements.filter((s) => SUBMITTED.has(s.status)))
    : SUBMITTED.has(sale.status)
      ? amount(sale)
      : new BigNumberJS(0)
  const listed: GatewayRefund[] = refunds.map((refund) => ({
    refund_id: refund.id,
    amount: braintreeDecimal(amount(refund), currency),
    currency_code: currency,
    made_by_store: !!refund.orderId && MEDUSA_REFUND_ID.test(refund.orderId),
    ...(refund.orderId && MEDUSA_REFUND_ID.test(refund.orderId) ? { medusa_refund_id: refund.orderId } : {}),
    status: refundStatus(refund.status),
  }))
  const refunded = listed.filter((r) => r.status !== "failed" && r.status !== "canceled").reduce((total, r) => total.plus(r.amount), new BigNumberJS(0))
  const holding = sale.status === "authorized"
  const expires = sale.authorizationExpiresAt ? new Date(sale.authorizationExpiresAt) : undefined
  const created = sale.createdAt ? new Date(sale.createdAt) : undefined
  return {
    status: mapTransactionStatus(sale.status, sale.gatewayRejectionReason),
    gateway_status: sale.status,
    currency_code: currency,
    amount: braintreeDecimal(amount(sale), currency),
    captured_amount: braintreeDecimal(captured, currency),
    refunded_amount: braintreeDecimal(refunded, currency),
    refunds: listed,
    ...(holding && expires && !Number.isNaN(expires.getTime())
      ? { authorization_expires_at: expires.toISOString() }
      : holding && created && !Number.isNaN(created.getTime())
        ? { authorization_expires_at: new Date(created.getTime() + AUTHORIZATION_VALIDITY_MS).toISOString() }
        : {}),
    ...(sale.processorResponseCode && mapTransactionStatus(sale.status, sale.gatewayRejectionReason) === "error"
      ? { reason: `processor response ${sale.processorResponseCode}${sale.processorResponseText ? ` (${sale.processorResponseText})` : ""}` }
      : sale.gatewayRejectionReason
        ? { reason: `gateway rejected: ${sale.gatewayRejectionReason}` }
        : {}),
  }
}

/** A refund transaction's status as the snapshot's: settled or on its way, voided, or declined. */
function refundStatus(status: string): GatewayRefund["status"] {
  if (status === "voided") return "canceled"
  if (status === "processor_declined" || status === "gateway_rejected" || status === "failed" || status === "settlement_declined") return "failed"
  if (status === "authorizing" || status === "authorized") return "pending"
  return "succeeded"
}
