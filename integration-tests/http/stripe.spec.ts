/**
 * Stripe through the repository's store: the shared HTTP scenarios (the region lists it; cart
 * to order to capture to refunds; a signed webhook completes a paid cart once; a forged one
 * places nothing), then Stripe's own (a partial capture, which Stripe makes once; the outcomes
 * Medusa's own webhook handling drops; the saved-method routes with a logged-in customer's cards,
 * replayed from `fixtures/stripe/http-saved-methods.json`, and their refusals).
 */
import { Modules } from "@medusajs/framework/utils"
import reconcilePaymentsJob from "../../src/jobs/reconcile-payments"
import { DISPUTE_EVENTS } from "../../src/lib/payments/outcomes/process"
import { PAYMENT_EVENTS_MODULE } from "../../src/modules/payment-events"
import { FixtureSession } from "../harness/fixtures"
import { describeProviderOverHttp } from "../harness/http-suite"
import { CustomerLogin, cartWithSession, customerLogin, orderOfCart, refused, refusedWebhook } from "../harness/medusa"
import { STRIPE_ORIGIN, signStripe, storefrontConfirms, storefrontIsDeclined, storefrontStripe, stripeEvent, stripeIntent, stripeTestKeys } from "../harness/stripe"
import { stripeDispute, stripeRefund } from "../harness/stripe-objects"

const PROVIDER = "pp_stripe_stripe"

