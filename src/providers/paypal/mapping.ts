/**
 * Pure translation between Medusa and PayPal (Orders v2, Payments v2): request bodies out,
 * statuses and session data in; what webhook events mean for Medusa is ./events.ts. No I/O, no clock (times are
 * passed in), no randomness. Amounts are PayPal's (./money.ts), the capture and refund
 * ledger is ./refunds.ts, PayPal's errors ./errors.ts, the wire types ./types.ts.
 */
import type {
  BigNumberInput,
  PaymentSessionStatus as PaymentSessionStatusType,
} from "@medusajs/framework/types"
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import BigNumberJS from "bignumber.js"
import { gatewayExponent } from "../../lib/payments/money"
import type { EligibilityRules, ProviderEligibility } from "../../lib/payments/eligibility"
import {
  PAYPAL_CURRENCIES,
  PAYPAL_CURRENCY_RULES,
  paypalDecimal,
  toPaypalMoney,
} from "./money"
import type { PaypalOptions } from "./options"
import { capturedTotal, refundedTotal } from "./refunds"
import type {
  PaypalAuthorization,
  PaypalAuthorizationData,
  PaypalAuthorizationStatus,
  PaypalCapture,
  PaypalCaptureData,
  PaypalIntent,
  PaypalLink,
  PaypalMoney,
  PaypalOrder,
  PaypalOrderStatus,
  PaypalRefund,
  PaypalRefundData,
  PaypalSessionData,
  PaypalVaultSource,
} from "./types"
import { vaultAttributes, withVaultResult } from "./vault"

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
  /**
   * The vault: `save` the method the buyer pays with (for the PayPal customer, when the
   * account holder has one), or `use` a saved one, paid without the buyer at PayPal.
   */
  vault?: { mode: "save" | "use"; source: PaypalVaultSource; customer_id: string | null }
}

/** The body of `POST /v2/checkout/orders`. */
export function buildOrderRequest(input: OrderCreateInput, options: PaypalOptions): Record<string, unknown> {
  const order = {
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
  }
  const vault = input.vault
  if (vault?.mode === "use") {
    // No buyer at PayPal: the saved token is the payment source of the authorize (or capture)
    // call when the cart completes (see vault.ts savedPaymentSource).
    return order
  }
  if (vault?.mode === "save" && vault.source === "card") {
    // PayPal's card fields supply the card; the order says to save it on success.
    const extra = storefrontData(input.data)
    const experience: Record<string, string> = {}
    const returnUrl = extra.return_url ?? options.returnUrl
    const cancelUrl = extra.cancel_url ?? options.cancelUrl
    if (returnUrl) experience.return_url = returnUrl
    if (cancelUrl) experience.cancel_url = cancelUrl
    const card: Record<string, unknown> = { attributes: vaultAttributes("card", vault.customer_id) }
    if (Object.keys(experience).length) card.experience_context = experience
    return { ...order, payment_source: { card } }
  }
  const paypal: Record<string, unknown> = { experience_context: paypalExperience(input, options) }
  if (vault?.mode === "save") paypal.attributes = vaultAttributes("paypal", vault.customer_id)
  return { ...order, payment_source: { paypal } }
}

/** `payment_source.paypal.experience_context`: PayPal's pages as the options and the session ask. */
function paypalExperience(input: OrderCreateInput, options: PaypalOptions): Record<string, string> {
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
  return experience
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

// ---- The mark on this store's refunds --------------------------------------------------------

/**
 * A refund's `custom_id`: "The API caller-provided external ID" of `refund`, pattern
 * `^[A-Za-z0-9-_.,]*$`, 1 to 127 characters (payments_payment_v2, `refund.custom_id`).
 */
const REFUND_CUSTOM_ID = /^[A-Za-z0-9\-_.,]{1,127}$/

export const MEDUSA_SESSION = /^payses_[A-Za-z0-9]+$/

/**
 * The `custom_id` of a refund this store makes: `<session id>.<Medusa refund id>`, so its
 * notification names the session and is known as this store's own (Medusa recorded it). The
 * session id alone when there is no Medusa refund id (a direct call) or the two would not
 * fit PayPal's field.
 */
export function refundCustomId(sessionId: string | null | undefined, medusaRefundId: string | undefined): string | undefined {
  if (!sessionId) return undefined
  const marked = medusaRefundId ? `${sessionId}.${medusaRefundId}` : sessionId
  return REFUND_CUSTOM_ID.test(marked) && marked.split(".").length <= 2 ? marked : sessionId
}

/** What a refund's `custom_id` says: the Medusa session, and the Medusa refund when this store made it. */
export function parseRefundCustomId(customId: unknown): { session_id?: string; medusa_refund_id?: string } {
  if (typeof customId !== "string") return {}
  const at = customId.indexOf(".")
  const session = at < 0 ? customId : customId.slice(0, at)
  const refund = at < 0 ? "" : customId.slice(at + 1)
  if (!MEDUSA_SESSION.test(session)) return {}
  return refund ? { session_id: session, medusa_refund_id: refund } : { session_id: session }
}

// ---- Session data ---------------------------------------------------------------------------

function approveUrlOf(links: PaypalLink[] | undefined): string | null {
  const link = (links ?? []).find((l) => l.rel === "payer-action" || l.rel === "approve")
  return link?.href ?? null
}

function captureIdOfRefund(refund: PaypalRefund): string | null {
  return captureIdOfLinks(refund.links)
}

/** The capture a refund (or a reversal) belongs to: its `up` link. */
export function captureIdOfLinks(links: unknown): string | null {
  const up = (Array.isArray(links) ? (links as PaypalLink[]) : []).find((l) => l?.rel === "up" && typeof l.href === "string")
  const match = up?.href.match(/\/captures\/([A-Za-z0-9]+)(?:[/?#]|$)/)
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
    amount_captured: paypalDecimal(capturedTotal(data.captures, currency), currency),
    amount_refunded: paypalDecimal(refundedTotal(data.refunds, currency), currency),
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
  const vault = withVaultResult(previous.vault, order)
  return withTotals({
    id: order.id,
    status: order.status,
    intent: order.intent ?? previous.intent ?? "AUTHORIZE",
    amount: unit?.amount?.value ?? previous.amount ?? "0",
    currency_code: currency,
    // Paid with a saved method: nobody approves, whatever links PayPal answers.
    approve_url: vault?.mode === "use" ? null : approveUrlOf(order.links) ?? previous.approve_url ?? null,
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
    // Always present, so a storefront's `vault` in the session's input data never stands in for it.
    vault,
    // Kept through every call: the plugin reads it to record a gateway refund once.
    ...(previous.external_refunds !== undefined ? { external_refunds: previous.external_refunds } : {}),
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
  const start = honorPeriodStart(authorization)
  return start !== undefined && now.getTime() - start > HONOR_PERIOD_MS
}

/**
 * When the honor period began (epoch ms): when this store authorized (or reauthorized), by its
 * own clock, else PayPal's `create_time` of the authorization; `undefined` when neither is known.
 */
export function honorPeriodStart(authorization: Pick<PaypalAuthorizationData, "authorized_at" | "created_at">): number | undefined {
  const since = authorization.authorized_at ?? authorization.created_at
  if (!since) return undefined
  const start = Date.parse(since)
  return Number.isFinite(start) ? start : undefined
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
