/**
 * What the plugin's admin routes read and do, over a Medusa container: the order's payments
 * of the collection as the widget shows them (`AdminOrderPaymentsView`), a receipt recorded
 * against an offline payment, an order found by its bank-transfer reference, and the
 * collection's providers with their own names.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { capturePaymentWorkflow } from "@medusajs/medusa/core-flows"
import { paymentProviderOf } from "../lib/payments/hosted/sessions"
import { formatAmount, isoExponent, recordedAmount, sumOfRecordedAmounts, toBigNumber } from "../lib/payments/money"
import { describesPayments, inspectsPayments, type PaymentDescription } from "../lib/payments/outcomes/types"
import { buildPaymentView, type AdminOrderPaymentsView, type AdminPaymentView, type PaymentRecordForView } from "../lib/payments/outcomes/view"
import { gatewayLabel } from "./labels"
import { OUTCOME_PAYMENT_FIELDS, paymentEvents } from "./outcomes"

type Container = Pick<MedusaContainer, "resolve">
type Query = { graph(config: Record<string, unknown>): Promise<{ data: any[] }> }

/** A payment as the admin view reads it: what the outcomes read, and its session's id. */
const PAYMENT_FIELDS = [...OUTCOME_PAYMENT_FIELDS, "payment_session.id"]

function providerOf(container: Container, providerId: string): unknown {
  try {
    return paymentProviderOf(container, providerId)
  } catch {
    return undefined
  }
}

function describe(container: Container, payment: PaymentRecordForView): { description?: PaymentDescription; can_check: boolean } {
  const provider = providerOf(container, payment.provider_id)
  if (!describesPayments(provider)) return { can_check: false }
  let description: PaymentDescription | undefined
  try {
    description = provider.describePayment((payment.data ?? {}) as Record<string, unknown>)
  } catch {
    description = { label: gatewayLabel(provider, payment.provider_id), gateway: gatewayLabel(provider, payment.provider_id).toLowerCase() }
  }
  return { description, can_check: inspectsPayments(provider) }
}

async function viewsOf(container: Container, payments: PaymentRecordForView[]): Promise<AdminPaymentView[]> {
  const ours = payments.map((payment) => ({ payment, ...describe(container, payment) })).filter((entry) => entry.description)
  if (!ours.length) return []
  const sessionIds = ours.map((entry) => entry.payment.payment_session?.id).filter((id): id is string => !!id)
  const paymentIds = ours.map((entry) => entry.payment.id)
  const module = paymentEvents(container)
  const [bySession, byPayment, disputes, states] = await Promise.all([
    sessionIds.length ? module.listPaymentGatewayEvents({ session_id: sessionIds }, { take: 500, order: { created_at: "ASC" } }) : [],
    module.listPaymentGatewayEvents({ payment_id: paymentIds }, { take: 500, order: { created_at: "ASC" } }),
    module.listPaymentDisputes({ payment_id: paymentIds }, { take: 100 }),
    sessionIds.length ? module.listPaymentGatewayStates({ session_id: sessionIds }, { take: sessionIds.length }) : [],
  ])
  const events = new Map<string, any>()
  for (const event of [...bySession, ...byPayment]) events.set(event.id, event)
  const now = Date.now()
  return ours.map(({ payment, description, can_check }) => {
    const sessionId = payment.payment_session?.id
    return buildPaymentView({
      payment,
      description,
      can_check,
      events: [...events.values()].filter((event) => event.payment_id === payment.id || (sessionId && event.session_id === sessionId)),
      disputes: disputes.filter((dispute: any) => dispute.payment_id === payment.id) as never,
      state: (states as any[]).find((state) => state.session_id === sessionId) ?? null,
      now,
    })
  })
}

export async function orderPaymentsView(container: Container, orderId: string): Promise<AdminOrderPaymentsView> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as Query
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", ...PAYMENT_FIELDS.map((field) => `payment_collections.payments.${field}`)],
    filters: { id: orderId },
  })
  const order = data[0]
  if (!order) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Order with id: ${orderId} was not found`)
  const payments: PaymentRecordForView[] = (order.payment_collections ?? []).flatMap((collection: any) => collection?.payments ?? [])
  return { order_id: order.id, payments: await viewsOf(container, payments) }
}

export async function paymentView(container: Container, paymentId: string): Promise<{ view: AdminPaymentView; session_id?: string }> {
  const payment = await paymentRecord(container, paymentId)
  const [view] = await viewsOf(container, [payment])
  if (!view) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Payment ${paymentId} is not of a provider of ${"the payments collection"}`)
  return { view, session_id: payment.payment_session?.id }
}

