/**
 * Hosted payment pages: gateways that take the shopper to their own page with a signed
 * form, post a signed server-to-server notification back, and send the shopper to a
 * return page. Shared by every such gateway of the collection; it names none.
 *
 * What lives here:
 * - the redirect form description the storefront renders (`redirectForm`);
 * - the notification pipeline (`handleHostedNotification`): the gateway's provider
 *   verifies the signature and the merchant, this file checks the gateway's order number
 *   and the amount against the Medusa payment session, drops replays, and hands the result
 *   to Medusa's own webhook processing (`processPaymentWorkflow`), so an order is created
 *   once; the route answers the gateway with the acknowledgement it expects;
 * - the status check behind the return page (`refreshPaymentStatus`): while a session is
 *   pending it asks the provider (`getPaymentStatus`, the gateway's order query) and lets
 *   the same workflow act on a settled answer.
 *
 * The shopper's browser return never marks anything paid: only a verified notification,
 * or the gateway's own answer to a status query, does.
 */
import type { GetPaymentStatusInput, GetPaymentStatusOutput, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, OrderStatus, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { processPaymentWorkflow } from "@medusajs/core-flows"
import type BigNumberJS from "bignumber.js"
import { compareAmounts, isoExponent, toBigNumber } from "./money"
import { redactText } from "./redact"

// ---- The redirect ----------------------------------------------------------------------

/**
 * An auto-submitting form the storefront renders (`<form method action>` with one hidden
 * input per field, submitted on load). It is session data, so it reaches the browser:
 * it carries the gateway's public fields and signature, never a key.
 */
export interface RedirectForm {
  method: "POST"
  action: string
  /** Accept-charset the gateway expects. */
  charset: "UTF-8"
  fields: Record<string, string>
}

/** A redirect form from its fields; empty and undefined fields are left out. */
export function redirectForm(action: string, fields: Record<string, string | number | undefined | null>): RedirectForm {
  if (!/^https?:\/\//.test(action)) {
    throw new Error(`A redirect form needs an absolute http(s) action URL, not ${JSON.stringify(action)}`)
  }
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === "") continue
    out[name] = String(value)
  }
  return { method: "POST", action, charset: "UTF-8", fields: out }
}

/**
 * A gateway's `application/x-www-form-urlencoded` body as flat fields. A field named
 * twice, or a body that is not a form, is refused (`undefined`): a signature is computed
 * over one value per name.
 */
export function parseFormBody(raw: Buffer | string | undefined | null): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined
  const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : String(raw)
  if (!text.trim() || /^\s*[[{]/.test(text)) return undefined
  const out: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(text)) {
    if (!name || Object.prototype.hasOwnProperty.call(out, name)) return undefined
    out[name] = value
  }
  return Object.keys(out).length ? out : undefined
}

// ---- What a hosted gateway's provider implements --------------------------------------------

/**
 * A verified notification's meaning. Only `paid` can lead to an order, and only after the
 * session checks below.
 */
export type NotificationVerdict =
  | {
      kind: "paid"
      /** `authorized` (money reserved, the admin captures) or `captured` (settled). */
      action: "authorized" | "captured"
      session_id: string
      /** The gateway's order number for this attempt, echoed in the signed notification. */
      reference: string
      /** Major units. */
      amount: BigNumberJS
      currency_code: string
    }
  | {
      /** Signed, but a payment attempt that failed: nothing to pay. */
      kind: "failed"
      session_id?: string
      reference?: string
      amount?: BigNumberJS
      reason: string
    }
  | {
      /** Signed and well-formed, but nothing to act on (a test payment in production...). */
      kind: "ignored"
      session_id?: string
      reference?: string
      reason: string
    }
  | {
      /**
       * Signed, but older than the freshness window: not trusted on its own (it could be a
       * replay), not dropped either (it could be a late retry): the session is settled by
       * asking the gateway instead.
       */
      kind: "stale"
      session_id: string
      reference: string
      reason: string
    }
  | {
      /** Not from the gateway, or not for this merchant: never acted on. */
      kind: "rejected"
      reason: string
    }

