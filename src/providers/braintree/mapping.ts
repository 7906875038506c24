/**
 * Pure: Medusa's input to Braintree's requests, Braintree's transactions to Medusa's
 * statuses and session data. No I/O, no clock.
 */
import type { BigNumberInput } from "@medusajs/framework/types"
import BigNumberJS from "bignumber.js"
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { PaymentInputError } from "../../lib/payments/errors"
import { eligibilityRulesOf, type ProviderEligibility } from "../../lib/payments/eligibility"
import { formatAmount, fromDecimalString, isoExponent, normalizeCurrency, toBigNumber, toDecimalString } from "../../lib/payments/money"
import type { BraintreeOptions } from "./options"
import type {
  BraintreePaymentMethod,
  BraintreeRefundData,
  BraintreeSessionData,
  BraintreeSettlementData,
  BraintreeTransaction,
  BraintreeTransactionStatus,
} from "./types"

/**
 * Braintree takes an amount as a decimal string in the merchant account's currency, with
 * the currency's ISO 4217 decimals and at most two ("x.yy"): zero-decimal currencies (JPY)
 * are whole amounts. A currency of three decimals (KWD, BHD) is not offered, so no amount
 * is ever cut.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/sale/node#amount
 */
export const BRAINTREE_MAX_DECIMALS = 2

/** Major units to Braintree's decimal string, rounded half-up to the currency's decimals: what the shopper is charged. */
export function toBraintreeAmount(amount: BigNumberInput, currency: string): string {
  return toDecimalString(amount, currency)
}

/** A capture's amount: exact, or refused (a partial capture never rounds). */
export function toBraintreeCaptureAmount(amount: BigNumberInput, currency: string): string {
  return toDecimalString(amount, currency, {}, { mode: "exact" })
}

/** A refund's amount, rounded toward zero: never more than asked. */
export function toBraintreeRefundAmount(amount: BigNumberInput, currency: string): string {
  return toDecimalString(amount, currency, {}, { rounding: "down" })
}

/** Braintree's decimal string back to an exact amount. */
export function fromBraintreeAmount(value: string | null | undefined, currency: string): BigNumberJS {
  if (value === null || value === undefined || value === "") return new BigNumberJS(0)
  return fromDecimalString(String(value), currency)
}

/** A decimal string of `amount` with the currency's decimals ("100.00", "1000"). */
export function braintreeDecimal(amount: BigNumberJS, currency: string): string {
  return amount.toFixed(isoExponent(currency))
}

export function formatBraintreeAmount(amount: BigNumberJS | string, currency: string): string {
  return formatAmount(toBigNumber(amount), currency)
}

/**
 * The merchant's rules, and what Braintree itself cannot take: a currency without a
 * merchant account (each settles one currency), or one of more than two decimals.
 */
export function braintreeEligibility(options: BraintreeOptions, label: string): ProviderEligibility {
  const accounts = options.merchantAccounts
  return {
    label,
    rules: eligibilityRulesOf(options),
    gatewayLimits: (input, name) => {
      const code = normalizeCurrency(input.currency_code)
      if (isoExponent(code) > BRAINTREE_MAX_DECIMALS) {
        return { eligible: false, rule: "currency", reason: `${name} takes amounts of at most two decimals, so it is not available in ${code}` }
      }
      if (!accounts[code]) {
        const settled = Object.keys(accounts).sort()
        return {
          eligible: false,
          rule: "currency",
          reason: `${name} has no merchant account for ${code} (a Braintree merchant account settles one currency; this store has ${settled.join(", ")})`,
        }
      }
      return { eligible: true }
    },
  }
}

/** The merchant account that settles `currency`. */
export function merchantAccountFor(options: BraintreeOptions, currency: string): string {
  const code = normalizeCurrency(currency)
  const account = options.merchantAccounts[code]
  if (!account) throw new PaymentInputError(`Braintree: no merchant account is configured for ${code}`)
  return account
}

/** Transaction statuses after a submission for settlement: the money is Medusa's captured money. */
export const SUBMITTED: ReadonlySet<string> = new Set(["submitted_for_settlement", "settling", "settlement_pending", "settlement_confirmed", "settled"])

/** Statuses Braintree refunds from; before them only a void undoes a transaction. */
export const REFUNDABLE: ReadonlySet<string> = new Set(["settled", "settling", "settlement_confirmed"])

