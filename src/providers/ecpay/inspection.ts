/**
 * What the admin and the reconciliation read of an ECPay payment, without I/O: the refunds of
 * the card detail query (made in ECPay's back office or by this store), the payment's
 * description and its snapshot (`GatewayPaymentInspector`).
 */
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { toBigNumber } from "../../lib/payments/money"
import type { GatewayPaymentSnapshot, GatewayRefund, PaymentDescription } from "../../lib/payments/outcomes/types"
import { ECPAY_CURRENCY, MERCHANT_TRADE_NO, fromEcpayAmount, mapTradeStatus, parseTaipeiTime, type EcpaySessionData } from "./mapping"
import type { EcpayOptions } from "./options"
// ---- The card detail query (refunds made in the back office) -------------------------------------

/**
 * The states of a close (關帳) in the card detail query's `close_data`: to be closed and
 * closed count; canceled (已取消) and a close undone (操作取消) do not.
 * @see https://developers.ecpay.com.tw/?p=2894
 */
const COUNTED_CLOSES = new Set(["要關帳", "已關帳"])

/**
 * The refunds (退刷) ECPay lists for a card payment, from a `CreditDetail/QueryTrade/V2`
 * answer: ECPay requests payment or refunds from the bank by closes (「關帳」:授權請/退款,
 * https://developers.ecpay.com.tw/?p=9242), so a refund is a close of a negative amount
 * that is not canceled. ECPay's page lists the closes' fields (status, amount, sno, datetime)
 * but shows no answer with a refund in it: this reading is inferred, and errs on the side of
 * listing nothing (a positive close, one without a serial number or not counted is left out).
 * Each refund's id is `<TradeID>-<sno>`, stable across queries.
 */
export function refundsOfCreditDetail(
  answer: Record<string, unknown>,
  data: Pick<EcpaySessionData, "amount">,
  creditRefundId: string
):
  | { refunds: Array<{ refund_id: string; amount: string; currency_code: string }> }
  | { refused: string }
  | { mismatch: string } {
  const message = typeof answer.RtnMsg === "string" ? answer.RtnMsg.trim() : ""
  const value = answer.RtnValue
  if (message || !value || typeof value !== "object" || Array.isArray(value)) {
    // "error_Stop" (no such merchant, or it expired), "error_nopay" (no such authorization), "error".
    return { refused: message || "no details in the answer" }
  }
  const detail = value as Record<string, unknown>
  if (detail.amount !== undefined && String(detail.amount) !== String(data.amount)) {
    return { mismatch: `ECPay's card detail of authorization ${creditRefundId} is for ${String(detail.amount)} TWD, not the payment's ${data.amount} TWD` }
  }
  const tradeId = /^\d+$/.test(String(detail.TradeID ?? "")) ? String(detail.TradeID) : creditRefundId
  const closes = Array.isArray(detail.close_data) ? detail.close_data : []
  const out: Array<{ refund_id: string; amount: string; currency_code: string }> = []
  for (const close of closes) {
    if (!close || typeof close !== "object") continue
    const c = close as Record<string, unknown>
    const amount = Number(c.amount)
    const sno = String(c.sno ?? "")
    if (!COUNTED_CLOSES.has(String(c.status ?? "")) || !Number.isSafeInteger(amount) || amount >= 0 || !/^\d+$/.test(sno)) continue
    out.push({ refund_id: `${tradeId}-${sno}`, amount: fromEcpayAmount(-amount).toFixed(), currency_code: ECPAY_CURRENCY })
  }
  return { refunds: out }
}

// ---- What the admin and the reconciliation read (`GatewayPaymentInspector`) ----------------

/**
 * ECPay's merchant back office (廠商管理後台) per environment: stage
 * https://vendor-stage.ecpay.com.tw ("search order and test payment",
 * https://developers.ecpay.com.tw/?p=16447), production https://vendor.ecpay.com.tw. ECPay
 * documents no link to one trade in it: the merchant searches its 訂單查詢 by the
 * MerchantTradeNo (or ECPay's TradeNo) the admin shows, so the link is to the back office.
 */
export const ECPAY_BACK_OFFICES = Object.freeze({
  stage: "https://vendor-stage.ecpay.com.tw",
  production: "https://vendor.ecpay.com.tw",
} as const)

/**
 * How the admin names an ECPay payment and finds it: the MerchantTradeNo, the back office of
 * the environment the payment was made in (its data says; else the configured one). Nothing
 * else of the data: not the signed form, not the session id. Empty or foreign data gives the
 * name and the configured environment's mode only.
 */
export function describeEcpayPayment(
  data: Record<string, unknown> | null | undefined,
  context: { label: string; environment: EcpayOptions["environment"] }
): PaymentDescription {
  const recorded = data?.environment
  const environment = recorded === "stage" || recorded === "production" ? recorded : context.environment
  const description: PaymentDescription = { label: context.label, gateway: "ecpay", mode: environment === "production" ? "live" : "test" }
  const tradeNo = data?.merchant_trade_no
  if (typeof tradeNo === "string" && MERCHANT_TRADE_NO.test(tradeNo)) {
    description.reference = { label: "MerchantTradeNo (特店交易編號)", value: tradeNo }
    description.dashboard_url = ECPAY_BACK_OFFICES[environment]
  }
  return description
}