/** The hosted-page side of a provider, beside Medusa's `AbstractPaymentProvider` methods. */
export interface HostedPaymentProvider {
  /** Verify a notification's signature, merchant and freshness, and say what it means. */
  verifyNotification(fields: Record<string, string>): NotificationVerdict
  /** The gateway order number of the attempt a session holds (to match notifications). */
  referenceOf(sessionData: Record<string, unknown> | undefined | null): string | undefined
  getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput>
}

export function isHostedPaymentProvider(value: unknown): value is HostedPaymentProvider {
  const candidate = value as Partial<HostedPaymentProvider> | undefined
  return (
    !!candidate &&
    typeof candidate.verifyNotification === "function" &&
    typeof candidate.referenceOf === "function" &&
    typeof candidate.getPaymentStatus === "function"
  )
}

interface StatusSource {
  getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput>
}

/**
 * The provider registered in the Payment Module as `providerId` (`pp_<identifier>_<id>`).
 *
 * Medusa 2.21's Payment Module has no public method that calls a provider's
 * `getPaymentStatus` ("core never calls it"), so this reads the provider from the module's
 * own container, exactly as the module's `PaymentProviderService.retrieveProvider` does.
 * Checked by the HTTP tests; re-check on a Medusa upgrade.
 */
export function paymentProviderOf(container: MedusaContainer, providerId: string): unknown {
  const module = container.resolve(Modules.PAYMENT) as unknown as { __container__?: Record<string, unknown> }
  const moduleContainer = module.__container__
  if (!moduleContainer) {
    throw new Error("The Payment Module does not expose its providers; this Medusa version is not supported by the hosted payment routes")
  }
  try {
    return moduleContainer[providerId]
  } catch {
    return undefined
  }
}

// ---- Reading sessions -------------------------------------------------------------------------

interface SessionRecord {
  id: string
  provider_id: string
  status: string
  amount: unknown
  raw_amount?: unknown
  currency_code: string
  data: Record<string, unknown> | null
  authorized_at: string | Date | null
  payment_collection_id: string
  created_at?: string | Date
  payment?: { id: string; captured_at?: string | Date | null } | null
}

const SESSION_FIELDS = [
  "id",
  "provider_id",
  "status",
  "amount",
  "raw_amount",
  "currency_code",
  "data",
  "authorized_at",
  "payment_collection_id",
  "created_at",
  "payment.id",
  "payment.captured_at",
]

type Query = { graph(config: Record<string, unknown>): Promise<{ data: any[] }> }

function queryOf(container: MedusaContainer): Query {
  return container.resolve(ContainerRegistrationKeys.QUERY) as unknown as Query
}

async function sessionById(container: MedusaContainer, id: string): Promise<SessionRecord | undefined> {
  const { data } = await queryOf(container).graph({ entity: "payment_session", fields: SESSION_FIELDS, filters: { id } })
  return data[0]
}

async function cartOfCollection(container: MedusaContainer, collectionId: string): Promise<string | undefined> {
  const { data } = await queryOf(container).graph({
    entity: "cart_payment_collection",
    fields: ["cart_id"],
    filters: { payment_collection_id: collectionId },
  })
  return data[0]?.cart_id
}

async function orderOfCart(container: MedusaContainer, cartId: string): Promise<string | undefined> {
  const { data } = await queryOf(container).graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  return data[0]?.order_id
}

const SETTLED = new Set<string>([PaymentSessionStatus.AUTHORIZED, PaymentSessionStatus.CAPTURED])

function isSettled(session: SessionRecord): boolean {
  return !!session.payment?.id || (SETTLED.has(session.status) && !!session.authorized_at)
}

// ---- The notification pipeline -----------------------------------------------------------

export type NotificationOutcome =
  /** Acknowledge: the gateway may stop sending it. */
  | { acknowledge: true; result: "processed" | "duplicate" | "ignored"; detail: string; session_id?: string; order_id?: string }
  /** Do not acknowledge: the gateway should send it again later (or it was not genuine). */
  | { acknowledge: false; result: "rejected" | "retry"; detail: string; session_id?: string }

export interface HostedLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

/**
 * Everything that happens to a gateway's notification after the route has read its body.
 * Never throws: every failure becomes an outcome the route turns into the gateway's
 * negative acknowledgement, so the gateway retries.
 *
 * @param label how the gateway is named in log lines ("ECPay")
 */