/**
 * Statuses Braintree voids: authorized, submitted for settlement, and (PayPal) settlement pending.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/void/node
 */
export const VOIDABLE: ReadonlySet<string> = new Set(["authorized", "submitted_for_settlement", "settlement_pending"])

/**
 * Every Braintree transaction status as a Medusa session status; an unknown one throws.
 * A gateway rejection for 3-D Secure leaves a step to the shopper (authenticate again), so it
 * is `requires_more`; other rejections and declines end the payment (`error`).
 * @see https://developer.paypal.com/braintree/docs/reference/general/statuses#transaction
 */
export function mapTransactionStatus(status: string, gatewayRejectionReason?: string | null): PaymentSessionStatus {
  const known = status as BraintreeTransactionStatus
  switch (known) {
    case "authorizing":
      return PaymentSessionStatus.PENDING
    case "authorized":
      return PaymentSessionStatus.AUTHORIZED
    case "submitted_for_settlement":
    case "settling":
    case "settlement_pending":
    case "settlement_confirmed":
    case "settled":
      return PaymentSessionStatus.CAPTURED
    case "authorization_expired":
    case "voided":
      return PaymentSessionStatus.CANCELED
    case "gateway_rejected":
      return gatewayRejectionReason === "three_d_secure" ? PaymentSessionStatus.REQUIRES_MORE : PaymentSessionStatus.ERROR
    case "settlement_declined":
    case "processor_declined":
    case "failed":
      return PaymentSessionStatus.ERROR
    default:
      return assertNever(known, status)
  }
}

function assertNever(_value: never, status: string): never {
  throw new Error(`Braintree: unknown transaction status ${JSON.stringify(status)}`)
}

/** The session's status: `pending` before the sale, then its transaction's. */
export function sessionStatus(data: Pick<BraintreeSessionData, "status" | "gateway_rejection_reason" | "next_action">): PaymentSessionStatus {
  if (data.status === "pending") return data.next_action ? PaymentSessionStatus.REQUIRES_MORE : PaymentSessionStatus.PENDING
  return mapTransactionStatus(data.status, data.gateway_rejection_reason)
}

/** What initiatePayment keeps: the amount and currency, and the storefront's nonce or saved method. */
export function newSessionData(input: {
  session_id: string
  amount: BigNumberInput
  currency_code: string
  merchant_account_id: string
  storefront: Record<string, unknown> | undefined
  braintree_customer_id?: string | null
}): BraintreeSessionData & { braintree_customer_id?: string | null } {
  const storefront = input.storefront ?? {}
  const code = normalizeCurrency(input.currency_code)
  return {
    session_id: input.session_id,
    amount: toBraintreeAmount(input.amount, code),
    currency_code: code,
    merchant_account_id: input.merchant_account_id,
    payment_method_nonce: optionalText(storefront.payment_method_nonce, "payment_method_nonce"),
    device_data: optionalText(storefront.device_data, "device_data", 10_000),
    payment_method_token: optionalText(storefront.payment_method_token, "payment_method_token"),
    save_payment_method: storefront.save_payment_method === true,
    braintree_customer_id: input.braintree_customer_id ?? null,
    transaction_id: null,
    status: "pending",
    amount_captured: braintreeDecimal(new BigNumberJS(0), code),
    amount_refunded: braintreeDecimal(new BigNumberJS(0), code),
    settlements: [],
    refunds: [],
    processor_response: null,
    gateway_rejection_reason: null,
    payment_method: null,
    saved_payment_method_token: null,
    next_action: null,
  }
}

function optionalText(value: unknown, name: string, max = 4096): string | null {
  if (value === undefined || value === null || value === "") return null
  if (typeof value !== "string" || value.length > max || !/^[\x20-\x7e]+$/.test(value)) {
    throw new PaymentInputError(`Braintree: \`${name}\` from the storefront must be a string of printable characters, at most ${max}`)
  }
  return value
}

