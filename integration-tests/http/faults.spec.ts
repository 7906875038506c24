/**
 * Faults between the store and Stripe, where Medusa's own state matters (one app boot). The
 * Stripe provider is registered by hand against a local fault-injecting stand-in
 * (integration-tests/harness/faults.ts) with a 1 s timeout, so stripe-node's retries (under the
 * same Idempotency-Key) and the answers lost after Stripe acted are real.
 *
 * - The admin's capture whose answer never comes back: the admin API says the outcome is
 *   unknown, Medusa records no capture (the Payment Module deletes it when the provider throws),
 *   and the admin's next capture, or the plugin's "check with the gateway", records Stripe's
 *   capture exactly once (Stripe refuses a second one; the strict fixture holds one).
 * - A webhook whose processing fails (recording Stripe's capture, Stripe answers 503s) answers
 *   500, and one that cannot be read (Stripe cannot be asked about a refund's intent) 503, so
 *   Stripe delivers it again; the redelivery acts once, a third is a duplicate.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import Stripe from "stripe"
import { FaultyGateway, type Fault } from "../harness/faults"
import { FixtureSession, loadFixture } from "../harness/fixtures"
import { Api, TestStore, cartWithSession, orderOfCart, refused, refusedWebhook, setUpStore, STORE_DIR } from "../harness/medusa"
import { signStripe, stripeEvent, stripeIntent, stripeTestKeys } from "../harness/stripe"

jest.setTimeout(60_000)

const PROVIDER = "pp_stripe_faults"
const WEBHOOK = "/hooks/payment/stripe_faults"
const SERVER_ERROR: Fault = { kind: "5xx", body: { error: { type: "api_error", message: "An unknown error occurred" } } }

const gateway = new FaultyGateway()
beforeAll(async () => {
  await gateway.start()
})
afterAll(() => gateway.stop())

const scenario = (name: string) => new FixtureSession(loadFixture("stripe", name), { origin: "http://127.0.0.1", bodyFormat: "form" })

medusaIntegrationTestRunner({
  cwd: STORE_DIR,
  hooks: {
    // Stripe as a merchant registers it in medusa-config.ts, pointed at the stand-in.
    beforeServerStart: async (container: MedusaContainer) => {
      const config = container.resolve(ContainerRegistrationKeys.CONFIG_MODULE)
      const payment = (config.modules as Record<string, { options?: { providers?: unknown[] } }>)[Modules.PAYMENT]
      payment.options!.providers!.push({
        resolve: "medusa-payments-collection/providers/stripe",
        id: "faults",
        options: { apiKey: stripeTestKeys.apiKey, webhookSecret: stripeTestKeys.webhookSecret, apiBaseUrl: gateway.origin, timeoutMs: 1000, maxNetworkRetries: 2 },
      })
    },
  },
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore

    beforeEach(async () => {
      store = await setUpStore(getContainer(), http, { currency: "usd", countries: ["us"], providers: [PROVIDER], price: 100 })
    })

    afterEach(() => {
      // A test that failed leaves its scenario playing; the next one plays its own.
      gateway.release()
    })

    /** Stripe.js on the storefront, against the stand-in. */
    const storefrontConfirms = (intentId: string) => {
      const url = new URL(gateway.origin)
      return new Stripe(stripeTestKeys.apiKey, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 0, telemetry: false }).paymentIntents.confirm(intentId, {
        payment_method: "pm_card_visa",
      })
    }

    /** A cart paid by card and completed: the order's payment, authorized. */
    async function authorizedOrder() {
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      await storefrontConfirms(String(session.data.id))
      await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      const order = await orderOfCart(getContainer(), cartId)
      return { cartId, sessionId: session.id, payment: order.payment_collections[0].payments[0] as { id: string } }
    }

    const paymentOf = async (cartId: string) => (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]
    const captureKeys = () => gateway.headerOf("idempotency-key", (r) => r.path.endsWith("/capture"))

    /** The capture (the 4th request) is made at Stripe and its answer lost; stripe-node's two retries get 503s. */
    const LOST_CAPTURE: Record<number, Fault> = { 4: { kind: "reset" }, 5: SERVER_ERROR, 6: SERVER_ERROR }

    it("answers an admin capture whose outcome is unknown as such, records none, and the admin's next capture records Stripe's once", async () => {
      gateway.play(scenario("fault-http-capture-retried"), LOST_CAPTURE)
      const { cartId, payment } = await authorizedOrder()

      const lost = await refused(http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin))
      // Medusa answers a MedusaError of type unexpected_state with 500 and its message.
      expect(lost).toEqual({ status: 500, type: "unexpected_state", message: expect.stringMatching(/could not be reached to capture the payment; the outcome is unknown/) })
      expect(lost.message).not.toMatch(/refused|declined/)
      const afterFault = await paymentOf(cartId)
      expect(afterFault.captures).toEqual([])
      expect(afterFault.captured_at).toBeNull()

      await http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin)
      const captured = await paymentOf(cartId)
      expect(captured.captures.map((c: { amount: number }) => c.amount)).toEqual([100])
      expect(captured.captured_at).not.toBeNull()
      const [first, retry1, retry2, second] = captureKeys()
      expect([retry1, retry2]).toEqual([first, first])
      expect(second).not.toBe(first)
      // One capture at Stripe: the second was refused by Stripe and recorded from its answer.
      gateway.finish()
    })

    it("brings a capture whose answer was lost to captured once by the admin's check with the gateway", async () => {
      gateway.play(scenario("fault-http-capture-reconciled"), LOST_CAPTURE)
      const { cartId, payment } = await authorizedOrder()
      await refused(http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin))
      expect((await paymentOf(cartId)).captures).toEqual([])

      const { data } = await http.post(`/admin/payments-collection/payments/${payment.id}/reconcile`, {}, store.admin)
      expect(data.result.outcome).toBe("checked")
      expect(data.payment).toEqual(expect.objectContaining({ medusa: expect.objectContaining({ status: "captured", captured: "100" }), mismatches: [] }))
      const captured = await paymentOf(cartId)
      expect(captured.captures.map((c: { amount: number }) => c.amount)).toEqual([100])
      expect(captured.captured_at).not.toBeNull()
      gateway.finish()
    })

    it("answers 500 to a webhook whose processing failed at Stripe, and the redelivery records the capture once", async () => {
      // The admin's capture is lost (requests 4 to 6); Stripe's payment_intent.succeeded is
      // processed by recording the capture through Medusa's capture, whose call to Stripe gets
      // 503s on the first delivery (requests 7 to 9).
      gateway.play(scenario("fault-http-webhook-capture"), { ...LOST_CAPTURE, 7: SERVER_ERROR, 8: SERVER_ERROR, 9: SERVER_ERROR })
      const { cartId, sessionId, payment } = await authorizedOrder()
      await refused(http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin))
      const body = stripeEvent("payment_intent.succeeded", stripeIntent(sessionId, { id: "pi_3QfxHttpRecon0002", status: "succeeded", amount: 10000, amount_capturable: 0, amount_received: 10000 }))

      const first = await refusedWebhook(http.post(WEBHOOK, body, { headers: signStripe(body) }))
      expect(first).toEqual({ status: 500, body: expect.objectContaining({ received: false, message: "processing failed; deliver again" }) })
      expect((await paymentOf(cartId)).captures).toEqual([])

      const again = await http.post(WEBHOOK, body, { headers: signStripe(body) })
      expect(again.data).toEqual({ received: true, outcome: "acted_on" })
      const third = await http.post(WEBHOOK, body, { headers: signStripe(body) })
      expect(third.data).toEqual({ received: true, outcome: "duplicate" })
      const captured = await paymentOf(cartId)
      expect(captured.captures.map((c: { amount: number }) => c.amount)).toEqual([100])
      gateway.finish()
    })

    it("answers 503 to a webhook it could not read while Stripe is down, and the redelivery records the refund once", async () => {
      // The lookups of the first delivery's intent (requests 5 to 7) get 503s.
      gateway.play(scenario("fault-http-webhook-redelivered"), { 5: SERVER_ERROR, 6: SERVER_ERROR, 7: SERVER_ERROR })
      const { cartId, payment } = await authorizedOrder()
      await http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin)
      const refund = {
        id: "re_3QfxFaultDashboard1", object: "refund", amount: 2500, currency: "usd", charge: "ch_3QfxHttpRecon0002", payment_intent: "pi_3QfxHttpRecon0002",
        metadata: {}, status: "succeeded", reason: "requested_by_customer", created: 1764115200, balance_transaction: null, receipt_number: null,
        source_transfer_reversal: null, transfer_reversal: null, destination_details: { type: "card", card: { type: "refund" } },
      }
      const body = stripeEvent("refund.created", refund)

      const first = await refusedWebhook(http.post(WEBHOOK, body, { headers: signStripe(body) }))
      expect(first).toEqual({ status: 503, body: { received: false, message: "could not be verified now; deliver again later" } })
      expect((await paymentOf(cartId)).refunds).toEqual([])

      const again = await http.post(WEBHOOK, body, { headers: signStripe(body) })
      expect(again.data).toEqual({ received: true, outcome: "acted_on" })
      const third = await http.post(WEBHOOK, body, { headers: signStripe(body) })
      expect(third.data).toEqual({ received: true, outcome: "duplicate" })
      expect((await paymentOf(cartId)).refunds.map((r: { amount: number }) => r.amount)).toEqual([25])
      gateway.finish()
    })
  },
})