export async function handleHostedNotification(
  container: MedusaContainer,
  providerId: string,
  fields: Record<string, string> | undefined,
  label: string,
  logger: HostedLogger
): Promise<NotificationOutcome> {
  const log = (level: keyof HostedLogger, message: string) => logger[level](redactText(`${label} notification: ${message}`))
  if (!fields) {
    log("warn", "refused a body that is not a form")
    return { acknowledge: false, result: "rejected", detail: "malformed" }
  }
  let provider: unknown
  try {
    provider = paymentProviderOf(container, providerId)
  } catch (error) {
    log("error", `cannot reach provider ${providerId}: ${messageOf(error)}`)
    return { acknowledge: false, result: "retry", detail: "provider unavailable" }
  }
  if (!isHostedPaymentProvider(provider)) {
    log("warn", `no hosted payment provider is registered as ${providerId}`)
    return { acknowledge: false, result: "rejected", detail: "unknown provider" }
  }

  let verdict: NotificationVerdict
  try {
    verdict = provider.verifyNotification(fields)
  } catch (error) {
    log("warn", `refused a notification that could not be read: ${messageOf(error)}`)
    return { acknowledge: false, result: "rejected", detail: "malformed" }
  }

  switch (verdict.kind) {
    case "rejected":
      log("warn", `refused: ${verdict.reason}`)
      return { acknowledge: false, result: "rejected", detail: verdict.reason }
    case "failed":
    case "ignored":
      // Verified and for this merchant, with nothing to pay: acknowledged so the gateway
      // stops sending it. Medusa's own webhook handling drops failed payments too.
      log("info", `${verdict.kind}${verdict.reference ? ` (${verdict.reference})` : ""}: ${verdict.reason}`)
      return { acknowledge: true, result: "ignored", detail: verdict.reason, session_id: verdict.session_id }
    case "stale":
      return settleStale(container, provider, providerId, verdict, log)
    case "paid":
      return settlePaid(container, provider, providerId, verdict, log)
    default: {
      const unknown: never = verdict
      log("error", `unknown verdict ${JSON.stringify(unknown)}`)
      return { acknowledge: false, result: "retry", detail: "unknown verdict" }
    }
  }
}

type Log = (level: keyof HostedLogger, message: string) => void

/** The checks every paid notification passes before Medusa hears of it. */
async function checkedSession(
  container: MedusaContainer,
  provider: HostedPaymentProvider,
  providerId: string,
  sessionId: string,
  reference: string,
  log: Log
): Promise<{ session: SessionRecord } | { outcome: NotificationOutcome }> {
  let session: SessionRecord | undefined
  try {
    session = await sessionById(container, sessionId)
  } catch (error) {
    log("error", `could not read payment session ${sessionId}: ${messageOf(error)}`)
    return { outcome: { acknowledge: false, result: "retry", detail: "session lookup failed", session_id: sessionId } }
  }
  if (!session) {
    // Money may have moved for a session Medusa no longer has (the cart changed and the
    // session was replaced): say so loudly, and do not acknowledge, so the gateway's back
    // office shows the notification as undelivered.
    log("error", `payment ${reference} is for payment session ${sessionId}, which does not exist (any more); if it was paid, refund it from the gateway's back office`)
    return { outcome: { acknowledge: false, result: "rejected", detail: "unknown session", session_id: sessionId } }
  }
  if (session.provider_id !== providerId) {
    log("warn", `payment session ${sessionId} belongs to ${session.provider_id}, not ${providerId}`)
    return { outcome: { acknowledge: false, result: "rejected", detail: "session of another provider", session_id: sessionId } }
  }
  const expected = provider.referenceOf(session.data)
  if (!expected || expected !== reference) {
    log("warn", `order number ${reference} is not the one of payment session ${sessionId} (${expected ?? "none"})`)
    return { outcome: { acknowledge: false, result: "rejected", detail: "order number mismatch", session_id: sessionId } }
  }
  return { session }
}

