/**
 * Plain-object stand-ins for what the hosted-payment pipeline is handed: Medusa's records
 * (a `SessionReader` over in-memory maps), its payment workflow (a runner that records its
 * calls and does what `processPaymentWorkflow` does to those records), a hosted gateway's
 * provider and a logger. Nothing of Medusa is mocked; the pipeline simply gets these instead.
 */
import BigNumberJS from "bignumber.js"
import type { GetPaymentStatusOutput } from "@medusajs/framework/types"
import type { HostedLogger, HostedPaymentProvider, NotificationVerdict } from "../hosted/contract"
import type { HostedPaymentDependencies, PaymentWorkflowInput } from "../hosted/settle"
import type { CartRecord, OrderPaymentsRecord, PaymentRecord, SessionReader, SessionRecord } from "../hosted/sessions"
import { StatusCheckThrottle } from "../hosted/throttle"

export const PROVIDER_ID = "pp_hosted_test"

/** A payment session as Medusa stores it: `raw_amount` holds the exact decimal. */
export function sessionRecord(over: Partial<SessionRecord> & { id: string }): SessionRecord {
  return {
    provider_id: PROVIDER_ID,
    status: "pending",
    amount: 19.99,
    raw_amount: { value: "19.99", precision: 20 },
    currency_code: "eur",
    data: { reference: `REF-${over.id}` },
    authorized_at: null,
    payment_collection_id: "pay_col_1",
    created_at: "2025-01-01T10:00:00.000Z",
    payment: null,
    ...over,
  }
}

/** Medusa's records for one cart, and what the payment workflow would do to them. */
export class FakeMedusa implements SessionReader {
  readonly sessions = new Map<string, SessionRecord>()
  readonly carts = new Map<string, CartRecord>()
  /** payment collection id -> cart id */
  readonly cartsOfCollections = new Map<string, string>()
  /** cart id -> order id */
  readonly ordersOfCarts = new Map<string, string>()
  readonly orders = new Map<string, OrderPaymentsRecord>()
  /** payment collection id -> payments recorded before an order */
  readonly payments = new Map<string, PaymentRecord[]>()
  readonly workflowCalls: PaymentWorkflowInput[] = []
  /** How the next workflow runs go: `settles` (payment and order), `throws`, or `swallows` (runs, but completes nothing). */
  workflow: "settles" | "throws" | "swallows" = "settles"
  private orderCount = 0

  constructor(cartId = "cart_1", collectionId = "pay_col_1") {
    this.carts.set(cartId, { id: cartId, completed_at: null, payment_collection: { id: collectionId } })
    this.cartsOfCollections.set(collectionId, cartId)
  }

  addSession(over: Partial<SessionRecord> & { id: string }): SessionRecord {
    const session = sessionRecord(over)
    this.sessions.set(session.id, session)
    return session
  }

  // ---- SessionReader --------------------------------------------------------------------------

  async session(id: string) {
    const session = this.sessions.get(id)
    return session ? structuredClone(session) : undefined
  }
  async sessionsOfCollection(collectionId: string) {
    return [...this.sessions.values()].filter((s) => s.payment_collection_id === collectionId).map((s) => structuredClone(s))
  }
  async cart(id: string) {
    return this.carts.get(id)
  }
  async cartOfCollection(collectionId: string) {
    return this.cartsOfCollections.get(collectionId)
  }
  async orderOfCart(cartId: string) {
    return this.ordersOfCarts.get(cartId)
  }
  async orderPayments(orderId: string) {
    return this.orders.get(orderId)
  }
  async collectionPayments(collectionId: string) {
    return this.payments.get(collectionId) ?? []
  }

  // ---- processPaymentWorkflow ---------------------------------------------------------------

  /** Authorizes the session, records its payment (captured for `captured`) and completes the cart into an order. */
  readonly runPaymentWorkflow = async (input: PaymentWorkflowInput): Promise<void> => {
    this.workflowCalls.push(structuredClone(input))
    if (this.workflow === "throws") throw new Error("Could not authorize payment session")
    if (this.workflow === "swallows") return
    const session = this.sessions.get(input.data.session_id)
    if (!session) throw new Error(`Payment session ${input.data.session_id} not found`)
    const now = new Date("2025-01-01T10:05:00.000Z")
    session.status = input.action
    session.authorized_at = now
    session.payment = { id: `pay_${session.id}`, captured_at: input.action === "captured" ? now : null }
    const cartId = this.cartsOfCollections.get(session.payment_collection_id)
    if (!cartId) return
    const orderId = `order_${++this.orderCount}`
    this.ordersOfCarts.set(cartId, orderId)
    const amount = { value: input.data.amount, precision: 20 }
    this.orders.set(orderId, {
      id: orderId,
      status: "pending",
      canceled_at: null,
      currency_code: session.currency_code,
      payments: [
        {
          id: session.payment.id,
          provider_id: session.provider_id,
          amount: Number(input.data.amount),
          raw_amount: amount,
          currency_code: session.currency_code,
          canceled_at: null,
          captures: input.action === "captured" ? [{ amount: Number(input.data.amount), raw_amount: amount }] : [],
          refunds: [],
        },
      ],
    })
  }
}

/** A hosted gateway's provider: says `verdict` of any notification, answers `status` to a status query. */
export class FakeHostedProvider implements HostedPaymentProvider {
  verdict: NotificationVerdict = { kind: "rejected", reason: "no verdict set" }
  status: GetPaymentStatusOutput | Error = { status: "pending" }
  readonly statusQueries: Array<Record<string, unknown> | undefined> = []

  verifyNotification(): NotificationVerdict {
    return this.verdict
  }
  referenceOf(data: Record<string, unknown> | undefined | null): string | undefined {
    return typeof data?.reference === "string" ? data.reference : undefined
  }
  async getPaymentStatus(input: { data?: Record<string, unknown> }): Promise<GetPaymentStatusOutput> {
    this.statusQueries.push(input.data)
    if (this.status instanceof Error) throw this.status
    return this.status
  }
}

export class FakeLogger implements HostedLogger {
  readonly lines: string[] = []
  info(message: string) {
    this.lines.push(`info: ${message}`)
  }
  warn(message: string) {
    this.lines.push(`warn: ${message}`)
  }
  error(message: string) {
    this.lines.push(`error: ${message}`)
  }
}

/** A paid verdict for `session`, for its exact amount unless told otherwise. */
export function paidVerdict(session: SessionRecord, over: Partial<Extract<NotificationVerdict, { kind: "paid" }>> = {}): NotificationVerdict {
  return {
    kind: "paid",
    action: "captured",
    session_id: session.id,
    reference: String(session.data?.reference),
    amount: new BigNumberJS("19.99"),
    currency_code: "EUR",
    ...over,
  }
}

/** Everything the pipeline is handed, over one fake Medusa, provider, logger, throttle and clock. */
export function hostedWorld() {
  const medusa = new FakeMedusa()
  const provider = new FakeHostedProvider()
  const logger = new FakeLogger()
  const clock = { nowMs: Date.parse("2025-01-01T10:10:00.000Z") }
  const registered = new Map<string, unknown>([[PROVIDER_ID, provider]])
  const deps: HostedPaymentDependencies = {
    sessions: medusa,
    providers: (providerId) => registered.get(providerId),
    runPaymentWorkflow: medusa.runPaymentWorkflow,
    logger,
    throttle: new StatusCheckThrottle(),
    now: () => clock.nowMs,
  }
  return { medusa, provider, logger, clock, registered, deps }
}
