import { Modules } from "@medusajs/framework/utils"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { PAYMENT_EVENTS_MODULE } from "../../src/modules/payment-events"
import { resetStatusThrottle } from "../../src/lib/payments/hosted/throttle"
import { verifyCheckMacValue } from "../../src/providers/ecpay/checkmac"
import { FixtureSession } from "../harness/fixtures"
import { Api, TestStore, cartWithSession, orderOfCart, refused, setUpStore, STORE_DIR } from "../harness/medusa"
import {
  ECPAY_PUBLIC_URL,
  ECPAY_STAGE_ORIGIN,
  ecpayNotificationFields,
  ecpayTestKeys,
  formBody,
  sentFields,
  signEcpay,
  signFixtureAnswers,
} from "../harness/ecpay"

// The app reads its providers from the environment, as in production.
process.env.ECPAY_MERCHANT_ID = ecpayTestKeys.merchantId
process.env.ECPAY_HASH_KEY = ecpayTestKeys.hashKey
process.env.ECPAY_HASH_IV = ecpayTestKeys.hashIv
process.env.ECPAY_ENVIRONMENT = "stage"
process.env.ECPAY_PUBLIC_URL = ECPAY_PUBLIC_URL
process.env.ECPAY_RETURN_URL = "https://shop.example.com/checkout/ecpay-return"

const PROVIDER = "pp_ecpay_ecpay"
const NOTIFY = "/hooks/ecpay/ecpay"
const DAY_MS = 24 * 3600 * 1000

type Session = { id: string; data: Record<string, unknown>; status: string; amount: number }