async function settlePaid(
  container: MedusaContainer,
  provider: HostedPaymentProvider,
  providerId: string,
  verdict: Extract<NotificationVerdict, { kind: "paid" }>,
  log: Log
): Promise<NotificationOutcome> {
  const checked = await checkedSession(container, provider, providerId, verdict.session_id, verdict.reference, log)
  if ("outcome" in checked) return checked.outcome
  const { session } = checked
  if (
    verdict.currency_code.toLowerCase() !== String(session.currency_code).toLowerCase() ||
    compareAmounts(verdict.amount, (session.raw_amount ?? session.amount) as never) !== 0
  ) {
    log(
      "error",
      `payment ${verdict.reference} reports ${verdict.amount.toFixed()} ${verdict.currency_code.toUpperCase()} but payment session ` +
        `${session.id} is for ${toBigNumber((session.raw_amount ?? session.amount) as never).toFixed()} ${String(session.currency_code).toUpperCase()}; not applied`
    )
    return { acknowledge: false, result: "rejected", detail: "amount mismatch", session_id: session.id }
  }
  return settle(container, session, verdict.action, log, "notification")
}

async function settleStale(
  container: MedusaContainer,
  provider: HostedPaymentProvider,
  providerId: string,
  verdict: Extract<NotificationVerdict, { kind: "stale" }>,
  log: Log
): Promise<NotificationOutcome> {
  const checked = await checkedSession(container, provider, providerId, verdict.session_id, verdict.reference, log)
  if ("outcome" in checked) return checked.outcome
  const { session } = checked
  if (isSettled(session)) {
    return { acknowledge: true, result: "duplicate", detail: "already settled", session_id: session.id }
  }
  // Replaying an old signed notification must not make the store hammer the gateway's
  // order query (gateways rate-limit it): one query per session per interval.
  if (mayCheck(session.id, Date.now(), DEFAULT_MIN_INTERVAL_MS) > 0) {
    return { acknowledge: false, result: "retry", detail: "checked recently", session_id: session.id }
  }
  log("info", `${verdict.reason}; asking the gateway for the status of ${verdict.reference}`)
  let status: GetPaymentStatusOutput
  try {
    status = await provider.getPaymentStatus({ data: session.data ?? {} })
  } catch (error) {
    log("warn", `could not confirm ${verdict.reference} with the gateway: ${messageOf(error)}`)
    return { acknowledge: false, result: "retry", detail: "status unavailable", session_id: session.id }
  }
  const action = settledAction(status.status)
  if (!action) {
    return { acknowledge: false, result: "retry", detail: `gateway reports ${status.status}`, session_id: session.id }
  }
  return settle(container, session, action, log, "status query")
}

function settledAction(status: string | undefined): "authorized" | "captured" | undefined {
  if (status === PaymentSessionStatus.CAPTURED) return "captured"
  if (status === PaymentSessionStatus.AUTHORIZED) return "authorized"
  return undefined
}

/**
 * Hand a settled payment to Medusa's webhook processing (`processPaymentWorkflow`, what
 * Medusa's own webhook subscriber runs): it authorizes the session (the provider confirms
 * with the gateway), records the capture, and completes the cart into an order. A session
 * already settled is left alone, so a replay changes nothing.
 */
async function settle(
  container: MedusaContainer,
  session: SessionRecord,
  action: "authorized" | "captured",
  log: Log,
  source: string
): Promise<NotificationOutcome> {
  const cartId = await cartOfCollection(container, session.payment_collection_id)
  const existingOrder = cartId ? await orderOfCart(container, cartId) : undefined
  if (isSettled(session) && (!cartId || existingOrder)) {
    return { acknowledge: true, result: "duplicate", detail: "already processed", session_id: session.id, order_id: existingOrder }
  }
  try {
    await processPaymentWorkflow(container).run({
      input: {
        action: action === "captured" ? PaymentActions.SUCCESSFUL : PaymentActions.AUTHORIZED,
        // The session's own amount, exactly (a decimal string, never a float).
        data: { session_id: session.id, amount: toBigNumber((session.raw_amount ?? session.amount) as never).toFixed() },
      },
    })
  } catch (error) {
    log("warn", `payment session ${session.id} could not be settled from the ${source} yet: ${messageOf(error)}`)
    return { acknowledge: false, result: "retry", detail: "not settled", session_id: session.id }
  }
  // The workflow swallows a failed cart completion (it continues on permanent failure):
  // only a payment, or an order, proves something happened.
  const after = await sessionById(container, session.id)
  const orderId = cartId ? await orderOfCart(container, cartId) : undefined
  if (!after || !isSettled(after) || (cartId && !orderId)) {
    log("warn", `payment session ${session.id} is not settled after the ${source} (status ${after?.status ?? "gone"})`)
    return { acknowledge: false, result: "retry", detail: "not settled", session_id: session.id }
  }
  log("info", `payment session ${session.id} settled from the ${source}${orderId ? `; order ${orderId}` : ""}`)
  return { acknowledge: true, result: "processed", detail: action, session_id: session.id, order_id: orderId }
}

