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
import type { DisputeStatus, GatewayEventRef, GatewayOutcome } from "../../lib/payments/outcomes/types"
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
  PaypalDispute,
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

// ---- The mark on this store's refunds --------------------------------------------------------

/**
 * A refund's `custom_id`: "The API caller-provided external ID" of `refund`, pattern
 * `^[A-Za-z0-9-_.,]*$`, 1 to 127 characters (payments_payment_v2, `refund.custom_id`).
 */
const REFUND_CUSTOM_ID = /^[A-Za-z0-9\-_.,]{1,127}$/

const MEDUSA_SESSION = /^payses_[A-Za-z0-9]+$/

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
function captureIdOfLinks(links: unknown): string | null {
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

// ---- Webhooks -----------------------------------------------------------------------------

/** The customer dispute events and what each says of the dispute. */
const DISPUTE_EVENTS: Readonly<Record<string, DisputeStatus | "resolved">> = Object.freeze({
  "CUSTOMER.DISPUTE.CREATED": "opened",
  "CUSTOMER.DISPUTE.UPDATED": "updated",
  "CUSTOMER.DISPUTE.RESOLVED": "resolved",
})

/**
 * The events the provider reads: subscribe the webhook to these (and only these are
 * needed). Others are answered `not_supported` (and `ignored` by `readPaypalEvent`).
 * @see https://developer.paypal.com/api/rest/webhooks/event-names/
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
  ...Object.keys(DISPUTE_EVENTS),
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
 * - PAYMENT.CAPTURE.REFUNDED and the disputes: Medusa has no refund or dispute action;
 *   logged, not acted on (`readPaypalEvent` says what they are).
 */
export function mapWebhookEvent(event: PaypalWebhookEvent): MappedWebhook {
  const resource = (event.resource ?? {}) as Record<string, unknown>
  const sessionId = sessionIdOf(event.event_type, resource)
  const notSupported = (note?: string): MappedWebhook => ({ result: { action: PaymentActions.NOT_SUPPORTED }, note })
  if (!PAYPAL_WEBHOOK_EVENTS.includes(event.event_type)) {
    return notSupported()
  }
  if (event.event_type in DISPUTE_EVENTS) {
    return notSupported(`${event.event_type} ${String(resource.dispute_id ?? "")}: Medusa has no dispute action`)
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
  if (REFUND_RESOURCES.has(eventType)) {
    // A refund's custom_id is `<session id>.<Medusa refund id>` when this store made it.
    return parseRefundCustomId(resource.custom_id).session_id ?? (typeof resource.custom_id === "string" ? resource.custom_id : undefined)
  }
  return typeof resource.custom_id === "string" ? resource.custom_id : undefined
}

/** Events whose resource is a refund (a reversal is shown as one). */
const REFUND_RESOURCES = new Set(["PAYMENT.CAPTURE.REFUNDED", "PAYMENT.CAPTURE.REVERSED"])

function moneyOf(eventType: string, resource: Record<string, unknown>): PaypalMoney | undefined {
  const candidate = eventType.startsWith("CHECKOUT.ORDER.")
    ? (Array.isArray(resource.purchase_units) ? (resource.purchase_units[0] as Record<string, unknown> | undefined)?.amount : undefined)
    : resource.amount
  const money = candidate as Partial<PaypalMoney> | undefined
  return typeof money?.value === "string" && typeof money.currency_code === "string"
    ? { value: money.value, currency_code: money.currency_code }
    : undefined
}

// ---- The full outcome of an event (`readGatewayEvent`) -------------------------------------

/**
 * What a verified PayPal notification means for Medusa. Payments name their session in
 * `custom_id`; a refund made in PayPal's dashboard, a reversal or a dispute may not, and the
 * session then comes from the capture they belong to, which the service looks up
 * (`captureId`) before completing the outcome with its `custom_id` (undefined: not found).
 */
export type PaypalEventReading =
  | { outcome: GatewayOutcome }
  | { captureId: string; outcome(sessionId: string | undefined): GatewayOutcome }

/** A verified PayPal notification -> its full outcome (or the capture to look up first). */
export function readPaypalEvent(event: PaypalWebhookEvent): PaypalEventReading {
  const resource = (event.resource ?? {}) as Record<string, unknown>
  const type = event.event_type
  const ref: GatewayEventRef = {
    event_id: event.id,
    event_type: type,
    ...(typeof event.create_time === "string" ? { occurred_at: event.create_time } : {}),
  }
  const ignored = (reason: string, session_id?: string): { outcome: GatewayOutcome } => ({
    outcome: { ...ref, kind: "ignored", reason, ...(session_id ? { session_id } : {}) },
  })
  const id = String(resource.id ?? "")

  if (type in DISPUTE_EVENTS) {
    return readDispute(ref, DISPUTE_EVENTS[type], resource as unknown as PaypalDispute, ignored)
  }
  if (!PAYPAL_WEBHOOK_EVENTS.includes(type)) {
    return ignored(`PayPal event type ${type} is not acted on`)
  }
  const money = moneyOf(type, resource)
  const amount = money ? exactAmount(money) : undefined
  if (!money || !amount) {
    return ignored(`${type} ${id} carries no amount PayPal would send`)
  }
  const currency_code = money.currency_code.toLowerCase()

  if (REFUND_RESOURCES.has(type)) {
    const mark = parseRefundCustomId(resource.custom_id)
    const complete = (sessionId: string | undefined): GatewayOutcome => {
      const session_id = MEDUSA_SESSION.test(sessionId ?? "") ? sessionId! : undefined
      if (!session_id) return ignored(`${type} ${id}: its capture carries no Medusa session id`).outcome
      if (type === "PAYMENT.CAPTURE.REVERSED") {
        // PayPal took the captured money back (a chargeback, a reversal it decided): the
        // store lost it, whatever comes next.
        return { ...ref, kind: "dispute", session_id, dispute_id: id, status: "lost", amount, currency_code, reason: "reversed" }
      }
      const status = refundOutcomeStatus(String(resource.status ?? ""))
      return {
        ...ref,
        kind: "refunded",
        session_id,
        refund_id: id,
        amount,
        currency_code,
        made_by_store: !!mark.medusa_refund_id,
        status,
      }
    }
    if (mark.session_id) return { outcome: complete(mark.session_id) }
    const captureId = captureIdOfLinks(resource.links)
    if (!captureId) return ignored(`${type} ${id} carries no Medusa session id and names no capture`)
    return { captureId, outcome: complete }
  }

  const sessionId = sessionIdOf(type, resource)
  if (!sessionId || !MEDUSA_SESSION.test(sessionId)) {
    return ignored(`${type} ${id} carries no Medusa session id (another integration's payment)`)
  }
  const base = { ...ref, session_id: sessionId }
  switch (type) {
    case "CHECKOUT.ORDER.APPROVED":
      return { outcome: { ...base, kind: "authorized", amount, currency_code } }
    case "PAYMENT.AUTHORIZATION.CREATED":
      return { outcome: resource.status === "PENDING" ? { ...base, kind: "pending" } : { ...base, kind: "authorized", amount, currency_code } }
    case "PAYMENT.AUTHORIZATION.VOIDED":
      return { outcome: { ...base, kind: "canceled", reason: `authorization ${id} voided` } }
    case "PAYMENT.CAPTURE.COMPLETED":
      return resource.final_capture === true
        ? { outcome: { ...base, kind: "captured", amount, currency_code } }
        : ignored(`partial capture ${id} of ${sessionId} is already recorded by the capture that made it`, sessionId)
    case "PAYMENT.CAPTURE.PENDING":
      return { outcome: { ...base, kind: "pending" } }
    case "PAYMENT.CAPTURE.DENIED": {
      const why = (resource.status_details as { reason?: unknown } | undefined)?.reason
      return { outcome: { ...base, kind: "failed", reason: `capture ${id} ${String(resource.status ?? "DENIED")}${typeof why === "string" ? ` (${why})` : ""}` } }
    }
    default:
      return ignored(`PayPal event type ${type} is not acted on`)
  }
}

function readDispute(
  ref: GatewayEventRef,
  event: DisputeStatus | "resolved",
  dispute: PaypalDispute,
  ignored: (reason: string, session_id?: string) => { outcome: GatewayOutcome }
): PaypalEventReading {
  const id = String(dispute.dispute_id ?? "")
  const money = dispute.dispute_amount && typeof dispute.dispute_amount.value === "string" ? dispute.dispute_amount : undefined
  const amount = money ? exactAmount(money) : undefined
  if (!money || !amount) {
    return ignored(`dispute ${id} carries no amount PayPal would send`)
  }
  const status: DisputeStatus = event === "resolved" ? resolvedDisputeStatus(dispute.dispute_outcome?.outcome_code) : event
  const transaction = Array.isArray(dispute.disputed_transactions) ? dispute.disputed_transactions[0] : undefined
  const complete = (sessionId: string | undefined): GatewayOutcome => {
    const session_id = MEDUSA_SESSION.test(sessionId ?? "") ? sessionId! : undefined
    if (!session_id) return ignored(`dispute ${id}: its capture carries no Medusa session id`).outcome
    return {
      ...ref,
      kind: "dispute",
      session_id,
      dispute_id: id,
      status,
      amount,
      currency_code: money.currency_code.toLowerCase(),
      ...(dispute.reason ? { reason: dispute.reason } : {}),
      ...(dispute.seller_response_due_date ? { evidence_due_by: dispute.seller_response_due_date } : {}),
    }
  }
  // `custom` is the custom_id of the disputed capture: the session, when PayPal includes it.
  const carried = parseRefundCustomId(transaction?.custom).session_id
  if (carried) return { outcome: complete(carried) }
  const captureId = transaction?.seller_transaction_id
  if (!captureId) return ignored(`dispute ${id} names no transaction of this store`)
  return { captureId, outcome: complete }
}

/**
 * A resolved dispute's `dispute_outcome.outcome_code` -> the store's verdict, exhaustively:
 * won when the seller kept the money (decided in its favour, or the claim denied), lost when
 * the buyer got it back (decided for the buyer, or the seller accepted the claim), closed
 * without a verdict otherwise (canceled by the buyer, paid out by PayPal, none). A resolution
 * without an outcome is closed.
 * @see https://developer.paypal.com/docs/api/customer-disputes/v1/#definition-dispute_outcome
 */
function resolvedDisputeStatus(code: string | undefined): DisputeStatus {
  if (code === undefined) return "closed"
  switch (code) {
    case "RESOLVED_SELLER_FAVOUR":
    case "DENIED":
      return "won"
    case "RESOLVED_BUYER_FAVOUR":
    case "ACCEPTED":
      return "lost"
    case "CANCELED_BY_BUYER":
    case "RESOLVED_WITH_PAYOUT":
    case "NONE":
      return "closed"
    default:
      throw new Error(`Unknown PayPal dispute outcome: ${JSON.stringify(code)}`)
  }
}

/**
 * A refund's status -> the outcome's, exhaustively.
 * @see https://developer.paypal.com/docs/api/payments/v2/#definition-refund_status
 */
export function refundOutcomeStatus(status: string): "succeeded" | "pending" | "failed" | "canceled" {
  switch (status) {
    case "COMPLETED":
      return "succeeded"
    case "PENDING":
      return "pending"
    case "FAILED":
      return "failed"
    case "CANCELLED":
      return "canceled"
    default:
      throw new Error(`Unknown PayPal refund status: ${JSON.stringify(status)}`)
  }
}

/** PayPal's amount as an exact decimal string in its precision ("20.00", "1500"), or undefined if PayPal would not send it. */
function exactAmount(money: PaypalMoney): string | undefined {
  try {
    // A reversal may be shown with a negative value: what was taken back.
    return paypalDecimal(fromPaypalMoney(money).abs(), money.currency_code)
  } catch {
    return undefined
  }
}
