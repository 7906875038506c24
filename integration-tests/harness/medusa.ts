/**
 * Helpers for HTTP tests through a real Medusa app (medusaIntegrationTestRunner): a
 * store with a region per provider set, a product, a publishable key and an admin, and
 * the storefront's checkout calls, all through Medusa's own workflows and routes.
 */
import path from "node:path"
import type { MedusaContainer, WebhookActionResult } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createUsersWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} from "@medusajs/core-flows"

/**
 * The repository's store (`store/`): a Medusa app that installs the collection as a
 * merchant's store does, through the built package (`npm test` builds and links it first).
 * Every HTTP test boots it (`medusaIntegrationTestRunner({ cwd: STORE_DIR })`).
 */
export const STORE_DIR = path.resolve(__dirname, "..", "..", "store")

/** The axios instance the runner hands a test suite. */
export interface Api {
  get<T = any>(url: string, config?: object): Promise<{ status: number; data: T }>
  post<T = any>(url: string, body?: unknown, config?: object): Promise<{ status: number; data: T }>
  delete<T = any>(url: string, config?: object): Promise<{ status: number; data: T }>
}

export interface TestStore {
  regionId: string
  salesChannelId: string
  publishableKey: string
  variantId: string
  currency: string
  store: { headers: Record<string, string> }
  admin: { headers: Record<string, string> }
}

export interface StoreSetup {
  currency: string
  countries: string[]
  providers: string[]
  /** Unit price of the one product, in major units. */
  price: number
}

const ADMIN_EMAIL = "admin@payments.test"
const ADMIN_PASSWORD = "correct horse battery staple"

export async function setUpStore(container: MedusaContainer, api: Api, setup: StoreSetup): Promise<TestStore> {
  const {
    result: [salesChannel],
  } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: "Webshop" }] },
  })
  const {
    result: [apiKey],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Storefront", type: "publishable", created_by: "" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({
    input: { id: apiKey.id, add: [salesChannel.id] },
  })
  const {
    result: [region],
  } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        {
          name: `Region ${setup.currency.toUpperCase()}`,
          currency_code: setup.currency,
          countries: setup.countries,
          payment_providers: setup.providers,
          automatic_taxes: false,
        },
      ],
    },
  })
  const {
    result: [product],
  } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: "Espresso cup",
          status: "published",
          options: [{ title: "Colour", values: ["White"] }],
          variants: [
            {
              title: "White",
              options: { Colour: "White" },
              manage_inventory: false,
              prices: [{ amount: setup.price, currency_code: setup.currency }],
            },
          ],
          sales_channels: [{ id: salesChannel.id }],
        },
      ],
    },
  })
  const token = await adminToken(container, api)
  return {
    regionId: region.id,
    salesChannelId: salesChannel.id,
    publishableKey: apiKey.token,
    variantId: product.variants[0].id,
    currency: setup.currency,
    store: { headers: { "x-publishable-api-key": apiKey.token } },
    admin: { headers: { authorization: `Bearer ${token}` } },
  }
}

/** An admin user with an emailpass identity, logged in through Medusa's auth route. */
export async function adminToken(container: MedusaContainer, api: Api): Promise<string> {
  const {
    result: [user],
  } = await createUsersWorkflow(container).run({
    input: { users: [{ email: ADMIN_EMAIL, first_name: "Ada", last_name: "Admin" }] },
  })
  const auth = container.resolve(Modules.AUTH)
  const registered = await auth.register("emailpass", {
    body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  } as never)
  if (!registered.success || !registered.authIdentity) {
    throw new Error(`could not register the admin identity: ${registered.error}`)
  }
  await auth.updateAuthIdentities({ id: registered.authIdentity.id, app_metadata: { user_id: user.id } })
  const { data } = await api.post<{ token: string }>("/auth/user/emailpass", {
    email: ADMIN_EMAIL,
    password: ADMIN_PASSWORD,
  })
  return data.token
}

/** A cart with one item, a payment collection and a session with `providerId`. */
export async function cartWithSession(
  api: Api,
  store: TestStore,
  providerId: string,
  options: { quantity?: number; sessionData?: Record<string, unknown>; email?: string; country?: string } = {}
): Promise<{ cartId: string; collectionId: string; session: { id: string; data: Record<string, unknown>; status: string; amount: number } }> {
  const { data: cartBody } = await api.post(
    "/store/carts",
    {
      region_id: store.regionId,
      sales_channel_id: store.salesChannelId,
      email: options.email ?? "shopper@example.com",
      items: [{ variant_id: store.variantId, quantity: options.quantity ?? 1 }],
      ...(options.country
        ? {
            shipping_address: { first_name: "Sam", last_name: "Shopper", address_1: "1 Main St", city: "Springfield", country_code: options.country, postal_code: "12345" },
          }
        : {}),
    },
    store.store
  )
  const cartId: string = cartBody.cart.id
  const { data: collectionBody } = await api.post("/store/payment-collections", { cart_id: cartId }, store.store)
  const collectionId: string = collectionBody.payment_collection.id
  const { data: sessionBody } = await api.post(
    `/store/payment-collections/${collectionId}/payment-sessions`,
    { provider_id: providerId, ...(options.sessionData ? { data: options.sessionData } : {}) },
    store.store
  )
  const sessions: Array<{ id: string; provider_id: string; data: Record<string, unknown>; status: string; amount: number }> =
    sessionBody.payment_collection.payment_sessions
  const session = sessions.find((s) => s.provider_id === providerId)
  if (!session) {
    throw new Error(`no ${providerId} session in ${JSON.stringify(sessions)}`)
  }
  return { cartId, collectionId, session }
}