// ---- The return page's status check -------------------------------------------------------------

/**
 * What the return page is told about a cart's payment.
 *
 * Before an order exists (from the payment session; the gateway is asked while it is pending):
 * - `none`: the cart has no payment session;
 * - `pending`: not settled yet, keep polling (also an order placed while the gateway is still
 *   confirming the payment: Medusa's `pending_authorization`, an order without a payment);
 * - `requires_more`: the shopper has a step left at the gateway (3-D Secure, a redirect);
 * - `failed`: the gateway declined or the attempt failed.
 *
 * Once Medusa records a payment (from its payment, captures and refunds; the gateway is not
 * asked):
 * - `awaiting_payment`: the order is placed and no money has moved: the provider's
 *   authorization reserves nothing (cash on delivery, bank transfer; see
 *   {@link authorizationReservesFunds}) and nothing is captured yet;
 * - `authorized`: the money is reserved at the gateway (a card or PayPal authorization, an
 *   ECPay card with manual close), not captured;
 * - `partially_captured`, `captured`: part, or all, of the amount is captured (received);
 * - `partially_refunded`, `refunded`: part, or all, of what was captured is refunded;
 * - `canceled`: the order or its payment was canceled with nothing refunded (a canceled
 *   order whose money Medusa refunded is `refunded`). Also a canceled session before an order.
 */
export type ReturnPageStatus =
  | "none"
  | "pending"
  | "requires_more"
  | "failed"
  | "awaiting_payment"
  | "authorized"
  | "partially_captured"
  | "captured"
  | "partially_refunded"
  | "refunded"
  | "canceled"

/** What the return page sees: statuses, ids and amounts, never the session's (or payment's) data. */
export interface PaymentStatusView {
  cart_id: string
  order_id: string | null
  /** What the payment really is; see {@link ReturnPageStatus}. */
  status: ReturnPageStatus
  /**
   * Major units as exact decimal strings with at least the currency's ISO 4217 decimals
   * (`"20.00"`, `"1999.00"`): the payment's amount, or the session's before Medusa records a
   * payment; `null` without a session or payment.
   */
  amount: string | null
  /** Sum of the captures (money received); `"0.00"` before any. */
  captured_amount: string | null
  /** Sum of the refunds; `"0.00"` before any. */
  refunded_amount: string | null
  /** Medusa's (lower-case) currency code of those amounts. */
  currency_code: string | null
  session: {
    id: string
    provider_id: string
    /** Medusa's payment session status. */
    status: string
    amount: number
    currency_code: string
  } | null
  /** Whether the gateway was asked during this call. */
  checked_with_provider: boolean
  /** The provider's answer when it was asked and did not settle the payment. */
  provider_status?: string
  /** When the gateway may be asked again (the return page polls meanwhile). */
  next_check_after_seconds?: number
}

/**
 * What a provider class may declare about Medusa's "authorized". A provider whose
 * authorization moves no money (cash on delivery and bank transfer are "authorized" at cart
 * completion only so Medusa places the order) declares
 * `static authorizationReservesFunds = false`; every other provider is taken to reserve the
 * amount at its gateway when it authorizes.
 */
export interface PaymentProviderTraits {
  authorizationReservesFunds?: boolean
}

/**
 * Whether authorizing with this provider instance reserves money (default: yes). Medusa's
 * own system provider (`pp_system_default`, identifier `system`: the manual payment the
 * admin marks paid) authorizes without any gateway, so it reserves nothing either.
 */
export function authorizationReservesFunds(provider: unknown): boolean {
  if (!provider || typeof provider !== "object") return true
  const traits = (provider as { constructor?: PaymentProviderTraits & { identifier?: string } }).constructor
  if (traits?.identifier === "system") return false
  return traits?.authorizationReservesFunds !== false
}

