/**
 * Pure translation between Medusa and PayPal (Orders v2, Payments v2, webhooks): request
 * bodies out, statuses, session data and webhook actions in. No I/O, no clock (times are
 * passed in), no randomness.
 */
import type {
  BigNumberInput,
  PaymentSessionStatus as PaymentSessionStatusType,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import BigNumberJS from "bignumber.js"
import { PaymentInputError } from "../../lib/payments/errors"
import {
  ConversionOptions,
  CurrencyRules,
  fromDecimalString,
  gatewayExponent,
  normalizeCurrency,
  toBigNumber,
  toDecimalString,
} from "../../lib/payments/money"
import type { EligibilityRules, ProviderEligibility } from "../../lib/payments/eligibility"
import type { PaypalOptions } from "./options"

// ---- Money ------------------------------------------------------------------------------

/**
 * PayPal's currencies and their departures from ISO 4217
 * (https://developer.paypal.com/docs/api/reference/currency-codes/): HUF, JPY and TWD "do
 * not support decimals. If you pass a decimal amount, an error occurs." JPY is already
 * zero-decimal in ISO 4217; HUF and TWD have two there.
 */
export const PAYPAL_CURRENCY_RULES: CurrencyRules = Object.freeze({
  exponents: Object.freeze({ HUF: 0, JPY: 0, TWD: 0 }),
})

/**
 * The currencies the PayPal REST API accepts (same page). BRL, CNY and MYR work for
 * in-country PayPal accounts only. No three-decimal currency (KWD, BHD...) is among them.
 */
export const PAYPAL_CURRENCIES: readonly string[] = Object.freeze([
  "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "ILS", "JPY",
  "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RUB", "SEK", "SGD", "THB", "TWD", "USD",
])

export interface PaypalMoney {
  currency_code: string
  value: string
}

/** A PayPal-supported currency code, upper-case, or a clear refusal. */
export function toPaypalCurrency(currency: string): string {
  const code = normalizeCurrency(currency)
  if (!PAYPAL_CURRENCIES.includes(code)) {
    throw new PaymentInputError(
      `PayPal does not accept payments in ${code}; its currencies are ${PAYPAL_CURRENCIES.join(", ")}`
    )
  }
  return code
}

/**
 * Major units as PayPal's amount object, with exactly PayPal's decimals: 10.5 USD ->
 * "10.50", 1500 HUF -> "1500". Rounded half-up to what PayPal can take, as the collection
 * does for every gateway (Medusa's totals can carry more decimals than the currency, e.g.
 * after tax): 13.0781 USD -> "13.08", 1500.5 HUF -> "1501".
 */
export function toPaypalMoney(
  amount: BigNumberInput | BigNumberJS,
  currency: string,
  options: ConversionOptions = {}
): PaypalMoney {
  const code = toPaypalCurrency(currency)
  const value = toDecimalString(toBigNumber(amount).toFixed(), code, PAYPAL_CURRENCY_RULES, options)
  return { currency_code: code, value }
}

/**
 * A refund in PayPal's precision, rounded toward zero so it never returns more than was
 * asked: 10.005 USD -> "10.00", 100.9 HUF -> "100".
 */
export function toPaypalRefundMoney(amount: BigNumberInput | BigNumberJS, currency: string): PaypalMoney {
  return toPaypalMoney(amount, currency, { rounding: "down" })
}

/**
 * A capture Medusa is recording: `whole` (what remains of the authorization) when the
 * amount, rounded as the order's amount was, is all of it; otherwise the exact amount,
 * refusing one PayPal cannot take (100.5 HUF), so PayPal never captures more or less than
 * Medusa records.
 */
export function toPaypalCaptureAmount(amount: BigNumberInput | BigNumberJS, currency: string, whole: BigNumberJS): BigNumberJS {
  const rounded = new BigNumberJS(toPaypalMoney(amount, currency).value)
  if (rounded.eq(whole)) return whole
  return new BigNumberJS(toPaypalMoney(amount, currency, { mode: "exact" }).value)
}

/** PayPal's amount object back to major units, checked against PayPal's decimals. */
export function fromPaypalMoney(money: PaypalMoney): BigNumberJS {
  return fromDecimalString(money.value, money.currency_code, PAYPAL_CURRENCY_RULES)
}

/** A decimal string in PayPal's precision for `currency` ("0.00", "0"); as is while the currency is unknown. */
function paypalDecimal(amount: BigNumberJS, currency: string): string {
  return /^[A-Za-z]{3}$/.test(currency) ? amount.toFixed(gatewayExponent(currency, PAYPAL_CURRENCY_RULES)) : amount.toFixed()
}

function sum(values: Array<string | undefined>, currency: string): string {
  const total = values.reduce((acc, v) => acc.plus(v ?? "0"), new BigNumberJS(0))
  return paypalDecimal(total, currency)
}

// ---- Wire types (the fields the collection reads) -------------------------------------------

export type PaypalIntent = "AUTHORIZE" | "CAPTURE"
export type PaypalOrderStatus = "CREATED" | "SAVED" | "APPROVED" | "VOIDED" | "COMPLETED" | "PAYER_ACTION_REQUIRED"
export type PaypalAuthorizationStatus = "CREATED" | "CAPTURED" | "DENIED" | "PARTIALLY_CAPTURED" | "VOIDED" | "PENDING"
export type PaypalCaptureStatus = "COMPLETED" | "DECLINED" | "PARTIALLY_REFUNDED" | "PENDING" | "REFUNDED" | "FAILED"
export type PaypalRefundStatus = "CANCELLED" | "FAILED" | "PENDING" | "COMPLETED"

export interface PaypalLink {
  href: string
  rel: string
  method?: string
}

export interface PaypalAuthorization {
  id: string
  status: PaypalAuthorizationStatus
  status_details?: { reason?: string }
  amount?: PaypalMoney
  custom_id?: string
  create_time?: string
  expiration_time?: string
  links?: PaypalLink[]
}

export interface PaypalCapture {
  id: string
  status: PaypalCaptureStatus
  status_details?: { reason?: string }
  amount?: PaypalMoney
  custom_id?: string
  final_capture?: boolean
  create_time?: string
  links?: PaypalLink[]
}

export interface PaypalRefund {
  id: string
  status: PaypalRefundStatus
  status_details?: { reason?: string }
  amount?: PaypalMoney
  custom_id?: string
  create_time?: string
  links?: PaypalLink[]
}

export interface PaypalPurchaseUnit {
  reference_id?: string
  custom_id?: string
  amount?: PaypalMoney
  payments?: {
    authorizations?: PaypalAuthorization[]
    captures?: PaypalCapture[]
    refunds?: PaypalRefund[]
  }
}

export interface PaypalOrder {
  id: string
  status: PaypalOrderStatus
  intent?: PaypalIntent
  purchase_units?: PaypalPurchaseUnit[]
  links?: PaypalLink[]
  create_time?: string
}

export interface PaypalWebhookEvent {
  id: string
  event_type: string
  resource_type?: string
  resource?: Record<string, unknown>
  create_time?: string
}

/** PayPal's error body (REST APIs) or the OAuth endpoint's. */
export interface PaypalErrorBody {
  name?: string
  message?: string
  debug_id?: string
  details?: Array<{ issue?: string; description?: string; field?: string }>
  error?: string
  error_description?: string
}

// ---- Orders -------------------------------------------------------------------------------

/** The reference id of the one purchase unit, used as the PATCH path. */
export const PURCHASE_UNIT_REFERENCE = "default"

/** What a storefront may pass in the session's `data`. */
export interface PaypalStorefrontData {
  /** Overrides `returnUrl` for this session (redirect flow). */
  return_url?: string
  /** Overrides `cancelUrl` for this session (redirect flow). */
  cancel_url?: string
}

export function storefrontData(data: Record<string, unknown> | undefined): PaypalStorefrontData {
  const out: PaypalStorefrontData = {}
  if (!data) return out
  for (const key of ["return_url", "cancel_url"] as const) {
    const value = data[key]
    if (typeof value === "string" && /^https?:\/\/\S+$/.test(value.trim())) {
      out[key] = value.trim()
    }
  }
  return out
}

export interface OrderCreateInput {
  amount: BigNumberInput
  currency_code: string
  session_id: string
  data?: Record<string, unknown>
}

/** The body of `POST /v2/checkout/orders`. */
export function buildOrderRequest(input: OrderCreateInput, options: PaypalOptions): Record<string, unknown> {
  const extra = storefrontData(input.data)
  const experience: Record<string, string> = {
    shipping_preference: options.shippingPreference,
    user_action: options.userAction,
  }
  if (options.brandName) experience.brand_name = options.brandName
  if (options.locale) experience.locale = options.locale
  if (options.landingPage) experience.landing_page = options.landingPage
  const returnUrl = extra.return_url ?? options.returnUrl
  const cancelUrl = extra.cancel_url ?? options.cancelUrl
  if (returnUrl) experience.return_url = returnUrl
  if (cancelUrl) experience.cancel_url = cancelUrl
  return {
    intent: options.intent === "capture" ? "CAPTURE" : "AUTHORIZE",
    purchase_units: [
      {
        reference_id: PURCHASE_UNIT_REFERENCE,
        // PayPal copies it onto the authorization, the captures and the webhooks: how a
        // notification finds its Medusa session.
        custom_id: input.session_id,
        amount: toPaypalMoney(input.amount, input.currency_code),
      },
    ],
    payment_source: { paypal: { experience_context: experience } },
  }
}

/** The JSON Patch of `PATCH /v2/checkout/orders/{id}` that changes the amount. */
export function buildAmountPatch(money: PaypalMoney): Array<Record<string, unknown>> {
  return [
    {
      op: "replace",
      path: `/purchase_units/@reference_id=='${PURCHASE_UNIT_REFERENCE}'/amount`,
      value: money,
    },
  ]
}

// ---- Session data ---------------------------------------------------------------------------

export interface PaypalAuthorizationData {
  id: string
  status: PaypalAuthorizationStatus
  /** Decimal string in PayPal's precision. */
  amount: string
  /** When this store authorized (or reauthorized): the start of PayPal's honor period. */
  authorized_at: string | null
  /** PayPal's create_time of the authorization. */
  created_at: string | null
  expiration_time: string | null
  /** The authorization this one replaced after the honor period. */
  reauthorized_from: string | null
}

export interface PaypalCaptureData {
  id: string
  status: PaypalCaptureStatus
  amount: string
  final_capture: boolean
}

export interface PaypalRefundData {
  id: string
  capture_id: string | null
  status: PaypalRefundStatus
  amount: string
}

/**
 * What the collection keeps in the payment session's `data`. It reaches the storefront, so
 * it holds the order id (for the JS SDK buttons), the approval link (for a redirect),
 * amounts and states; never the payer's name, e-mail or address.
 */
export interface PaypalSessionData extends Record<string, unknown> {
  /** PayPal order id. */
  id: string
  status: PaypalOrderStatus
  intent: PaypalIntent
  /** The order amount, a decimal string in PayPal's precision ("120.00", "1500"). */
  amount: string
  currency_code: string
  /** Where to send the buyer to approve (redirect flow). */
  approve_url: string | null
  /** The Medusa payment session the order belongs to (PayPal's `custom_id`). */
  session_id: string | null
  /** The authorization the store captures from (intent authorize). */
  authorization: PaypalAuthorizationData | null
  captures: PaypalCaptureData[]
  refunds: PaypalRefundData[]
  /** Sum of completed and pending captures. */
  amount_captured: string
  /** Sum of refunds that did not fail. */
  amount_refunded: string
  /** Why PayPal declined the last authorization or capture, without personal data. */
  decline: { issue: string; description: string | null } | null
  /** Canceled before any money was reserved: nothing to void at PayPal. */
  canceled: boolean
  /** Declines so far; each new attempt gets its own PayPal-Request-Id. */
  declined_attempts: number
  /** Bumped on every amount change; part of the derived PayPal-Request-Id. */
  update_seq: number
}

function approveUrlOf(links: PaypalLink[] | undefined): string | null {
  const link = (links ?? []).find((l) => l.rel === "payer-action" || l.rel === "approve")
  return link?.href ?? null
}

function captureIdOfRefund(refund: PaypalRefund): string | null {
  const up = (refund.links ?? []).find((l) => l.rel === "up")
  const match = up?.href.match(/\/captures\/([^/?#]+)/)
  return match?.[1] ?? null
}

export function toAuthorizationData(
  authorization: PaypalAuthorization,
  previous: Partial<PaypalAuthorizationData> | null | undefined,
  currency: string
): PaypalAuthorizationData {
  const known = previous?.id === authorization.id ? previous : undefined
  return {
    id: authorization.id,
    status: authorization.status,
    amount: authorization.amount?.value ?? known?.amount ?? paypalDecimal(new BigNumberJS(0), currency),
    // Set by the service from its own clock when it authorizes; PayPal's create_time is
    // only the fallback for an authorization the store did not see being made.
    authorized_at: known?.authorized_at ?? null,
    created_at: authorization.create_time ?? known?.created_at ?? null,
    expiration_time: authorization.expiration_time ?? known?.expiration_time ?? null,
    reauthorized_from: known?.reauthorized_from ?? null,
  }
}

export function toCaptureData(capture: PaypalCapture, currency: string): PaypalCaptureData {
  return {
    id: capture.id,
    status: capture.status,
    amount: capture.amount?.value ?? paypalDecimal(new BigNumberJS(0), currency),
    final_capture: capture.final_capture ?? false,
  }
}

export function toRefundData(refund: PaypalRefund, captureId: string | null, currency: string): PaypalRefundData {
  return {
    id: refund.id,
    capture_id: captureIdOfRefund(refund) ?? captureId,
    status: refund.status,
    amount: refund.amount?.value ?? paypalDecimal(new BigNumberJS(0), currency),
  }
}

/** Merge lists by id: what PayPal shows now wins, what only the session knows is kept. */
function mergeById<T extends { id: string }>(known: T[], fresh: T[]): T[] {
  const out = [...known]
  for (const item of fresh) {
    const at = out.findIndex((k) => k.id === item.id)
    if (at >= 0) {
      out[at] = { ...out[at], ...item }
    } else {
      out.push(item)
    }
  }
  return out
}

/** Totals recomputed from the lists, so they never drift from what they sum. */
export function withTotals(data: PaypalSessionData): PaypalSessionData {
  const currency = data.currency_code
  return {
    ...data,
    amount_captured: sum(
      data.captures.filter((c) => c.status !== "DECLINED" && c.status !== "FAILED").map((c) => c.amount),
      currency
    ),
    amount_refunded: sum(
      data.refunds.filter((r) => r.status !== "FAILED" && r.status !== "CANCELLED").map((r) => r.amount),
      currency
    ),
  }
}

/**
 * A PayPal order as session data, keeping what only the session knows (when the store
 * authorized, the current authorization after a reauthorization, refunds PayPal does not
 * list yet).
 */
export function toSessionData(order: PaypalOrder, previous: Partial<PaypalSessionData> = {}): PaypalSessionData {
  const unit = order.purchase_units?.[0]
  const currency = unit?.amount?.currency_code ?? previous.currency_code ?? ""
  const authorizations = unit?.payments?.authorizations ?? []
  const current =
    authorizations.find((a) => a.id === previous.authorization?.id) ?? authorizations[authorizations.length - 1]
  const authorization = current
    ? toAuthorizationData(current, previous.authorization, currency)
    : previous.authorization ?? null
  const captures = mergeById(previous.captures ?? [], (unit?.payments?.captures ?? []).map((c) => toCaptureData(c, currency)))
  const refunds = mergeById(previous.refunds ?? [], (unit?.payments?.refunds ?? []).map((r) => toRefundData(r, null, currency)))
  return withTotals({
    id: order.id,
    status: order.status,
    intent: order.intent ?? previous.intent ?? "AUTHORIZE",
    amount: unit?.amount?.value ?? previous.amount ?? "0",
    currency_code: currency,
    approve_url: approveUrlOf(order.links) ?? previous.approve_url ?? null,
    session_id: unit?.custom_id ?? previous.session_id ?? null,
    authorization,
    captures,
    refunds,
    amount_captured: "0",
    amount_refunded: "0",
    decline: previous.decline ?? null,
    canceled: previous.canceled ?? false,
    declined_attempts: previous.declined_attempts ?? 0,
    update_seq: previous.update_seq ?? 0,
  })
}

// ---- Statuses -------------------------------------------------------------------------------

export interface PaymentState {
  status: PaypalOrderStatus
  intent: PaypalIntent
  authorization: Pick<PaypalAuthorizationData, "status"> | null
  captures: Array<Pick<PaypalCaptureData, "status">>
  canceled?: boolean
}

/**
 * A PayPal order (with its authorization or captures) -> Medusa's session status,
 * exhaustively. An unknown status is an error to see, never a silent "pending".
 * @see https://developer.paypal.com/docs/api/orders/v2/#orders_get
 */
export function mapPaymentStatus(state: PaymentState): PaymentSessionStatusType {
  if (state.canceled) {
    return PaymentSessionStatus.CANCELED
  }
  const status = state.status
  switch (status) {
    case "CREATED":
    case "SAVED":
    case "PAYER_ACTION_REQUIRED":
      // Waiting for the buyer to approve at PayPal.
      return PaymentSessionStatus.PENDING
    case "APPROVED":
      // Approved by the buyer, not yet authorized or captured by the store: nothing is
      // reserved until `authorizePayment` asks PayPal.
      return PaymentSessionStatus.PENDING
    case "VOIDED":
      return PaymentSessionStatus.CANCELED
    case "COMPLETED":
      return state.intent === "CAPTURE" || !state.authorization
        ? mapCaptureStatus(state)
        : mapAuthorizationStatus(state.authorization.status)
    default:
      return unknownStatus("order", status)
  }
}

export function mapAuthorizationStatus(status: PaypalAuthorizationStatus): PaymentSessionStatusType {
  switch (status) {
    case "CREATED":
      return PaymentSessionStatus.AUTHORIZED
    case "PENDING":
      // Under PayPal's review: the order is placed, the payment follows by webhook.
      return PaymentSessionStatus.PENDING_AUTHORIZATION
    case "PARTIALLY_CAPTURED":
    case "CAPTURED":
      return PaymentSessionStatus.CAPTURED
    case "DENIED":
      return PaymentSessionStatus.ERROR
    case "VOIDED":
      return PaymentSessionStatus.CANCELED
    default:
      return unknownStatus("authorization", status)
  }
}

function mapCaptureStatus(state: PaymentState): PaymentSessionStatusType {
  const capture = state.captures[state.captures.length - 1]
  if (!capture) {
    throw new Error(`PayPal order is COMPLETED but carries no ${state.intent === "CAPTURE" ? "capture" : "authorization"}`)
  }
  const status = capture.status
  switch (status) {
    case "COMPLETED":
    case "PARTIALLY_REFUNDED":
    case "REFUNDED":
      return PaymentSessionStatus.CAPTURED
    case "PENDING":
      // Captured but not yet settled (an eCheck, a review): the order is placed and the
      // PAYMENT.CAPTURE.COMPLETED notification records the payment.
      return PaymentSessionStatus.PENDING_AUTHORIZATION
    case "DECLINED":
    case "FAILED":
      return PaymentSessionStatus.ERROR
    default:
      return unknownStatus("capture", status)
  }
}

function unknownStatus(what: string, status: never): never {
  throw new Error(`Unknown PayPal ${what} status: ${JSON.stringify(status)}`)
}

/** Authorizations PayPal can still capture from. */
export function isCapturable(status: PaypalAuthorizationStatus): boolean {
  return status === "CREATED" || status === "PARTIALLY_CAPTURED"
}

// ---- Honor period -------------------------------------------------------------------------

/**
 * PayPal honors an authorization's funds for three days; after that a capture may fail and
 * PayPal recommends reauthorizing (possible once, from day 4 to day 29).
 * @see https://developer.paypal.com/docs/checkout/standard/customize/authorization/
 */
export const HONOR_PERIOD_MS = 3 * 24 * 60 * 60 * 1000

export function honorPeriodElapsed(
  authorization: Pick<PaypalAuthorizationData, "authorized_at" | "created_at">,
  now: Date
): boolean {
  const since = authorization.authorized_at ?? authorization.created_at
  if (!since) return false
  const start = Date.parse(since)
  return Number.isFinite(start) && now.getTime() - start > HONOR_PERIOD_MS
}

// ---- Captures and refunds ------------------------------------------------------------------

/** Captures that hold money (or will): what a later capture or a refund counts on. */
export function capturedTotal(captures: PaypalCaptureData[], currency: string): BigNumberJS {
  return new BigNumberJS(
    sum(captures.filter((c) => c.status !== "DECLINED" && c.status !== "FAILED").map((c) => c.amount), currency)
  )
}

/** What a refund may take from each settled capture, oldest first. */
export function refundableByCapture(data: PaypalSessionData): Array<{ capture_id: string; refundable: BigNumberJS }> {
  return data.captures
    .filter((c) => c.status === "COMPLETED" || c.status === "PARTIALLY_REFUNDED" || c.status === "REFUNDED")
    .map((capture) => {
      const refunded = data.refunds
        .filter((r) => r.capture_id === capture.id && r.status !== "FAILED" && r.status !== "CANCELLED")
        .reduce((acc, r) => acc.plus(r.amount), new BigNumberJS(0))
      return { capture_id: capture.id, refundable: BigNumberJS.max(new BigNumberJS(capture.amount).minus(refunded), 0) }
    })
}

/** Split a refund over the captures that still hold money, oldest first. */
export function allocateRefund(data: PaypalSessionData, amount: BigNumberJS): Array<{ capture_id: string; amount: BigNumberJS }> {
  const out: Array<{ capture_id: string; amount: BigNumberJS }> = []
  let left = amount
  for (const { capture_id, refundable } of refundableByCapture(data)) {
    if (left.lte(0)) break
    if (refundable.lte(0)) continue
    const take = BigNumberJS.min(left, refundable)
    out.push({ capture_id, amount: take })
    left = left.minus(take)
  }
  if (left.gt(0)) {
    throw new PaymentInputError(`PayPal: the captures of order ${data.id} cannot cover a refund of ${amount.toFixed()} ${data.currency_code}`)
  }
  return out
}

// ---- Errors -------------------------------------------------------------------------------

/** PayPal's error code and readable message out of an error body. */
export function parsePaypalError(status: number, body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== "object") {
    return typeof body === "string" && body.trim() ? { message: body.trim().slice(0, 300) } : {}
  }
  const error = body as PaypalErrorBody
  if (typeof error.error === "string") {
    // The OAuth endpoint: { error: "invalid_client", error_description: "Client Authentication failed" }
    return { code: error.error, message: error.error_description ?? error.error }
  }
  const detail = error.details?.find((d) => typeof d.issue === "string")
  return {
    code: detail?.issue ?? error.name ?? `HTTP_${status}`,
    message: detail?.description ?? error.message ?? `HTTP ${status}`,
  }
}

/**
 * What a PayPal issue means for the merchant, for the few the provider meets in its
 * flows; PayPal's own description otherwise.
 * @see https://developer.paypal.com/api/rest/reference/orders/v2/errors/
 * @see https://developer.paypal.com/docs/api/payments/v2/#errors
 */
const ISSUE_MESSAGES: Readonly<Record<string, string>> = Object.freeze({
  ORDER_NOT_APPROVED: "the buyer has not approved the payment at PayPal yet",
  INSTRUMENT_DECLINED: "PayPal declined the buyer's funding source; the buyer can choose another one at PayPal",
  REDIRECT_PAYER_FOR_ALTERNATE_FUNDING: "the buyer has to choose another funding source at PayPal",
  PAYEE_BLOCKED_TRANSACTION: "the merchant's PayPal fraud settings block this payment",
  MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED: "the buyer tried too many times; the buyer has to start again",
  PAYER_CANNOT_PAY: "this buyer cannot pay this merchant with PayPal",
  TRANSACTION_REFUSED: "PayPal refused the transaction",
  AUTHORIZATION_EXPIRED: "the PayPal authorization expired (after 29 days) and can no longer be captured; the buyer has to pay again",
  AUTHORIZATION_VOIDED: "the PayPal authorization was voided and can no longer be captured",
  AUTHORIZATION_DENIED: "PayPal denied the authorization; nothing can be captured",
  AUTHORIZATION_ALREADY_CAPTURED: "the PayPal authorization is already captured in full",
  MAX_CAPTURE_AMOUNT_EXCEEDED: "the capture is more than what remains of the PayPal authorization",
  MAX_CAPTURE_COUNT_EXCEEDED: "PayPal allows no further capture of this authorization",
  REFUND_AMOUNT_EXCEEDED: "the refund is more than what remains refundable on the PayPal capture",
  CAPTURE_FULLY_REFUNDED: "the PayPal capture is already refunded in full",
  REFUND_TIME_LIMIT_EXCEEDED: "PayPal no longer allows refunds of this capture (too old)",
  PENDING_CAPTURE: "the PayPal capture is still pending and cannot be refunded yet",
  DECIMALS_NOT_SUPPORTED: "PayPal does not accept decimals in this currency",
  DECIMAL_PRECISION: "the amount has more decimals than PayPal accepts for this currency",
  CURRENCY_NOT_SUPPORTED: "PayPal does not accept this currency",
  PREVIOUSLY_CAPTURED: "the PayPal authorization is already captured and cannot be voided; refund it instead",
  PREVIOUSLY_VOIDED: "the PayPal authorization is already voided",
  CANNOT_BE_VOIDED: "PayPal cannot void this authorization",
  REAUTHORIZATION_NOT_SUPPORTED: "PayPal does not allow reauthorizing this authorization",
  ORDER_ALREADY_AUTHORIZED: "the PayPal order is already authorized",
  ORDER_ALREADY_CAPTURED: "the PayPal order is already captured",
  ORDER_EXPIRED: "the PayPal order expired; the buyer has to start again",
  PAYEE_ACCOUNT_RESTRICTED: "the merchant's PayPal account is restricted",
  PERMISSION_DENIED: "the REST app's credentials are not allowed to do this",
  invalid_client: "PayPal did not accept `clientId` and `clientSecret`",
})

export function describeIssue(code: string | undefined, fallback: string): string {
  return (code && ISSUE_MESSAGES[code]) || fallback
}

/**
 * Declines the buyer can get past by choosing another funding source for the same order at
 * PayPal. PayPal's spec documents them for the order capture (intent capture), not for the
 * authorization.
 * @see https://developer.paypal.com/docs/checkout/standard/customize/handle-funding-failures/
 */
export const RETRYABLE_DECLINES: readonly string[] = Object.freeze(["INSTRUMENT_DECLINED", "REDIRECT_PAYER_FOR_ALTERNATE_FUNDING"])

/** Refusals that end this order's payment (risk, limits, the payer's or merchant's account). */
export const FINAL_DECLINES: readonly string[] = Object.freeze([
  "TRANSACTION_REFUSED",
  "PAYER_CANNOT_PAY",
  "PAYEE_BLOCKED_TRANSACTION",
  "TRANSACTION_BLOCKED_BY_PAYEE",
  "DECLINED_DUE_TO_RELATED_TXN",
  "COMPLIANCE_VIOLATION",
  "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED",
  "PAYER_ACCOUNT_LOCKED_OR_CLOSED",
  "PAYER_ACCOUNT_RESTRICTED",
  "TRANSACTION_LIMIT_EXCEEDED",
  "TRANSACTION_RECEIVING_LIMIT_EXCEEDED",
  "AUTHORIZATION_DENIED",
])

/**
 * A decline at authorization or capture -> Medusa's status: a status, not a crash.
 * `requires_more` sends the buyer back to PayPal to pick another funding source; `error`
 * ends the payment (the shopper starts again, or pays another way).
 */
export function declineStatus(issue: string): PaymentSessionStatusType | undefined {
  if (RETRYABLE_DECLINES.includes(issue)) return PaymentSessionStatus.REQUIRES_MORE
  if (FINAL_DECLINES.includes(issue)) return PaymentSessionStatus.ERROR
  return undefined
}

// ---- Eligibility ----------------------------------------------------------------------------

/**
 * The shared eligibility rules, with the currencies limited to PayPal's: the store routes
 * then hide PayPal for a KWD cart with the same reason `initiatePayment` would give.
 */
export function paypalEligibilityRules(options: Partial<EligibilityRules>): EligibilityRules {
  return {
    allowedCurrencies: options.allowedCurrencies ?? [...PAYPAL_CURRENCIES],
    allowedCountries: options.allowedCountries,
    minAmount: options.minAmount,
    maxAmount: options.maxAmount,
  }
}

/**
 * PayPal's eligibility: the rules above, then what PayPal cannot charge at all: less than
 * one unit of its precision (0.01 USD, 1 HUF), which `initiatePayment` refuses too.
 */
export function paypalEligibility(options: Partial<EligibilityRules>, label: string): ProviderEligibility {
  return {
    label,
    rules: paypalEligibilityRules(options),
    gatewayLimits: (input, name) => {
      const money = toPaypalMoney(input.amount, input.currency_code)
      if (new BigNumberJS(money.value).gt(0)) return { eligible: true }
      const smallest = new BigNumberJS(1).shiftedBy(-gatewayExponent(money.currency_code, PAYPAL_CURRENCY_RULES))
      return {
        eligible: false,
        rule: "min_amount",
        reason: `${name} is available for orders from ${paypalDecimal(smallest, money.currency_code)} ${money.currency_code}`,
      }
    },
  }
}

// ---- Webhooks -----------------------------------------------------------------------------

/**
 * The events the provider acts on: subscribe the webhook to these (and only these are
 * needed). Others are answered `not_supported`.
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
 * - PAYMENT.CAPTURE.REFUNDED: Medusa has no refund action; logged, not acted on.
 */
export function mapWebhookEvent(event: PaypalWebhookEvent): MappedWebhook {
  const resource = (event.resource ?? {}) as Record<string, unknown>
  const sessionId = sessionIdOf(event.event_type, resource)
  const notSupported = (note?: string): MappedWebhook => ({ result: { action: PaymentActions.NOT_SUPPORTED }, note })
  if (!PAYPAL_WEBHOOK_EVENTS.includes(event.event_type)) {
    return notSupported()
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
  return typeof resource.custom_id === "string" ? resource.custom_id : undefined
}

function moneyOf(eventType: string, resource: Record<string, unknown>): PaypalMoney | undefined {
  const candidate = eventType.startsWith("CHECKOUT.ORDER.")
    ? (Array.isArray(resource.purchase_units) ? (resource.purchase_units[0] as Record<string, unknown> | undefined)?.amount : undefined)
    : resource.amount
  const money = candidate as Partial<PaypalMoney> | undefined
  return typeof money?.value === "string" && typeof money.currency_code === "string"
    ? { value: money.value, currency_code: money.currency_code }
    : undefined
}
