/**
 * Load, bounded in count and time, on loopback: concurrent checkouts spread over the
 * providers (cash on delivery, bank transfer, Stripe, Braintree), each captured and refunded
 * by the admin, then a storm of webhook deliveries (distinct Stripe events, each delivered
 * several times, some at once) that must place exactly one order each. It reports p50/p95
 * latency per step, errors, duplicate orders, captures and refunds (all must be 0) and the
 * server's memory before and after, as a table and as JSON (.logs/load/latest.json).
 *
 * `npm run load` runs it with the counts (50 checkouts; 100 events x 5 deliveries);
 * `.ci/run` runs `npm run load -- --ci` with fewer. The counts come from the environment
 * (LOAD_CHECKOUTS, LOAD_EVENTS, LOAD_REPEATS, LOAD_CONCURRENCY), which scripts/load.mjs sets.
 * Gateways are the stateful in-process stand-ins of harness/fake-gateways.ts.
 */
import fs from "node:fs"
import path from "node:path"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { FakeBraintree, FakeStripe } from "../harness/fake-gateways"
import { FAKED_PROVIDERS_ENV } from "../harness/provider-env"
import { Api, STORE_DIR, TestStore, cartWithSession, orderOfCart, setUpStore } from "../harness/medusa"
import { signStripe, storefrontConfirms, stripeEvent } from "../harness/stripe"

const CHECKOUTS = Number(process.env.LOAD_CHECKOUTS ?? 50)
const EVENTS = Number(process.env.LOAD_EVENTS ?? 100)
const REPEATS = Number(process.env.LOAD_REPEATS ?? 5)
const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 25)
const PROVIDERS = ["pp_cod_offline", "pp_bank-transfer_offline", "pp_stripe_stripe", "pp_braintree_braintree"] as const
const ENV = {
  ...FAKED_PROVIDERS_ENV,
  // Deliveries of one event wait for each other's lock rather than fail.
  PAYMENTS_LOCK_TIMEOUT_SECONDS: "60",
}

jest.setTimeout(15 * 60 * 1000)
Object.assign(process.env, ENV)

