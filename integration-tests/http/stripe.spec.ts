import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { FixtureSession } from "../harness/fixtures"
import { Api, TestStore, cartWithSession, orderOfCart, orderPlacedFor, refused, setUpStore, watchWebhooks, STORE_DIR } from "../harness/medusa"
import { STRIPE_ORIGIN, signStripe, storefrontConfirms, stripeEvent, stripeIntent, stripeTestKeys } from "../harness/stripe"

// The app reads its providers from the environment, as in production.
process.env.STRIPE_API_KEY = stripeTestKeys.apiKey
process.env.STRIPE_WEBHOOK_SECRET = stripeTestKeys.webhookSecret

const PROVIDER = "pp_stripe_stripe"

medusaIntegrationTestRunner({
  // The repository's store, which installs the collection as a merchant's store does.
  cwd: STORE_DIR,
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore
    let replay: FixtureSession | undefined

    const play = (scenario: string) => {
      replay = FixtureSession.load("stripe", scenario, { origin: STRIPE_ORIGIN, bodyFormat: "form" }).start()
      return replay
    }

    beforeEach(async () => {
      store = await setUpStore(getContainer(), http, { currency: "usd", countries: ["us"], providers: [PROVIDER], price: 100 })
    })

    afterEach(() => {
      replay?.stop()
      replay = undefined
    })

    it("lists Stripe among the region's payment providers", async () => {
      const { data } = await http.get(`/store/payment-providers?region_id=${store.regionId}`, store.store)
      expect(data.payment_providers.map((p: { id: string }) => p.id)).toEqual([PROVIDER])
    })

    it("takes an order by cart completion, then the admin captures it and refunds part of it", async () => {
      const fixture = play("http-cart-to-refund")
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)

      // What the storefront gets: enough to confirm the card, not the whole intent.
      expect(session.data).toEqual(
        expect.objectContaining({ id: "pi_3QfxHttpOrder0001", client_secret: expect.any(String), status: "requires_payment_method", amount: 10000, currency: "usd" })
      )
      for (const field of ["payment_method_options", "shipping", "receipt_email", "charges", "next_action"]) {
        expect(session.data).not.toHaveProperty(field)
      }

      await storefrontConfirms(String(session.data.id))
      const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      expect(completed.type).toBe("order")

      const order = await orderOfCart(getContainer(), cartId)
      const payment = order.payment_collections[0].payments[0]
      expect(payment).toEqual(expect.objectContaining({ provider_id: PROVIDER, amount: 100, captured_at: null }))
      // The return page: the card is authorized (money reserved), not captured; read from
      // Medusa's records, without asking Stripe (the fixture has no call for it).
      const paymentStatus = async () => (await http.get(`/store/carts/${cartId}/payment-status`, store.store)).data.payment_status
      expect(await paymentStatus()).toEqual(
        expect.objectContaining({ status: "authorized", order_id: order.id, amount: "100.00", captured_amount: "0.00", currency_code: "usd", checked_with_provider: false })
      )

      await http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin)
      expect(await paymentStatus()).toEqual(expect.objectContaining({ status: "captured", captured_amount: "100.00" }))
      await http.post(`/admin/payments/${payment.id}/refund`, { amount: 40 }, store.admin)
      expect(await paymentStatus()).toEqual(expect.objectContaining({ status: "partially_refunded", refunded_amount: "40.00" }))

      // One cent beyond what is left: Medusa 2.21's own guard lets exactly one currency
      // epsilon through (it compares with <, not <=), so the provider's guard refuses it,
      // before any Stripe call (the fixture has no interaction for it and would fail).
      const tooMuch = await refused(http.post(`/admin/payments/${payment.id}/refund`, { amount: 60.01 }, store.admin))
      expect(tooMuch.status).toBe(400)

      const after = await orderOfCart(getContainer(), cartId)
      const settled = after.payment_collections[0].payments[0]
      expect(settled.captured_at).not.toBeNull()
      expect(settled.captures.map((c: { amount: number }) => c.amount)).toEqual([100])
      expect(settled.refunds.map((r: { amount: number }) => r.amount)).toEqual([40])
      expect(settled.data).toEqual(expect.objectContaining({ status: "succeeded", amount_received: 10000, amount_refunded: 4000 }))
      fixture.finish()
    })

    it("turns an uncompleted, paid cart into an order from a signed webhook, once", async () => {
      const fixture = play("http-webhook-completes-cart")
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      await storefrontConfirms(String(session.data.id))

      const body = stripeEvent(
        "payment_intent.amount_capturable_updated",
        stripeIntent(session.id, { id: String(session.data.id), status: "requires_capture", amount: 10000, amount_capturable: 10000, amount_received: 0 })
      )
      const headers = { ...signStripe(body) }
      const webhooks = watchWebhooks(getContainer())
      try {
        const first = await http.post("/hooks/payment/stripe_stripe", body, { headers })
        expect(first.status).toBe(200)
        const order = await orderPlacedFor(getContainer(), cartId, "the order placed by the webhook, with its payment")
        expect(order.payment_collections[0].payments).toHaveLength(1)
        expect(order.payment_collections[0].payments[0]).toEqual(expect.objectContaining({ provider_id: PROVIDER, amount: 100 }))

        // Stripe retries deliveries; the same event again must not place or pay anything twice.
        await http.post("/hooks/payment/stripe_stripe", body, { headers })
        await expect(webhooks.processed(2)).resolves.toEqual(expect.objectContaining({ action: "authorized" }))
        await new Promise((resolve) => setTimeout(resolve, 1000))
        const again = await orderOfCart(getContainer(), cartId)
        expect(again.id).toBe(order.id)
        expect(again.payment_collections[0].payments).toHaveLength(1)
      } finally {
        webhooks.restore()
      }
      fixture.finish()
    })

    it("places no order from a forged webhook", async () => {
      const fixture = play("http-webhook-forged")
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      const webhooks = watchWebhooks(getContainer())
      try {
        const body = stripeEvent(
          "payment_intent.succeeded",
          stripeIntent(session.id, { id: String(session.data.id), status: "succeeded", amount: 10000, amount_received: 10000 })
        )
        const forged = signStripe(body, { secret: "whsec_not_the_store_secret" })
        const answer = await http.post("/hooks/payment/stripe_stripe", body, { headers: forged })
        // Medusa's generic route answers 200 before the provider looks at the body.
        expect(answer.status).toBe(200)
        await expect(webhooks.processed(1)).resolves.toEqual({ action: "not_supported" })
      } finally {
        webhooks.restore()
      }
      expect(await orderOfCart(getContainer(), cartId)).toBeUndefined()
      const { data } = await http.get(`/store/carts/${cartId}`, store.store)
      expect(data.cart.completed_at).toBeNull()
      fixture.finish()
    })

    it("captures exactly the amount the admin captures, once", async () => {
      const fixture = play("http-partial-capture")
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      await storefrontConfirms(String(session.data.id))
      await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      const order = await orderOfCart(getContainer(), cartId)
      const payment = order.payment_collections[0].payments[0]

      // The fixture expects amount_to_capture=6000: Stripe captures 60.00, not 100.00.
      await http.post(`/admin/payments/${payment.id}/capture`, { amount: 60 }, store.admin)
      // Stripe released the other 40.00; a second capture is refused, not recorded.
      const again = await refused(http.post(`/admin/payments/${payment.id}/capture`, { amount: 40 }, store.admin))
      expect(again.message).toMatch(/already captured/)

      const after = await orderOfCart(getContainer(), cartId)
      expect(after.payment_collections[0].payments[0].captures.map((c: { amount: number }) => c.amount)).toEqual([60])
      fixture.finish()
    })
  },
})
