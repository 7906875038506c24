/**
 * Pure translation between Medusa and ECPay's all-in-one (AIO) checkout: the signed form
 * out, notifications, order queries and actions in; what the admin and the reconciliation
 * read (the card detail query's refunds, the payment's snapshot) is ./inspection.ts. No I/O, no clock, no randomness (the
 * service passes the time and the random part of order numbers in).
 */
import type BigNumberJS from "bignumber.js"
import type { BigNumberInput, PaymentSessionStatus as PaymentSessionStatusType } from "@medusajs/framework/types"
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { AmountError, PaymentInputError } from "../../lib/payments/errors"
import { CurrencyRules, fromMinorUnits, normalizeCurrency, toBigNumber, toMinorUnits } from "../../lib/payments/money"
import { rawBodyOf } from "../../lib/payments/webhooks"
import {
  EligibilityRules,
  ProviderEligibility,
  eligibilityRulesOf,
  withGatewayMinimums,
} from "../../lib/payments/eligibility"
import { truncateText } from "../../lib/payments/options"
import type { ExternalRefund } from "../../lib/payments/external-refunds"
import { isWithinTolerance } from "../../lib/payments/signatures"
import { NotificationVerdict, RedirectForm, redirectForm } from "../../lib/payments/hosted/contract"
import { checkMacValue, verifyCheckMacValue } from "./checkmac"
import { ECPAY_PAYMENT_METHODS, type EcpayOptions } from "./options"

/**
 * ECPay charges New Taiwan dollars in whole dollars: `TotalAmount` "請帶整數,不可有小數點。
 * 僅限新台幣" (an integer, no decimals, TWD only),
 * https://developers.ecpay.com.tw/?p=2864. ISO 4217 gives TWD two decimals.
 */
export const ECPAY_CURRENCY_RULES: CurrencyRules = Object.freeze({
  exponents: Object.freeze({ TWD: 0 }),
})

export const ECPAY_CURRENCY = "twd"

/** Major units to ECPay's whole TWD, refusing another currency or a fraction of a dollar. */
export function toEcpayAmount(amount: BigNumberInput, currency: string): number {
  const code = normalizeCurrency(currency)
  if (code !== "TWD") {
    throw new PaymentInputError(`ECPay charges New Taiwan dollars (TWD) only; this payment is in ${code}`)
  }
  let whole: number
  try {
    whole = toMinorUnits(amount, code, ECPAY_CURRENCY_RULES, { mode: "exact" })
  } catch (error) {
    if (error instanceof AmountError) {
      throw new AmountError(`ECPay charges whole New Taiwan dollars only: ${error.message}`)
    }
    throw error
  }
  if (whole <= 0) {
    throw new PaymentInputError("ECPay needs an amount of at least 1 TWD")
  }
  return whole
}

/**
 * ECPay's eligibility, for the store routes and `initiatePayment` alike: the merchant's
 * rules limited to TWD (ECPay takes no other currency) and to 1 TWD at least, then whole
 * dollars only ("請帶整數,不可有小數點。僅限新台幣", https://developers.ecpay.com.tw/?p=2864).
 */
export function ecpayEligibility(options: Partial<EligibilityRules>, label: string): ProviderEligibility {
  const rules = eligibilityRulesOf(options)
  return {
    label,
    rules: withGatewayMinimums({ ...rules, allowedCurrencies: rules.allowedCurrencies ?? ["TWD"] }, { TWD: "1" }),
    gatewayLimits: (input, name) => {
      const amount = toBigNumber(input.amount)
      return amount.isInteger()
        ? { eligible: true }
        : { eligible: false, rule: "amount", reason: `${name} charges whole New Taiwan dollars only, not ${amount.toFixed()} TWD` }
    },
  }
}

/** ECPay's whole TWD (`TradeAmt`, "100") back to major units. */
export function fromEcpayAmount(value: string | number): BigNumberJS {
  if (!/^\d+$/.test(String(value))) {
    throw new AmountError(`${JSON.stringify(value)} is not a whole TWD amount`)
  }
  return fromMinorUnits(String(value), "TWD", ECPAY_CURRENCY_RULES)
}

// ---- Time: ECPay writes local Taiwan time (UTC+8, no daylight saving) ------------------------

const TAIPEI_OFFSET_MS = 8 * 3600 * 1000