describeProviderOverHttp(
  {
    name: "Stripe",
    providerId: PROVIDER,
    // The app reads its providers from the environment, as in production.
    env: { STRIPE_API_KEY: stripeTestKeys.apiKey, STRIPE_WEBHOOK_SECRET: stripeTestKeys.webhookSecret, PAYMENTS_LOCK_TIMEOUT_SECONDS: "1", PAYMENTS_RECONCILE_MIN_AGE_MINUTES: "0" },
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

    describe("the outcomes Medusa's own webhook handling drops", () => {
      const WEBHOOK = "/hooks/payment/stripe_stripe"
      const deliver = (body: string) => http.post(WEBHOOK, body, { headers: signStripe(body) })
      const events = () => getContainer().resolve(PAYMENT_EVENTS_MODULE) as any
      const sessionStatus = async (collectionId: string) => {
        const { data } = await http.get(`/store/payment-collections/${collectionId}?fields=*payment_sessions`, store().store).catch(() => ({ data: undefined as any }))
        if (data) return data.payment_collection.payment_sessions[0].status
        const [session] = await (getContainer().resolve(Modules.PAYMENT) as any).listPaymentSessions({ payment_collection_id: collectionId })
        return session.status
      }

      it("records a refund made in Stripe's dashboard once, however often it is delivered, and a dispute; and knows Medusa's own refund when it comes back", async () => {
        const fixture = play("http-outcomes-refund-dispute")
        const { cartId, session } = await cartWithSession(http, store(), PROVIDER)
        await storefrontConfirms(String(session.data.id))
        await http.post(`/store/carts/${cartId}/complete`, {}, store().store)
        const order = await orderOfCart(getContainer(), cartId)
        const payment = order.payment_collections[0].payments[0]
        await http.post(`/admin/payments/${payment.id}/capture`, {}, store().admin)

        // A 25.00 refund made in the dashboard: Stripe's refund.created, delivered ten times at once.
        const dashboardRefund = stripeRefund({ id: "re_3QfxDashboard0001", amount: 2500, payment_intent: String(session.data.id) })
        const created = stripeEvent("refund.created", dashboardRefund)
        const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(created)))
        expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200))
        expect(answers.map((a) => a.data.outcome).sort()).toEqual(["acted_on", ...Array(9).fill("duplicate")])
        // Stripe's second event about the same refund records nothing more.
        expect((await deliver(stripeEvent("refund.updated", dashboardRefund))).data.outcome).toBe("duplicate")

        let now = await orderOfCart(getContainer(), cartId)
        expect(now.payment_collections[0].payments[0].refunds.map((r: { amount: number }) => r.amount)).toEqual([25])
        const { data: adminOrder } = await http.get(`/admin/orders/${order.id}?fields=payment_status,summary.*,payment_collections.payments.refunds.note`, store().admin)
        expect(adminOrder.order.payment_status).toBe("partially_refunded")
        expect(adminOrder.order.payment_collections[0].payments[0].refunds[0].note).toBe(
          "Refunded at Stripe outside Medusa (gateway refund re_3QfxDashboard0001); recorded from the gateway's event"
        )

        // A chargeback: recorded on the payment and the order, and announced.
        const emitted: any[] = []
        const eventBus = getContainer().resolve(Modules.EVENT_BUS) as any
        const subscriber = async (event: any) => {
          emitted.push(event)
        }
        eventBus.subscribe(DISPUTE_EVENTS.opened, subscriber)
        eventBus.subscribe(DISPUTE_EVENTS.closed, subscriber)
        const dispute = stripeDispute({ id: "dp_3QfxHttpDispute01", amount: 7500, payment_intent: String(session.data.id) })
        expect((await deliver(stripeEvent("charge.dispute.created", dispute))).data.outcome).toBe("acted_on")
        const [record] = await events().listPaymentDisputes({ dispute_id: "dp_3QfxHttpDispute01" })
        expect(record).toEqual(
          expect.objectContaining({ provider_id: PROVIDER, payment_id: payment.id, order_id: order.id, status: "opened", amount: "75", currency_code: "usd", reason: "fraudulent" })
        )
        expect(new Date(record.evidence_due_by).toISOString()).toBe("2025-12-10T23:59:59.000Z")
        const { data: withMetadata } = await http.get(`/admin/orders/${order.id}?fields=metadata`, store().admin)
        expect(withMetadata.order.metadata.payment_disputes.dp_3QfxHttpDispute01).toEqual(
          expect.objectContaining({ status: "opened", amount: "75", currency_code: "usd", reason: "fraudulent", evidence_due_by: "2025-12-10T23:59:59.000Z" })
        )
        expect((await deliver(stripeEvent("charge.dispute.closed", { ...dispute, status: "lost" }))).data.outcome).toBe("acted_on")
        await new Promise((resolve) => setTimeout(resolve, 200))
        expect(emitted.map((e) => [e.name, e.data.status, e.data.order_id])).toEqual([
          [DISPUTE_EVENTS.opened, "opened", order.id],
          [DISPUTE_EVENTS.closed, "lost", order.id],
        ])

        // Medusa's own refund goes to Stripe once, and its event coming back records nothing.
        await http.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, store().admin)
        const medusaRefund = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0].refunds.find((r: { amount: number }) => r.amount === 10)
        expect(medusaRefund).toBeDefined()
        const echo = stripeRefund({ id: "re_3QfxHttpOrder0001", amount: 1000, payment_intent: String(session.data.id), metadata: { session_id: session.id, medusa_refund_id: medusaRefund.id } })
        expect((await deliver(stripeEvent("refund.created", echo))).data.outcome).toBe("duplicate")
        now = await orderOfCart(getContainer(), cartId)
        expect(now.payment_collections[0].payments[0].refunds.map((r: { amount: number }) => r.amount).sort()).toEqual([10, 25])

        // The timeline the admin sees.
        const { data: view } = await http.get(`/admin/payments-collection/orders/${order.id}`, store().admin)
        const timeline = view.payments[0].events.map((e: any) => [e.event_type, e.outcome, e.deliveries])
        expect(timeline).toEqual([
          ["refund.created", "acted_on", 10],
          ["refund.updated", "duplicate", 1],
          ["charge.dispute.created", "acted_on", 1],
          ["charge.dispute.closed", "acted_on", 1],
          ["refund.created", "duplicate", 1],
        ])
        expect(view.payments[0].disputes).toEqual([expect.objectContaining({ dispute_id: "dp_3QfxHttpDispute01", status: "lost" })])
        expect(view.payments[0].medusa).toEqual(expect.objectContaining({ captured: "100", refunded: "35" }))
        fixture.finish()
      })

      it("errors the session of a declined card so the shopper pays again, and cancels an authorization Stripe canceled", async () => {
        const fixture = play("http-outcomes-declined-canceled")
        const declined = await cartWithSession(http, store(), PROVIDER)
        await storefrontIsDeclined(String(declined.session.data.id))
        const failedIntent = stripeIntent(declined.session.id, {
          id: String(declined.session.data.id),
          status: "requires_payment_method",
          amount_capturable: 0,
          amount_received: 0,
          last_payment_error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." } as never,
        })
        const failed = await deliver(stripeEvent("payment_intent.payment_failed", failedIntent))
        expect(failed.data).toEqual({ received: true, outcome: "acted_on" })
        expect(await sessionStatus(declined.collectionId)).toBe("error")

        // Medusa completes no cart on an errored session: the storefront starts a new one (as
        // Medusa's Next.js starter does on "try again"), the shopper uses another card, and
        // the same cart becomes an order.
        const { data: again } = await http.post(`/store/payment-collections/${declined.collectionId}/payment-sessions`, { provider_id: PROVIDER }, store().store)
        const [retry] = again.payment_collection.payment_sessions
        expect(retry.id).not.toBe(declined.session.id)
        await storefrontConfirms(String(retry.data.id))
        const { data: completed } = await http.post(`/store/carts/${declined.cartId}/complete`, {}, store().store)
        expect(completed.type).toBe("order")

        // Another order, whose authorization Stripe cancels (it lapsed after 7 days).
        const other = await cartWithSession(http, store(), PROVIDER)
        await storefrontConfirms(String(other.session.data.id))
        await http.post(`/store/carts/${other.cartId}/complete`, {}, store().store)
        const order = await orderOfCart(getContainer(), other.cartId)
        const payment = order.payment_collections[0].payments[0]
        const canceledIntent = stripeIntent(other.session.id, { id: String(other.session.data.id), status: "canceled", cancellation_reason: "automatic", amount_capturable: 0, amount_received: 0 })
        const canceled = await deliver(stripeEvent("payment_intent.canceled", canceledIntent))
        expect(canceled.data).toEqual({ received: true, outcome: "acted_on" })
        const [after] = await (getContainer().resolve(Modules.PAYMENT) as any).listPayments({ id: payment.id })
        expect(after.canceled_at).not.toBeNull()
        // The admin is not offered a capture that Stripe would refuse.
        const capture = await refused(http.post(`/admin/payments/${payment.id}/capture`, {}, store().admin))
        expect(capture.status).toBeGreaterThanOrEqual(400)
        fixture.finish()
      })

      it("places the order of a shopper who, after a decline errored the session, pays on the same PaymentIntent with another card", async () => {
        const fixture = play("http-outcomes-declined-same-intent")
        const { cartId, collectionId, session } = await cartWithSession(http, store(), PROVIDER)
        const intentId = String(session.data.id)
        await storefrontIsDeclined(intentId)
        const declined = stripeIntent(session.id, {
          id: intentId,
          status: "requires_payment_method",
          amount_capturable: 0,
          amount_received: 0,
          last_payment_error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." } as never,
        })
        expect((await deliver(stripeEvent("payment_intent.payment_failed", declined))).data.outcome).toBe("acted_on")
        expect(await sessionStatus(collectionId)).toBe("error")
        // Stripe.js confirms the same client secret again with another card (Stripe allows it:
        // the PaymentIntent is back to requires_payment_method), and Stripe's event follows.
        await storefrontConfirms(intentId)
        const authorized = stripeIntent(session.id, { id: intentId, status: "requires_capture", amount: 10000, amount_capturable: 10000, amount_received: 0 })
        expect((await deliver(stripeEvent("payment_intent.amount_capturable_updated", authorized))).data).toEqual({ received: true, outcome: "acted_on" })
        const order = await orderOfCart(getContainer(), cartId)
        expect(order.payment_collections[0].payments).toHaveLength(1)
        expect(await sessionStatus(collectionId)).toBe("authorized")
        fixture.finish()
      })

      it("records a capture made in Stripe's dashboard as the Medusa capture, once, without capturing again", async () => {
        const fixture = play("http-outcomes-dashboard-capture")
        const { cartId, session } = await cartWithSession(http, store(), PROVIDER)
        await storefrontConfirms(String(session.data.id))
        await http.post(`/store/carts/${cartId}/complete`, {}, store().store)
        const payment = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]
        expect(payment.captures).toHaveLength(0)
        // The merchant captures 100.00 in Stripe's dashboard; Stripe's event, delivered twice.
        const succeeded = stripeEvent("payment_intent.succeeded", stripeIntent(session.id, { id: String(session.data.id), status: "succeeded", amount: 10000, amount_capturable: 0, amount_received: 10000 }))
        expect((await deliver(succeeded)).data).toEqual({ received: true, outcome: "acted_on" })
        expect((await deliver(succeeded)).data).toEqual({ received: true, outcome: "duplicate" })
        const after = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]
        expect(after.captures.map((c: { amount: number }) => c.amount)).toEqual([100])
        expect(after.captured_at).not.toBeNull()
        fixture.finish()
      })

      it("answers 500 while the payment is locked elsewhere, so Stripe delivers again, and the redelivery places the order", async () => {
        const fixture = play("http-webhook-completes-cart")
        const { cartId, session } = await cartWithSession(http, store(), PROVIDER)
        await storefrontConfirms(String(session.data.id))
        const body = stripeEvent(
          "payment_intent.amount_capturable_updated",
          stripeIntent(session.id, { id: String(session.data.id), status: "requires_capture", amount: 10000, amount_capturable: 10000, amount_received: 0 })
        )
        // Another process holds the session's lock longer than a delivery waits for it
        // (PAYMENTS_LOCK_TIMEOUT_SECONDS=1 in this file's environment).
        const locking = getContainer().resolve(Modules.LOCKING) as any
        let release!: () => void
        const held = new Promise<void>((resolve) => (release = resolve))
        const holding = locking.execute(`payments-collection:session:${session.id}`, () => held, { timeout: 5 })
        await new Promise((resolve) => setTimeout(resolve, 100))
        const first = await refusedWebhook(deliver(body))
        expect(first).toEqual({ status: 500, body: { received: false, outcome: "failed", message: "processing failed; deliver again" } })
        expect(await orderOfCart(getContainer(), cartId)).toBeUndefined()
        release()
        await holding

        // Stripe's retry, signed anew.
        const retry = await deliver(body)
        expect(retry.data).toEqual({ received: true, outcome: "acted_on" })
        const order = await orderOfCart(getContainer(), cartId)
        expect(order.payment_collections[0].payments).toHaveLength(1)
        const [event] = await events().listPaymentGatewayEvents({ session_id: session.id })
        expect(event).toEqual(expect.objectContaining({ outcome: "acted_on", attempts: 2, deliveries: 2 }))
        fixture.finish()
      })
    })

    describe("reconciliation", () => {
      const WEBHOOK = "/hooks/payment/stripe_stripe"

      it("places the order of a paid cart whose webhook failed and never came again, from the scheduled job, and warns of its lapsing hold", async () => {
        const fixture = play("http-reconcile-job")
        const { cartId, session } = await cartWithSession(http, store(), PROVIDER)
        await storefrontConfirms(String(session.data.id))
        // The webhook's processing fails (the payment is locked elsewhere) and Stripe, say,
        // gave up: no order.
        const body = stripeEvent(
          "payment_intent.amount_capturable_updated",
          stripeIntent(session.id, { id: String(session.data.id), status: "requires_capture", amount: 10000, amount_capturable: 10000, amount_received: 0 })
        )
        const locking = getContainer().resolve(Modules.LOCKING) as any
        let release!: () => void
        const holding = locking.execute(`payments-collection:session:${session.id}`, () => new Promise<void>((resolve) => (release = resolve)), { timeout: 5 })
        await new Promise((resolve) => setTimeout(resolve, 100))
        expect((await refusedWebhook(http.post(WEBHOOK, body, { headers: signStripe(body) }))).status).toBe(500)
        release()
        await holding
        expect(await orderOfCart(getContainer(), cartId)).toBeUndefined()

        // The job, as Medusa's scheduler runs it (sessions of any age: PAYMENTS_RECONCILE_MIN_AGE_MINUTES=0 here).
        const lines: string[] = []
        const logger = getContainer().resolve("logger") as any
        const spies = (["info", "warn"] as const).map((level) => jest.spyOn(logger, level).mockImplementation((line: unknown) => void lines.push(`${level}: ${String(line)}`)))
        try {
          await reconcilePaymentsJob(getContainer())
        } finally {
          spies.forEach((spy) => spy.mockRestore())
        }
        const order = await orderOfCart(getContainer(), cartId)
        expect({ lines, payments: order?.payment_collections[0].payments.length }).toEqual(expect.objectContaining({ payments: 1 }))
        expect(lines).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^warn: reconciliation: payment pay_\w+ of order order_\w+ \(pp_stripe_stripe\) is authorized and not captured; the authorization lapsed at 2025-11-27T18:00:00.000Z: capture it or cancel it$/),
            "info: reconciliation: 1 payment(s) checked with the gateway, 1 change(s) made, 0 gateway(s) unavailable, 1 authorization(s) close to expiry",
          ])
        )
        // The admin sees it: the gateway's answer, the lapsing hold, the timeline.
        const { data: view } = await http.get(`/admin/payments-collection/orders/${order.id}`, store().admin)
        const [payment] = view.payments
        expect(payment).toEqual(
          expect.objectContaining({
            label: "Card payment (Stripe)",
            reference: { label: "PaymentIntent", value: String(session.data.id) },
            dashboard_url: `https://dashboard.stripe.com/test/payments/${String(session.data.id)}`,
            mode: "test",
            authorization_expiring: true,
            can_check: true,
            gateway_state: expect.objectContaining({ status: "authorized", authorized_amount: "100.00", authorization_expires_at: "2025-11-27T18:00:00.000Z" }),
          })
        )
        expect(payment.events.map((e: any) => [e.source, e.event_type, e.outcome])).toEqual([
          ["webhook", "payment_intent.amount_capturable_updated", "failed"],
          ["reconciliation", "reconciliation.authorized", "acted_on"],
        ])
        // Nothing secret reaches the admin's view.
        expect(JSON.stringify(view)).not.toMatch(/client_secret|sk_test|whsec/)
        fixture.finish()
      })

      it("records a refund made in Stripe's dashboard when the admin checks with Stripe, once", async () => {
        const fixture = play("http-reconcile-admin-check")
        const { cartId, session } = await cartWithSession(http, store(), PROVIDER)
        await storefrontConfirms(String(session.data.id))
        await http.post(`/store/carts/${cartId}/complete`, {}, store().store)
        const order = await orderOfCart(getContainer(), cartId)
        const paymentId = order.payment_collections[0].payments[0].id
        await http.post(`/admin/payments/${paymentId}/capture`, {}, store().admin)

        const { data: checked } = await http.post(`/admin/payments-collection/payments/${paymentId}/reconcile`, {}, store().admin)
        expect(checked.result).toEqual({ outcome: "checked", detail: "recorded a refund of 25.00 USD made at the gateway (re_3QfxInspectDashboard1)" })
        expect(checked.payment.medusa).toEqual(expect.objectContaining({ captured: "100", refunded: "25" }))
        // The gateway's amounts as Stripe's currency writes them.
        expect(checked.payment.gateway_state).toEqual(expect.objectContaining({ status: "captured", captured_amount: "100.00", refunded_amount: "25.00" }))
        expect(checked.payment.mismatches).toEqual([])

        const { data: again } = await http.post(`/admin/payments-collection/payments/${paymentId}/reconcile`, {}, store().admin)
        expect(again.result).toEqual({ outcome: "checked", detail: "gateway reports captured; Medusa is in line" })
        const refunds = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0].refunds
        expect(refunds.map((r: { amount: number }) => r.amount)).toEqual([25])
        fixture.finish()
      })
    })

    // The saved-method routes (`/store/customers/me/payment-methods`, the plugin's) for a
    // logged-in customer: save, list, delete, and Medusa's checkout paying with a saved card.
    describe("saved payment methods", () => {
      const ROUTE = "/store/customers/me/payment-methods"
      const list = async (who: CustomerLogin) =>
        (await http.get(`${ROUTE}?provider_id=${PROVIDER}`, { headers: who.headers })).data.payment_methods as Array<{ id: string; provider_id: string; data: Record<string, any> }>

      it("saves a card, pays a cart with it without the storefront confirming, keeps it from another customer, deletes it, and lists what Stripe has", async () => {
        const fixture = play("http-saved-methods")
        const ada = await customerLogin(http, store(), { email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" })
        const bob = await customerLogin(http, store(), { email: "bob@example.com", first_name: "Bob", last_name: "Babbage" })

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
        // No gateway at all: any call to Stripe fails the test.
        const fixture = new FixtureSession({ provider: "stripe", scenario: "no-calls", source: "inline", interactions: [] }, { origin: STRIPE_ORIGIN, bodyFormat: "form" }).start()
        try {
          const ada = await customerLogin(http, store(), { email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" })

          expect((await refused(http.get(`${ROUTE}?provider_id=${PROVIDER}`, store().store))).status).toBe(401)
          expect((await refused(http.post(ROUTE, { provider_id: PROVIDER }, store().store))).status).toBe(401)
          expect((await refused(http.delete(`${ROUTE}/pm_3QfxSavedAdaVisa1?provider_id=${PROVIDER}`, store().store))).status).toBe(401)

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
        } finally {
          fixture.stop()
        }
      })
    })
  }
)
