/**
 * Saved payment methods through the repository's store, with Stripe: the plugin's store
 * routes `/store/customers/me/payment-methods` for a logged-in customer (save, list, delete)
 * and Medusa's own checkout paying with a saved card. Stripe's API is replayed in-process
 * (`fixtures/stripe/http-saved-methods.json`, strict: an unexpected or a missing call fails).
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { FixtureSession } from "../harness/fixtures"
import { Api, CustomerLogin, STORE_DIR, TestStore, cartWithSession, customerLogin, orderOfCart, refused, setUpStore } from "../harness/medusa"
import { STRIPE_ORIGIN, storefrontStripe, stripeTestKeys } from "../harness/stripe"

const PROVIDER = "pp_stripe_stripe"
const ROUTE = "/store/customers/me/payment-methods"
const ENV = { STRIPE_API_KEY: stripeTestKeys.apiKey, STRIPE_WEBHOOK_SECRET: stripeTestKeys.webhookSecret }

// Set before the app boots: the store's medusa-config reads the environment once.
Object.assign(process.env, ENV)

medusaIntegrationTestRunner({
  cwd: STORE_DIR,
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore
    let replay: FixtureSession | undefined
    const play = (scenario: string) => (replay = FixtureSession.load("stripe", scenario, { origin: STRIPE_ORIGIN, bodyFormat: "form" }).start())
    /** No gateway at all: any call to Stripe fails the test. */
    const noGateway = () =>
      (replay = new FixtureSession({ provider: "stripe", scenario: "no-calls", source: "inline", interactions: [] }, { origin: STRIPE_ORIGIN, bodyFormat: "form" }).start())

    beforeEach(async () => {
      store = await setUpStore(getContainer(), http, { currency: "usd", countries: ["us"], providers: [PROVIDER], price: 100 })
    })

    afterEach(() => {
      replay?.stop()
      replay = undefined
    })

    afterAll(() => {
      for (const name of Object.keys(ENV)) delete process.env[name]
    })

    const list = async (who: CustomerLogin) =>
      (await http.get(`${ROUTE}?provider_id=${PROVIDER}`, { headers: who.headers })).data.payment_methods as Array<{ id: string; provider_id: string; data: Record<string, any> }>

    it("saves a card, pays a cart with it without the storefront confirming, keeps it from another customer, deletes it, and lists what Stripe has", async () => {
      const fixture = play("http-saved-methods")
      const ada = await customerLogin(http, store, { email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" })
      const bob = await customerLogin(http, store, { email: "bob@example.com", first_name: "Bob", last_name: "Babbage" })

      // No account holder at Stripe yet: nothing to list, and Stripe is not asked.
      expect(await list(ada)).toEqual([])
      expect(fixture.requests).toHaveLength(0)

      // Saving: the store creates her Stripe customer and a SetupIntent the storefront confirms.
      const { data: saved } = await http.post(ROUTE, { provider_id: PROVIDER, data: {} }, { headers: ada.headers })
      expect(saved.payment_method).toEqual({
        id: "seti_3QfxSavedAda0001",
        provider_id: PROVIDER,
        data: { id: "seti_3QfxSavedAda0001", client_secret: expect.any(String), status: "requires_payment_method" },
      })
      expect(fixture.vars.customer_a).toBe(ada.customerId)
      await storefrontStripe().setupIntents.confirm(saved.payment_method.id, { payment_method: "pm_card_visa" })
      // Her account holder is linked to her as Medusa's checkout links it.
      const query = getContainer().resolve("query") as any
      const { data: linked } = await query.graph({ entity: "customer", fields: ["account_holders.*"], filters: { id: ada.customerId } })
      expect(linked[0].account_holders).toEqual([expect.objectContaining({ provider_id: PROVIDER, external_id: "cus_QfxSavedAda0001" })])

      const visa = { id: "pm_3QfxSavedAdaVisa1", provider_id: PROVIDER, data: { id: "pm_3QfxSavedAdaVisa1", type: "card", created: 1763856000, card: { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2030, wallet: null } } }
      const listed = await list(ada)
      expect(listed).toEqual([visa])
      // What the storefront sees of a card: no billing details, no fingerprint.
      expect(JSON.stringify(listed)).not.toMatch(/ada@example|Lovelace|fingerprint|billing_details/)

      // A cart paid with the saved card: the session names it, the cart's completion confirms
      // it at Stripe (the fixture has no storefront call in between) and places the order.
      const paid = await cartWithSession(http, ada.store, PROVIDER, { email: ada.email, sessionData: { payment_method: visa.id } })
      expect(paid.session.status).toBe("pending")
      expect(paid.session.data).toEqual(expect.objectContaining({ status: "requires_confirmation", payment_method: visa.id, customer: "cus_QfxSavedAda0001" }))
      const { data: completed } = await http.post(`/store/carts/${paid.cartId}/complete`, {}, ada.store.store)
      expect(completed.type).toBe("order")
      const order = await orderOfCart(getContainer(), paid.cartId)
      expect(order.payment_collections[0].payments[0]).toEqual(
        expect.objectContaining({ provider_id: PROVIDER, amount: 100, captured_at: null, data: expect.objectContaining({ status: "requires_capture", payment_method: visa.id }) })
      )

      // Saved during a purchase: the second cart's intent carries setup_future_usage for her customer.
      const second = await cartWithSession(http, ada.store, PROVIDER, { email: ada.email, sessionData: { save_payment_method: true } })
      await storefrontStripe().paymentIntents.confirm(String(second.session.data.id), { payment_method: "pm_card_mastercard" })
      expect((await http.post(`/store/carts/${second.cartId}/complete`, {}, ada.store.store)).data.type).toBe("order")
      expect((await list(ada)).map((m) => [m.id, m.data.card.brand, m.data.card.last4])).toEqual([
        [visa.id, "visa", "4242"],
        ["pm_3QfxSavedAdaMc001", "mastercard", "4444"],
      ])

      // Bob has his own Stripe customer and sees none of Ada's cards, nor can he delete one.
      await http.post(ROUTE, { provider_id: PROVIDER }, { headers: bob.headers })
      expect(await list(bob)).toEqual([])
      const before = fixture.mutatingRequests().length
      const foreign = await refused(http.delete(`${ROUTE}/${visa.id}?provider_id=${PROVIDER}`, { headers: bob.headers }))
      expect(foreign).toEqual(expect.objectContaining({ status: 404, type: "not_found" }))
      // Only Bob's own list was read: nothing was changed at Stripe, Ada's card was not even looked up.
      expect(fixture.mutatingRequests()).toHaveLength(before)
      expect(fixture.requests.at(-1)).toEqual(expect.objectContaining({ method: "GET", path: "/v1/customers/cus_QfxSavedBob0001/payment_methods" }))

      // Ada deletes her card: detached at Stripe.
      const { data: deleted } = await http.delete(`${ROUTE}/${visa.id}?provider_id=${PROVIDER}`, { headers: ada.headers })
      expect(deleted).toEqual({ id: visa.id, object: "payment_method", deleted: true })
      expect(fixture.mutatingRequests().at(-1)).toEqual(expect.objectContaining({ method: "POST", path: `/v1/payment_methods/${visa.id}/detach` }))

      // The Mastercard was detached in Stripe's dashboard: the listing asks Stripe, so it is gone.
      expect(await list(ada)).toEqual([])
      fixture.finish()
    })

    it("refuses without a customer's login, a provider without a vault, an unknown provider and malformed requests, without calling Stripe", async () => {
      const fixture = noGateway()
      const ada = await customerLogin(http, store, { email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" })

      expect((await refused(http.get(`${ROUTE}?provider_id=${PROVIDER}`, store.store))).status).toBe(401)
      expect((await refused(http.post(ROUTE, { provider_id: PROVIDER }, store.store))).status).toBe(401)
      expect((await refused(http.delete(`${ROUTE}/pm_3QfxSavedAdaVisa1?provider_id=${PROVIDER}`, store.store))).status).toBe(401)

      // Medusa's system provider is registered but keeps no payment methods.
      const system = await refused(http.get(`${ROUTE}?provider_id=pp_system_default`, { headers: ada.headers }))
      expect(system).toEqual({ status: 400, type: "invalid_data", message: "Payment provider pp_system_default does not keep saved payment methods" })
      const systemSave = await refused(http.post(ROUTE, { provider_id: "pp_system_default", data: {} }, { headers: ada.headers }))
      expect(systemSave.message).toBe("Payment provider pp_system_default does not keep saved payment methods")

      const unknown = await refused(http.get(`${ROUTE}?provider_id=pp_nowhere_nowhere`, { headers: ada.headers }))
      expect(unknown).toEqual({ status: 404, type: "not_found", message: "Payment provider pp_nowhere_nowhere was not found" })
      expect((await refused(http.delete(`${ROUTE}/pm_1?provider_id=pp_nowhere_nowhere`, { headers: ada.headers }))).status).toBe(404)

      const malformed = [
        () => http.get(ROUTE, { headers: ada.headers }),
        () => http.get(`${ROUTE}?provider_id=stripe`, { headers: ada.headers }),
        () => http.post(ROUTE, { data: {} }, { headers: ada.headers }),
        () => http.post(ROUTE, { provider_id: PROVIDER, data: "pm_card_visa" }, { headers: ada.headers }),
        () => http.post(ROUTE, { provider_id: PROVIDER, customer_id: "cus_someone_else" }, { headers: ada.headers }),
        () => http.delete(`${ROUTE}/pm_1`, { headers: ada.headers }),
      ]
      for (const request of malformed) {
        expect(await refused(request())).toEqual(expect.objectContaining({ status: 400, type: "invalid_data" }))
      }

      // Her own id that Stripe does not list for her (she has no Stripe customer): 404.
      const missing = await refused(http.delete(`${ROUTE}/pm_3QfxSavedAdaVisa1?provider_id=${PROVIDER}`, { headers: ada.headers }))
      expect(missing).toEqual({ status: 404, type: "not_found", message: "Payment method pm_3QfxSavedAdaVisa1 was not found" })

      // A storefront cannot claim the shopper is away (off_session lets the issuer skip
      // authentication): the session route refuses it, and no intent is created.
      const offSession = await refused(cartWithSession(http, ada.store, PROVIDER, { email: ada.email, sessionData: { payment_method: "pm_3QfxSavedAdaVisa1", off_session: true } }))
      expect(offSession).toEqual({
        status: 400,
        type: "invalid_data",
        message: "`off_session` cannot be set from a storefront: it is for payments the merchant makes while the customer is away",
      })
      fixture.finish()
      expect(fixture.requests).toHaveLength(0)
    })
  },
})
