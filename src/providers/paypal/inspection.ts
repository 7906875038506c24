/**
 * What the admin and the reconciliation read of a PayPal payment (`GatewayPaymentInspector`):
 * how it is named and found in PayPal's account, from the session data alone, and what
 * PayPal says of it now, from one GET of the order. Pure: no I/O, no clock.
 */
import BigNumberJS from "bignumber.js"
import type { GatewayPaymentSnapshot, GatewayRefund, PaymentDescription } from "../../lib/payments/outcomes/types"
import { refundOutcomeStatus } from "./events"
import { HONOR_PERIOD_MS, honorPeriodStart, mapPaymentStatus, parseRefundCustomId, toCaptureData, toRefundData, toSessionData } from "./mapping"
import { fromPaypalMoney, paypalDecimal } from "./money"
import { capturedTotal, refundedTotal } from "./refunds"
import type { PaypalAuthorizationStatus, PaypalEnvironment, PaypalOrder, PaypalRefund, PaypalSessionData } from "./types"

/**
 * A transaction's page in the merchant's PayPal account, per environment. PayPal's developer
 * documentation gives no deep-link scheme; this is the page PayPal's own account activity
 * opens for a transaction id (`/activity/payment/<id>`), the one WooCommerce's PayPal
 * gateways link to (`view_transaction_url`). The transaction id of an Orders v2 payment is
 * its authorization's id or its capture's; an order before payment has no page.
 */
export const PAYPAL_ACTIVITY_URLS: Readonly<Record<PaypalEnvironment, string>> = Object.freeze({
  sandbox: "https://www.sandbox.paypal.com/activity/payment/",
  live: "https://www.paypal.com/activity/payment/",
})

/**
 * How long PayPal keeps an authorization when its answer leaves `expiration_time` out: "valid
 * for 29 days" (https://developer.paypal.com/docs/checkout/standard/customize/authorization/).
 */
export const AUTHORIZATION_VALIDITY_MS = 29 * 24 * 60 * 60 * 1000

const PAYPAL_ID = /^[A-Z0-9]{1,36}$/

function paypalId(value: unknown): string | undefined {
  return typeof value === "string" && PAYPAL_ID.test(value) ? value : undefined
}

/**
 * The admin's name for a PayPal payment and where to find it: its transaction (the
 * authorization, whose page shows its captures; else the capture of an order captured at
 * once) with the link to its page, or the order alone before anything was paid. Only ids:
 * never the approval link or anything of the payer. Empty or foreign data gives the name only.
 */
export function describePaypalPayment(data: Record<string, unknown> | null | undefined, context: { label: string; environment: PaypalEnvironment }): PaymentDescription {
  const description: PaymentDescription = { label: context.label, gateway: "paypal", mode: context.environment === "live" ? "live" : "test" }
  const orderId = paypalId(data?.id)
  if (!orderId) return description
  const authorizationId = paypalId((data?.authorization as { id?: unknown } | null | undefined)?.id)
  const captures = Array.isArray(data?.captures) ? (data.captures as Array<{ id?: unknown }>) : []
  const captureId = captures.map((capture) => paypalId(capture?.id)).find(Boolean)
  if (authorizationId || captureId) {
    const transaction = (authorizationId ?? captureId)!
    description.reference = { label: `PayPal transaction (${authorizationId ? "authorization" : "capture"})`, value: transaction }
    description.dashboard_url = `${PAYPAL_ACTIVITY_URLS[context.environment]}${encodeURIComponent(transaction)}`
  } else {
    description.reference = { label: "PayPal order", value: orderId }
  }
  return description
}

/** Authorizations that still hold money for the store, for which an expiry means something. */
const HOLDING = new Set<PaypalAuthorizationStatus>(["CREATED", "PARTIALLY_CAPTURED", "PENDING"])

/**
 * What PayPal says of a payment now, from its order (`GET /v2/checkout/orders/{id}`): the
 * status as `getPaymentStatus` maps it, what the order's captures and refunds hold (PayPal's
 * own lists, not the session's), each refund the store's own when its `custom_id` carries a
 * Medusa refund id (`<session id>.<refund id>`, as `readPaypalEvent` decides), and, while the
 * authorization holds money, PayPal's `expiration_time` (29 days when PayPal leaves it out)
 * and the end of its 3-day honor period (from when this store authorized, as the capture
 * reckons it before reauthorizing).
 */
export function toPaypalSnapshot(order: PaypalOrder, known: Partial<PaypalSessionData>): GatewayPaymentSnapshot {
  const data = toSessionData(order, known)
  const currency = data.currency_code
  const unit = order.purchase_units?.[0]
  const status = mapPaymentStatus(data)
  const captures = (unit?.payments?.captures ?? []).map((capture) => toCaptureData(capture, currency))
  const paypalRefunds = unit?.payments?.refunds ?? []
  const captured = capturedTotal(captures, currency)
  const authorization = data.authorization
  const lastCapture = captures[captures.length - 1]
  const snapshot: GatewayPaymentSnapshot = {
    status,
    gateway_status: `${order.status}${authorization ? `, authorization ${authorization.status}` : lastCapture ? `, capture ${lastCapture.status}` : ""}`,
    currency_code: currency.toLowerCase(),
    // What the buyer approved; once captured, what PayPal took.
    amount: status === "captured" && captured.gt(0) ? paypalDecimal(captured, currency) : paypalDecimal(new BigNumberJS(data.amount), currency),
    captured_amount: paypalDecimal(captured, currency),
    refunded_amount: paypalDecimal(refundedTotal(paypalRefunds.map((refund) => toRefundData(refund, null, currency)), currency), currency),
    refunds: paypalRefunds.map((refund) => toGatewayRefund(refund, currency)),
  }
  if (authorization && HOLDING.has(authorization.status)) {
    const created = authorization.created_at ? Date.parse(authorization.created_at) : NaN
    const expires = authorization.expiration_time ? Date.parse(authorization.expiration_time) : created + AUTHORIZATION_VALIDITY_MS
    if (Number.isFinite(expires)) snapshot.authorization_expires_at = new Date(expires).toISOString()
    const honored = honorPeriodStart(authorization)
    if (honored !== undefined) snapshot.honor_period_ends_at = new Date(honored + HONOR_PERIOD_MS).toISOString()
  }
  const reason = reasonOf(order, data)
  if (reason) snapshot.reason = reason
  return snapshot
}

function toGatewayRefund(refund: PaypalRefund, currency: string): GatewayRefund {
  const mark = parseRefundCustomId(refund.custom_id).medusa_refund_id
  return {
    refund_id: refund.id,
    amount: refund.amount ? paypalDecimal(fromPaypalMoney(refund.amount), refund.amount.currency_code) : paypalDecimal(new BigNumberJS(0), currency),
    currency_code: (refund.amount?.currency_code ?? currency).toLowerCase(),
    made_by_store: !!mark,
    ...(mark ? { medusa_refund_id: mark } : {}),
    status: refundOutcomeStatus(refund.status),
  }
}

/** Why PayPal declined or held the payment: the decline's issue, else the status detail's reason (PENDING_REVIEW, ECHECK). */
function reasonOf(order: PaypalOrder, data: PaypalSessionData): string | undefined {
  if (data.decline?.issue) return data.decline.issue
  const payments = order.purchase_units?.[0]?.payments
  const authorization = payments?.authorizations?.find((a) => a.id === data.authorization?.id)
  const capture = payments?.captures?.[payments.captures.length - 1]
  return authorization?.status_details?.reason ?? capture?.status_details?.reason ?? undefined
}
