/**
 * PayPal through the repository's store: the shared HTTP scenarios (the region lists it; cart
 * to order to capture to refunds; a verified CHECKOUT.ORDER.APPROVED completes the cart of a
 * buyer who approved and left, once; a forged one places nothing), then PayPal's own (captures
 * in parts, a refund spanning both; the saved-method routes with PayPal's vault, replayed from
 * `fixtures/paypal/vault-http-saved-methods.json`).
 */
import { Modules } from "@medusajs/framework/utils"
import { PAYMENT_EVENTS_MODULE } from "../../src/modules/payment-events"
import { describeProviderOverHttp } from "../harness/http-suite"
import { CustomerLogin, cartWithSession, customerLogin, orderOfCart, refused } from "../harness/medusa"
import {
  PAYPAL_ORIGIN,
  PAYPAL_TOKEN_PATH,
  TEST_ROOT_CERT_PATH,
  approvedOrder,
  authorizationResource,
  captureResource,
  disputeResource,
  paypalEvent,
  paypalTestKeys,
  refundResource,
  signPaypal,
} from "../harness/paypal"

const PROVIDER = "pp_paypal_paypal"

// The app's provider keeps its OAuth token (PayPal's last 9 hours): only the first PayPal call
// of this file asks for one, whichever test makes it.
let appHasToken = false

