/**
 * Braintree through the repository's store: the shared HTTP scenarios (the region lists it;
 * a cart paid with Drop-in's nonce becomes an order, the admin captures it and refunds it in
 * parts), then Braintree's own: the client-token route for a guest and for a logged-in
 * customer, a card saved through the saved-method routes and a cart paid with it, the card
 * deleted (and only by its owner), and a signed dispute notification recorded once, a forged
 * one refused.
 *
 * Braintree's transactions are made by the store at the cart's completion, so no notification
 * completes a cart: the suite's webhook scenarios do not apply.
 */
import { PAYMENT_EVENTS_MODULE } from "../../src/modules/payment-events"
import { describeProviderOverHttp } from "../harness/http-suite"
import { cartWithSession, customerLogin, orderOfCart, refused, refusedWebhook } from "../harness/medusa"
import { BRAINTREE_ORIGIN, braintreeTestKeys, disputeXml, notificationXml, signBraintree } from "../harness/braintree"

const PROVIDER = "pp_braintree_braintree"
const HOOK = "/hooks/payment/braintree_braintree"

describeProviderOverHttp(
  {
    name: "Braintree",
    providerId: PROVIDER,
    // The app reads its providers from the environment, as in production.
    env: {
      BRAINTREE_MERCHANT_ID: braintreeTestKeys.merchantId,
      BRAINTREE_PUBLIC_KEY: braintreeTestKeys.publicKey,
      BRAINTREE_PRIVATE_KEY: braintreeTestKeys.privateKey,
      BRAINTREE_MERCHANT_ACCOUNTS: "USD:acme_usd",
      BRAINTREE_VERIFY_CREDENTIALS_AT_BOOT: "false",
    },
    store: { currency: "usd", countries: ["us"], price: 100 },
    fixtures: { provider: "braintree", origin: BRAINTREE_ORIGIN, bodyFormat: "json" },
    checkout: {
      scenario: "http-cart-to-refund",
      // Drop-in gave the storefront a nonce, which it hands to the session.
      sessionData: { payment_method_nonce: "fake-valid-nonce" },
      expectSession: (session) => {
        expect(session.data).toEqual(
          expect.objectContaining({ amount: "100.00", currency_code: "USD", merchant_account_id: "acme_usd", status: "pending", transaction_id: null })
        )
      },
      refunds: [40, 60],
      expectAuthorized: (payment) => {
        expect(payment.data).toEqual(expect.objectContaining({ transaction_id: "tx1httporder", status: "authorized", payment_method_nonce: null }))
        expect(payment.data.payment_method).toEqual({ type: "credit_card", brand: "Visa", last4: "1111" })
      },
      expectSettled: (payment) => {
        expect(payment.data).toEqual(expect.objectContaining({ amount_captured: "100.00", amount_refunded: "100.00" }))
        expect(payment.data.refunds.map((r: { medusa_refund_id: string | null }) => r.medusa_refund_id)).toEqual([expect.stringMatching(/^ref_/), expect.stringMatching(/^ref_/)])
      },
    },
  },
  ({ http, getContainer, store, play }) => {
    it("hands out client tokens, saves a customer's card, pays a cart with it, lets only its owner delete it, and records a dispute once", async () => {
      const fixture = play("http-saved-card")
      const token = (headers: Record<string, string>) =>
        http.post("/store/payments-collection/client-token", { provider_id: PROVIDER, currency_code: "usd" }, { headers })

      // A guest's token is scoped to nobody.
      expect((await token(store().store.headers)).data).toEqual({ client_token: "fake-client-token-guest" })

      // A customer saves the card Drop-in vaulted for them.
      const ines = await customerLogin(http, store(), { email: "ines@example.com", first_name: "Ines", last_name: "Moreau" })
      fixture.bind("customer_id", ines.customerId)
      const { data: saved } = await http.post(
        "/store/customers/me/payment-methods",
        { provider_id: PROVIDER, data: { payment_method_nonce: "fake-valid-visa-nonce" } },
        { headers: ines.headers }
      )
      expect(saved.payment_method).toEqual({ id: "savedcardhttp1", provider_id: PROVIDER, data: expect.objectContaining({ type: "card", brand: "Visa", last4: "1111", exp_month: 12, exp_year: 2030 }) })
      const { data: listed } = await http.get(`/store/customers/me/payment-methods?provider_id=${PROVIDER}`, { headers: ines.headers })
      expect(listed.payment_methods.map((m: { id: string }) => m.id)).toEqual(["savedcardhttp1"])
      // Nothing of the holder reaches the storefront.
      expect(JSON.stringify(listed)).not.toMatch(/ines@example\.com|Moreau|REDACTED/)
      // A card the issuer refuses at verification is not saved, and the shopper is told why (400, not a crash).
      const declined = await refused(
        http.post("/store/customers/me/payment-methods", { provider_id: PROVIDER, data: { payment_method_nonce: "fake-processor-declined-visa-nonce" } }, { headers: ines.headers })
      )
      expect({ status: declined.status, message: declined.message }).toEqual({
        status: 400,
        message: "Braintree: the card was not saved: its verification was processor declined (processor response 2000 Do Not Honor)",
      })

      // Her token now offers the saved card.
      expect((await token(ines.headers)).data).toEqual({ client_token: "fake-client-token-customer" })

      // A cart paid with the saved card, no nonce, no step left to the shopper.
      const { cartId, session } = await cartWithSession(http, ines.store, PROVIDER, { sessionData: { payment_method_token: "savedcardhttp1" }, email: ines.email })
      expect(session.data).toEqual(expect.objectContaining({ braintree_customer_id: ines.customerId, payment_method_token: "savedcardhttp1" }))
      const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, ines.store.store)
      expect(completed.type).toBe("order")
      const payment = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]
      expect(payment.data).toEqual(expect.objectContaining({ transaction_id: "tx2httpsaved", status: "authorized" }))

      // Another customer sees none of it and cannot delete it (the gateway is not asked).
      const sam = await customerLogin(http, store(), { email: "sam@example.com", first_name: "Sam", last_name: "Shopper" })
      expect((await http.get(`/store/customers/me/payment-methods?provider_id=${PROVIDER}`, { headers: sam.headers })).data).toEqual({ payment_methods: [] })
      const foreign = await refused(http.delete(`/store/customers/me/payment-methods/savedcardhttp1?provider_id=${PROVIDER}`, { headers: sam.headers }))
      expect(foreign.status).toBe(404)

      // The owner deletes it: gone at Braintree, and no longer listed.
      await http.delete(`/store/customers/me/payment-methods/savedcardhttp1?provider_id=${PROVIDER}`, { headers: ines.headers })
      expect((await http.get(`/store/customers/me/payment-methods?provider_id=${PROVIDER}`, { headers: ines.headers })).data).toEqual({ payment_methods: [] })

      // The buyer disputes the charge: recorded against the payment, once.
      const dispute = notificationXml(
        "dispute_opened",
        disputeXml({ id: "dphttp0001", transaction: "tx2httpsaved", orderId: session.id, amount: "100.00" })
      )
      const delivery = signBraintree(dispute)
      expect((await http.post(HOOK, delivery.body, { headers: delivery.headers })).data).toEqual({ received: true, outcome: "acted_on" })
      expect((await http.post(HOOK, delivery.body, { headers: delivery.headers })).data).toEqual({ received: true, outcome: "duplicate" })
      const disputes = await (getContainer().resolve(PAYMENT_EVENTS_MODULE) as any).listPaymentDisputes({ payment_id: payment.id })
      expect(disputes.map((d: any) => [d.dispute_id, d.status, String(d.amount), d.reason])).toEqual([["dphttp0001", "opened", "100", "fraud"]])

      // Signed with another key: refused, nothing recorded.
      const forged = signBraintree(dispute.replace("dphttp0001", "dphttp0002"), { secret: "not-the-store-private-key" })
      expect(await refusedWebhook(http.post(HOOK, forged.body, { headers: forged.headers }))).toEqual({ status: 401, body: { received: false, message: "not verified" } })
      expect(await (getContainer().resolve(PAYMENT_EVENTS_MODULE) as any).listPaymentDisputes({ payment_id: payment.id })).toHaveLength(1)
      fixture.finish()
    })
  }
)
