/**
 * Pure translation between Medusa and PayPal (Orders v2, Payments v2, webhooks): request
 * bodies out, statuses, session data and webhook actions in. No I/O, no clock (times are
 * passed in), no randomness. Amounts are PayPal's (./money.ts), the capture and refund
 * ledger is ./refunds.ts, PayPal's errors ./errors.ts, the wire types ./types.ts.
 */
import type {
  BigNumberInput,
  PaymentSessionStatus as PaymentSessionStatusType,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import BigNumberJS from "bignumber.js"
import { gatewayExponent } from "../../lib/payments/money"
import type { EligibilityRules, ProviderEligibility } from "../../lib/payments/eligibility"
import {
  PAYPAL_CURRENCIES,
  PAYPAL_CURRENCY_RULES,
  fromPaypalMoney,
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
  PaypalWebhookEvent,
} from "./types"

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