/** `transaction.sale`'s request for a session: the nonce (or a saved method), the session id as `orderId`. */
export function buildSale(
  data: BraintreeSessionData & { braintree_customer_id?: string | null },
  options: Pick<BraintreeOptions, "capture" | "threeDSecureRequired" | "descriptor">
): Record<string, unknown> {
  const saving = data.save_payment_method && !!data.braintree_customer_id && !!data.payment_method_nonce
  return {
    amount: data.amount,
    merchantAccountId: data.merchant_account_id,
    // Braintree returns it with the transaction and in its notifications, and searches by it:
    // how a retried sale finds the first attempt, and a notification its Medusa session.
    orderId: data.session_id,
    ...(data.payment_method_nonce ? { paymentMethodNonce: data.payment_method_nonce } : { paymentMethodToken: data.payment_method_token }),
    ...(data.device_data ? { deviceData: data.device_data } : {}),
    ...(saving ? { customerId: data.braintree_customer_id } : {}),
    ...(options.descriptor ? { descriptor: options.descriptor } : {}),
    options: {
      submitForSettlement: options.capture,
      ...(options.threeDSecureRequired ? { threeDSecure: { required: true } } : {}),
      ...(saving ? { storeInVaultOnSuccess: true } : {}),
    },
  }
}

/** The session data after Braintree answered with `transaction` (the sale, a capture, a void, a lookup). */
export function withTransaction<T extends BraintreeSessionData>(data: T, transaction: BraintreeTransaction): T {
  const currency = data.currency_code
  const status = transaction.status as BraintreeTransactionStatus
  // Validates it: an unknown status is an error to see, not data to keep.
  mapTransactionStatus(status, transaction.gatewayRejectionReason)
  const declined = status === "processor_declined" || status === "gateway_rejected" || status === "failed" || status === "settlement_declined"
  const partial = data.settlements.length > 0
  const captured = partial
    ? data.amount_captured
    : SUBMITTED.has(status)
      ? braintreeDecimal(fromBraintreeAmount(transaction.amount, currency), currency)
      : data.amount_captured
  return {
    ...data,
    transaction_id: transaction.id,
    status,
    amount: status === "authorized" || SUBMITTED.has(status) ? braintreeDecimal(fromBraintreeAmount(transaction.amount, currency), currency) : data.amount,
    amount_captured: captured,
    // Used once, by the sale: neither is kept (device data is the shopper's fingerprint).
    payment_method_nonce: null,
    device_data: null,
    processor_response: declined || transaction.processorResponseCode
      ? { code: transaction.processorResponseCode ?? null, text: transaction.processorResponseText ?? null }
      : data.processor_response ?? null,
    gateway_rejection_reason: transaction.gatewayRejectionReason ?? null,
    payment_method: paymentMethodOf(transaction) ?? data.payment_method ?? null,
    saved_payment_method_token: data.save_payment_method ? transaction.creditCard?.token ?? transaction.paypal?.token ?? null : data.saved_payment_method_token ?? null,
    next_action: status === "gateway_rejected" && transaction.gatewayRejectionReason === "three_d_secure" ? "three_d_secure" : null,
  }
}

/** What the storefront may show of the instrument: its type, brand and last four digits. */
function paymentMethodOf(transaction: BraintreeTransaction): BraintreeSessionData["payment_method"] | undefined {
  const type = transaction.paymentInstrumentType
  if (!type) return undefined
  const card = transaction.creditCard
  if (card && (card.cardType || card.last4)) {
    return { type, ...(card.cardType ? { brand: card.cardType } : {}), ...(card.last4 ? { last4: card.last4 } : {}) }
  }
  return { type }
}

/** A partial settlement recorded in the session. */
export function withSettlement<T extends BraintreeSessionData>(data: T, settlement: BraintreeTransaction, captureId: string | null): T {
  const currency = data.currency_code
  const entry: BraintreeSettlementData = {
    transaction_id: settlement.id,
    amount: braintreeDecimal(fromBraintreeAmount(settlement.amount, currency), currency),
    status: settlement.status,
    capture_id: captureId,
  }
  const settlements = [...data.settlements.filter((s) => s.transaction_id !== settlement.id), entry]
  const captured = settlements.reduce((sum, s) => sum.plus(s.amount), new BigNumberJS(0))
  return { ...data, settlements, amount_captured: braintreeDecimal(captured, currency), status: data.status }
}