/** One Medusa payment, as the status needs it. Amounts in major units. */
export interface PaymentFacts {
  amount: BigNumberJS
  /** Sum of its captures. */
  captured: BigNumberJS
  /** Sum of its refunds. */
  refunded: BigNumberJS
  /** Its `canceled_at` is set. */
  canceled: boolean
  /** Whether its provider's authorization reserved the money ({@link authorizationReservesFunds}). */
  reservesFunds: boolean
}

export interface RecordedPaymentStatus {
  status: Extract<
    ReturnPageStatus,
    "pending" | "awaiting_payment" | "authorized" | "partially_captured" | "captured" | "partially_refunded" | "refunded" | "canceled"
  >
  /** Sum over the payments that count (the live ones; all of them when every one is canceled). */
  amount: BigNumberJS
  captured: BigNumberJS
  refunded: BigNumberJS
}

/**
 * The status of what Medusa recorded for an order (or a cart whose payment is recorded
 * before its order): its payments, their captures and refunds, and whether the order was
 * canceled. Exact: bignumber.js sums, no float.
 *
 * Refunds come first (a canceled order whose money Medusa refunded is `refunded`), then the
 * cancellation, then captures, then whether the authorization reserved anything. An order
 * without a payment (the gateway still confirming: `pending_authorization`) is `pending`.
 */
export function recordedPaymentStatus(payments: readonly PaymentFacts[], orderCanceled: boolean): RecordedPaymentStatus {
  const zero = toBigNumber(0)
  const sum = (list: readonly PaymentFacts[], pick: (p: PaymentFacts) => BigNumberJS) => list.reduce((acc, p) => acc.plus(pick(p)), zero)
  // A canceled payment with nothing captured (replaced, or voided) no longer counts.
  const live = payments.filter((p) => !p.canceled || p.captured.isGreaterThan(0))
  const counted = live.length ? live : payments
  const amount = sum(counted, (p) => p.amount)
  const captured = sum(payments, (p) => p.captured)
  const refunded = sum(payments, (p) => p.refunded)
  const totals = { amount, captured, refunded }

  if (captured.isGreaterThan(0) && refunded.isGreaterThanOrEqualTo(captured)) return { status: "refunded", ...totals }
  if (refunded.isGreaterThan(0)) return { status: "partially_refunded", ...totals }
  if (orderCanceled || (payments.length > 0 && live.length === 0)) return { status: "canceled", ...totals }
  if (payments.length === 0) return { status: "pending", ...totals }
  if (captured.isGreaterThan(0)) {
    return { status: captured.isGreaterThanOrEqualTo(amount) ? "captured" : "partially_captured", ...totals }
  }
  return { status: live.some((p) => p.reservesFunds) ? "authorized" : "awaiting_payment", ...totals }
}

/** Major units as an exact decimal string: at least the currency's decimals, never fewer than the value has. */
function decimalString(value: BigNumberJS, currency: string): string {
  return value.toFixed(Math.max(isoExponent(currency), value.decimalPlaces() ?? 0))
}

export interface RefreshOptions {
  /** Least time between two gateway queries for one session (gateways rate-limit). @default 10000 */
  minIntervalMs?: number
  logger: HostedLogger
  nowMs?: number
}

const DEFAULT_MIN_INTERVAL_MS = 10_000
const lastChecks = new Map<string, number>()
const MAX_TRACKED = 10_000

function mayCheck(sessionId: string, nowMs: number, minIntervalMs: number): number {
  const last = lastChecks.get(sessionId)
  if (last !== undefined && nowMs - last < minIntervalMs) {
    return Math.ceil((minIntervalMs - (nowMs - last)) / 1000)
  }
  if (lastChecks.size >= MAX_TRACKED) {
    const oldest = lastChecks.keys().next().value
    if (oldest !== undefined) lastChecks.delete(oldest)
  }
  lastChecks.delete(sessionId)
  lastChecks.set(sessionId, nowMs)
  return 0
}

/** Forget throttling state (tests). */
export function resetStatusThrottle(): void {
  lastChecks.clear()
}

export class CartNotFoundError extends Error {}

