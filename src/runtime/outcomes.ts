/**
 * The plugin's glue to Medusa for the gateway-outcome pipeline: builds the ports that
 * `lib/payments/outcomes` takes (`OutcomeDependencies`) from a Medusa container: the query,
 * the Payment, Order, Locking and Event modules, the plugin's payment-events module, and
 * Medusa's payment workflows. Used by the webhook route, the subscriber, the reconciliation
 * job and the admin routes; never by a provider (it loads Medusa's workflow layer).
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { capturePaymentWorkflow, processPaymentWorkflow, refundPaymentWorkflow } from "@medusajs/medusa/core-flows"
import { forgetExternalRefund, noteExternalRefund } from "../lib/payments/external-refunds"
import { paymentProviderOf, querySessionReader } from "../lib/payments/hosted/sessions"
import { chargesRoundedAmounts } from "../lib/payments/outcomes/types"
import type {
  DisputeLedger,
  DisputeRecord,
  EventLedger,
  EventRecord,
  OutcomeActions,
  OutcomeDependencies,
  PaymentOfSession,
} from "../lib/payments/outcomes/process"
import { PAYMENT_EVENTS_MODULE } from "../modules/payment-events"
import type PaymentEventsModuleService from "../modules/payment-events/service"

type Container = Pick<MedusaContainer, "resolve">
type Query = { graph(config: Record<string, unknown>): Promise<{ data: any[] }> }

/** The plugin's payment-events module of `container`. */
export function paymentEvents(container: Container): PaymentEventsModuleService {
  return container.resolve(PAYMENT_EVENTS_MODULE) as PaymentEventsModuleService
}

/**
 * How long a process waits for another one holding a payment session's lock, in seconds
 * (`PAYMENTS_LOCK_TIMEOUT_SECONDS`, default 30). A delivery that cannot get the lock in time
 * is answered 500 and delivered again by the gateway.
 */
function lockTimeoutSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const configured = Number(env.PAYMENTS_LOCK_TIMEOUT_SECONDS)
  return Number.isFinite(configured) && configured > 0 ? configured : 30
}

function isUniqueViolation(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error)
  return /unique|duplicate key|already exists/i.test(text)
}

export function eventLedger(container: Container): EventLedger {
  const events = () => paymentEvents(container)
  return {
    async find(providerId, eventId) {
      const [found] = await events().listPaymentGatewayEvents({ provider_id: providerId, event_id: eventId }, { take: 1 })
      return found as unknown as EventRecord | undefined
    },
    async create(record) {
      try {
        const created = await events().createPaymentGatewayEvents(record as never)
        return { record: created as unknown as EventRecord, created: true }
      } catch (error) {
        if (!isUniqueViolation(error)) throw error
        const [found] = await events().listPaymentGatewayEvents({ provider_id: record.provider_id, event_id: record.event_id }, { take: 1 })
        if (!found) throw error
        return { record: found as unknown as EventRecord, created: false }
      }
    },
    async update(id, patch) {
      await events().updatePaymentGatewayEvents({ id, ...patch } as never)
    },
  }
}

export function disputeLedger(container: Container): DisputeLedger {
  const events = () => paymentEvents(container)
  return {
    async find(providerId, disputeId) {
      const [found] = await events().listPaymentDisputes({ provider_id: providerId, dispute_id: disputeId }, { take: 1 })
      return found as unknown as DisputeRecord | undefined
    },
    async create(record) {
      return (await events().createPaymentDisputes(record as never)) as unknown as DisputeRecord
    },
    async update(id, patch) {
      return (await events().updatePaymentDisputes({ id, ...patch } as never)) as unknown as DisputeRecord
    },
  }
}

/** A payment as the outcomes read it (`PaymentOfSession`), with Medusa's query. */
export const OUTCOME_PAYMENT_FIELDS = [
  "id",
  "provider_id",
  "amount",
  "raw_amount",
  "currency_code",
  "data",
  "canceled_at",
  "captured_at",
  "payment_collection_id",
  "payment_session_id",
  "captures.amount",
  "captures.raw_amount",
  "refunds.id",
  "refunds.amount",
  "refunds.raw_amount",
  "refunds.note",
]

/** The order a payment collection belongs to, if its cart became one. */
export async function orderOfCollection(container: Container, paymentCollectionId: string): Promise<string | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as Query
  const { data } = await query.graph({
    entity: "order_payment_collection",
    fields: ["order_id"],
    filters: { payment_collection_id: paymentCollectionId },
  })
  return data[0]?.order_id
}

