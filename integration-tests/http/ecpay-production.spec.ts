/**
 * ECPay in production, through the store: the refunds made in ECPay's back office reach the
 * order only by asking ECPay (ECPay sends no notification for a refund), with the card detail
 * query `CreditDetail/QueryTrade/V2` (https://developers.ecpay.com.tw/?p=2894), which ECPay
 * offers in production only and which needs the merchant's check code. The merchant here is a
 * made-up production one: ECPay's public stage merchants are refused in production.
 */
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { PAYMENT_EVENTS_MODULE } from "../../src/modules/payment-events"
import { verifyCheckMacValue } from "../../src/providers/ecpay/checkmac"
import { FixtureSession } from "../harness/fixtures"
import { Api, TestStore, cartWithSession, orderOfCart, setUpStore, STORE_DIR } from "../harness/medusa"
import { ECPAY_PUBLIC_URL, ecpayNotificationFields, formBody, sentFields, signEcpay, signFixtureAnswers } from "../harness/ecpay"

/** Made up for this test (the unit tests' production merchant), in ECPay's formats. */
const MERCHANT = { merchantId: "3123456", hashKey: "own-key-0000000a", hashIv: "own-iv-000000000", creditCheckCode: "59997889" }
const PRODUCTION_ORIGIN = "https://payment.ecpay.com.tw"

// The app reads its providers from the environment, as in production.
process.env.ECPAY_MERCHANT_ID = MERCHANT.merchantId
process.env.ECPAY_HASH_KEY = MERCHANT.hashKey
process.env.ECPAY_HASH_IV = MERCHANT.hashIv
process.env.ECPAY_ENVIRONMENT = "production"
process.env.ECPAY_CREDIT_CHECK_CODE = MERCHANT.creditCheckCode
process.env.ECPAY_PUBLIC_URL = ECPAY_PUBLIC_URL
process.env.ECPAY_RETURN_URL = "https://shop.example.com/checkout/ecpay-return"

const PROVIDER = "pp_ecpay_ecpay"
const NOTIFY = "/hooks/ecpay/ecpay"
const SCENARIO = "http-production-refund-by-query"

jest.setTimeout(120_000)

medusaIntegrationTestRunner({
  cwd: STORE_DIR,
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore
    let replay: FixtureSession | undefined

    beforeEach(async () => {
      store = await setUpStore(getContainer(), http, { currency: "twd", countries: ["tw"], providers: [PROVIDER], price: 100 })
    })

    afterEach(() => {
      replay?.stop()
      replay = undefined
    })

    it("records a refund made in ECPay's back office once, from the card detail query, and knows the store's own refund when ECPay lists it", async () => {
      const { cartId, session } = await cartWithSession(http, store, PROVIDER)
      replay = FixtureSession.load("ecpay", SCENARIO, { origin: PRODUCTION_ORIGIN, bodyFormat: "form" }).start()
      replay.bind("session_id", session.id)
      replay.bind("merchant_trade_no", String(session.data.merchant_trade_no))
      signFixtureAnswers(replay, SCENARIO, MERCHANT)

      // The shopper pays on ECPay's page; ECPay notifies the store, which confirms and places the order.
      const notification = signEcpay(
        ecpayNotificationFields({
          sessionId: session.id,
          merchantTradeNo: String(session.data.merchant_trade_no),
          amount: 100,
          tradeNo: "2611201000005678",
          merchantId: MERCHANT.merchantId,
        }),
        MERCHANT.hashKey,
        MERCHANT.hashIv
      )
      const { data: answer } = await http.post<string>(NOTIFY, formBody(notification), {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        transformResponse: (body: unknown) => body,
      })
      expect(String(answer)).toBe("1|OK")
      const order = await orderOfCart(getContainer(), cartId)
      const payment = order.payment_collections[0].payments[0]
      expect(payment.captures.map((c: { amount: number }) => c.amount)).toEqual([100])

      // 30 TWD refunded in ECPay's back office; the admin checks with ECPay.
      const check = async () => (await http.post(`/admin/payments-collection/payments/${payment.id}/reconcile`, {}, store.admin)).data
      const first = await check()
      expect(first.result).toEqual({ outcome: "checked", detail: expect.stringContaining("11718189-2") })
      const { data: adminOrder } = await http.get(`/admin/orders/${order.id}?fields=payment_status,payment_collections.payments.refunds.*`, store.admin)
      expect(adminOrder.order.payment_status).toBe("partially_refunded")
      expect(adminOrder.order.payment_collections[0].payments[0].refunds.map((r: { amount: number; note: string }) => [r.amount, r.note])).toEqual([
        [30, "Refunded at ECPay outside Medusa (gateway refund 11718189-2); recorded from the gateway's payment status"],
      ])
      let now = await orderOfCart(getContainer(), cartId)
      expect(first.payment.gateway_state).toEqual(expect.objectContaining({ status: "captured", captured_amount: "100", refunded_amount: "30" }))
      expect(first.payment.mismatches).toEqual([])

      // Asked again (the scheduled job would): nothing recorded twice.
      expect((await check()).result.detail).toMatch(/Medusa is in line/)
      now = await orderOfCart(getContainer(), cartId)
      expect(now.payment_collections[0].payments[0].refunds.map((r: { amount: number }) => r.amount)).toEqual([30])

      // The admin refunds 20 TWD in Medusa (DoAction R); ECPay lists it next time: it is the store's own.
      await http.post(`/admin/payments/${payment.id}/refund`, { amount: 20 }, store.admin)
      const third = await check()
      expect(third.result.detail).toMatch(/Medusa is in line/)
      expect(third.payment.gateway_state).toEqual(expect.objectContaining({ refunded_amount: "50" }))
      now = await orderOfCart(getContainer(), cartId)
      expect(now.payment_collections[0].payments[0].refunds.map((r: { amount: number }) => r.amount).sort()).toEqual([20, 30])

      replay.finish()
      // Every call to ECPay was signed with the merchant's keys; the check code went only where ECPay asks for it.
      for (const request of replay.requests) {
        expect(verifyCheckMacValue(sentFields(request.body), MERCHANT.hashKey, MERCHANT.hashIv)).toBe(true)
      }
      const ledger = await (getContainer().resolve(PAYMENT_EVENTS_MODULE) as any).listPaymentGatewayEvents({ session_id: session.id })
      expect(ledger.map((e: any) => [e.source, e.event_type, e.outcome])).toEqual(
        expect.arrayContaining([["admin", expect.stringContaining("refund"), "acted_on"]])
      )
      expect(JSON.stringify(ledger)).not.toContain(MERCHANT.creditCheckCode)
      expect(JSON.stringify(ledger)).not.toContain(MERCHANT.hashKey)
    })
  },
})