/** Run `jobs` with at most `limit` at once; each result or error kept in order. */
async function pool<T>(count: number, limit: number, job: (index: number) => Promise<T>): Promise<Array<{ ok: true; value: T } | { ok: false; error: unknown }>> {
  const results: Array<{ ok: true; value: T } | { ok: false; error: unknown }> = new Array(count)
  let next = 0
  const worker = async () => {
    while (next < count) {
      const index = next++
      try {
        results[index] = { ok: true, value: await job(index) }
      } catch (error) {
        results[index] = { ok: false, error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker))
  return results
}

class Timings {
  readonly steps = new Map<string, number[]>()
  async time<T>(step: string, run: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint()
    try {
      return await run()
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6
      this.steps.set(step, [...(this.steps.get(step) ?? []), ms])
    }
  }
  summary(): Array<{ step: string; count: number; p50_ms: number; p95_ms: number; max_ms: number }> {
    return [...this.steps].map(([step, values]) => {
      const sorted = [...values].sort((a, b) => a - b)
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
      return { step, count: sorted.length, p50_ms: round(at(0.5)), p95_ms: round(at(0.95)), max_ms: round(sorted[sorted.length - 1]) }
    })
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10
const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10
const errorOf = (error: unknown) => {
  const response = (error as { response?: { status: number; data?: { message?: string } } }).response
  return response ? `${response.status} ${response.data?.message ?? ""}` : String((error as Error)?.message ?? error)
}

medusaIntegrationTestRunner({
  cwd: STORE_DIR,
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore
    const stripe = new FakeStripe()
    const braintree = new FakeBraintree()

    beforeAll(async () => {
      stripe.start()
      braintree.start()
      store = await setUpStore(getContainer(), http, { currency: "usd", countries: ["us"], providers: [...PROVIDERS], price: 100 })
    })

    afterAll(() => {
      for (const name of Object.keys(ENV)) delete process.env[name]
    })

    it(`takes ${CHECKOUTS} concurrent checkouts, captures and refunds each once, then places one order for each of ${EVENTS} webhook events delivered ${REPEATS} times`, async () => {
      const timings = new Timings()
      global.gc?.()
      const before = process.memoryUsage()
      const errors: string[] = []

      // 1. Checkouts, spread over the providers, at most CONCURRENCY at once.
      const checkouts = await pool(CHECKOUTS, CONCURRENCY, async (index) => {
        const provider = PROVIDERS[index % PROVIDERS.length]
        const sessionData = provider === "pp_braintree_braintree" ? { payment_method_nonce: "fake-valid-nonce" } : undefined
        // One shopper per checkout: Medusa 2.21 creates a guest customer per cart's e-mail, and two
        // carts of one new e-mail at the same instant race to create it ("already exists").
        const email = `shopper.${index}@example.com`
        const { cartId, session } = await timings.time(`session (${provider})`, () => cartWithSession(http, store, provider, { sessionData, email }))
        if (provider === "pp_stripe_stripe") await timings.time("storefront confirms (Stripe)", () => storefrontConfirms(String(session.data.id)))
        const { data } = await timings.time(`cart completed (${provider})`, () => http.post(`/store/carts/${cartId}/complete`, {}, store.store))
        if (data.type !== "order") throw new Error(`cart ${cartId} (${provider}) did not become an order`)
        return { cartId, provider }
      })
      const placed = checkouts.flatMap((result) => (result.ok ? [result.value] : (errors.push(`checkout: ${errorOf(result.error)}`), [])))

      // 2. The admin captures and refunds each order's payment, concurrently.
      const orders = await Promise.all(placed.map(async ({ cartId, provider }) => ({ provider, payment: (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0] })))
      const settled = await pool(orders.length, CONCURRENCY, async (index) => {
        const { provider, payment } = orders[index]
        await timings.time(`capture (${provider})`, () => http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin))
        await timings.time(`refund (${provider})`, () => http.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, store.admin))
      })
      settled.forEach((result) => result.ok || errors.push(`capture/refund: ${errorOf(result.error)}`))

      // 3. Carts paid at Stripe whose shoppers never came back: each event delivered REPEATS
      // times, shuffled, CONCURRENCY at once, so some deliveries of one event run together.
      const paid = await pool(EVENTS, CONCURRENCY, async (index) => {
        const { cartId, session } = await cartWithSession(http, store, "pp_stripe_stripe", { email: `away.${index}@example.com` })
        const intent = await storefrontConfirms(String(session.data.id))
        return { cartId, body: stripeEvent("payment_intent.amount_capturable_updated", stripe.intent(intent.id)) }
      })
      const events = paid.flatMap((result) => (result.ok ? [result.value] : (errors.push(`paid cart: ${errorOf(result.error)}`), [])))
      const deliveries = events.flatMap((event) => Array.from({ length: REPEATS }, () => event))
      for (let i = deliveries.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1))
        ;[deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]]
      }
      const outcomes = new Map<string, number>()
      const delivered = await pool(deliveries.length, CONCURRENCY, async (index) => {
        const { body } = deliveries[index]
        const { data } = await timings.time("webhook delivery (Stripe)", () => http.post("/hooks/payment/stripe_stripe", body, { headers: signStripe(body) }))
        outcomes.set(data.outcome, (outcomes.get(data.outcome) ?? 0) + 1)
      })
      delivered.forEach((result) => result.ok || errors.push(`delivery: ${errorOf(result.error)}`))

      // What must never happen.
      const ordersOfEvents = await Promise.all(events.map(async ({ cartId }) => orderOfCart(getContainer(), cartId)))
      const missing = ordersOfEvents.filter((order) => !order).length
      const duplicateOrders = ordersOfEvents.filter((order) => order && order.payment_collections[0].payments.length !== 1).length
      const twice = (map: Map<string, number>) => [...map.values()].filter((n) => n > 1).length
      const medusaCaptures = (await Promise.all(placed.map(async ({ cartId }) => (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0].captures.length))).filter((n) => n !== 1).length

      global.gc?.()
      const after = process.memoryUsage()
      const report = {
        machine: { cpus: require("node:os").cpus().length, node: process.version },
        counts: { checkouts: CHECKOUTS, events: EVENTS, repeats: REPEATS, concurrency: CONCURRENCY },
        steps: timings.summary(),
        errors: errors.length,
        missing_orders: missing,
        duplicate_orders: duplicateOrders,
        duplicate_captures: twice(stripe.counts.captures) + twice(braintree.counts.captures) + medusaCaptures,
        duplicate_refunds: twice(stripe.counts.refunds) + twice(braintree.counts.refunds),
        webhook_outcomes: Object.fromEntries(outcomes),
        gateway_requests: { stripe: stripe.counts.requests, braintree: braintree.counts.requests },
        memory_mib: { rss_before: mib(before.rss), rss_after: mib(after.rss), heap_before: mib(before.heapUsed), heap_after: mib(after.heapUsed) },
      }
      const dir = path.resolve(__dirname, "..", "..", ".logs", "load")
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, "latest.json"), JSON.stringify(report, null, 2) + "\n")
      process.stdout.write(
        [
          "",
          `| step | n | p50 ms | p95 ms | max ms |`,
          `| --- | --- | --- | --- | --- |`,
          ...report.steps.map((s) => `| ${s.step} | ${s.count} | ${s.p50_ms} | ${s.p95_ms} | ${s.max_ms} |`),
          "",
          `errors ${report.errors}, missing orders ${missing}, duplicate orders ${duplicateOrders}, duplicate captures ${report.duplicate_captures}, duplicate refunds ${report.duplicate_refunds}`,
          `webhook outcomes ${JSON.stringify(report.webhook_outcomes)}; memory rss ${report.memory_mib.rss_before} -> ${report.memory_mib.rss_after} MiB, heap ${report.memory_mib.heap_before} -> ${report.memory_mib.heap_after} MiB`,
          "",
        ].join("\n")
      )

      expect(errors.slice(0, 5)).toEqual([])
      expect({ missing, duplicateOrders, captures: report.duplicate_captures, refunds: report.duplicate_refunds }).toEqual({ missing: 0, duplicateOrders: 0, captures: 0, refunds: 0 })
      // Every capture and refund reached the gateway once: one per order with a gateway.
      const withGateway = placed.filter(({ provider }) => provider === "pp_stripe_stripe" || provider === "pp_braintree_braintree").length
      const captured = stripe.counts.captures.size + braintree.counts.captures.size
      expect(captured).toBe(withGateway)
      expect(stripe.counts.refunds.size + braintree.counts.refunds.size).toBe(withGateway)
      // Each event acted on once; its other deliveries were known as duplicates.
      expect(outcomes.get("acted_on")).toBe(events.length)
      expect(outcomes.get("duplicate") ?? 0).toBe(deliveries.length - events.length)
    })
  },
})
