/**
 * Stripe through the repository's store: the shared HTTP scenarios (the region lists it; cart
 * to order to capture to refunds; a signed webhook completes a paid cart once; a forged one
 * places nothing), then Stripe's own (a partial capture, which Stripe makes once).
 */
import { describeProviderOverHttp } from "../harness/http-suite"
import { cartWithSession, orderOfCart, refused } from "../harness/medusa"
import { STRIPE_ORIGIN, signStripe, storefrontConfirms, stripeEvent, stripeIntent, stripeTestKeys } from "../harness/stripe"

const PROVIDER = "pp_stripe_stripe"

describeProviderOverHttp(
  {
    name: "Stripe",
    providerId: PROVIDER,
    // The app reads its providers from the environment, as in production.
    env: { STRIPE_API_KEY: stripeTestKeys.apiKey, STRIPE_WEBHOOK_SECRET: stripeTestKeys.webhookSecret },
    store: { currency: "usd", countries: ["us"], price: 100 },
    fixtures: { provider: "stripe", origin: STRIPE_ORIGIN, bodyFormat: "form" },
    checkout: {
      scenario: "http-cart-to-refund",
      // Stripe.js confirms the card on the storefront with the client secret.
      buyerApproves: (session) => storefrontConfirms(String(session.data.id)).then(() => undefined),
      expectSession: (session) => {
        // Enough to confirm the card, not the whole intent.
        expect(session.data).toEqual(
          expect.objectContaining({ id: "pi_3QfxHttpOrder0001", client_secret: expect.any(String), status: "requires_payment_method", amount: 10000, currency: "usd" })
        )
        for (const field of ["payment_method_options", "charges", "next_action"]) {
          expect(session.data).not.toHaveProperty(field)
        }
      },
      refunds: [40],
      expectSettled: (payment) => {
        expect(payment.data).toEqual(expect.objectContaining({ status: "succeeded", amount_received: 10000, amount_refunded: 4000 }))
      },
    },
    webhooks: {
      path: "/hooks/payment/stripe_stripe",
      completesCart: "http-webhook-completes-cart",
      forged: "http-webhook-forged",
      // The card is confirmed, then the shopper's browser is closed before the cart's completion.
      buyerApproves: (session) => storefrontConfirms(String(session.data.id)).then(() => undefined),
      paidEvent: (session) =>
        stripeEvent(
          "payment_intent.amount_capturable_updated",
          stripeIntent(session.id, { id: String(session.data.id), status: "requires_capture", amount: 10000, amount_capturable: 10000, amount_received: 0 })
        ),
      sign: (body, forged) => signStripe(body, forged ? { secret: "whsec_not_the_store_secret" } : {}),
    },
  },
  ({ http, getContainer, store, play }) => {
    it("captures exactly the amount the admin captures, once", async () => {
      const fixture = play("http-partial-capture")
      const { cartId, session } = await cartWithSession(http, store(), PROVIDER)
      await storefrontConfirms(String(session.data.id))
      await http.post(`/store/carts/${cartId}/complete`, {}, store().store)
      const order = await orderOfCart(getContainer(), cartId)
      const payment = order.payment_collections[0].payments[0]

      // The fixture expects amount_to_capture=6000: Stripe captures 60.00, not 100.00.
      await http.post(`/admin/payments/${payment.id}/capture`, { amount: 60 }, store().admin)
      // Stripe released the other 40.00; a second capture is refused, not recorded.
      const again = await refused(http.post(`/admin/payments/${payment.id}/capture`, { amount: 40 }, store().admin))
      expect(again.message).toMatch(/already captured/)

      const after = await orderOfCart(getContainer(), cartId)
      expect(after.payment_collections[0].payments[0].captures.map((c: { amount: number }) => c.amount)).toEqual([60])
      fixture.finish()
    })
  }
)
