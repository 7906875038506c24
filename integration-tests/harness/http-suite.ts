/**
 * One HTTP suite for every provider of the collection: what the conformance suite is for
 * provider logic, this is for the provider inside a real Medusa app. A provider declares how
 * it is registered, how the buyer pays and what its gateway answers (fixtures); the factory
 * boots the repository's store (`store/`, with the built plugin) on a fresh database and runs
 * the same storefront and admin scenarios through Medusa's own routes:
 *
 * - the region lists the provider;
 * - a cart becomes an order by cart completion, the admin captures it in full and refunds it
 *   in parts, the return page's status route follows, and a refund beyond what is left is
 *   refused before the gateway is called;
 * - with notifications: a signed one turns a paid cart the shopper never completed into an
 *   order, once (a redelivery changes nothing); a forged one places nothing.
 *
 * The provider's own scenarios go in `own`, inside the same app boot.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { isoExponent, toBigNumber } from "../../src/lib/payments/money"
import { FixtureFile, FixtureSession, loadFixture } from "./fixtures"
import { Api, STORE_DIR, TestStore, cartWithSession, orderOfCart, recordLatency, refused, refusedWebhook, setUpStore } from "./medusa"

export interface HttpSession {
  id: string
  data: Record<string, unknown>
  status: string
  amount: number
}

export interface HttpSubject {
  /** How the tests name the provider ("Stripe"). */
  name: string
  /** `pp_<identifier>_<id>`. */
  providerId: string
  /** What registers the provider in the store, as a merchant's environment would. */
  env: Record<string, string>
  /** The store's region: its currency and countries, and the one product's price. */
  store: { currency: string; countries: string[]; price: number }
  /** Where the provider's gateway is replayed from; absent for a provider that calls no gateway. */
  fixtures?: {
    provider: string
    origin: string
    bodyFormat?: "form" | "json"
    /** Adjust a scenario before it plays (drop the token request of a client that kept its token). */
    prepare?(fixture: FixtureFile): FixtureFile
    /** After each scenario, with what it played (e.g. remember that the app now holds a token). */
    played?(replay: FixtureSession): void
  }
  checkout: {
    /** The scenario of a paid cart: the session, the buyer's step, the authorization, the capture, the refunds. */
    scenario: string
    /** The buyer's step between the session and the cart's completion (confirming a card). */
    buyerApproves?(session: HttpSession): Promise<void>
    /** What the storefront hands the session when it creates it (Braintree: Drop-in's nonce). */
    sessionData?: Record<string, unknown>
    /** What the storefront may and may not see in the session's data. */
    expectSession?(session: HttpSession): void
    /** What the order's payment holds right after the cart's completion. */
    expectAuthorized?(payment: Record<string, any>): void
    /** The refunds the admin makes after the full capture, in major units, in order. */
    refunds: number[]
    /** What the order's payment holds once captured and refunded. */
    expectSettled?(payment: Record<string, any>): void
    /** What else the scenario's requests must show (idempotency keys...). */
    expectRequests?(replay: FixtureSession, session: HttpSession): void
  }
  /**
   * Notifications through the webhook URL Medusa documents (`/hooks/payment/<identifier>_<id>`),
   * which the plugin serves for its providers: verified, processed, then answered.
   */
  webhooks?: {
    path: string
    /** The scenario of a paid cart completed by a notification (the session, the buyer's step, the authorization). */
    completesCart: string
    /** The scenario of a cart whose notification is forged (the session only). */
    forged: string
    /** The buyer's step before the notification (a card confirmed in a browser that was then closed). */
    buyerApproves?(session: HttpSession): Promise<void>
    /** The gateway's notification that the cart's payment is authorized or captured. */
    paidEvent(session: HttpSession): string
    /** Headers (and the same body) as the gateway signs it, or as a forger would. */
    sign(body: string, forged: boolean): Record<string, string>
  }
}

export interface HttpContext {
  http: Api
  getContainer(): MedusaContainer
  /** The store of the current test (a fresh region, product, key and admin per test). */
  store(): TestStore
  /** Replay a scenario of the provider's fixtures until the end of the test. */
  play(scenario: string): FixtureSession
}

