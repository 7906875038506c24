/**
 * What the hosted-payment pipeline and the status check read from Medusa: payment sessions,
 * the cart and order around them, the payments Medusa recorded, and the registered
 * providers. The pipeline takes them as a `SessionReader` and a `ProviderLookup`, so it runs
 * against plain objects in unit tests; `querySessionReader` and `paymentProviders` are the
 * implementations over a Medusa container that the routes hand in.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"

// ---- Records ----------------------------------------------------------------------------------

/** A Medusa payment session, as the pipeline reads it. */
export interface SessionRecord {
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

export interface CartRecord {
  id: string
  completed_at?: string | Date | null
  payment_collection?: { id: string } | null
}

export interface AmountRecord {
  amount: unknown
  raw_amount?: unknown
}

/** A Medusa payment as read for the status: no `data`, which is the provider's. */
export interface PaymentRecord extends AmountRecord {
  id: string
  provider_id: string
  currency_code: string
  canceled_at: string | Date | null
  captures?: AmountRecord[] | null
  refunds?: AmountRecord[] | null
}

/** An order with the payments of all its payment collections. */
export interface OrderPaymentsRecord {
  id: string
  status?: string
  canceled_at?: string | Date | null
  currency_code?: string
  payments: PaymentRecord[]
}

// ---- The reader -------------------------------------------------------------------------------

/** Reads; never writes (writing is the payment workflow's). */
export interface SessionReader {
  session(id: string): Promise<SessionRecord | undefined>
  sessionsOfCollection(paymentCollectionId: string): Promise<SessionRecord[]>
  cart(id: string): Promise<CartRecord | undefined>
  /** The cart a payment collection belongs to. */
  cartOfCollection(paymentCollectionId: string): Promise<string | undefined>
  /** The order a cart was completed into. */
  orderOfCart(cartId: string): Promise<string | undefined>
  orderPayments(orderId: string): Promise<OrderPaymentsRecord | undefined>
  /** The payments of one payment collection (recorded before its cart became an order). */
  collectionPayments(paymentCollectionId: string): Promise<PaymentRecord[]>
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

type Query = { graph(config: Record<string, unknown>): Promise<{ data: any[] }> }

/**
 * A `SessionReader` over Medusa's query (`query.graph`), resolved from `container` at each
 * read, as a route's request scope provides it.
 */
export function querySessionReader(container: Pick<MedusaContainer, "resolve">): SessionReader {
  const graph = (config: Record<string, unknown>) =>
    (container.resolve(ContainerRegistrationKeys.QUERY) as unknown as Query).graph(config)
  return {
    async session(id) {
      const { data } = await graph({ entity: "payment_session", fields: SESSION_FIELDS, filters: { id } })
      return data[0]
    },
    async sessionsOfCollection(paymentCollectionId) {
      const { data } = await graph({ entity: "payment_session", fields: SESSION_FIELDS, filters: { payment_collection_id: paymentCollectionId } })
      return data
    },
    async cart(id) {
      const { data } = await graph({ entity: "cart", fields: ["id", "completed_at", "payment_collection.id"], filters: { id } })
      return data[0]
    },
    async cartOfCollection(paymentCollectionId) {
      const { data } = await graph({
        entity: "cart_payment_collection",
        fields: ["cart_id"],
        filters: { payment_collection_id: paymentCollectionId },
      })
      return data[0]?.cart_id
    },
    async orderOfCart(cartId) {
      const { data } = await graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
      return data[0]?.order_id
    },
    async orderPayments(orderId) {
      const { data } = await graph({
        entity: "order",
        fields: ["id", "status", "canceled_at", "currency_code", ...PAYMENT_FIELDS.map((field) => `payment_collections.payments.${field}`)],
        filters: { id: orderId },
      })
      const order = data[0]
      if (!order) return undefined
      const collections: Array<{ payments?: PaymentRecord[] | null } | null> = order.payment_collections ?? []
      return {
        id: order.id,
        status: order.status,
        canceled_at: order.canceled_at,
        currency_code: order.currency_code,
        payments: collections.flatMap((collection) => collection?.payments ?? []),
      }
    },
    async collectionPayments(paymentCollectionId) {
      const { data } = await graph({
        entity: "payment_collection",
        fields: PAYMENT_FIELDS.map((field) => `payments.${field}`),
        filters: { id: paymentCollectionId },
      })
      return data[0]?.payments ?? []
    },
  }
}

const SETTLED = new Set<string>([PaymentSessionStatus.AUTHORIZED, PaymentSessionStatus.CAPTURED])

/** Medusa recorded a payment for the session, or authorized it. */
export function isSettled(session: SessionRecord): boolean {
  return !!session.payment?.id || (SETTLED.has(session.status) && !!session.authorized_at)
}

// ---- Providers --------------------------------------------------------------------------------

/**
 * The provider instance registered as `providerId` (`pp_<identifier>_<id>`), `undefined` for
 * none. Throws when the providers cannot be reached at all.
 */
export type ProviderLookup = (providerId: string) => unknown

/**
 * The provider registered in the Payment Module as `providerId` (`pp_<identifier>_<id>`).
 *
 * Medusa 2.21's Payment Module has no public method that calls a provider's
 * `getPaymentStatus` ("core never calls it"), so this reads the provider from the module's
 * own container, exactly as the module's `PaymentProviderService.retrieveProvider` does.
 * Checked by the HTTP tests; re-check on a Medusa upgrade.
 */
export function paymentProviderOf(container: Pick<MedusaContainer, "resolve">, providerId: string): unknown {
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

/** A `ProviderLookup` over the Payment Module of `container`. */
export function paymentProviders(container: Pick<MedusaContainer, "resolve">): ProviderLookup {
  return (providerId) => paymentProviderOf(container, providerId)
}
