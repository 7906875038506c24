import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { FixtureSession, loadFixture } from "../harness/fixtures"
import { Api, TestStore, cartWithSession, orderOfCart, orderPlacedFor, refused, setUpStore, watchWebhooks, STORE_DIR } from "../harness/medusa"
import { PAYPAL_ORIGIN, PAYPAL_TOKEN_PATH, TEST_ROOT_CERT_PATH, approvedOrder, paypalEvent, paypalTestKeys, signPaypal } from "../harness/paypal"

// The app reads its providers from the environment, as in production.
process.env.PAYPAL_CLIENT_ID = paypalTestKeys.clientId
process.env.PAYPAL_CLIENT_SECRET = paypalTestKeys.clientSecret
process.env.PAYPAL_WEBHOOK_ID = paypalTestKeys.webhookId
process.env.PAYPAL_ENVIRONMENT = "sandbox"
// The TEST-ONLY root the signed notifications' certificate chains to, instead of Node's
// bundled Mozilla roots (refused in production).
process.env.PAYPAL_WEBHOOK_CERTIFICATE_ROOTS = TEST_ROOT_CERT_PATH
// Medusa boots the app more than once here and no PayPal answers at boot in replay; the boot
// check of the credentials is covered by the provider's unit tests.
process.env.PAYPAL_VERIFY_CREDENTIALS_AT_BOOT = "false"

const PROVIDER = "pp_paypal_paypal"
const WEBHOOK = "/hooks/payment/paypal_paypal"