/** A refund (or a void of a settlement) recorded in the session. */
export function withRefund<T extends BraintreeSessionData>(data: T, refund: BraintreeRefundData): T {
  const refunds = [...data.refunds.filter((r) => r.transaction_id !== refund.transaction_id), refund]
  const total = refunds.filter((r) => r.status !== "failed").reduce((sum, r) => sum.plus(r.amount), new BigNumberJS(0))
  return { ...data, refunds, amount_refunded: braintreeDecimal(total, data.currency_code) }
}

/** One transaction a refund can come out of: the sale, or each partial settlement. */
export interface RefundTarget {
  transaction_id: string
  status: string
  /** What it settled. */
  amount: BigNumberJS
  /** What was refunded of it already. */
  refunded: BigNumberJS
}

export type RefundStep =
  | { kind: "refund"; transaction_id: string; amount: BigNumberJS }
  | { kind: "void"; transaction_id: string; amount: BigNumberJS }

/**
 * How a refund of `amount` comes out of the transactions that settled the payment, oldest
 * first: Braintree refunds a settled or settling transaction in parts; before settlement it
 * can only void the whole transaction, so a refund that leaves part of an unsettled one is
 * refused with what to do, never a void of more than was asked.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/refund/node
 */
export function planRefund(targets: RefundTarget[], amount: BigNumberJS, currency: string): RefundStep[] {
  const steps: RefundStep[] = []
  let left = amount
  for (const target of targets) {
    if (!left.isGreaterThan(0)) break
    const available = target.amount.minus(target.refunded)
    if (!available.isGreaterThan(0)) continue
    const part = BigNumberJS.min(available, left)
    if (REFUNDABLE.has(target.status)) {
      steps.push({ kind: "refund", transaction_id: target.transaction_id, amount: part })
    } else if (VOIDABLE.has(target.status) && target.refunded.isZero() && part.isEqualTo(available)) {
      steps.push({ kind: "void", transaction_id: target.transaction_id, amount: part })
    } else if (VOIDABLE.has(target.status)) {
      throw new PaymentInputError(
        `Braintree: transaction ${target.transaction_id} is ${target.status.replace(/_/g, " ")} and not settled yet, and Braintree refunds only settled transactions: ` +
          `refund all ${formatBraintreeAmount(available, currency)} of it (which voids it) or refund ${formatBraintreeAmount(part, currency)} after it settles`
      )
    } else {
      throw new PaymentInputError(`Braintree: transaction ${target.transaction_id} is ${target.status.replace(/_/g, " ")}, so nothing can be refunded from it`)
    }
    left = left.minus(part)
  }
  if (left.isGreaterThan(0)) {
    throw new PaymentInputError(`Braintree: only ${formatBraintreeAmount(amount.minus(left), currency)} of the payment can be refunded`)
  }
  return steps
}

/** A Medusa refund id, as `refundPayment` sets it as the refund's `orderId`. */
export const MEDUSA_REFUND_ID = /^ref_[A-Za-z0-9]+$/
/** A Medusa payment session id, as the sale's `orderId`. */
export const MEDUSA_SESSION_ID = /^payses_[A-Za-z0-9]+$/

/** A refund transaction as the session records it. */
export function toRefundData(refund: BraintreeTransaction, currency: string): BraintreeRefundData {
  const mark = refund.orderId && MEDUSA_REFUND_ID.test(refund.orderId) ? refund.orderId : null
  return {
    transaction_id: refund.id,
    refunds: refund.refundedTransactionId ?? "",
    amount: braintreeDecimal(fromBraintreeAmount(refund.amount, currency), currency),
    status: refund.status,
    medusa_refund_id: mark,
  }
}

/** A saved method as Medusa lists it: the token, and what a storefront shows (never the holder's name or e-mail). */
export function toSavedMethod(method: BraintreePaymentMethod): { id: string; data: Record<string, unknown> } {
  const data: Record<string, unknown> = { default: method.default === true }
  if (method.last4 || method.cardType) {
    Object.assign(data, {
      type: "card",
      brand: method.cardType ?? null,
      last4: method.last4 ?? null,
      exp_month: method.expirationMonth ? Number(method.expirationMonth) : null,
      exp_year: method.expirationYear ? Number(method.expirationYear) : null,
      expired: method.expired === true,
    })
  } else if (method.email !== undefined) {
    data.type = "paypal"
  } else {
    data.type = "other"
  }
  if (method.imageUrl) data.image_url = method.imageUrl
  return { id: method.token, data }
}