/** `yyyy/MM/dd HH:mm:ss` in Taiwan time, ECPay's format for `MerchantTradeDate`. */
export function formatTaipeiTime(epochMs: number): string {
  const d = new Date(epochMs + TAIPEI_OFFSET_MS)
  const pad = (n: number) => String(n).padStart(2, "0")
  return (
    `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

/** ECPay's `yyyy/MM/dd HH:mm:ss` (Taiwan time) as epoch milliseconds; `undefined` if malformed. */
export function parseTaipeiTime(text: string | undefined): number | undefined {
  const m = /^(\d{4})\/(\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2})$/.exec(String(text ?? "").trim())
  if (!m) return undefined
  const [, y, mo, d, h, mi, s] = m.map(Number)
  const utc = Date.UTC(y, mo - 1, d, h, mi, s)
  const check = new Date(utc)
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined
  return utc - TAIPEI_OFFSET_MS
}

// ---- Order numbers ----------------------------------------------------------------------------

/** `MerchantTradeNo`: unique, 20 characters at most, letters and digits. */
export const MERCHANT_TRADE_NO = /^[A-Za-z0-9]{1,20}$/

/**
 * A new `MerchantTradeNo` for one payment attempt: the store's prefix, the time in base 36
 * (8 characters until 2059) and random base-36 characters up to 20 in all. ECPay refuses a
 * number it has seen, so every attempt (every Medusa payment session) gets its own.
 * @param random base-36 characters from a secure source, at least `20 - prefix - 8`
 */
export function merchantTradeNo(prefix: string, epochMs: number, random: string): string {
  const time = Math.floor(epochMs).toString(36).toUpperCase()
  const value = `${prefix.toUpperCase()}${time}${random.toUpperCase()}`.replace(/[^A-Z0-9]/g, "").slice(0, 20)
  if (value.length < 20 || !MERCHANT_TRADE_NO.test(value)) {
    throw new Error("not enough random characters for a MerchantTradeNo")
  }
  return value
}

// ---- The checkout form --------------------------------------------------------------------------

/** `ChoosePayment` and `IgnorePayment` for the methods the store offers. */
export function choosePayment(types: EcpayOptions["paymentTypes"]): { ChoosePayment: string; IgnorePayment?: string } {
  if (types.includes("ALL")) {
    return { ChoosePayment: "ALL" }
  }
  if (types.length === 1) {
    return { ChoosePayment: types[0] }
  }
  // Several methods: ECPay's page with every method, minus the others.
  const ignored = ECPAY_PAYMENT_METHODS.filter((m) => !types.includes(m))
  return { ChoosePayment: "ALL", IgnorePayment: ignored.join("#") }
}

function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{(reference|amount|session_id)\}/g, (_m, name: string) => values[name] ?? "")
}

export interface CheckoutInput {
  sessionId: string
  merchantTradeNo: string
  /** Whole TWD. */
  amount: number
  epochMs: number
  /** Where ECPay posts the payment result (`ReturnURL`). */
  notificationUrl: string
  /** AioCheckOut/V5 of the environment. */
  action: string
}

/**
 * The auto-submitting form that takes the shopper to ECPay, signed with CheckMacValue.
 * The session id travels in `CustomField1`, which ECPay echoes, signed, in the
 * notification; the `MerchantTradeNo` is checked against the session as well.
 * @see https://developers.ecpay.com.tw/?p=2864
 */
export function buildCheckoutForm(input: CheckoutInput, options: EcpayOptions): RedirectForm {
  const values = { reference: input.merchantTradeNo, amount: String(input.amount), session_id: input.sessionId }
  const fields: Record<string, string> = {
    MerchantID: options.merchantId,
    MerchantTradeNo: input.merchantTradeNo,
    MerchantTradeDate: formatTaipeiTime(input.epochMs),
    PaymentType: "aio",
    TotalAmount: String(input.amount),
    TradeDesc: options.tradeDescription,
    // String(400); ECPay would cut it anyway, but a cut emoji would break the signature.
    ItemName: truncateText(render(options.itemName, values), 400),
    ReturnURL: input.notificationUrl,
    ...choosePayment(options.paymentTypes),
    CustomField1: input.sessionId,
    EncryptType: "1",
    NeedExtraPaidInfo: "N",
  }
  if (options.returnUrl) fields.ClientBackURL = render(options.returnUrl, values)
  if (options.orderResultUrl) fields.OrderResultURL = render(options.orderResultUrl, values)
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === "") delete fields[name]
  }
  fields.CheckMacValue = checkMacValue(fields, options.hashKey, options.hashIv)
  return redirectForm(input.action, fields)
}

// ---- Statuses -----------------------------------------------------------------------------------

/** Card payments (`Credit_CreditCard`, installments...) are the ones `DoAction` closes and refunds. */
export function isCardPayment(paymentType: string | null | undefined): boolean {
  return /^Credit_/.test(String(paymentType ?? ""))
}

/**
 * A paid ECPay order in Medusa's terms: settled (`captured`), except a card payment when
 * the merchant closes card payments from the admin (`capture: "manual"`), which is
 * `authorized` until the admin's capture closes it.
 */
export function paidStatus(paymentType: string | null | undefined, capture: EcpayOptions["capture"]): PaymentSessionStatusType {
  return isCardPayment(paymentType) && capture === "manual" ? PaymentSessionStatus.AUTHORIZED : PaymentSessionStatus.CAPTURED
}

/** The `TradeStatus` values of QueryTradeInfo/V5. */
export type EcpayTradeStatus = "0" | "1" | "10200095" | "10200047"

/**
 * QueryTradeInfo's `TradeStatus` -> Medusa session status, exhaustively; an unknown
 * status is an error, never a silent pending.
 * @see https://developers.ecpay.com.tw/?p=2890
 */
export function mapTradeStatus(
  tradeStatus: string,
  paymentType: string | null | undefined,
  capture: EcpayOptions["capture"]
): PaymentSessionStatusType {
  const status = tradeStatus as EcpayTradeStatus
  switch (status) {
    case "0":
      // The order exists at ECPay, unpaid: an ATM or convenience-store code not paid yet,
      // or a card payment the bank has not answered (ECPay: ask again 10 minutes later).
      return PaymentSessionStatus.PENDING
    case "1":
      return paidStatus(paymentType, capture)
    case "10200095":
      // 交易未成立: the shopper did not complete the payment; a new attempt is needed.
      return PaymentSessionStatus.ERROR
    case "10200047":
      // No such order at ECPay: the shopper has not submitted the form (yet).
      return PaymentSessionStatus.PENDING
    default: {
      const unknown: never = status
      throw new Error(`Unknown ECPay TradeStatus: ${JSON.stringify(unknown)}`)
    }
  }
}

// ---- ECPay's text answers ------------------------------------------------------------------------

/**
 * QueryTradeInfo and DoAction answer `name=value&...` text. ECPay leaves spaces and `+`
 * unencoded in it (its PHP SDK replaces `+` by `%2B` before `parse_str`), so `+` is kept
 * as it is and only `%XX` is decoded.
 */
export function parseEcpayAnswer(body: unknown): Record<string, string> {
  if (typeof body !== "string" || !body.includes("=")) {
    throw new PaymentInputError(`ECPay answered something that is not its name=value text: ${JSON.stringify(body)?.slice(0, 120)}`)
  }
  const out: Record<string, string> = {}
  for (const pair of body.trim().split("&")) {
    if (!pair) continue
    const at = pair.indexOf("=")
    const name = at < 0 ? pair : pair.slice(0, at)
    const raw = at < 0 ? "" : pair.slice(at + 1)
    let value = raw
    try {
      value = decodeURIComponent(raw)
    } catch {
      // A stray % is kept as sent.
    }
    out[name] = value
  }
  return out
}

// ---- Session data -------------------------------------------------------------------------------

/**
 * What the collection keeps in the payment session's `data`. It reaches the storefront:
 * the form to render and ECPay's ids and statuses, never a key or the notification's
 * card details.
 */
export interface EcpaySessionData extends Record<string, unknown> {
  session_id: string
  /** This attempt's order number at ECPay. */
  merchant_trade_no: string
  /** Whole TWD. */
  amount: number
  currency: typeof ECPAY_CURRENCY
  environment: EcpayOptions["environment"]
  /** The auto-submitting form the storefront renders to send the shopper to ECPay. */
  form: RedirectForm
  /** QueryTradeInfo's last `TradeStatus` (null until asked). */
  trade_status: string | null
  /** ECPay's own trade number, once paid. */
  trade_no: string | null
  /** `Credit_CreditCard`, `ATM_TAISHIN`, `CVS_CVS`... once known. */
  payment_type: string | null
  payment_date: string | null
  /** A card payment closed by the admin's capture (`DoAction` `C`). */
  closed: boolean
  /** The card authorization's number (`gwsr`, QueryTradeInfo's answer for a card), which the card detail query takes. */
  credit_refund_id?: string | null
  /** Whole TWD refunded through the collection (and made in ECPay's back office and recorded in Medusa). */
  amount_refunded: number
  /** By Medusa's refund id (`key`); `refund_id` for a back-office refund recorded from ECPay (`<TradeID>-<sno>`). */
  refunds: Array<{ key: string; amount: number; refund_id?: string }>
  /**
   * Refunds made in ECPay's back office, noted by the plugin to be recorded in Medusa without
   * refunding again (`lib/payments/external-refunds.ts`).
   */
  external_refunds?: ExternalRefund[]
  /** Canceled before payment, or deleted: never authorized afterwards. */
  voided: boolean
}

export function newSessionData(input: {
  sessionId: string
  merchantTradeNo: string
  amount: number
  environment: EcpayOptions["environment"]
  form: RedirectForm
}): EcpaySessionData {
  return {
    session_id: input.sessionId,
    merchant_trade_no: input.merchantTradeNo,
    amount: input.amount,
    currency: ECPAY_CURRENCY,
    environment: input.environment,
    form: input.form,
    trade_status: null,
    trade_no: null,
    payment_type: null,
    payment_date: null,
    closed: false,
    amount_refunded: 0,
    refunds: [],
    voided: false,
  }
}

/** The session data a provider call received, or a clear error when it is not ECPay's. */
export function readSessionData(data: Record<string, unknown> | undefined | null): EcpaySessionData {
  const tradeNo = data?.merchant_trade_no
  if (!data || typeof tradeNo !== "string" || !MERCHANT_TRADE_NO.test(tradeNo)) {
    throw new PaymentInputError("ECPay: the payment session holds no ECPay order number")
  }
  const amount = Number(data.amount)
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new PaymentInputError("ECPay: the payment session holds no amount")
  }
  return {
    ...(data as Partial<EcpaySessionData>),
    session_id: String(data.session_id ?? ""),
    merchant_trade_no: tradeNo,
    amount,
    currency: ECPAY_CURRENCY,
    environment: data.environment === "production" ? "production" : "stage",
    form: data.form as RedirectForm,
    trade_status: typeof data.trade_status === "string" ? data.trade_status : null,
    trade_no: typeof data.trade_no === "string" ? data.trade_no : null,
    payment_type: typeof data.payment_type === "string" ? data.payment_type : null,
    payment_date: typeof data.payment_date === "string" ? data.payment_date : null,
    closed: data.closed === true,
    amount_refunded: Number.isSafeInteger(Number(data.amount_refunded)) ? Number(data.amount_refunded) : 0,
    refunds: Array.isArray(data.refunds) ? (data.refunds as EcpaySessionData["refunds"]) : [],
    voided: data.voided === true,
  }
}

/** A verified QueryTradeInfo answer folded into the session data. */
export function withTrade(data: EcpaySessionData, trade: Record<string, string>): EcpaySessionData {
  return {
    ...data,
    trade_status: trade.TradeStatus ?? data.trade_status,
    trade_no: trade.TradeNo || data.trade_no,
    payment_type: trade.PaymentType || data.payment_type,
    payment_date: trade.PaymentDate || data.payment_date,
    // A card payment's authorization number: what the card detail query is asked with.
    ...(/^\d+$/.test(trade.gwsr ?? "") ? { credit_refund_id: trade.gwsr } : {}),
  }
}

// ---- Notifications ------------------------------------------------------------------------------

export interface NotificationContext {
  merchantId: string
  hashKey: string
  hashIv: string
  environment: EcpayOptions["environment"]
  capture: EcpayOptions["capture"]
  toleranceSeconds: number
  nowMs: number
}

/**
 * RtnCode values ECPay sends for a payment code issued (ATM account number `2`,
 * convenience-store or barcode code `10100073`), before the shopper pays: not a failure.
 * @see https://developers.ecpay.com.tw/?p=2878
 */
const CODE_ISSUED = new Set(["2", "10100073"])

/**
 * What an ECPay payment notification (`ReturnURL`, 付款結果通知) means, after checking its
 * CheckMacValue, its merchant, its order number and its freshness.
 * @see https://developers.ecpay.com.tw/?p=2878
 */
export function verifyEcpayNotification(fields: Record<string, string>, ctx: NotificationContext): NotificationVerdict {
  if (!fields.CheckMacValue) {
    return { kind: "rejected", reason: "no CheckMacValue" }
  }
  if (!verifyCheckMacValue(fields, ctx.hashKey, ctx.hashIv)) {
    return { kind: "rejected", reason: "CheckMacValue does not verify" }
  }
  if (fields.MerchantID !== ctx.merchantId) {
    return { kind: "rejected", reason: `MerchantID ${JSON.stringify(fields.MerchantID)} is not this store's` }
  }
  const reference = fields.MerchantTradeNo
  if (!reference || !MERCHANT_TRADE_NO.test(reference)) {
    return { kind: "rejected", reason: "no valid MerchantTradeNo" }
  }
  const sessionId = fields.CustomField1
  if (!sessionId || !/^payses_[A-Za-z0-9]+$/.test(sessionId)) {
    return { kind: "ignored", reference, reason: "not a payment of this store's checkout (no payment session in CustomField1)" }
  }
  const rtnCode = fields.RtnCode
  if (CODE_ISSUED.has(rtnCode)) {
    return { kind: "ignored", session_id: sessionId, reference, reason: `payment code issued (RtnCode ${rtnCode}); waiting for the shopper to pay` }
  }
  let amount: BigNumberJS
  try {
    amount = fromEcpayAmount(fields.TradeAmt)
  } catch {
    return { kind: "rejected", reason: "no valid TradeAmt" }
  }
  if (rtnCode !== "1") {
    return { kind: "failed", session_id: sessionId, reference, amount, reason: `RtnCode ${rtnCode}: ${fields.RtnMsg ?? ""}`.trim() }
  }
  if (fields.SimulatePaid === "1" && ctx.environment === "production") {
    // ECPay's back office can simulate a payment; in production that is never money.
    return { kind: "ignored", session_id: sessionId, reference, reason: "a simulated payment (SimulatePaid=1) never counts in production" }
  }
  const paidAt = parseTaipeiTime(fields.PaymentDate)
  if (paidAt === undefined) {
    return { kind: "rejected", reason: "no valid PaymentDate" }
  }
  if (!isWithinTolerance(paidAt / 1000, ctx.toleranceSeconds, ctx.nowMs)) {
    return {
      kind: "stale",
      session_id: sessionId,
      reference,
      reason: `PaymentDate ${fields.PaymentDate} is more than ${ctx.toleranceSeconds} s away from now`,
    }
  }
  const status = paidStatus(fields.PaymentType, ctx.capture)
  return {
    kind: "paid",
    action: status === PaymentSessionStatus.AUTHORIZED ? "authorized" : "captured",
    session_id: sessionId,
    reference,
    amount,
    currency_code: ECPAY_CURRENCY,
  }
}

/**
 * A notification's fields from Medusa's webhook payload: the parsed body when it is flat
 * (Medusa's route parses forms; the conformance suite passes JSON), the raw form otherwise.
 * Anything else (nested values) is no ECPay notification.
 */
export function notificationFields(data: unknown, rawData: unknown): Record<string, string> | undefined {
  if (data && typeof data === "object" && !Array.isArray(data) && !Buffer.isBuffer(data)) {
    const out: Record<string, string> = {}
    for (const [name, value] of Object.entries(data as Record<string, unknown>)) {
      if (typeof value === "string") out[name] = value
      else if (typeof value === "number" && Number.isFinite(value)) out[name] = String(value)
      else return undefined
    }
    if (Object.keys(out).length) return out
  }
  const text = rawBodyOf(rawData)?.toString("utf8")
  if (!text || /^\s*[[{]/.test(text)) return undefined
  const out: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(text)) {
    if (Object.prototype.hasOwnProperty.call(out, name)) return undefined
    out[name] = value
  }
  return Object.keys(out).length ? out : undefined
}