/**
 * The payment status of a cart: from the session before Medusa records a payment, settling it
 * from the gateway when the notification is late; from the order's payments (captures,
 * refunds, cancellation) after. Whoever holds a cart id can already complete that cart; this
 * adds no power: it only completes a cart whose payment the gateway itself reports settled,
 * and it asks the gateway at most once per `minIntervalMs` per session.
 */
export async function refreshPaymentStatus(
  container: MedusaContainer,
  cartId: string,
  sessionId: string | undefined,
  options: RefreshOptions
): Promise<PaymentStatusView> {
  const query = queryOf(container)
  const { data: carts } = await query.graph({
    entity: "cart",
    fields: ["id", "completed_at", "payment_collection.id"],
    filters: { id: cartId },
  })
  const cart = carts[0]
  if (!cart) throw new CartNotFoundError(`Cart ${cartId} was not found`)
  const collectionId: string | undefined = cart.payment_collection?.id
  const sessions: SessionRecord[] = collectionId
    ? (await query.graph({ entity: "payment_session", fields: SESSION_FIELDS, filters: { payment_collection_id: collectionId } })).data
    : []
  let session: SessionRecord | undefined
  if (sessionId) {
    session = sessions.find((s) => s.id === sessionId)
    if (!session) throw new CartNotFoundError(`Payment session ${sessionId} does not belong to cart ${cartId}`)
  } else {
    session = [...sessions].sort((a, b) => new Date(String(b.created_at)).getTime() - new Date(String(a.created_at)).getTime())[0]
  }

  const view = async (checked: boolean, extra: Partial<PaymentStatusView> = {}): Promise<PaymentStatusView> => {
    const orderId = (await orderOfCart(container, cartId)) ?? null
    const current = session ? (await sessionById(container, session.id)) ?? session : undefined
    const recorded = await recordedPayments(container, orderId, collectionId)
    // Once there is an order or a payment, Medusa's records say what the money is; before,
    // the session (and the gateway's answer, when it was just asked) does.
    const summary =
      orderId || recorded.payments.length
        ? recordedPaymentStatus(paymentFactsOf(container, recorded.payments), recorded.orderCanceled)
        : undefined
    // No payment yet (before an order, or an order the gateway is still confirming): the session's amount.
    const zero = toBigNumber(0)
    const sessionAmounts = current
      ? { amount: toBigNumber((current.raw_amount ?? current.amount) as never), captured: zero, refunded: zero }
      : undefined
    const amounts = summary && recorded.payments.length ? summary : sessionAmounts
    const currency = recorded.payments[0]?.currency_code ?? recorded.currency_code ?? current?.currency_code ?? null
    const money = (value: BigNumberJS | undefined) => (value && currency ? decimalString(value, currency) : null)
    return {
      cart_id: cartId,
      order_id: orderId,
      status: summary?.status ?? sessionStatusForReturnPage(current, extra.provider_status),
      amount: money(amounts?.amount),
      captured_amount: money(amounts?.captured),
      refunded_amount: money(amounts?.refunded),
      currency_code: amounts ? currency : null,
      session: current
        ? {
            id: current.id,
            provider_id: current.provider_id,
            status: current.status,
            amount: toBigNumber((current.raw_amount ?? current.amount) as never).toNumber(),
            currency_code: current.currency_code,
          }
        : null,
      checked_with_provider: checked,
      ...extra,
    }
  }

  if (!session || (await orderOfCart(container, cartId)) || isSettled(session)) {
    return view(false)
  }
  if (session.status !== PaymentSessionStatus.PENDING && session.status !== PaymentSessionStatus.REQUIRES_MORE) {
    return view(false)
  }
  const wait = mayCheck(session.id, options.nowMs ?? Date.now(), options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS)
  if (wait > 0) {
    return view(false, { next_check_after_seconds: wait })
  }
  const provider = paymentProviderOf(container, session.provider_id) as StatusSource | undefined
  if (!provider || typeof provider.getPaymentStatus !== "function") {
    return view(false)
  }
  let answer: GetPaymentStatusOutput
  try {
    answer = await provider.getPaymentStatus({ data: session.data ?? {} })
  } catch (error) {
    options.logger.warn(redactText(`Payment status of session ${session.id} could not be checked: ${messageOf(error)}`))
    return view(true, { provider_status: "unavailable", next_check_after_seconds: Math.ceil((options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS) / 1000) })
  }
  const action = settledAction(answer.status)
  if (!action) {
    return view(true, { provider_status: answer.status, next_check_after_seconds: Math.ceil((options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS) / 1000) })
  }
  const log: Log = (level, message) => options.logger[level](redactText(`Payment status: ${message}`))
  const outcome = await settle(container, session, action, log, "status query")
  return view(true, outcome.acknowledge ? {} : { provider_status: answer.status })
}