export function describeProviderOverHttp(subject: HttpSubject, own?: (context: HttpContext) => void): void {
  // Set before the app boots: the store's medusa-config reads the environment once.
  Object.assign(process.env, subject.env)

  medusaIntegrationTestRunner({
    // The repository's store, which installs the collection as a merchant's store does.
    cwd: STORE_DIR,
    testSuite: ({ api, getContainer }) => {
      const http = api as unknown as Api
      let store: TestStore
      let replay: FixtureSession | undefined

      const play = (scenario: string): FixtureSession => {
        if (!subject.fixtures) throw new Error(`${subject.name} calls no gateway: there is nothing to replay`)
        const { provider, origin, bodyFormat, prepare } = subject.fixtures
        const fixture = loadFixture(provider, scenario)
        replay = new FixtureSession(prepare ? prepare(fixture) : fixture, { origin, bodyFormat }).start()
        return replay
      }

      beforeEach(async () => {
        store = await setUpStore(getContainer(), http, {
          currency: subject.store.currency,
          countries: subject.store.countries,
          providers: [subject.providerId],
          price: subject.store.price,
        })
      })

      afterEach(() => {
        if (replay) subject.fixtures?.played?.(replay)
        replay?.stop()
        replay = undefined
      })

      afterAll(() => {
        for (const name of Object.keys(subject.env)) delete process.env[name]
      })

      const { price } = subject.store
      const paymentStatus = async (cartId: string) => (await http.get(`/store/carts/${cartId}/payment-status`, store.store)).data.payment_status

      it(`lists ${subject.name} among the region's payment providers`, async () => {
        const { data } = await http.get(`/store/payment-providers?region_id=${store.regionId}`, store.store)
        expect(data.payment_providers.map((p: { id: string }) => p.id)).toEqual([subject.providerId])
      })

      it("takes an order by cart completion, then the admin captures it and refunds it in parts, and refuses a refund beyond what is left", async () => {
        const fixture = subject.fixtures ? play(subject.checkout.scenario) : undefined
        const { cartId, session } = await cartWithSession(http, store, subject.providerId, { sessionData: subject.checkout.sessionData })
        subject.checkout.expectSession?.(session)
        // What reaches the storefront is never the gateway's whole object with the buyer's details.
        for (const field of ["payer", "payment_source", "billing_details", "shipping", "receipt_email"]) {
          expect(session.data).not.toHaveProperty(field)
        }
        await subject.checkout.buyerApproves?.(session)

        const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
        expect(completed.type).toBe("order")
        const order = await orderOfCart(getContainer(), cartId)
        const payment = order.payment_collections[0].payments[0]
        expect(payment).toEqual(expect.objectContaining({ provider_id: subject.providerId, amount: price, captured_at: null }))
        subject.checkout.expectAuthorized?.(payment)
        // The return page, from Medusa's records and without asking the gateway (the fixture
        // has no call for it): reserved, not received.
        const money = (amount: number) => toBigNumber(amount).toFixed(isoExponent(subject.store.currency))
        expect(await paymentStatus(cartId)).toEqual(
          expect.objectContaining({
            status: "authorized",
            order_id: order.id,
            amount: money(price),
            captured_amount: money(0),
            currency_code: subject.store.currency,
            checked_with_provider: false,
          })
        )

        await http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin)
        expect(await paymentStatus(cartId)).toEqual(expect.objectContaining({ status: "captured", captured_amount: money(price) }))
        let refunded = 0
        for (const amount of subject.checkout.refunds) {
          await http.post(`/admin/payments/${payment.id}/refund`, { amount }, store.admin)
          refunded += amount
          expect(await paymentStatus(cartId)).toEqual(
            expect.objectContaining({ status: refunded >= price ? "refunded" : "partially_refunded", refunded_amount: money(refunded) })
          )
        }
        // One cent beyond what is left: Medusa 2.21's own guard lets exactly one currency
        // epsilon through (it compares with <, not <=), so the provider's guard refuses it,
        // before the gateway is called (the fixture has no interaction for it and would fail).
        const tooMuch = await refused(http.post(`/admin/payments/${payment.id}/refund`, { amount: price - refunded + 0.01 }, store.admin))
        expect(tooMuch.status).toBe(400)

        const settled = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]
        expect(settled.captured_at).not.toBeNull()
        expect(settled.captures.map((c: { amount: number }) => c.amount)).toEqual([price])
        expect(settled.refunds.map((r: { amount: number }) => r.amount).sort((a: number, b: number) => a - b)).toEqual(
          [...subject.checkout.refunds].sort((a, b) => a - b)
        )
        subject.checkout.expectSettled?.(settled)
        fixture?.finish()
        if (fixture) subject.checkout.expectRequests?.(fixture, session)
      })

      const webhooks = subject.webhooks
      if (webhooks) {
        it("turns a paid cart the shopper never completed into an order from a signed notification, once, before it answers", async () => {
          const fixture = play(webhooks.completesCart)
          const { cartId, session } = await cartWithSession(http, store, subject.providerId)
          await webhooks.buyerApproves?.(session)
          const body = webhooks.paidEvent(session)
          const started = Date.now()
          const first = await http.post(webhooks.path, body, { headers: webhooks.sign(body, false) })
          const latencyMs = Date.now() - started
          // The plugin's route verifies and processes before it answers: the order exists by then.
          expect(first.status).toBe(200)
          expect(first.data).toEqual({ received: true, outcome: "acted_on" })
          const order = await orderOfCart(getContainer(), cartId)
          expect(order?.payment_collections[0].payments).toHaveLength(1)
          expect(order.payment_collections[0].payments[0]).toEqual(expect.objectContaining({ provider_id: subject.providerId, amount: price }))
          recordLatency(subject.name, latencyMs)

          // The gateway delivers again (signed anew): nothing is authorized or placed twice.
          const again = await http.post(webhooks.path, body, { headers: webhooks.sign(body, false) })
          expect(again.data).toEqual({ received: true, outcome: "duplicate" })
          const after = await orderOfCart(getContainer(), cartId)
          expect(after.id).toBe(order.id)
          expect(after.payment_collections[0].payments).toHaveLength(1)
          // One authorization at the gateway: the fixture fails on a second one.
          fixture.finish()
        })

        it("refuses a forged notification with 401 and places no order", async () => {
          const fixture = play(webhooks.forged)
          const { cartId, session } = await cartWithSession(http, store, subject.providerId)
          const body = webhooks.paidEvent(session)
          const answer = await refusedWebhook(http.post(webhooks.path, body, { headers: webhooks.sign(body, true) }))
          expect(answer).toEqual({ status: 401, body: { received: false, message: "not verified" } })
          expect(await orderOfCart(getContainer(), cartId)).toBeUndefined()
          const { data } = await http.get(`/store/carts/${cartId}`, store.store)
          expect(data.cart.completed_at).toBeNull()
          fixture.finish()
        })
      }

      own?.({ http, getContainer, store: () => store, play })
    },
  })
}
