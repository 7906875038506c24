/**
 * The store process killed in the middle of the admin's capture, then started again: the
 * payment is captured at Stripe once or not at all, and the admin's "check with the gateway"
 * (the plugin's admin route, the reconciliation of one payment) shows which.
 *
 * The capture is held at the gateway stand-in (integration-tests/harness/faults.ts) until the
 * process is dead (SIGKILL: no shutdown hook, no compensation): after Stripe captured (its
 * answer never leaves the stand-in), or before Stripe saw the request. Medusa's Payment Module
 * records the capture, commits it, and only then calls the provider, deleting the record if
 * the call fails: a process that dies during the call leaves the record, whatever Stripe did.
 *
 * `npm run test:topology` (one `shared` process on the run's Redis and a fresh database).
 */
import Stripe from "stripe"
import { FaultyGateway } from "../harness/faults"
import { FixtureSession, loadFixture } from "../harness/fixtures"
import { stripeTestKeys } from "../harness/stripe"
import { createAdminUser, Database, freshDatabase, migrate, startStoreProcess, StoreApi, StoreProcess, topologyRedisUrl } from "../harness/topology"

jest.setTimeout(5 * 60_000)

const ADMIN = { email: "admin@kill-capture.test", password: "correct horse battery staple" }
const PROVIDER = "pp_stripe_stripe"

