/**
 * The status check behind the return page (`GET /store/carts/:id/payment-status`): what a
 * cart's payment really is. While a session is pending it asks the provider
 * (`getPaymentStatus`, the gateway's order query, throttled) and lets Medusa's webhook
 * processing (the injected `runPaymentWorkflow`) act on a settled answer; once Medusa
 * records a payment it answers from the payment, its captures and refunds, without asking.
 *
 * The shopper's browser return never marks anything paid: only a verified notification,
 * or the gateway's own answer to a status query, does.
 */
import type { GetPaymentStatusInput, GetPaymentStatusOutput } from "@medusajs/framework/types"
import { OrderStatus, PaymentSessionStatus } from "@medusajs/framework/utils"
import type BigNumberJS from "bignumber.js"
import { isoExponent, recordedAmount, sumOfRecordedAmounts, toBigNumber } from "../money"
import { redactText } from "../redact"
import { type HostedPaymentDependencies, type Log, messageOf, settle, settledAction } from "./settle"
import { isSettled, type PaymentRecord, type ProviderLookup, type SessionRecord } from "./sessions"
import { DEFAULT_MIN_INTERVAL_MS, sharedStatusThrottle } from "./throttle"

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
}

export class CartNotFoundError extends Error {}

interface StatusSource {
  getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput>
}

/**
 * The payment status of a cart: from the session before Medusa records a payment, settling it
 * from the gateway when the notification is late; from the order's payments (captures,
 * refunds, cancellation) after. Whoever holds a cart id can already complete that cart; this
 * adds no power: it only completes a cart whose payment the gateway itself reports settled,
 * and it asks the gateway at most once per `minIntervalMs` per session.
 *
 * @throws CartNotFoundError for an unknown cart, or a session of another cart
 */
export async function refreshPaymentStatus(
  deps: HostedPaymentDependencies,
  cartId: string,
  sessionId: string | undefined,
  options: RefreshOptions = {}
): Promise<PaymentStatusView> {
  const { sessions: reader } = deps
  const minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS
  const cart = await reader.cart(cartId)
  if (!cart) throw new CartNotFoundError(`Cart ${cartId} was not found`)
  const collectionId: string | undefined = cart.payment_collection?.id
  const sessions: SessionRecord[] = collectionId ? await reader.sessionsOfCollection(collectionId) : []
  let session: SessionRecord | undefined
  if (sessionId) {
    session = sessions.find((s) => s.id === sessionId)
    if (!session) throw new CartNotFoundError(`Payment session ${sessionId} does not belong to cart ${cartId}`)
  } else {
    session = [...sessions].sort((a, b) => new Date(String(b.created_at)).getTime() - new Date(String(a.created_at)).getTime())[0]
  }

  const view = async (checked: boolean, extra: Partial<PaymentStatusView> = {}): Promise<PaymentStatusView> => {
    const orderId = (await reader.orderOfCart(cartId)) ?? null
    const current = session ? (await reader.session(session.id)) ?? session : undefined
    const recorded = await recordedPayments(deps, orderId, collectionId)
    // Once there is an order or a payment, Medusa's records say what the money is; before,
    // the session (and the gateway's answer, when it was just asked) does.
    const summary =
      orderId || recorded.payments.length
        ? recordedPaymentStatus(paymentFactsOf(deps.providers, recorded.payments), recorded.orderCanceled)
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

  if (!session || (await reader.orderOfCart(cartId)) || isSettled(session)) {
    return view(false)
  }
  if (session.status !== PaymentSessionStatus.PENDING && session.status !== PaymentSessionStatus.REQUIRES_MORE) {
    return view(false)
  }
  const throttle = deps.throttle ?? sharedStatusThrottle
  const wait = await throttle.wait(session.id, (deps.now ?? Date.now)(), minIntervalMs)
  if (wait > 0) {
    return view(false, { next_check_after_seconds: wait })
  }
  const provider = deps.providers(session.provider_id) as StatusSource | undefined
  if (!provider || typeof provider.getPaymentStatus !== "function") {
    return view(false)
  }
  let answer: GetPaymentStatusOutput
  try {
    answer = await provider.getPaymentStatus({ data: session.data ?? {} })
  } catch (error) {
    deps.logger.warn(redactText(`Payment status of session ${session.id} could not be checked: ${messageOf(error)}`))
    return view(true, { provider_status: "unavailable", next_check_after_seconds: Math.ceil(minIntervalMs / 1000) })
  }
  const action = settledAction(answer.status)
  if (!action) {
    return view(true, { provider_status: answer.status, next_check_after_seconds: Math.ceil(minIntervalMs / 1000) })
  }
  const log: Log = (level, message) => deps.logger[level](redactText(`Payment status: ${message}`))
  const outcome = await settle(deps, session, action, log, "status query")
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

interface RecordedPayments {
  payments: PaymentRecord[]
  currency_code?: string
  orderCanceled: boolean
}

/**
 * The order's payments (every payment collection of the order), or, before an order, the
 * payments of the cart's collection (a payment recorded whose cart completion has not run).
 */
async function recordedPayments(
  deps: Pick<HostedPaymentDependencies, "sessions">,
  orderId: string | null,
  collectionId: string | undefined
): Promise<RecordedPayments> {
  if (orderId) {
    const order = await deps.sessions.orderPayments(orderId)
    return {
      payments: order?.payments ?? [],
      currency_code: order?.currency_code,
      orderCanceled: order?.status === OrderStatus.CANCELED || !!order?.canceled_at,
    }
  }
  if (!collectionId) return { payments: [], orderCanceled: false }
  return { payments: await deps.sessions.collectionPayments(collectionId), orderCanceled: false }
}

function paymentFactsOf(providers: ProviderLookup, payments: readonly PaymentRecord[]): PaymentFacts[] {
  const reserves = new Map<string, boolean>()
  const reservesFunds = (providerId: string): boolean => {
    let known = reserves.get(providerId)
    if (known === undefined) {
      known = authorizationReservesFunds(providers(providerId))
      reserves.set(providerId, known)
    }
    return known
  }
  return payments.map((payment) => ({
    amount: recordedAmount(payment),
    captured: sumOfRecordedAmounts(payment.captures),
    refunded: sumOfRecordedAmounts(payment.refunds),
    canceled: !!payment.canceled_at,
    reservesFunds: reservesFunds(payment.provider_id),
  }))
}