/** The order placed from a cart, with its payments, captures and refunds. */
export async function orderOfCart(container: MedusaContainer, cartId: string): Promise<any | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order_cart",
    fields: ["order_id"],
    filters: { cart_id: cartId },
  })
  const orderId = data[0]?.order_id
  if (!orderId) return undefined
  const { data: orders } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "total",
      "currency_code",
      "payment_status",
      "payment_collections.status",
      "payment_collections.payments.id",
      "payment_collections.payments.amount",
      "payment_collections.payments.provider_id",
      "payment_collections.payments.captured_at",
      "payment_collections.payments.data",
      "payment_collections.payments.captures.amount",
      "payment_collections.payments.refunds.amount",
    ],
    filters: { id: orderId },
  })
  return orders[0]
}

/**
 * The order a webhook places for a cart, once it has its payment: the order and its
 * payment are written by the same workflow, so waiting for the order alone can be early.
 */
export async function orderPlacedFor(container: MedusaContainer, cartId: string, what: string): Promise<any> {
  return eventually(async () => {
    const placed = await orderOfCart(container, cartId)
    return placed?.payment_collections?.[0]?.payments?.length ? placed : undefined
  }, what)
}

/**
 * Watch what the Payment Module makes of each webhook delivery (Medusa's subscriber calls
 * `getWebhookActionAndData`), without changing it: `processed(n)` waits for the n-th
 * delivery and gives its result. Call `restore()` in a `finally`.
 */
export function watchWebhooks(container: MedusaContainer): {
  processed(n: number): Promise<WebhookActionResult>
  restore(): void
} {
  const spy = jest.spyOn(container.resolve(Modules.PAYMENT), "getWebhookActionAndData")
  return {
    async processed(n: number) {
      await eventually(async () => spy.mock.results.length >= n, `webhook delivery ${n} to be processed`)
      return spy.mock.results[n - 1].value as Promise<WebhookActionResult>
    },
    restore: () => spy.mockRestore(),
  }
}

/** Poll `probe` until it returns something truthy, or fail after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      const value = await probe()
      if (value) return value
    } catch (error) {
      last = error
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`)
}

/** The error body Medusa answered with, for assertions on refused requests. */
export async function refused(request: Promise<unknown>): Promise<{ status: number; message: string; type?: string }> {
  try {
    await request
  } catch (error) {
    const response = (error as { response?: { status: number; data: { message: string; type?: string } } }).response
    if (response) return { status: response.status, message: response.data?.message, type: response.data?.type }
    throw error
  }
  throw new Error("the request was expected to be refused but succeeded")
}

/** A webhook answer that is not a 2xx, as the gateway sees it: its status and JSON body. */
export async function refusedWebhook(request: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    const answer = (await request) as { status: number; data: unknown }
    return { status: answer.status, body: answer.data }
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response
    if (response) return { status: response.status, body: response.data }
    throw error
  }
}

/**
 * Report how long a webhook took from delivery to an order placed (the plugin's route answers
 * once it is), on the test's output: `[latency] Stripe webhook to order: 412 ms`.
 */
export function recordLatency(gateway: string, ms: number): void {
  process.stdout.write(`[latency] ${gateway} webhook to order: ${ms} ms\n`)
}

/** A storefront shopper with an account: the store's headers with the customer's bearer token. */
export interface CustomerLogin {
  customerId: string
  email: string
  /** The test store with the customer's token on every store call (`cartWithSession(api, login.store, ...)`). */
  store: TestStore
  headers: Record<string, string>
}

/**
 * A customer as a storefront signs one up: an `emailpass` identity registered for the actor
 * "customer" (`/auth/customer/emailpass/register`), the customer created with that token
 * (`POST /store/customers`), then logged in (`POST /auth/customer/emailpass`).
 */
export async function customerLogin(
  api: Api,
  store: TestStore,
  customer: { email: string; first_name: string; last_name: string; password?: string }
): Promise<CustomerLogin> {
  const { email, first_name, last_name } = customer
  const password = customer.password ?? "correct horse battery staple"
  const { data: registered } = await api.post<{ token: string }>("/auth/customer/emailpass/register", { email, password })
  const { data: created } = await api.post<{ customer: { id: string } }>(
    "/store/customers",
    { email, first_name, last_name },
    { headers: { ...store.store.headers, authorization: `Bearer ${registered.token}` } }
  )
  const { data: login } = await api.post<{ token: string }>("/auth/customer/emailpass", { email, password })
  const headers = { ...store.store.headers, authorization: `Bearer ${login.token}` }
  return { customerId: created.customer.id, email, store: { ...store, store: { headers } }, headers }
}