describe("the store killed in the middle of a capture", () => {
  const gateway = new FaultyGateway()
  let database: Database
  let env: Record<string, string>
  let store: StoreProcess
  let shop: { publishableKey: string; salesChannelId: string; regionId: string; variantId: string; adminToken: string }

  const storefront = () => new StoreApi(store.url, { "x-publishable-api-key": shop.publishableKey })
  const admin = () => new StoreApi(store.url, { authorization: `Bearer ${shop.adminToken}` })
  const scenario = (name: string) => new FixtureSession(loadFixture("stripe", name), { origin: "http://127.0.0.1", bodyFormat: "form" })
  const start = (port?: number) => startStoreProcess({ name: "kill-capture", mode: "shared", databaseUrl: database.url, redisUrl: topologyRedisUrl(), env, port })

  async function setUpShop(): Promise<typeof shop> {
    const { data: login } = await new StoreApi(store.url).post("/auth/user/emailpass", ADMIN)
    const api = new StoreApi(store.url, { authorization: `Bearer ${login.token}` })
    const { data: channel } = await api.post("/admin/sales-channels", { name: "Webshop" })
    const { data: key } = await api.post("/admin/api-keys", { title: "Storefront", type: "publishable" })
    await api.post(`/admin/api-keys/${key.api_key.id}/sales-channels`, { add: [channel.sales_channel.id] })
    const { data: region } = await api.post("/admin/regions", { name: "United States", currency_code: "usd", countries: ["us"], automatic_taxes: false, payment_providers: [PROVIDER] })
    const { data: product } = await api.post("/admin/products", {
      title: "Espresso cup",
      status: "published",
      options: [{ title: "Colour", values: ["White"] }],
      variants: [{ title: "White", options: { Colour: "White" }, manage_inventory: false, prices: [{ amount: 100, currency_code: "usd" }] }],
      sales_channels: [{ id: channel.sales_channel.id }],
    })
    return { publishableKey: key.api_key.token, salesChannelId: channel.sales_channel.id, regionId: region.region.id, variantId: product.product.variants[0].id, adminToken: login.token }
  }

  /** A card order, authorized: its cart and payment. */
  async function authorizedOrder(): Promise<{ cartId: string; paymentId: string }> {
    const api = storefront()
    const { data: cartBody } = await api.post("/store/carts", { region_id: shop.regionId, sales_channel_id: shop.salesChannelId, email: "shopper@example.com", items: [{ variant_id: shop.variantId, quantity: 1 }] })
    const cartId: string = cartBody.cart.id
    const { data: collection } = await api.post("/store/payment-collections", { cart_id: cartId })
    const { data: sessions } = await api.post(`/store/payment-collections/${collection.payment_collection.id}/payment-sessions`, { provider_id: PROVIDER })
    const session = sessions.payment_collection.payment_sessions.find((s: { provider_id: string }) => s.provider_id === PROVIDER)
    const url = new URL(gateway.origin)
    await new Stripe(stripeTestKeys.apiKey, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 0, telemetry: false }).paymentIntents.confirm(String(session.data.id), { payment_method: "pm_card_visa" })
    const { data: completed } = await api.post(`/store/carts/${cartId}/complete`)
    expect(completed.type).toBe("order")
    return { cartId, paymentId: completed.order.payment_collections?.[0]?.payments?.[0]?.id ?? (await paymentOfOrder(completed.order.id)).id }
  }

  async function paymentOfOrder(orderId: string): Promise<{ id: string; captured_at: string | null; captures: Array<{ amount: number }> }> {
    const fields = "id,payment_collections.payments.id,payment_collections.payments.captured_at,payment_collections.payments.captures.amount"
    const { data } = await admin().get(`/admin/orders/${orderId}?fields=${fields}`)
    return data.order.payment_collections[0].payments[0]
  }

  /** The admin captures; the stand-in holds the capture (the 4th request) and the process is killed meanwhile. Then it starts again. */
  async function killDuringCapture(paymentId: string): Promise<void> {
    const pending = admin().post(`/admin/payments/${paymentId}/capture`).then(
      () => "answered",
      () => "no answer"
    )
    await gateway.arrival(4)
    const port = store.port
    await store.kill()
    expect(await pending).toBe("no answer")
    store = await start(port)
  }

  /** The admin's "check with the gateway" for the payment, and the plugin's view of it after. */
  const check = async (paymentId: string) => (await admin().post(`/admin/payments-collection/payments/${paymentId}/reconcile`)).data

  beforeAll(async () => {
    await gateway.start()
    env = {
      STRIPE_API_KEY: stripeTestKeys.apiKey,
      STRIPE_WEBHOOK_SECRET: stripeTestKeys.webhookSecret,
      STRIPE_API_BASE_URL: gateway.origin,
      // Nothing asks Stripe behind the test's back: the admin's check is the reconciliation here.
      PAYMENTS_RECONCILE_DISABLED: "true",
    }
    database = await freshDatabase(`medusa_kill_capture_${process.pid}`)
    await migrate(database.url, env)
    await createAdminUser(database.url, ADMIN, env)
    store = await start()
    shop = await setUpShop()
  })

  afterEach(() => gateway.release())

  afterAll(async () => {
    await store?.stop()
    gateway.stop()
    await database?.drop().catch(() => undefined)
  })

  it("after Stripe captured: captured once, and the admin's check finds Medusa and Stripe agreeing", async () => {
    gateway.play(scenario("fault-kill-capture-made"), { 4: { kind: "hold" } })
    const { paymentId } = await authorizedOrder()
    await killDuringCapture(paymentId)

    const { result, payment } = await check(paymentId)
    expect(result.outcome).toBe("checked")
    expect(payment).toEqual(
      expect.objectContaining({
        medusa: expect.objectContaining({ status: "captured", captured: "100" }),
        gateway_state: expect.objectContaining({ status: "captured", captured_amount: "100.00" }),
        mismatches: [],
      })
    )
    // One capture at Stripe, and nothing after the restart but the check's two lookups.
    gateway.finish()
  })

  it("before Stripe saw it: nothing captured at Stripe, and the admin's check shows Medusa's capture that Stripe does not have", async () => {
    gateway.play(scenario("fault-kill-capture-not-made"), { 4: { kind: "hold", acted: false } })
    const { paymentId } = await authorizedOrder()
    await killDuringCapture(paymentId)

    const { result, payment } = await check(paymentId)
    expect(result.outcome).toBe("checked")
    expect(payment).toEqual(
      expect.objectContaining({
        gateway_state: expect.objectContaining({ status: "authorized", captured_amount: "0.00" }),
        mismatches: ["Captured: 100 USD in Medusa, 0 USD at the gateway"],
      })
    )
    // Stripe captured nothing: the fixture holds no capture.
    gateway.finish()
  })
})
