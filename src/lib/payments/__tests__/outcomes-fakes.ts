/**
 * In-memory stand-ins for what the outcome pipeline is handed (its own ports: the event and
 * dispute ledgers, the actions on Medusa's records, a lock), over `FakeMedusa`. Medusa
 * itself is exercised by the HTTP tests; here the pipeline's decisions are.
 */
import { takeExternalRefund, noteExternalRefund } from "../external-refunds"
import type {
  DisputeLedger,
  DisputeRecord,
  EventLedger,
  EventRecord,
  OutcomeActions,
  OutcomeDependencies,
  PaymentOfSession,
} from "../outcomes/process"
import { FakeLogger, FakeMedusa, PROVIDER_ID } from "./hosted-fakes"

export class MemoryEvents implements EventLedger {
  readonly rows: EventRecord[] = []
  private count = 0
  async find(providerId: string, eventId: string) {
    const row = this.rows.find((r) => r.provider_id === providerId && r.event_id === eventId)
    return row ? { ...row } : undefined
  }
  async create(record: Parameters<EventLedger["create"]>[0]) {
    // Yield first, as a database round trip does, so concurrent callers interleave.
    await new Promise((resolve) => setImmediate(resolve))
    const existing = this.rows.find((r) => r.provider_id === record.provider_id && r.event_id === record.event_id)
    if (existing) return { record: { ...existing }, created: false }
    const row: EventRecord = { id: `pgev_${++this.count}`, deliveries: 1, attempts: 0, processed_at: null, detail: null, ...record }
    this.rows.push(row)
    return { record: { ...row }, created: true }
  }
  async update(id: string, patch: Partial<EventRecord>) {
    const row = this.rows.find((r) => r.id === id)
    if (!row) throw new Error(`no event ${id}`)
    Object.assign(row, patch)
  }
}

export class MemoryDisputes implements DisputeLedger {
  readonly rows: DisputeRecord[] = []
  async find(providerId: string, disputeId: string) {
    const row = this.rows.find((r) => r.provider_id === providerId && r.dispute_id === disputeId)
    return row ? { ...row } : undefined
  }
  async create(record: Omit<DisputeRecord, "id">) {
    const row = { id: `pdsp_${this.rows.length + 1}`, ...record }
    this.rows.push(row)
    return { ...row }
  }
  async update(id: string, patch: Partial<DisputeRecord>) {
    const row = this.rows.find((r) => r.id === id)!
    Object.assign(row, patch)
    return { ...row }
  }
}

/** Medusa's payments as the actions see them, and what the actions did to them. */
export class MemoryPayments implements OutcomeActions {
  readonly payments = new Map<string, PaymentOfSession>()
  readonly sessionStatuses: Array<[string, string]> = []
  readonly canceled: string[] = []
  readonly refundsRecorded: Array<{ payment_id: string; refund_id: string; amount: string; note: string }> = []
  readonly orderNotes: Array<[string, string]> = []
  readonly emitted: Array<{ name: string; data: Record<string, unknown> }> = []
  /** Make the next `recordExternalRefund` calls throw. */
  failRefunds = 0
  /** Make the next `emit` calls throw (the event bus down). */
  failEmits = 0

  constructor(private readonly medusa: FakeMedusa) {}

  addPayment(sessionId: string, over: Partial<PaymentOfSession> = {}): PaymentOfSession {
    const payment: PaymentOfSession = {
      id: `pay_${sessionId}`,
      provider_id: PROVIDER_ID,
      amount: 20,
      raw_amount: { value: "20", precision: 20 },
      currency_code: "eur",
      data: { id: "gw_1" },
      canceled_at: null,
      captures: [{ amount: 20, raw_amount: { value: "20", precision: 20 } }],
      refunds: [],
      order_id: "order_1",
      ...over,
    }
    this.payments.set(sessionId, payment)
    const session = this.medusa.sessions.get(sessionId)
    if (session) {
      session.payment = { id: payment.id, captured_at: null }
      session.status = "authorized"
      session.authorized_at = new Date("2025-01-01T10:00:00.000Z")
    }
    return payment
  }

  async paymentOfSession(sessionId: string) {
    const payment = this.payments.get(sessionId)
    return payment ? structuredClone(payment) : undefined
  }
  async setSessionStatus(sessionId: string, status: "error" | "canceled" | "pending" | "requires_more") {
    this.sessionStatuses.push([sessionId, status])
    const session = this.medusa.sessions.get(sessionId)
    if (session) session.status = status
  }
  async markPaymentCanceled(paymentId: string) {
    this.canceled.push(paymentId)
    for (const payment of this.payments.values()) if (payment.id === paymentId) payment.canceled_at = new Date()
  }
  async recordExternalRefund(payment: PaymentOfSession, refund: { refund_id: string; amount: string; currency_code: string; note: string }) {
    await new Promise((resolve) => setImmediate(resolve))
    if (this.failRefunds > 0) {
      this.failRefunds--
      throw new Error("database unavailable")
    }
    const stored = [...this.payments.values()].find((p) => p.id === payment.id)!
    // What the provider's refundPayment does with the noted refund, in Medusa's refund flow.
    const taken = takeExternalRefund(noteExternalRefund(stored.data, refund), refund.amount)!
    stored.data = taken.data
    stored.refunds.push({ id: `ref_${stored.refunds.length + 1}`, amount: Number(refund.amount), raw_amount: { value: refund.amount, precision: 20 } })
    this.refundsRecorded.push({ payment_id: payment.id, refund_id: refund.refund_id, amount: refund.amount, note: refund.note })
  }
  readonly capturesRecorded: Array<[string, string]> = []
  async recordGatewayCapture(payment: PaymentOfSession, amount: string) {
    const stored = [...this.payments.values()].find((p) => p.id === payment.id)!
    stored.captures.push({ amount: Number(amount), raw_amount: { value: amount, precision: 20 } })
    this.capturesRecorded.push([payment.id, amount])
  }
  async noteDisputeOnOrder(orderId: string, dispute: DisputeRecord) {
    this.orderNotes.push([orderId, `${dispute.dispute_id}:${dispute.status}`])
  }
  async emit(name: string, data: Record<string, unknown>) {
    if (this.failEmits > 0) {
      this.failEmits--
      throw new Error("event bus unavailable")
    }
    this.emitted.push({ name, data })
  }
}

/** A lock per key that queues jobs, as the Locking Module does across processes. */
export function memoryLock() {
  const tails = new Map<string, Promise<unknown>>()
  return async <T>(key: string, job: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve()
    const run = previous.then(job, job)
    tails.set(key, run.catch(() => undefined))
    return run
  }
}

export function outcomeWorld() {
  const medusa = new FakeMedusa()
  const events = new MemoryEvents()
  const disputes = new MemoryDisputes()
  const actions = new MemoryPayments(medusa)
  const logger = new FakeLogger()
  const deps: OutcomeDependencies = {
    sessions: medusa,
    runPaymentWorkflow: medusa.runPaymentWorkflow,
    events,
    disputes,
    actions,
    lock: memoryLock(),
    logger,
    now: () => new Date("2025-01-02T12:00:00.000Z"),
  }
  return { medusa, events, disputes, actions, logger, deps }
}
