/**
 * Saved payment methods through the repository's store, with PayPal: a logged-in customer's
 * purchase saves her PayPal account (PayPal's customer id lands on her account holder), the
 * plugin's store routes `/store/customers/me/payment-methods` list it, a second cart pays with it
 * without her approving at PayPal, another customer neither sees nor deletes it, and she deletes
 * it. PayPal's API is replayed in-process (`fixtures/paypal/vault-http-saved-methods.json`,
 * strict: an unexpected or a missing call fails).
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { FixtureSession } from "../harness/fixtures"
import { Api, CustomerLogin, STORE_DIR, TestStore, cartWithSession, customerLogin, orderOfCart, refused, setUpStore } from "../harness/medusa"
import { PAYPAL_ORIGIN, TEST_ROOT_CERT_PATH, paypalTestKeys } from "../harness/paypal"

const PROVIDER = "pp_paypal_paypal"
const ROUTE = "/store/customers/me/payment-methods"
const PAYPAL_CUSTOMER = "customer_4029352050"
const SAVED = "7cw53019hq"
const ENV = {
  PAYPAL_CLIENT_ID: paypalTestKeys.clientId,
  PAYPAL_CLIENT_SECRET: paypalTestKeys.clientSecret,
  PAYPAL_WEBHOOK_ID: paypalTestKeys.webhookId,
  PAYPAL_ENVIRONMENT: "sandbox",
  PAYPAL_WEBHOOK_CERTIFICATE_ROOTS: TEST_ROOT_CERT_PATH,
  // No PayPal answers at boot in replay; the boot check is covered by the provider's unit tests.
  PAYPAL_VERIFY_CREDENTIALS_AT_BOOT: "false",
}

// Set before the app boots: the store's medusa-config reads the environment once.
Object.assign(process.env, ENV)

medusaIntegrationTestRunner({
  cwd: STORE_DIR,
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore
    let replay: FixtureSession | undefined

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
    const holdersOf = async (customerId: string) => {
      const query = getContainer().resolve("query") as any
      const { data } = await query.graph({ entity: "customer", fields: ["account_holders.*"], filters: { id: customerId } })
      return data[0].account_holders as Array<{ provider_id: string; external_id: string; data: Record<string, unknown> }>
    }

    it("saves Ada's PayPal account while she pays, lists it, pays a second cart with it without approval, keeps it from Bob, and deletes it", async () => {
      const fixture = (replay = FixtureSession.load("paypal", "vault-http-saved-methods", { origin: PAYPAL_ORIGIN }).start())
      const ada = await customerLogin(http, store, { email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" })
      const bob = await customerLogin(http, store, { email: "bob@example.com", first_name: "Bob", last_name: "Babbage" })

      // Nothing saved yet, and PayPal is not asked.
      expect(await list(ada)).toEqual([])
      expect(fixture.requests).toHaveLength(0)

      // Her first cart asks to save PayPal: Medusa creates her account holder (PayPal creates
      // nobody yet), and the order asks PayPal to save the account on success.
      const first = await cartWithSession(http, ada.store, PROVIDER, { email: ada.email, sessionData: { save_payment_method: true } })
      expect(first.session.data.vault).toEqual(
        expect.objectContaining({ mode: "save", source: "paypal", payment_method_id: null, customer_id: null, account_holder_id: expect.stringMatching(/^acchld_/) })
      )
      expect(await holdersOf(ada.customerId)).toEqual([
        expect.objectContaining({ provider_id: PROVIDER, external_id: ada.customerId, data: { paypal_customer_id: null } }),
      ])

      // She approves at PayPal (nothing to replay) and the storefront completes the cart.
      const { data: placed } = await http.post(`/store/carts/${first.cartId}/complete`, {}, ada.store.store)
      expect(placed.type).toBe("order")
      const firstOrder = await orderOfCart(getContainer(), first.cartId)
      expect(firstOrder.payment_collections[0].payments[0].data.vault).toEqual(
        expect.objectContaining({ mode: "save", payment_method_id: SAVED, customer_id: PAYPAL_CUSTOMER, status: "VAULTED" })
      )
      // PayPal minted her customer at this first save: it is now her account holder's.
      expect(await holdersOf(ada.customerId)).toEqual([
        expect.objectContaining({ provider_id: PROVIDER, external_id: PAYPAL_CUSTOMER, data: { paypal_customer_id: PAYPAL_CUSTOMER } }),
      ])

      const listed = await list(ada)
      expect(listed).toEqual([{ id: SAVED, provider_id: PROVIDER, data: { source: "paypal", email_hint: "s***@example.com" } }])
      expect(JSON.stringify(listed)).not.toMatch(/sam\.shopper|Shopper|QYR5Z8XDVJNXQ/)
      // Saving outside a purchase is refused with the reason (400), PayPal not asked.
      const asked = fixture.requests.length
      const outside = await refused(http.post(ROUTE, { provider_id: PROVIDER, data: {} }, { headers: ada.headers }))
      expect({ status: outside.status, message: outside.message }).toEqual({
        status: 400,
        message: expect.stringMatching(/^Saving a PayPal account outside a purchase is not supported by the PayPal payment provider: .*save_payment_method: true/),
      })
      expect(fixture.requests).toHaveLength(asked)

      // Her second cart pays with it: no approval link, and the cart completes at once.
      const second = await cartWithSession(http, ada.store, PROVIDER, { email: ada.email, sessionData: { payment_method_id: SAVED } })
      expect(second.session.status).toBe("pending")
      expect(second.session.data).toEqual(expect.objectContaining({ status: "CREATED", approve_url: null, vault: expect.objectContaining({ mode: "use", payment_method_id: SAVED }) }))
      const { data: paid } = await http.post(`/store/carts/${second.cartId}/complete`, {}, ada.store.store)
      expect(paid.type).toBe("order")
      const secondOrder = await orderOfCart(getContainer(), second.cartId)
      expect(secondOrder.payment_collections[0].payments[0]).toEqual(
        expect.objectContaining({ provider_id: PROVIDER, amount: 100, data: expect.objectContaining({ authorization: expect.objectContaining({ id: "9KD47138MA2260851", status: "CREATED" }) }) })
      )

      // Bob has no PayPal customer: he sees nothing of hers and cannot delete it, and PayPal is not asked.
      const before = fixture.requests.length
      expect(await list(bob)).toEqual([])
      expect(await refused(http.delete(`${ROUTE}/${SAVED}?provider_id=${PROVIDER}`, { headers: bob.headers }))).toEqual(expect.objectContaining({ status: 404, type: "not_found" }))
      // Nor pay with it: refused before any PayPal order (he has no PayPal customer to own it).
      const foreign = await refused(cartWithSession(http, bob.store, PROVIDER, { email: bob.email, sessionData: { payment_method_id: SAVED } }))
      expect(foreign).toEqual(expect.objectContaining({ status: 400, message: `PayPal: saved payment method ${SAVED} is not one of this customer's` }))
      expect(fixture.requests.length).toBe(before)

      // Ada deletes it: the route lists hers, the provider checks the token is hers and deletes it at PayPal.
      const { data: deleted } = await http.delete(`${ROUTE}/${SAVED}?provider_id=${PROVIDER}`, { headers: ada.headers })
      expect(deleted).toEqual({ id: SAVED, object: "payment_method", deleted: true })
      const deletion = fixture.mutatingRequests().at(-1)
      expect(deletion).toEqual(expect.objectContaining({ method: "DELETE", path: `/v3/vault/payment-tokens/${SAVED}` }))
      expect(deletion?.headers["paypal-request-id"]).toEqual(expect.any(String))
      // PayPal no longer has it: not listed again.
      expect(await list(ada)).toEqual([])
      fixture.finish()

      // Every call that changed something at PayPal carried a PayPal-Request-Id.
      for (const request of fixture.mutatingRequests().filter((r) => r.path !== "/v1/oauth2/token")) {
        expect(request.headers["paypal-request-id"]).toEqual(expect.any(String))
      }
    })
  },
})