medusaIntegrationTestRunner({
  // The repository's store, which installs the collection as a merchant's store does.
  cwd: STORE_DIR,
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore
    let replay: FixtureSession | undefined

    /** Replay `scenario` with the session's ids bound and ECPay's answers signed for them. */
    const play = (scenario: string, session: Session) => {
      replay = FixtureSession.load("ecpay", scenario, { origin: ECPAY_STAGE_ORIGIN, bodyFormat: "form" }).start()
      replay.bind("session_id", session.id)
      replay.bind("merchant_trade_no", String(session.data.merchant_trade_no))
      signFixtureAnswers(replay, scenario)
      return replay
    }

    /** What ECPay's server posts to the notification URL. */
    const notify = async (fields: Record<string, string>) => {
      const { status, data } = await http.post<string>(NOTIFY, formBody(fields), {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        transformResponse: (body: unknown) => body,
      })
      expect(status).toBe(200)
      return String(data)
    }

    const paidNotification = (session: Session, overrides: Partial<Parameters<typeof ecpayNotificationFields>[0]> = {}) =>
      ecpayNotificationFields({
        sessionId: session.id,
        merchantTradeNo: String(session.data.merchant_trade_no),
        amount: 100,
        tradeNo: "2611201000005678",
        ...overrides,
      })

    const cartIsOpen = async (cartId: string) => {
      expect(await orderOfCart(getContainer(), cartId)).toBeUndefined()
      const { data } = await http.get(`/store/carts/${cartId}`, store.store)
      expect(data.cart.completed_at).toBeNull()
    }

    beforeEach(async () => {
      resetStatusThrottle()
      store = await setUpStore(getContainer(), http, { currency: "twd", countries: ["tw"], providers: [PROVIDER], price: 100 })
    })

    afterEach(() => {
      replay?.stop()
      replay = undefined
    })

    it("hands the storefront a signed ECPay form, and never the HashKey or HashIV", async () => {
      const { session } = await cartWithSession(http, store, PROVIDER)
      const form = session.data.form as { method: string; action: string; fields: Record<string, string> }
      expect(form.method).toBe("POST")
      expect(form.action).toBe(`${ECPAY_STAGE_ORIGIN}/Cashier/AioCheckOut/V5`)
      expect(form.fields).toEqual(
        expect.objectContaining({
          MerchantID: ecpayTestKeys.merchantId,
          MerchantTradeNo: session.data.merchant_trade_no,
          TotalAmount: "100",
          PaymentType: "aio",
          ChoosePayment: "ALL",
          EncryptType: "1",
          CustomField1: session.id,
          ReturnURL: `${ECPAY_PUBLIC_URL}${NOTIFY}`,
          ClientBackURL: "https://shop.example.com/checkout/ecpay-return",
        })
      )
      expect(String(session.data.merchant_trade_no)).toMatch(/^[A-Z0-9]{20}$/)
      // ECPay checks this signature when the shopper's browser posts the form.
      expect(verifyCheckMacValue(form.fields, ecpayTestKeys.hashKey, ecpayTestKeys.hashIv)).toBe(true)
      const text = JSON.stringify(session.data)
      expect(text).not.toContain(ecpayTestKeys.hashKey)
      expect(text).not.toContain(ecpayTestKeys.hashIv)
      expect(session.status).toBe("pending")
    })

    it("places the order once from a signed notification answered 1|OK, then refunds part of it through DoAction", async () => {
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      const fixture = play("http-notification-to-refund", session)
      const body = signEcpay(paidNotification(session))

      expect(await notify(body)).toBe("1|OK")
      const order = await orderOfCart(getContainer(), cartId)
      expect(order).toBeDefined()
      const payments = order.payment_collections[0].payments
      expect(payments).toHaveLength(1)
      expect(payments[0]).toEqual(expect.objectContaining({ provider_id: PROVIDER, amount: 100 }))
      // ECPay settles what it reports paid: captured at once, nothing for the admin to capture.
      expect(payments[0].captured_at).not.toBeNull()
      expect(payments[0].captures.map((c: { amount: number }) => c.amount)).toEqual([100])

      // ECPay sends a notification again until it reads 1|OK; a replay changes nothing
      // (and asks ECPay nothing: the fixture has no second order query).
      expect(await notify(body)).toBe("1|OK")
      const again = await orderOfCart(getContainer(), cartId)
      expect(again.id).toBe(order.id)
      expect(again.payment_collections[0].payments).toHaveLength(1)

      await http.post(`/admin/payments/${payments[0].id}/refund`, { amount: 40 }, store.admin)
      // A fraction of a dollar is refused before ECPay is called (the fixture has no call for it).
      const fraction = await refused(http.post(`/admin/payments/${payments[0].id}/refund`, { amount: 10.5 }, store.admin))
      expect(fraction.status).toBe(400)
      expect(fraction.message).toMatch(/whole New Taiwan dollars/)

      const after = await orderOfCart(getContainer(), cartId)
      expect(after.payment_collections[0].payments[0].refunds.map((r: { amount: number }) => r.amount)).toEqual([40])
      fixture.finish()
      // Every call to ECPay was signed with the store's keys.
      for (const request of fixture.requests) {
        expect(verifyCheckMacValue(sentFields(request.body), ecpayTestKeys.hashKey, ecpayTestKeys.hashIv)).toBe(true)
      }
      expect(sentFields(fixture.requests[1].body)).toEqual(expect.objectContaining({ Action: "R", TotalAmount: "40" }))
    })

    it("errors the session of a failed payment once, however often ECPay sends it, and the shopper pays again with a new session", async () => {
      const { cartId, collectionId, session } = await cartWithSession(http, store, PROVIDER)
      // ECPay reports the card declined (RtnCode other than 1), signed: acknowledged, the session errors.
      const declined = signEcpay(paidNotification(session, { rtnCode: "10100058", rtnMsg: "授權失敗" }))
      expect(await notify(declined)).toBe("1|OK")
      const payments = getContainer().resolve(Modules.PAYMENT) as any
      const [errored] = await payments.listPaymentSessions({ id: session.id })
      expect(errored.status).toBe("error")
      await cartIsOpen(cartId)
      // ECPay sends it again: nothing changes twice.
      expect(await notify(declined)).toBe("1|OK")
      const events = await (getContainer().resolve(PAYMENT_EVENTS_MODULE) as any).listPaymentGatewayEvents({ session_id: session.id })
      expect(events.map((e: any) => [e.event_type, e.outcome, e.deliveries])).toEqual([["notification.failed", "acted_on", 2]])

      // The shopper pays again: a new session, a new ECPay order number, paid this time.
      const { data } = await http.post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: PROVIDER }, store.store)
      const [retry] = data.payment_collection.payment_sessions
      expect(retry.id).not.toBe(session.id)
      expect(retry.data.merchant_trade_no).not.toBe(session.data.merchant_trade_no)
      const fixture = play("http-failed-then-paid", retry)
      expect(await notify(signEcpay(paidNotification(retry)))).toBe("1|OK")
      expect(await orderOfCart(getContainer(), cartId)).toBeDefined()
      fixture.finish()
    })

    it("refuses forged, tampered, foreign and wrongly-priced notifications, and the cart stays open", async () => {
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      const fixture = play("http-refused-notifications", session)
      const genuine = signEcpay(paidNotification(session))

      const forged = signEcpay(paidNotification(session), "not-the-store-key")
      expect(await notify(forged)).toMatch(/^0\|/)

      const tampered = { ...genuine, TradeAmt: "1" }
      expect(await notify(tampered)).toMatch(/^0\|/)

      const unsigned = { ...genuine }
      delete (unsigned as Record<string, string>).CheckMacValue
      expect(await notify(unsigned)).toMatch(/^0\|/)

      // Signed with the store's key, but for another merchant id.
      const foreign = signEcpay(paidNotification(session, { merchantId: "2000132" }))
      expect(await notify(foreign)).toMatch(/^0\|/)

      // Genuinely signed, but for less than the session's amount.
      const underpaid = signEcpay(paidNotification(session, { amount: 90 }))
      expect(await notify(underpaid)).toBe("0|amount mismatch")

      // Genuinely signed, but another order number than the session's.
      const otherOrder = signEcpay(paidNotification(session, { merchantTradeNo: "ZZ0000000000000000ZZ" }))
      expect(await notify(otherOrder)).toBe("0|order number mismatch")

      // A failed payment: acknowledged (ECPay may stop sending it), nothing paid.
      expect(await notify(signEcpay(paidNotification(session, { rtnCode: "10100248", rtnMsg: "拒絕交易" })))).toBe("1|OK")

      await cartIsOpen(cartId)
      fixture.finish()
    })

    it("never takes the shopper's return for a payment: the status stays pending and the cart cannot be completed", async () => {
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      const fixture = play("http-browser-return-unpaid", session)

      // The return page polls; ECPay has no payment for the order.
      const { data } = await http.get(`/store/carts/${cartId}/payment-status`, store.store)
      expect(data.payment_status).toEqual(
        expect.objectContaining({
          status: "pending",
          order_id: null,
          amount: "100.00",
          captured_amount: "0.00",
          checked_with_provider: true,
          provider_status: "pending",
        })
      )
      expect(data.payment_status.session).toEqual(expect.objectContaining({ id: session.id, provider_id: PROVIDER }))
      expect(data.payment_status.session).not.toHaveProperty("data")

      // A poll right after does not ask ECPay again (it rate-limits).
      const { data: soon } = await http.get(`/store/carts/${cartId}/payment-status`, store.store)
      expect(soon.payment_status).toEqual(expect.objectContaining({ status: "pending", checked_with_provider: false }))
      expect(soon.payment_status.next_check_after_seconds).toBeGreaterThan(0)

      // The storefront completes the cart anyway: ECPay is asked and says no.
      const attempt = await refused(http.post(`/store/carts/${cartId}/complete`, {}, store.store))
      expect(attempt.status).toBe(400)
      await cartIsOpen(cartId)
      fixture.finish()
    })

    it("settles through the status route a payment whose notification never came, once", async () => {
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      const fixture = play("http-status-settles-late-payment", session)

      const { data } = await http.get(`/store/carts/${cartId}/payment-status?session_id=${session.id}`, store.store)
      const order = await orderOfCart(getContainer(), cartId)
      expect(order).toBeDefined()
      // ECPay settles what it reports paid (automatic capture): captured, not merely authorized.
      expect(data.payment_status).toEqual(
        expect.objectContaining({
          status: "captured",
          order_id: order.id,
          amount: "100.00",
          captured_amount: "100.00",
          refunded_amount: "0.00",
          currency_code: "twd",
          checked_with_provider: true,
        })
      )
      expect(order.payment_collections[0].payments).toHaveLength(1)

      // Polled again: captured, from the order, without asking ECPay.
      resetStatusThrottle()
      const { data: again } = await http.get(`/store/carts/${cartId}/payment-status`, store.store)
      expect(again.payment_status).toEqual(expect.objectContaining({ status: "captured", order_id: order.id, checked_with_provider: false }))

      // The notification arriving afterwards changes nothing either.
      expect(await notify(signEcpay(paidNotification(session)))).toBe("1|OK")
      expect((await orderOfCart(getContainer(), cartId)).payment_collections[0].payments).toHaveLength(1)
      fixture.finish()
    })

    it("confirms with ECPay a notification too old to trust alone (a barcode payment notified two days later)", async () => {
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      const fixture = play("http-stale-barcode-notification", session)
      const late = signEcpay(
        paidNotification(session, { paymentType: "BARCODE_BARCODE", paidAtMs: Date.now() - 2 * DAY_MS, tradeNo: "2611181000004321" })
      )
      expect(await notify(late)).toBe("1|OK")
      const order = await orderOfCart(getContainer(), cartId)
      expect(order.payment_collections[0].payments[0]).toEqual(expect.objectContaining({ amount: 100 }))
      fixture.finish()
    })

    it("keeps the status route to its own cart and behind the publishable key", async () => {
      const { cartId } = await cartWithSession(http, store, PROVIDER)
      const { session: other } = await cartWithSession(http, store, PROVIDER)
      const mismatch = await refused(http.get(`/store/carts/${cartId}/payment-status?session_id=${other.id}`, store.store))
      expect(mismatch.status).toBe(404)
      const unknown = await refused(http.get(`/store/carts/cart_01UNKNOWN000000000000000000/payment-status`, store.store))
      expect(unknown.status).toBe(404)
      const noKey = await refused(http.get(`/store/carts/${cartId}/payment-status`))
      expect(noKey.status).toBe(400)
    })
  },
})