/** Before Medusa records a payment: the session's status, or the gateway's answer just given. */
function sessionStatusForReturnPage(
  session: SessionRecord | undefined,
  providerStatus?: string
): Extract<ReturnPageStatus, "none" | "pending" | "failed" | "canceled" | "requires_more"> {
  if (!session) return "none"
  switch (providerStatus ?? session.status) {
    case PaymentSessionStatus.ERROR:
      return "failed"
    case PaymentSessionStatus.CANCELED:
      return "canceled"
    case PaymentSessionStatus.REQUIRES_MORE:
      return "requires_more"
    default:
      // pending, pending_authorization, a settled answer not applied yet, "unavailable".
      return "pending"
  }
}

interface AmountRecord {
  amount: unknown
  raw_amount?: unknown
}

/** A Medusa payment as read for the status: no `data`, which is the provider's. */
interface PaymentRecord extends AmountRecord {
  id: string
  provider_id: string
  currency_code: string
  canceled_at: string | Date | null
  captures?: AmountRecord[] | null
  refunds?: AmountRecord[] | null
}

const PAYMENT_FIELDS = [
  "id",
  "provider_id",
  "amount",
  "raw_amount",
  "currency_code",
  "canceled_at",
  "captures.amount",
  "captures.raw_amount",
  "refunds.amount",
  "refunds.raw_amount",
]

interface RecordedPayments {
  payments: PaymentRecord[]
  currency_code?: string
  orderCanceled: boolean
}

/**
 * The order's payments (every payment collection of the order), or, before an order, the
 * payments of the cart's collection (a payment recorded whose cart completion has not run).
 */
async function recordedPayments(container: MedusaContainer, orderId: string | null, collectionId: string | undefined): Promise<RecordedPayments> {
  const query = queryOf(container)
  if (orderId) {
    const { data } = await query.graph({
      entity: "order",
      fields: ["id", "status", "canceled_at", "currency_code", ...PAYMENT_FIELDS.map((field) => `payment_collections.payments.${field}`)],
      filters: { id: orderId },
    })
    const order = data[0]
    const collections: Array<{ payments?: PaymentRecord[] | null } | null> = order?.payment_collections ?? []
    return {
      payments: collections.flatMap((collection) => collection?.payments ?? []),
      currency_code: order?.currency_code,
      orderCanceled: order?.status === OrderStatus.CANCELED || !!order?.canceled_at,
    }
  }
  if (!collectionId) return { payments: [], orderCanceled: false }
  const { data } = await query.graph({
    entity: "payment_collection",
    fields: PAYMENT_FIELDS.map((field) => `payments.${field}`),
    filters: { id: collectionId },
  })
  return { payments: data[0]?.payments ?? [], orderCanceled: false }
}

function paymentFactsOf(container: MedusaContainer, payments: readonly PaymentRecord[]): PaymentFacts[] {
  const reserves = new Map<string, boolean>()
  const reservesFunds = (providerId: string): boolean => {
    let known = reserves.get(providerId)
    if (known === undefined) {
      known = authorizationReservesFunds(paymentProviderOf(container, providerId))
      reserves.set(providerId, known)
    }
    return known
  }
  const exact = (record: AmountRecord) => toBigNumber((record.raw_amount ?? record.amount) as never)
  const total = (records: AmountRecord[] | null | undefined) => (records ?? []).reduce((acc, r) => acc.plus(exact(r)), toBigNumber(0))
  return payments.map((payment) => ({
    amount: exact(payment),
    captured: total(payment.captures),
    refunded: total(payment.refunds),
    canceled: !!payment.canceled_at,
    reservesFunds: reservesFunds(payment.provider_id),
  }))
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