async function paymentRecord(container: Container, paymentId: string): Promise<PaymentRecordForView & { payment_collection_id?: string }> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as Query
  const { data } = await query.graph({ entity: "payment", fields: PAYMENT_FIELDS, filters: { id: paymentId } })
  if (!data[0]) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Payment with id: ${paymentId} was not found`)
  return data[0]
}

/**
 * Record an amount received for an offline payment (a partial capture): what Medusa's
 * "Capture payment" dialog cannot do, since it always sends the whole amount.
 */
export async function recordReceipt(container: Container, paymentId: string, amountText: unknown, actorId?: string): Promise<AdminPaymentView> {
  const payment = await paymentRecord(container, paymentId)
  const { description } = describe(container, payment)
  if (!description) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "This payment is not of a provider of the payments collection")
  if (description.gateway !== "offline") {
    throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `Receipts are recorded for offline payments; capture a ${description.label} payment with Medusa's capture`)
  }
  if (payment.canceled_at) throw new MedusaError(MedusaError.Types.NOT_ALLOWED, "The payment is canceled")
  const text = typeof amountText === "number" ? String(amountText) : typeof amountText === "string" ? amountText.trim() : ""
  if (!/^\d+(\.\d+)?$/.test(text)) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, "The amount received must be a positive decimal number, such as 8.00")
  }
  const amount = toBigNumber(text)
  const exponent = isoExponent(payment.currency_code)
  if (amount.decimalPlaces()! > exponent) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `${payment.currency_code.toUpperCase()} amounts have ${exponent} decimal places at most`)
  }
  if (amount.lte(0)) throw new MedusaError(MedusaError.Types.INVALID_DATA, "The amount received must be more than zero")
  const captured = sumOfRecordedAmounts(payment.captures)
  const remaining = recordedAmount(payment).minus(captured)
  if (amount.gt(remaining)) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `${formatAmount(amount, payment.currency_code)} is more than the ${formatAmount(remaining, payment.currency_code)} still to be received`
    )
  }
  await capturePaymentWorkflow(container as MedusaContainer).run({
    input: { payment_id: payment.id, amount: amount.toFixed(), captured_by: actorId },
  })
  return (await paymentView(container, payment.id)).view
}

/** Orders whose bank-transfer payment carries `reference` (an RF creditor reference; spaces and case ignored). */
export async function ordersByReference(container: Container, reference: string): Promise<Array<{ id: string; display_id: number | null; payment_id: string; reference: string }>> {
  const wanted = reference.replace(/\s+/g, "").toUpperCase()
  if (!/^[A-Z0-9]{4,35}$/.test(wanted)) return []
  // The reference lives in the payment's data (`instructions.reference`), which Medusa's
  // query cannot filter on: read it from the Payment Module's table directly.
  const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION) as unknown as {
    raw(sql: string, bindings: unknown[]): Promise<{ rows: Array<{ id: string; payment_collection_id: string; reference: string }> }>
  }
  const { rows } = await pg.raw(
    `select id, payment_collection_id, data->'instructions'->>'reference' as reference from payment
      where provider_id like 'pp\\_bank-transfer\\_%' and deleted_at is null
        and upper(replace(data->'instructions'->>'reference', ' ', '')) = ?
      limit 20`,
    [wanted]
  )
  if (!rows.length) return []
  const query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as Query
  const { data: links } = await query.graph({
    entity: "order_payment_collection",
    fields: ["order_id", "payment_collection_id", "order.display_id"],
    filters: { payment_collection_id: rows.map((row) => row.payment_collection_id) },
  })
  return rows.flatMap((row) =>
    links
      .filter((link) => link.payment_collection_id === row.payment_collection_id)
      .map((link) => ({ id: link.order_id, display_id: link.order?.display_id ?? null, payment_id: row.id, reference: row.reference }))
  )
}

/** The registered providers of the collection, with the names a merchant recognises. */
export async function collectionProviders(container: Container): Promise<Array<{ id: string; label: string; gateway: string; is_enabled: boolean }>> {
  const payment = container.resolve(Modules.PAYMENT) as unknown as { listPaymentProviders(filters?: object): Promise<Array<{ id: string; is_enabled?: boolean }>> }
  const providers = await payment.listPaymentProviders({})
  return providers.flatMap((entry) => {
    const provider = providerOf(container, entry.id)
    if (!describesPayments(provider)) return []
    let description: PaymentDescription
    try {
      description = provider.describePayment({})
    } catch {
      description = { label: gatewayLabel(provider, entry.id), gateway: "" }
    }
    return [{ id: entry.id, label: description.label, gateway: description.gateway, is_enabled: entry.is_enabled !== false }]
  })
}