/**
 * How long a card payment authorized with ECPay's daily close switched off (`capture:
 * "manual"`) can be closed: "訂單仍須於21天內完成關帳作業，若於21天內未完成手動關帳作業，後續將無法以
 * API方式進行關帳" (https://developers.ecpay.com.tw/?p=45919); at 90 days ECPay abandons it.
 */
export const ECPAY_CLOSE_WITHIN_MS = 21 * 24 * 60 * 60 * 1000

/**
 * Which of the refunds ECPay lists the store made itself. ECPay's refund (`DoAction` `R`)
 * carries no mark and its answer no id of the refund, so the store's own are known from the
 * payment's data: a refund this provider made (in `refunds`, without an ECPay id) is matched
 * to a listed refund of the same amount, each once, in ECPay's order; a listed refund already
 * recorded from the back office (its `<TradeID>-<sno>` in `refunds` or `external_refunds`) and
 * any other is not the store's. When a back-office refund and one of the store's have the same
 * amount, which is which may be swapped, but never how many of each there are.
 */
export function markStoreRefunds(
  listed: Array<{ refund_id: string; amount: string; currency_code: string }>,
  data: Pick<EcpaySessionData, "refunds" | "external_refunds">
): GatewayRefund[] {
  const fromGateway = new Set([
    ...data.refunds.map((refund) => refund.refund_id).filter((id): id is string => typeof id === "string"),
    ...(data.external_refunds ?? []).map((refund) => refund.refund_id),
  ])
  const own = data.refunds.filter((refund) => typeof refund.refund_id !== "string").map((refund) => String(refund.amount))
  return listed.map((refund) => {
    let madeByStore = false
    if (!fromGateway.has(refund.refund_id)) {
      const at = own.indexOf(refund.amount)
      if (at >= 0) {
        own.splice(at, 1)
        madeByStore = true
      }
    }
    // The closes the card detail query counts (to be closed, closed) are refunds ECPay has taken on.
    return { ...refund, made_by_store: madeByStore, status: "succeeded" as const }
  })
}

/**
 * What ECPay says of a payment now: a verified QueryTradeInfo answer (folded into `data`),
 * with the refunds of the card detail query when they could be listed (`undefined` when they
 * cannot: on stage or without the check code). The status is `getPaymentStatus`'s, except
 * that a card payment this provider closed (`DoAction` `C`, which QueryTradeInfo does not
 * show) is captured, and a session voided in Medusa is canceled whatever ECPay says.
 */
export function toEcpaySnapshot(
  data: EcpaySessionData,
  trade: Record<string, string>,
  capture: EcpayOptions["capture"],
  refunds: GatewayRefund[] | undefined
): GatewayPaymentSnapshot {
  const tradeStatus = trade.TradeStatus ?? ""
  const mapped = mapTradeStatus(tradeStatus, data.payment_type, capture)
  const paid = tradeStatus === "1"
  const status = data.voided ? PaymentSessionStatus.CANCELED : mapped === PaymentSessionStatus.AUTHORIZED && data.closed ? PaymentSessionStatus.CAPTURED : mapped
  const amount = fromEcpayAmount(/^\d+$/.test(trade.TradeAmt ?? "") ? trade.TradeAmt : data.amount).toFixed()
  const snapshot: GatewayPaymentSnapshot = {
    status,
    gateway_status: `TradeStatus ${tradeStatus}${data.payment_type && paid ? ` (${data.payment_type})` : ""}`,
    currency_code: ECPAY_CURRENCY,
    amount,
    captured_amount: status === PaymentSessionStatus.CAPTURED ? amount : "0",
  }
  if (refunds) {
    snapshot.refunds = refunds
    snapshot.refunded_amount = refunds
      .filter((refund) => refund.status === "succeeded")
      .reduce((total, refund) => total.plus(refund.amount), toBigNumber(0))
      .toFixed()
  }
  if (status === PaymentSessionStatus.AUTHORIZED) {
    const paidAt = parseTaipeiTime(trade.PaymentDate ?? data.payment_date ?? undefined)
    if (paidAt !== undefined) snapshot.authorization_expires_at = new Date(paidAt + ECPAY_CLOSE_WITHIN_MS).toISOString()
  }
  const reason = data.voided
    ? paid
      ? "voided in Medusa, but ECPay reports it paid: refund it in ECPay's back office"
      : "voided in Medusa before it was paid"
    : tradeStatus === "10200095"
      ? "交易未成立: the shopper did not complete the payment (TradeStatus 10200095)"
      : undefined
  if (reason) snapshot.reason = reason
  return snapshot
}