describeProviderOverHttp(
  {
    name: "PayPal",
    providerId: PROVIDER,
    // The app reads its providers from the environment, as in production.
    env: {
      PAYPAL_CLIENT_ID: paypalTestKeys.clientId,
      PAYPAL_CLIENT_SECRET: paypalTestKeys.clientSecret,
      PAYPAL_WEBHOOK_ID: paypalTestKeys.webhookId,
      PAYPAL_ENVIRONMENT: "sandbox",
      // The TEST-ONLY root the signed notifications' certificate chains to, instead of Node's
      // bundled Mozilla roots (refused in production).
      PAYPAL_WEBHOOK_CERTIFICATE_ROOTS: TEST_ROOT_CERT_PATH,
      // Medusa boots the app more than once here and no PayPal answers at boot in replay; the
      // boot check of the credentials is covered by the provider's unit tests.
      PAYPAL_VERIFY_CREDENTIALS_AT_BOOT: "false",
    },
    store: { currency: "usd", countries: ["us"], price: 100 },
    fixtures: {
      provider: "paypal",
      origin: PAYPAL_ORIGIN,
      prepare: (fixture) =>
        appHasToken ? { ...fixture, interactions: fixture.interactions.filter((i) => i.request.path !== PAYPAL_TOKEN_PATH) } : fixture,
      played: (replay) => {
        if (replay.requests.some((r) => r.path === PAYPAL_TOKEN_PATH)) appHasToken = true
      },
    },
    checkout: {
      scenario: "http-cart-to-refund",
      // The buyer approves at PayPal (nothing to replay), then the storefront completes the cart.
      expectSession: (session) => {
        // The order id for the buttons and the approval link for a redirect.
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
        for (const field of ["purchase_units", "links"]) {
          expect(session.data).not.toHaveProperty(field)
        }
      },
      expectAuthorized: (payment) => {
        expect(payment.data).toEqual(expect.objectContaining({ authorization: expect.objectContaining({ id: "5HA79032BC4415716", status: "CREATED" }) }))
        expect(JSON.stringify(payment.data)).not.toContain("sam.shopper@example.com")
      },
      refunds: [40, 60],
      expectSettled: (payment) => {
        expect(payment.data).toEqual(expect.objectContaining({ amount_captured: "100.00", amount_refunded: "100.00" }))
      },
      // Every call that changed something at PayPal carried a PayPal-Request-Id: Medusa's own
      // capture and refund ids where it gives them.
      expectRequests: (fixture, session) => {
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
      },
    },
    webhooks: {
      path: "/hooks/payment/paypal_paypal",
      completesCart: "http-webhook-completes-cart",
      forged: "http-webhook-forged",
      // The buyer approved at PayPal and never came back to the store.
      paidEvent: (session) => paypalEvent("CHECKOUT.ORDER.APPROVED", approvedOrder(session.id, String(session.data.id), "100.00")),
      sign: (body, forged) => signPaypal(body, forged ? { secret: "a forger's key" } : {}),
    },
  },
  ({ http, getContainer, store, play }) => {
    it("errors the session of a capture PayPal denied, once however often it is delivered, and the buyer pays again with a new session", async () => {
      let fixture = play("http-webhook-forged")
      const { collectionId, session } = await cartWithSession(http, store(), PROVIDER)
      fixture.finish()
      // PayPal denies the capture of the buyer's approved order (PAYMENT.CAPTURE.DENIED, signed).
      const denied = paypalEvent("PAYMENT.CAPTURE.DENIED", { ...captureResource(session.id, "DENIED", "100.00"), status_details: { reason: "DECLINED_BY_RISK_FRAUD_FILTERS" } })
      const deliver = (body: string) => http.post("/hooks/payment/paypal_paypal", body, { headers: signPaypal(body) })
      expect((await deliver(denied)).data).toEqual({ received: true, outcome: "acted_on" })
      expect((await deliver(denied)).data).toEqual({ received: true, outcome: "duplicate" })
      const payments = getContainer().resolve(Modules.PAYMENT) as any
      const [errored] = await payments.listPaymentSessions({ id: session.id })
      expect(errored.status).toBe("error")
      const events = await (getContainer().resolve(PAYMENT_EVENTS_MODULE) as any).listPaymentGatewayEvents({ session_id: session.id })
      expect(events.map((e: any) => [e.event_type, e.outcome, e.deliveries, e.detail])).toEqual([
        ["PAYMENT.CAPTURE.DENIED", "acted_on", 2, expect.stringContaining("DECLINED_BY_RISK_FRAUD_FILTERS")],
      ])

      // The buyer tries again: a new session, a new PayPal order.
      fixture = play("http-webhook-forged")
      const { data } = await http.post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: PROVIDER }, store().store)
      const [retry] = data.payment_collection.payment_sessions
      expect(retry.id).not.toBe(session.id)
      expect(retry.status).toBe("pending")
      fixture.finish()
    })

    it("captures exactly what the admin captures, in parts, and refunds across both captures", async () => {
      const fixture = play("http-partial-captures")
      const { cartId } = await cartWithSession(http, store(), PROVIDER)
      await http.post(`/store/carts/${cartId}/complete`, {}, store().store)
      const payment = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]

      // The fixture expects 60.00 with final_capture false, then 40.00 with final_capture true.
      await http.post(`/admin/payments/${payment.id}/capture`, { amount: 60 }, store().admin)
      await http.post(`/admin/payments/${payment.id}/capture`, { amount: 40 }, store().admin)
      // One refund of the whole amount: 60.00 from the first capture, 40.00 from the second.
      await http.post(`/admin/payments/${payment.id}/refund`, { amount: 100 }, store().admin)

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

    it("records a dashboard refund once, a dispute and a reversal, knows Medusa's own refund, and cancels a voided authorization", async () => {
      const fixture = play("http-outcomes")
      const deliver = (body: string) => http.post("/hooks/payment/paypal_paypal", body, { headers: signPaypal(body) })
      const CAPTURE = "2HC02735PB9360417"
      const upToCapture = [
        { href: `${PAYPAL_ORIGIN}/v2/payments/refunds/7XY12345AB6789012`, rel: "self", method: "GET" },
        { href: `${PAYPAL_ORIGIN}/v2/payments/captures/${CAPTURE}`, rel: "up", method: "GET" },
      ]
      const { cartId, session } = await cartWithSession(http, store(), PROVIDER)
      await http.post(`/store/carts/${cartId}/complete`, {}, store().store)
      const order = await orderOfCart(getContainer(), cartId)
      const payment = order.payment_collections[0].payments[0]
      await http.post(`/admin/payments/${payment.id}/capture`, {}, store().admin)

      // 25.00 refunded in PayPal's dashboard: the refund carries no custom_id.
      const dashboard = paypalEvent("PAYMENT.CAPTURE.REFUNDED", { ...refundResource(session.id, "25.00", "7XY12345AB6789012", null), links: upToCapture })
      expect((await deliver(dashboard)).data).toEqual({ received: true, outcome: "acted_on" })
      expect((await deliver(dashboard)).data).toEqual({ received: true, outcome: "duplicate" })

      // A dispute, then PayPal takes money back (a reversal).
      const dispute = disputeResource(session.id, {
        disputed_transactions: [{ seller_transaction_id: CAPTURE, create_time: "2026-11-23T09:00:00Z", transaction_status: "COMPLETED", gross_amount: { currency_code: "USD", value: "100.00" }, custom: session.id }],
        dispute_amount: { currency_code: "USD", value: "75.00" },
      })
      expect((await deliver(paypalEvent("CUSTOMER.DISPUTE.CREATED", dispute))).data.outcome).toBe("acted_on")
      const reversal = paypalEvent("PAYMENT.CAPTURE.REVERSED", { ...refundResource(session.id, "75.00", "8RV12345AB6789012", null), links: upToCapture })
      expect((await deliver(reversal)).data.outcome).toBe("acted_on")
      const disputes = await (getContainer().resolve(PAYMENT_EVENTS_MODULE) as any).listPaymentDisputes({ payment_id: payment.id })
      expect(disputes.map((d: any) => [d.dispute_id, d.status, d.amount, d.reason]).sort()).toEqual([
        ["8RV12345AB6789012", "lost", "75", "reversed"],
        ["PP-D-27803", "opened", "75", "MERCHANDISE_OR_SERVICE_NOT_RECEIVED"],
      ])

      // Medusa's own refund reaches PayPal once; its notification coming back records nothing.
      await http.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, store().admin)
      const refunds = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0].refunds
      expect(refunds.map((r: { amount: number }) => r.amount).sort()).toEqual([10, 25])
      const ours = paypalEvent("PAYMENT.CAPTURE.REFUNDED", refundResource(session.id, "10.00", "3HR56640JN1920845", `${session.id}.${fixture.vars.refund_1}`))
      expect((await deliver(ours)).data).toEqual({ received: true, outcome: "duplicate" })
      expect((await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0].refunds).toHaveLength(2)

      // Another order, whose authorization PayPal voids (it expired, or the buyer's bank declined it).
      const other = await cartWithSession(http, store(), PROVIDER)
      await http.post(`/store/carts/${other.cartId}/complete`, {}, store().store)
      const otherPayment = (await orderOfCart(getContainer(), other.cartId)).payment_collections[0].payments[0]
      const voided = paypalEvent("PAYMENT.AUTHORIZATION.VOIDED", authorizationResource(other.session.id, "VOIDED", "100.00"))
      expect((await deliver(voided)).data).toEqual({ received: true, outcome: "acted_on" })
      const [after] = await (getContainer().resolve(Modules.PAYMENT) as any).listPayments({ id: otherPayment.id })
      expect(after.canceled_at).not.toBeNull()
      fixture.finish()
    })

    // The saved-method routes (`/store/customers/me/payment-methods`, the plugin's) with PayPal's
    // vault: a logged-in customer's purchase saves her PayPal account (PayPal's customer id lands
    // on her account holder), the routes list it, a second cart pays with it without her approving
    // at PayPal, another customer neither sees nor deletes it, and she deletes it.
    describe("saved payment methods", () => {
      const ROUTE = "/store/customers/me/payment-methods"
      const PAYPAL_CUSTOMER = "customer_4029352050"
      const SAVED = "7cw53019hq"
      const list = async (who: CustomerLogin) =>
        (await http.get(`${ROUTE}?provider_id=${PROVIDER}`, { headers: who.headers })).data.payment_methods as Array<{ id: string; provider_id: string; data: Record<string, any> }>
      const holdersOf = async (customerId: string) => {
        const query = getContainer().resolve("query") as any
        const { data } = await query.graph({ entity: "customer", fields: ["account_holders.*"], filters: { id: customerId } })
        return data[0].account_holders as Array<{ provider_id: string; external_id: string; data: Record<string, unknown> }>
      }

      it("saves Ada's PayPal account while she pays, lists it, pays a second cart with it without approval, keeps it from Bob, and deletes it", async () => {
        const fixture = play("vault-http-saved-methods")
        const ada = await customerLogin(http, store(), { email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" })
        const bob = await customerLogin(http, store(), { email: "bob@example.com", first_name: "Bob", last_name: "Babbage" })

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
    })
  }
)