/** The Medusa payment of a payment session, with its captures, refunds and order. */
export async function paymentOfSession(container: Container, sessionId: string): Promise<PaymentOfSession | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as Query
  const { data } = await query.graph({ entity: "payment", fields: OUTCOME_PAYMENT_FIELDS, filters: { payment_session_id: sessionId } })
  const payment = data[0]
  if (!payment) return undefined
  return {
    id: payment.id,
    provider_id: payment.provider_id,
    amount: payment.amount,
    raw_amount: payment.raw_amount,
    currency_code: payment.currency_code,
    data: payment.data ?? null,
    canceled_at: payment.canceled_at ?? null,
    captures: payment.captures ?? [],
    refunds: payment.refunds ?? [],
    order_id: await orderOfCollection(container, payment.payment_collection_id),
  }
}

export function outcomeActions(container: Container): OutcomeActions {
  const payments = () => container.resolve(Modules.PAYMENT) as any
  return {
    paymentOfSession: (sessionId) => paymentOfSession(container, sessionId),
    async setSessionStatus(sessionId, status) {
      // The generated update: the status only, nothing sent to the provider (the gateway has
      // already acted). `updatePaymentSession` (singular) would call the provider's update.
      await payments().updatePaymentSessions({ id: sessionId, status })
    },
    async markPaymentCanceled(paymentId) {
      await payments().updatePayment({ id: paymentId, canceled_at: new Date() })
    },
    async recordExternalRefund(payment, refund) {
      // Noted on the payment's data as it is now, not as it was read before: a capture or a
      // refund Medusa made meanwhile keeps what it wrote.
      const fresh = await payments().retrievePayment(payment.id, { select: ["id", "data"] })
      await payments().updatePayment({ id: payment.id, data: noteExternalRefund(fresh.data, refund) })
      try {
        if (payment.order_id) {
          // Medusa's own refund path: the refund, and the order's transaction, so its totals
          // match the gateway's. The provider takes the noted refund (the note names it)
          // instead of calling the gateway.
          await refundPaymentWorkflow(container as MedusaContainer).run({
            input: { payment_id: payment.id, amount: refund.amount, note: refund.note },
          })
        } else {
          await payments().refundPayment({ payment_id: payment.id, amount: refund.amount, note: refund.note })
        }
      } catch (error) {
        // Not recorded: the noted entry goes, so the next attempt notes it afresh.
        const current = await payments().retrievePayment(payment.id, { select: ["id", "data"] })
        await payments().updatePayment({ id: payment.id, data: forgetExternalRefund(current.data, refund.refund_id) })
        throw error
      }
    },
    async recordGatewayCapture(payment, amount) {
      // Medusa's own capture path (the order's transaction too); the provider finds the
      // gateway's capture already made and records it without capturing again.
      await capturePaymentWorkflow(container as MedusaContainer).run({ input: { payment_id: payment.id, amount } })
    },
    async noteDisputeOnOrder(orderId, dispute) {
      const orders = container.resolve(Modules.ORDER) as any
      const order = await orders.retrieveOrder(orderId, { select: ["id", "metadata"] })
      const metadata = { ...(order.metadata ?? {}) }
      const disputes = { ...((metadata.payment_disputes as Record<string, unknown> | undefined) ?? {}) }
      disputes[dispute.dispute_id] = {
        status: dispute.status,
        amount: dispute.amount,
        currency_code: dispute.currency_code,
        reason: dispute.reason,
        evidence_due_by: dispute.evidence_due_by ? new Date(dispute.evidence_due_by).toISOString() : null,
        provider_id: dispute.provider_id,
      }
      await orders.updateOrders(orderId, { metadata: { ...metadata, payment_disputes: disputes } })
    },
    async emit(name, data) {
      const eventBus = container.resolve(Modules.EVENT_BUS) as any
      await eventBus.emit({ name, data })
    },
  }
}

/** The pipeline's dependencies over `container` (a request's scope, a subscriber's or a job's container). */
export function outcomeDependencies(container: Container): OutcomeDependencies {
  const locking = () => container.resolve(Modules.LOCKING) as any
  return {
    sessions: querySessionReader(container),
    runPaymentWorkflow: (input) => processPaymentWorkflow(container as MedusaContainer).run({ input }),
    events: eventLedger(container),
    disputes: disputeLedger(container),
    actions: outcomeActions(container),
    lock: (key, job) => locking().execute(key, job, { timeout: lockTimeoutSeconds() }),
    logger: container.resolve(ContainerRegistrationKeys.LOGGER),
    chargedAmount: (providerId, amount, currency) => {
      const provider = paymentProviderOf(container, providerId)
      return chargesRoundedAmounts(provider) ? provider.chargedAmount(amount, currency) : undefined
    },
  }
}