medusaIntegrationTestRunner({
  // The repository's store, which installs the collection as a merchant's store does.
  cwd: STORE_DIR,
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore
    let replay: FixtureSession | undefined
    // The app's provider keeps its OAuth token (PayPal's last 9 hours): only the first PayPal
    // call of this file asks for one, whichever test makes it.
    let appHasToken = false

    const play = (scenario: string) => {
      const fixture = loadFixture("paypal", scenario)
      const interactions = appHasToken ? fixture.interactions.filter((i) => i.request.path !== PAYPAL_TOKEN_PATH) : fixture.interactions
      replay = new FixtureSession({ ...fixture, interactions }, { origin: PAYPAL_ORIGIN }).start()
      return replay
    }

    beforeEach(async () => {
      store = await setUpStore(getContainer(), http, { currency: "usd", countries: ["us"], providers: [PROVIDER], price: 100 })
    })

    afterEach(() => {
      if (replay?.requests.some((r) => r.path === PAYPAL_TOKEN_PATH)) appHasToken = true
      replay?.stop()
      replay = undefined
    })

    it("lists PayPal among the region's payment providers", async () => {
      const { data } = await http.get(`/store/payment-providers?region_id=${store.regionId}`, store.store)
      expect(data.payment_providers.map((p: { id: string }) => p.id)).toEqual([PROVIDER])
    })

    it("takes an order by cart completion after the buyer approved, then the admin captures it and refunds part, then the rest", async () => {
      const fixture = play("http-cart-to-refund")
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)

      // What the storefront gets: the order id for the buttons and the approval link for a redirect.
      expect(session.data).toEqual(
        expect.objectContaining({
          id: "0HT37195UW2681839",
          approve_url: "https://www.sandbox.paypal.com/checkoutnow?token=0HT37195UW2681839",
          status: "PAYER_ACTION_REQUIRED",
          amount: "100.00",
          currency_code: "USD",
          session_id: session.id,
        })
      )
      for (const field of ["payer", "payment_source", "purchase_units", "links"]) {
        expect(session.data).not.toHaveProperty(field)
      }

      // The buyer approves at PayPal (nothing to replay), then the storefront completes the cart.
      const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      expect(completed.type).toBe("order")

      const order = await orderOfCart(getContainer(), cartId)
      const payment = order.payment_collections[0].payments[0]
      expect(payment).toEqual(expect.objectContaining({ provider_id: PROVIDER, amount: 100, captured_at: null }))
      expect(payment.data).toEqual(expect.objectContaining({ authorization: expect.objectContaining({ id: "5HA79032BC4415716", status: "CREATED" }) }))
      expect(JSON.stringify(payment.data)).not.toContain("sam.shopper@example.com")

      await http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin)
      await http.post(`/admin/payments/${payment.id}/refund`, { amount: 40 }, store.admin)
      await http.post(`/admin/payments/${payment.id}/refund`, { amount: 60 }, store.admin)

      // Nothing is left to refund: the provider refuses before PayPal is called (the fixture
      // has no interaction for it and would fail on an extra request).
      const tooMuch = await refused(http.post(`/admin/payments/${payment.id}/refund`, { amount: 0.01 }, store.admin))
      expect(tooMuch.status).toBe(400)

      const after = await orderOfCart(getContainer(), cartId)
      const settled = after.payment_collections[0].payments[0]
      expect(settled.captured_at).not.toBeNull()
      expect(settled.captures.map((c: { amount: number }) => c.amount)).toEqual([100])
      expect(settled.refunds.map((r: { amount: number }) => r.amount).sort()).toEqual([40, 60])
      expect(settled.data).toEqual(expect.objectContaining({ amount_captured: "100.00", amount_refunded: "100.00" }))
      fixture.finish()
      // Every call that changed something at PayPal carried a PayPal-Request-Id: Medusa's own
      // capture and refund ids where it gives them.
      const keys = fixture.mutatingRequests().map((r) => [r.path.replace(/\/[A-Z0-9]{17}\//, "/{id}/"), r.headers["paypal-request-id"]])
      expect(keys).toEqual(
        expect.arrayContaining([
          ["/v2/checkout/orders", session.id],
          ["/v2/checkout/orders/{id}/authorize", `${session.id}-authorize`],
          ["/v2/payments/authorizations/{id}/capture", fixture.vars.capture_id],
          ["/v2/payments/captures/{id}/refund", fixture.vars.refund_1],
          ["/v2/payments/captures/{id}/refund", fixture.vars.refund_2],
        ])
      )
    })

    it("captures exactly what the admin captures, in parts, and refunds across both captures", async () => {
      const fixture = play("http-partial-captures")
      const { cartId } = await cartWithSession(http, store, PROVIDER)
      await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      const payment = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]

      // The fixture expects 60.00 with final_capture false, then 40.00 with final_capture true.
      await http.post(`/admin/payments/${payment.id}/capture`, { amount: 60 }, store.admin)
      await http.post(`/admin/payments/${payment.id}/capture`, { amount: 40 }, store.admin)
      // One refund of the whole amount: 60.00 from the first capture, 40.00 from the second.
      await http.post(`/admin/payments/${payment.id}/refund`, { amount: 100 }, store.admin)

      const settled = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]
      expect(settled.captures.map((c: { amount: number }) => c.amount)).toEqual([60, 40])
      expect(settled.captured_at).not.toBeNull()
      expect(settled.refunds.map((r: { amount: number }) => r.amount)).toEqual([100])
      expect(settled.data).toEqual(
        expect.objectContaining({
          amount_captured: "100.00",
          amount_refunded: "100.00",
          captures: [expect.objectContaining({ amount: "60.00", final_capture: false }), expect.objectContaining({ amount: "40.00", final_capture: true })],
        })
      )
      fixture.finish()
      const refunds = fixture.requests.filter((r) => r.path.endsWith("/refund")).map((r) => r.headers["paypal-request-id"])
      expect(refunds).toEqual([fixture.vars.refund_1, `${fixture.vars.refund_1}-9HC63318KM4472025`])
    })

    it("completes the cart of a buyer who approved and left, from a verified CHECKOUT.ORDER.APPROVED, once", async () => {
      const fixture = play("http-webhook-completes-cart")
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      const body = paypalEvent("CHECKOUT.ORDER.APPROVED", approvedOrder(session.id, String(session.data.id), "100.00"))
      const webhooks = watchWebhooks(getContainer())
      try {
        const first = await http.post(WEBHOOK, body, { headers: signPaypal(body) })
        expect(first.status).toBe(200)
        const order = await orderPlacedFor(getContainer(), cartId, "the order placed by the notification, with its payment")
        expect(order.payment_collections[0].payments).toHaveLength(1)
        expect(order.payment_collections[0].payments[0]).toEqual(
          expect.objectContaining({ provider_id: PROVIDER, amount: 100, data: expect.objectContaining({ authorization: expect.objectContaining({ status: "CREATED" }) }) })
        )

        // PayPal delivers again (a new transmission, signed anew): nothing is authorized or placed twice.
        await http.post(WEBHOOK, body, { headers: signPaypal(body) })
        await expect(webhooks.processed(2)).resolves.toEqual({ action: "authorized", data: { session_id: session.id, amount: 100 } })
        await new Promise((resolve) => setTimeout(resolve, 1000))
        const again = await orderOfCart(getContainer(), cartId)
        expect(again.id).toBe(order.id)
        expect(again.payment_collections[0].payments).toHaveLength(1)
      } finally {
        webhooks.restore()
      }
      // One authorization at PayPal: the fixture fails on a second one.
      fixture.finish()
    })

    it("places no order from a forged notification", async () => {
      const fixture = play("http-webhook-forged")
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      const webhooks = watchWebhooks(getContainer())
      try {
        const body = paypalEvent("CHECKOUT.ORDER.APPROVED", approvedOrder(session.id, String(session.data.id), "100.00"))
        const answer = await http.post(WEBHOOK, body, { headers: signPaypal(body, { secret: "a forger's key" }) })
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
  },
})
