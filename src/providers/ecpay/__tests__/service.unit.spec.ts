import { capturingLogger } from "../../../../integration-tests/harness/loggers"
import { FixtureFile, FixtureSession, Interaction } from "../../../../integration-tests/harness/fixtures"
import { ECPAY_STAGE_ORIGIN, ecpayTestOptions, formBody, signEcpay } from "../../../../integration-tests/harness/ecpay"
import {
  GatewayRejectedError,
  GatewayUnavailableError,
  NotSupportedError,
  PaymentConfigError,
  PaymentInputError,
} from "../../../lib/payments/errors"
import { checkMacValue } from "../checkmac"
import { formatTaipeiTime } from "../mapping"
import { ecpayDeclaration } from "../declaration"
import EcpayProviderService from "../service"

const HASH_KEY = "pwFHCqoQZGmho4w6"
const HASH_IV = "EkRm7iFT261dpevs"
const SESSION = "payses_01JSERVICEUNIT0000000000000"
const TRADE_NO = "MSERVICEUNIT00000001"
const ECPAY_TRADE = "2611201000005678"

/** Every line logged by any provider of this file, checked for keys at the end. */
const allLines: string[] = []


function provider(options: Record<string, unknown> = {}) {
  const { logger, lines } = capturingLogger(allLines)
  return { service: new EcpayProviderService({ logger }, ecpayTestOptions(options)), lines }
}

/** Session data as initiatePayment wrote it, with what the last query learnt. */
const data = (extra: Record<string, unknown> = {}) => ({
  session_id: SESSION,
  merchant_trade_no: TRADE_NO,
  amount: 100,
  currency: "twd",
  environment: "stage",
  trade_status: null,
  trade_no: null,
  payment_type: null,
  closed: false,
  amount_refunded: 0,
  refunds: [],
  voided: false,
  ...extra,
})
const paidCard = (extra: Record<string, unknown> = {}) => data({ trade_status: "1", trade_no: ECPAY_TRADE, payment_type: "Credit_CreditCard", ...extra })

/** ECPay's QueryTradeInfo answer, signed as ECPay signs it (or not). */
function tradeAnswer(fields: Record<string, string>, sign: boolean | string = true): string {
  const all: Record<string, string> = {
    CustomField1: SESSION,
    MerchantID: "3002607",
    MerchantTradeNo: TRADE_NO,
    PaymentDate: "2026/11/20 10:01:30",
    PaymentType: "Credit_CreditCard",
    TradeAmt: "100",
    TradeNo: ECPAY_TRADE,
    TradeStatus: "1",
    ...fields,
  }
  const text = Object.entries(all).map(([k, v]) => `${k}=${v}`).join("&")
  if (sign === false) return text
  return `${text}&CheckMacValue=${checkMacValue(all, typeof sign === "string" ? sign : HASH_KEY, HASH_IV)}`
}

const query = (body: string, status = 200): Interaction => ({
  request: { method: "POST", path: "/Cashier/QueryTradeInfo/V5", body: { MerchantID: "3002607", MerchantTradeNo: TRADE_NO, TimeStamp: "{{*}}", CheckMacValue: "{{*}}" } },
  response: { status, body },
})
const action = (Action: string, TotalAmount: string, answer = `MerchantID=3002607&MerchantTradeNo=${TRADE_NO}&TradeNo=${ECPAY_TRADE}&RtnCode=1&RtnMsg=Succeeded`, status = 200): Interaction => ({
  request: {
    method: "POST",
    path: "/CreditDetail/DoAction",
    body: { MerchantID: "3002607", MerchantTradeNo: TRADE_NO, TradeNo: ECPAY_TRADE, Action, TotalAmount, CheckMacValue: "{{*}}" },
  },
  response: { status, body: answer },
})

let replay: FixtureSession | undefined
const inline = (interactions: Interaction[]) =>
  (replay = new FixtureSession(
    { provider: "ecpay", scenario: "inline", source: "inline", interactions } as FixtureFile,
    { origin: ECPAY_STAGE_ORIGIN, bodyFormat: "form" }
  ).start())

afterEach(() => {
  replay?.stop()
  replay = undefined
})

afterAll(() => {
  // Nothing logged in any test holds a key.
  expect(allLines.join("\n")).not.toContain(HASH_KEY)
  expect(allLines.join("\n")).not.toContain(HASH_IV)
})

describe("ECPay options", () => {
  const attempt = (options: Record<string, unknown>) => {
    try {
      EcpayProviderService.validateOptions(options)
      return undefined
    } catch (error) {
      return error as Error
    }
  }

  it("names every missing option without printing a value", () => {
    const error = attempt({ hashKey: "a-secret-hash-key-value" })
    expect(error).toBeInstanceOf(PaymentConfigError)
    expect(error?.message).toMatch(/`merchantId`: is required but missing/)
    expect(error?.message).toMatch(/`hashIv`: is required but missing/)
    expect(error?.message).toMatch(/`publicUrl`/)
    expect(error?.message).not.toContain("a-secret-hash-key-value")
  })

  it("refuses ECPay's public stage credentials and a plain-http notification URL in production", () => {
    expect(attempt(ecpayTestOptions({ environment: "production" }))?.message).toMatch(/public stage credentials/)
    const own = { merchantId: "3123456", hashKey: "own-key-0000000a", hashIv: "own-iv-000000000" }
    expect(attempt(ecpayTestOptions({ ...own, environment: "production", publicUrl: "http://api.shop.example.com" }))?.message).toMatch(
      /`publicUrl`: must be an https URL in production/
    )
    expect(attempt(ecpayTestOptions({ ...own, environment: "production" }))).toBeUndefined()
  })

  // AioCheckOut/V5 (https://developers.ecpay.com.tw/?p=2864): ReturnURL String(200),
  // ClientBackURL String(200), OrderResultURL String(200), TradeDesc String(200). A longer
  // URL passed the boot and then failed every checkout at ECPay.
  it("refuses at boot a notification, return or result URL longer than ECPay's 200 characters, as the form will send it", () => {
    const long = `https://shop.example.com/${"x".repeat(180)}`
    expect(attempt(ecpayTestOptions({ publicUrl: long }))?.message).toMatch(
      /`publicUrl`: makes the notification URL \(ReturnURL\) \d+ characters long; ECPay takes 200 at most/
    )
    expect(attempt(ecpayTestOptions({ notificationUrl: long + "/hooks" }))?.message).toMatch(/`notificationUrl`: .*200 at most/)
    // {session_id} becomes a 33-character payment session id.
    expect(attempt(ecpayTestOptions({ returnUrl: `https://shop.example.com/${"r".repeat(150)}?s={session_id}` }))?.message).toMatch(
      /`returnUrl`: makes ClientBackURL \d+ characters long once its placeholders are filled in; ECPay takes 200 at most/
    )
    expect(attempt(ecpayTestOptions({ orderResultUrl: long }))?.message).toMatch(/`orderResultUrl`: .*200 at most/)
    expect(attempt(ecpayTestOptions({ returnUrl: "https://shop.example.com/return?s={session_id}" }))).toBeUndefined()
    // Nothing of the URL is printed.
    expect(attempt(ecpayTestOptions({ orderResultUrl: long }))?.message).not.toContain("xxxxxxxx")
  })

  it("refuses at boot allowedCurrencies naming a currency ECPay does not charge in", () => {
    expect(attempt(ecpayTestOptions({ allowedCurrencies: ["TWD", "EUR"] }))?.message).toMatch(
      /`allowedCurrencies`: ECPay charges New Taiwan dollars \(TWD\) only, not EUR/
    )
    expect(attempt(ecpayTestOptions({ allowedCurrencies: ["twd"] }))).toBeUndefined()
  })

  it("refuses a mix of ALL and single methods, an unknown method and a bad capture mode", () => {
    expect(attempt(ecpayTestOptions({ paymentTypes: ["ALL", "Credit"] }))?.message).toMatch(/`paymentTypes`/)
    expect(attempt(ecpayTestOptions({ paymentTypes: ["Bitcoin"] }))?.message).toMatch(/`paymentTypes.0`/)
    expect(attempt(ecpayTestOptions({ capture: "later" }))?.message).toMatch(/`capture`/)
    expect(attempt(ecpayTestOptions({ merchantId: "30026O7" }))?.message).toMatch(/numeric MerchantID/)
  })
})

describe("initiatePayment", () => {
  it("signs a new, unique order per session, without calling ECPay", async () => {
    const { service } = provider()
    inline([])
    const a = await service.initiatePayment({ amount: 100, currency_code: "twd", data: { session_id: SESSION } })
    const b = await service.initiatePayment({ amount: 100, currency_code: "twd", data: { session_id: SESSION } })
    expect(a.id).toMatch(/^[A-Z0-9]{20}$/)
    expect(a.id).not.toBe(b.id)
    expect(a.data).toEqual(expect.objectContaining({ merchant_trade_no: a.id, amount: 100, currency: "twd", voided: false }))
    replay!.finish()
  })

  it("refuses another currency and a fraction of a dollar before anything else", async () => {
    const { service } = provider()
    await expect(service.initiatePayment({ amount: 10, currency_code: "usd", data: { session_id: SESSION } })).rejects.toThrow(
      "ECPay is only available in TWD, not USD"
    )
    await expect(service.initiatePayment({ amount: 10.5, currency_code: "twd", data: { session_id: SESSION } })).rejects.toThrow(
      "ECPay charges whole New Taiwan dollars only, not 10.5 TWD"
    )
    // The same refusal the store routes give, with its rule and code.
    await expect(service.initiatePayment({ amount: 10.5, currency_code: "twd", data: { session_id: SESSION } })).rejects.toEqual(
      expect.objectContaining({ rule: "amount", code: "payment_provider_not_eligible", type: "invalid_data" })
    )
  })

  it("applies the shared eligibility rules", async () => {
    const { service } = provider({ maxAmount: { TWD: 50 } })
    await expect(service.initiatePayment({ amount: 100, currency_code: "twd", data: { session_id: SESSION } })).rejects.toThrow(
      /ECPay is limited to orders up to 50.00 TWD/
    )
  })

  it("ignores what the storefront puts in the session data", async () => {
    const { service } = provider()
    const result = await service.initiatePayment({
      amount: 100,
      currency_code: "twd",
      data: { session_id: SESSION, trade_status: "1", amount: 1, form: { action: "https://evil.example" } },
    })
    expect(result.data).toEqual(expect.objectContaining({ trade_status: null, amount: 100 }))
    expect((result.data!.form as { action: string }).action).toBe(`${ECPAY_STAGE_ORIGIN}/Cashier/AioCheckOut/V5`)
  })
})

describe("updatePayment", () => {
  it("keeps the session for the same amount and refuses another amount as not supported", async () => {
    const { service } = provider()
    await expect(service.updatePayment({ amount: 100, currency_code: "twd", data: data() })).resolves.toEqual({ status: "pending", data: expect.any(Object) })
    await expect(service.updatePayment({ amount: 120, currency_code: "twd", data: data() })).rejects.toThrow(NotSupportedError)
  })
})

describe("authorizePayment", () => {
  it("asks ECPay and reports a paid order as captured", async () => {
    const { service } = provider()
    inline([query(tradeAnswer({}))])
    const result = await service.authorizePayment({ data: data(), context: { idempotency_key: SESSION } })
    expect(result.status).toBe("captured")
    expect(result.data).toEqual(expect.objectContaining({ trade_status: "1", trade_no: ECPAY_TRADE, payment_type: "Credit_CreditCard" }))
    replay!.finish()
    expect(replay!.requests[0].headers["x-idempotency-key"]).toBe(SESSION)
  })

  it("never authorizes a paid answer for another amount, and says so in the log", async () => {
    const { service, lines } = provider()
    inline([query(tradeAnswer({ TradeAmt: "10" }))])
    await expect(service.authorizePayment({ data: data() })).rejects.toThrow(/paid 10 TWD, not 100 TWD/)
    expect(lines.join("\n")).toMatch(/error ECPay: order MSERVICEUNIT00000001 was paid 10 TWD/)
    replay!.finish()
  })

  it("does not trust a paid answer whose CheckMacValue does not verify", async () => {
    const { service } = provider()
    inline([query(tradeAnswer({}, "not-the-store-key")), query(tradeAnswer({}, false))])
    await expect(service.authorizePayment({ data: data() })).rejects.toThrow(GatewayRejectedError)
    await expect(service.authorizePayment({ data: data() })).rejects.toThrow(/did not verify/)
    replay!.finish()
  })

  it("reads an unsigned 'no such order' as pending, never as paid", async () => {
    const { service } = provider()
    inline([query(`MerchantID=3002607&MerchantTradeNo=${TRADE_NO}&TradeStatus=10200047`)])
    await expect(service.authorizePayment({ data: data() })).resolves.toEqual(expect.objectContaining({ status: "pending" }))
    replay!.finish()
  })

  it("refuses an answer about another order", async () => {
    const { service } = provider()
    inline([query(tradeAnswer({ MerchantTradeNo: "MSOMEONEELSE00000001" }))])
    await expect(service.authorizePayment({ data: data() })).rejects.toThrow(/another order/)
    replay!.finish()
  })

  it("reports an ECPay outage while asking about the payment as an error, never as a failed payment; the query moved no money", async () => {
    const { service } = provider()
    inline([query("Service Unavailable", 503)])
    const failure = await service.authorizePayment({ data: data() }).catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(false)
    expect(failure.message).toMatch(/^ECPay could not be reached to .*; no money was moved and it can be tried again/)
    replay!.finish()
  })

  it("never authorizes a voided session, and does not ask ECPay", async () => {
    const { service } = provider()
    inline([])
    await expect(service.authorizePayment({ data: data({ voided: true }) })).resolves.toEqual(expect.objectContaining({ status: "canceled" }))
    replay!.finish()
  })
})

describe("capturePayment", () => {
  it("is a no-op when ECPay already settled the payment", async () => {
    inline([])
    await expect(provider().service.capturePayment({ data: paidCard() })).resolves.toEqual({ data: expect.objectContaining({ closed: false }) })
    await expect(provider({ capture: "manual" }).service.capturePayment({ data: paidCard({ payment_type: "ATM_TAISHIN" }) })).resolves.toBeDefined()
    replay!.finish()
  })

  it("closes a card payment whole (DoAction C) when the admin closes card payments, once", async () => {
    const { service } = provider({ capture: "manual" })
    inline([action("C", "100")])
    const result = await service.capturePayment({ data: paidCard(), context: { idempotency_key: "capt_01UNIT" } })
    expect(result.data).toEqual(expect.objectContaining({ closed: true }))
    // Already closed: nothing more to send.
    await service.capturePayment({ data: result.data!, context: { idempotency_key: "capt_01UNIT2" } })
    replay!.finish()
    expect(replay!.requests[0].headers["x-idempotency-key"]).toBe("capt_01UNIT")
  })

  it("refuses to capture an order that is not paid", async () => {
    await expect(provider().service.capturePayment({ data: data() })).rejects.toThrow(/not paid/)
  })
})

describe("refundPayment", () => {
  it("refunds a card payment in parts through DoAction R, and the same refund only once", async () => {
    const { service } = provider()
    inline([action("R", "30"), action("R", "70")])
    const first = await service.refundPayment({ amount: 30, data: paidCard(), context: { idempotency_key: "ref_01A" } })
    const retried = await service.refundPayment({ amount: 30, data: first.data!, context: { idempotency_key: "ref_01A" } })
    expect(retried.data).toEqual(first.data)
    const second = await service.refundPayment({ amount: 70, data: first.data!, context: { idempotency_key: "ref_01B" } })
    expect(second.data).toEqual(expect.objectContaining({ amount_refunded: 100 }))
    await expect(service.refundPayment({ amount: 1, data: second.data!, context: { idempotency_key: "ref_01C" } })).rejects.toThrow(
      /cannot refund 1.00 TWD .* only 0.00 TWD of the 100.00 TWD paid remains/
    )
    replay!.finish()
  })

  it("tells the merchant to refund outside the gateway for a method ECPay cannot refund", async () => {
    const { service } = provider()
    const attempt = service.refundPayment({ amount: 10, data: paidCard({ payment_type: "ATM_TAISHIN" }) })
    await expect(attempt).rejects.toThrow(NotSupportedError)
    await expect(service.refundPayment({ amount: 10, data: paidCard({ payment_type: "CVS_CVS" }) })).rejects.toThrow(
      /not supported by the ECPay payment provider: ECPay refunds card payments only through its API; refund the shopper outside the gateway/
    )
  })

  it("passes on ECPay's refusal with its code and message", async () => {
    const { service } = provider()
    inline([action("R", "10", `MerchantID=3002607&MerchantTradeNo=${TRADE_NO}&TradeNo=${ECPAY_TRADE}&RtnCode=10100050&RtnMsg=Amount error`)])
    await expect(service.refundPayment({ amount: 10, data: paidCard() })).rejects.toThrow(/ECPay refused to refund the card payment: Amount error.*\(10100050\)/)
    replay!.finish()
  })

  it("never retries a refund: one attempt, then an indeterminate error", async () => {
    const { service } = provider({ maxRetries: 2 })
    inline([action("R", "10", "Bad Gateway", 502)])
    const failure = await service.refundPayment({ amount: 10, data: paidCard(), context: { idempotency_key: "ref_01D" } }).catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(true)
    expect(failure.message).toMatch(/the outcome is unknown/)
    replay!.finish()
    expect(replay!.requests).toHaveLength(1)
  })
})

describe("cancelPayment", () => {
  it("voids an unpaid session without calling ECPay", async () => {
    inline([])
    await expect(provider().service.cancelPayment({ data: data() })).resolves.toEqual({ data: expect.objectContaining({ voided: true }) })
    replay!.finish()
  })

  it("releases a card authorization not closed yet (DoAction N)", async () => {
    const { service } = provider({ capture: "manual" })
    inline([action("N", "100")])
    await expect(service.cancelPayment({ data: paidCard() })).resolves.toEqual({ data: expect.objectContaining({ voided: true }) })
    replay!.finish()
  })

  it("refuses to cancel a settled payment and asks for a refund", async () => {
    await expect(provider().service.cancelPayment({ data: paidCard() })).rejects.toThrow(PaymentInputError)
    await expect(provider().service.cancelPayment({ data: paidCard() })).rejects.toThrow(/refund it instead/)
  })
})

describe("getWebhookActionAndData (Medusa's generic route)", () => {
  const fields = (extra: Record<string, string> = {}) =>
    signEcpay({
      CustomField1: SESSION,
      MerchantID: "3002607",
      MerchantTradeNo: TRADE_NO,
      PaymentDate: formatTaipeiTime(Date.now()),
      PaymentType: "Credit_CreditCard",
      RtnCode: "1",
      RtnMsg: "交易成功",
      SimulatePaid: "0",
      TradeAmt: "100",
      TradeNo: ECPAY_TRADE,
      ...extra,
    })

  it("maps a signed form to captured with the amount in major units", async () => {
    const body = fields()
    const result = await provider().service.getWebhookActionAndData({ data: body, rawData: Buffer.from(formBody(body)), headers: {} })
    expect(result).toEqual({ action: "captured", data: { session_id: SESSION, amount: 100 } })
  })

  it("never counts a simulated payment in production", async () => {
    const own = { merchantId: "3123456", hashKey: "own-key-0000000a", hashIv: "own-iv-000000000" }
    const { service } = provider({ ...own, environment: "production" })
    const body = signEcpay({ ...fields({ SimulatePaid: "1" }), MerchantID: own.merchantId }, own.hashKey, own.hashIv)
    const result = await service.getWebhookActionAndData({ data: body, rawData: Buffer.from(formBody(body)), headers: {} })
    expect(result).toEqual({ action: "not_supported" })
    // The same payment, not simulated, counts.
    const real = signEcpay({ ...fields(), MerchantID: own.merchantId }, own.hashKey, own.hashIv)
    expect((await service.getWebhookActionAndData({ data: real, rawData: Buffer.from(formBody(real)), headers: {} })).action).toBe("captured")
  })
})

describe("refunds made in ECPay's back office, recorded in Medusa", () => {
  const noted = (amount: string) => ({ refund_id: "11718189-2", amount, currency_code: "twd", recorded_at: null })

  it("records a noted refund without calling ECPay, in its refunds and amount refunded", async () => {
    const { service } = provider()
    inline([])
    const result = await service.refundPayment({ amount: 30, data: paidCard({ external_refunds: [noted("30")] }), context: { idempotency_key: "ref_01NOTED" } })
    replay!.finish()
    expect(result.data).toEqual(
      expect.objectContaining({
        amount_refunded: 30,
        refunds: [{ key: "ref_01NOTED", amount: 30, refund_id: "11718189-2" }],
        external_refunds: [{ ...noted("30"), recorded_at: expect.any(String) }],
      })
    )
    // Retried with the same refund id: recorded once.
    const again = await service.refundPayment({ amount: 30, data: result.data!, context: { idempotency_key: "ref_01NOTED" } })
    expect(again.data).toEqual(result.data)
  })

  it("still refunds through DoAction R when the amount asked is not the noted refund's", async () => {
    const { service } = provider()
    inline([action("R", "20")])
    const result = await service.refundPayment({ amount: 20, data: paidCard({ external_refunds: [noted("30")] }), context: { idempotency_key: "ref_01OTHER" } })
    replay!.finish()
    expect(result.data).toEqual(expect.objectContaining({ amount_refunded: 20, refunds: [{ key: "ref_01OTHER", amount: 20 }], external_refunds: [noted("30")] }))
  })

  it("keeps the noted refunds through a status lookup", async () => {
    const { service } = provider()
    inline([query(tradeAnswer({}))])
    const external_refunds = [{ ...noted("30"), recorded_at: "2026-12-01T10:00:00.000Z" }]
    const result = await service.retrievePayment({ data: paidCard({ external_refunds }) })
    replay!.finish()
    expect(result.data).toEqual(expect.objectContaining({ external_refunds }))
  })
})

/**
 * CreditDetail/QueryTrade/V2, "查詢信用卡單筆明細" (https://developers.ecpay.com.tw/?p=2894):
 * production only ("測試環境:因無法提供實際授權,故無法使用此API"), a form POST of MerchantID,
 * CreditRefundId (the card authorization's gwsr), CreditAmount and CreditCheckCode (商家檢查碼)
 * with the CheckMacValue; the answer is JSON: RtnMsg (empty on success), RtnValue with
 * TradeID, amount, clsamt, authtime, status and close_data (status, amount, sno, datetime).
 */
describe("listGatewayRefunds (ECPay's card detail query)", () => {
  const PRODUCTION_ORIGIN = "https://payment.ecpay.com.tw"
  const own = { merchantId: "3123456", hashKey: "own-key-0000000a", hashIv: "own-iv-000000000", environment: "production", creditCheckCode: "59997889" }
  const production = (options: Record<string, unknown> = {}) => provider({ ...own, ...options })
  const playProduction = (interactions: Interaction[]) =>
    (replay = new FixtureSession(
      { provider: "ecpay", scenario: "inline", source: "inline", interactions } as FixtureFile,
      { origin: PRODUCTION_ORIGIN, bodyFormat: "form" }
    ).start())
  const detailQuery = (answer: unknown, status = 200): Interaction => ({
    request: {
      method: "POST",
      path: "/CreditDetail/QueryTrade/V2",
      body: { MerchantID: "3123456", CreditRefundId: "11718189", CreditAmount: "100", CreditCheckCode: "59997889", CheckMacValue: "{{*}}" },
    },
    response: { status, body: answer },
  })
  const detail = (close_data: unknown[], fields: Record<string, unknown> = {}) => ({
    RtnMsg: "",
    RtnValue: { TradeID: "11718189", amount: 100, clsamt: 50, authtime: "2026/11/20 10:01:30", status: "已關帳", close_data, ...fields },
  })
  const paid = (extra: Record<string, unknown> = {}) => paidCard({ environment: "production", credit_refund_id: "11718189", ...extra })

  it("lists the refunds (退刷) ECPay made on a card payment: the closes of a negative amount that are not canceled", async () => {
    const { service, lines } = production()
    playProduction([
      detailQuery(
        detail([
          { status: "已關帳", sno: "1", amount: 100, datetime: "2026/11/20 20:15:00" },
          { status: "已關帳", sno: "2", amount: -30, datetime: "2026/11/22 10:00:00" },
          { status: "要關帳", sno: "3", amount: -20, datetime: "2026/11/23 09:00:00" },
          { status: "已取消", sno: "4", amount: -10, datetime: "2026/11/23 09:30:00" },
          { status: "操作取消", sno: "5", amount: -5, datetime: "2026/11/23 09:40:00" },
        ])
      ),
    ])
    const refunds = await service.listGatewayRefunds(paid())
    replay!.finish()
    expect(refunds).toEqual([
      { refund_id: "11718189-2", amount: "30", currency_code: "twd" },
      { refund_id: "11718189-3", amount: "20", currency_code: "twd" },
    ])
    expect(lines.join("\n")).not.toContain("59997889")
  })

  it("asks QueryTradeInfo for the card authorization's number (gwsr) when the data does not hold it yet", async () => {
    const { service } = production()
    const answer = (fields: Record<string, string>) => {
      const all: Record<string, string> = { CustomField1: SESSION, MerchantID: "3123456", MerchantTradeNo: TRADE_NO, PaymentDate: "2026/11/20 10:01:30", PaymentType: "Credit_CreditCard", TradeAmt: "100", TradeNo: ECPAY_TRADE, TradeStatus: "1", ...fields }
      return `${Object.entries(all).map(([k, v]) => `${k}=${v}`).join("&")}&CheckMacValue=${checkMacValue(all, own.hashKey, own.hashIv)}`
    }
    playProduction([
      { request: { method: "POST", path: "/Cashier/QueryTradeInfo/V5", body: { MerchantID: "3123456", MerchantTradeNo: TRADE_NO, TimeStamp: "{{*}}", CheckMacValue: "{{*}}" } }, response: { status: 200, body: answer({ gwsr: "11718189" }) } },
      detailQuery(detail([])),
    ])
    await expect(service.listGatewayRefunds(paid({ credit_refund_id: undefined }))).resolves.toEqual([])
    replay!.finish()
  })

  it("passes on ECPay's refusal of the query", async () => {
    const { service } = production()
    playProduction([detailQuery({ RtnMsg: "error_nopay", RtnValue: null })])
    await expect(service.listGatewayRefunds(paid())).rejects.toThrow(/ECPay refused to list the card payment's refunds: .*error_nopay/)
    replay!.finish()
  })

  it("refuses an answer about another amount than the payment's", async () => {
    const { service } = production()
    playProduction([detailQuery(detail([], { amount: 1000 }))])
    await expect(service.listGatewayRefunds(paid())).rejects.toThrow(/is for 1000 TWD, not the payment's 100 TWD/)
    replay!.finish()
  })

  it("lists nothing, without asking, for a payment that is not a paid card payment", async () => {
    const { service } = production()
    playProduction([])
    await expect(service.listGatewayRefunds(paid({ payment_type: "ATM_TAISHIN" }))).resolves.toEqual([])
    await expect(service.listGatewayRefunds(paid({ trade_status: "0", trade_no: null }))).resolves.toEqual([])
    replay!.finish()
  })

  it("says the query needs production and the merchant's check code, before asking ECPay", async () => {
    inline([])
    await expect(provider({ creditCheckCode: "59997889" }).service.listGatewayRefunds(paidCard())).rejects.toThrow(NotSupportedError)
    await expect(production({ creditCheckCode: undefined }).service.listGatewayRefunds(paid())).rejects.toThrow(/`creditCheckCode`/)
    replay!.finish()
  })
})

/**
 * What the admin and the reconciliation read (`GatewayPaymentInspector`): a pure description
 * (the MerchantTradeNo and ECPay's back office of the environment, which has no page per
 * trade to link to) and one read-only look at ECPay: QueryTradeInfo, then, for a paid card
 * payment in production with the merchant's check code, the card detail query's refunds.
 */
describe("ECPay: describing and inspecting a payment", () => {
  const own = { merchantId: "3123456", hashKey: "own-key-0000000a", hashIv: "own-iv-000000000", environment: "production", creditCheckCode: "59997889" }
  const PRODUCTION_ORIGIN = "https://payment.ecpay.com.tw"
  const playProduction = (interactions: Interaction[]) =>
    (replay = new FixtureSession(
      { provider: "ecpay", scenario: "inline", source: "inline", interactions } as FixtureFile,
      { origin: PRODUCTION_ORIGIN, bodyFormat: "form" }
    ).start())
  const productionAnswer = (fields: Record<string, string>) => {
    const all: Record<string, string> = { CustomField1: SESSION, MerchantID: "3123456", MerchantTradeNo: TRADE_NO, PaymentDate: "2026/11/20 10:01:30", PaymentType: "Credit_CreditCard", TradeAmt: "100", TradeNo: ECPAY_TRADE, TradeStatus: "1", gwsr: "11718189", ...fields }
    return `${Object.entries(all).map(([k, v]) => `${k}=${v}`).join("&")}&CheckMacValue=${checkMacValue(all, own.hashKey, own.hashIv)}`
  }
  const productionQuery = (body: string): Interaction => ({
    request: { method: "POST", path: "/Cashier/QueryTradeInfo/V5", body: { MerchantID: "3123456", MerchantTradeNo: TRADE_NO, TimeStamp: "{{*}}", CheckMacValue: "{{*}}" } },
    response: { status: 200, body },
  })
  const detailQuery = (close_data: unknown[]): Interaction => ({
    request: { method: "POST", path: "/CreditDetail/QueryTrade/V2", body: { MerchantID: "3123456", CreditRefundId: "11718189", CreditAmount: "100", CreditCheckCode: "59997889", CheckMacValue: "{{*}}" } },
    response: { status: 200, body: { RtnMsg: "", RtnValue: { TradeID: "11718189", amount: 100, clsamt: 50, authtime: "2026/11/20 10:01:30", status: "已關帳", close_data } } },
  })

  it("names the payment ECPay's way, with its MerchantTradeNo and a link to the stage back office", () => {
    const { service } = provider()
    expect(service.describePayment(data())).toEqual({
      label: "ECPay (綠界)",
      gateway: "ecpay",
      reference: { label: "MerchantTradeNo (特店交易編號)", value: TRADE_NO },
      dashboard_url: "https://vendor-stage.ecpay.com.tw",
      mode: "test",
    })
    expect(service.describePayment({}).label).toBe("ECPay (綠界)")
  })

  it("links to the production back office for a payment made in production", () => {
    const { service } = provider(own)
    expect(service.describePayment(paidCard({ environment: "production" }))).toEqual(
      expect.objectContaining({ dashboard_url: "https://vendor.ecpay.com.tw", mode: "live", reference: { label: "MerchantTradeNo (特店交易編號)", value: TRADE_NO } })
    )
    // The environment the payment was made in wins over the one configured now.
    expect(provider().service.describePayment(paidCard({ environment: "production" })).mode).toBe("live")
  })

  it("describes empty or foreign data with its name and the configured environment only, and copies nothing of the form", () => {
    const { service } = provider()
    expect(service.describePayment({})).toEqual({ label: "ECPay (綠界)", gateway: "ecpay", mode: "test" })
    expect(service.describePayment({ merchant_trade_no: "not a trade number!" })).toEqual({ label: "ECPay (綠界)", gateway: "ecpay", mode: "test" })
    const described = service.describePayment(data({ form: { method: "POST", action: "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5", fields: { CheckMacValue: "ABCDEF", CustomField1: SESSION } } }))
    expect(JSON.stringify(described)).not.toMatch(/CheckMacValue|ABCDEF|payses_/)
  })

  const STATUSES: Array<[string, Record<string, unknown>, Record<string, unknown>, string, string]> = [
    ["0, not paid yet", {}, { TradeStatus: "0", PaymentType: "", TradeNo: "", PaymentDate: "" }, "pending", "TradeStatus 0"],
    ["1, paid by card (ECPay's daily close)", {}, {}, "captured", "TradeStatus 1 (Credit_CreditCard)"],
    ["1, paid by ATM", {}, { PaymentType: "ATM_TAISHIN" }, "captured", "TradeStatus 1 (ATM_TAISHIN)"],
    ["10200095, not completed by the shopper", {}, { TradeStatus: "10200095", PaymentType: "", TradeNo: "", PaymentDate: "" }, "error", "TradeStatus 10200095"],
  ]

  it.each(STATUSES)("maps TradeStatus %s", async (_label, extra, fields, status, gateway) => {
    const { service } = provider()
    inline([query(tradeAnswer(fields as Record<string, string>))])
    const snapshot = await service.inspectPayment(data(extra))
    replay!.finish()
    expect({ status: snapshot.status, gateway_status: snapshot.gateway_status }).toEqual({ status, gateway_status: gateway })
    expect(replay!.mutatingRequests().map((r) => r.path)).toEqual(["/Cashier/QueryTradeInfo/V5"])
  })

  it("maps TradeStatus 10200047 (no such order: the form was never submitted), which ECPay answers unsigned", async () => {
    const { service } = provider()
    inline([query("TradeStatus=10200047&MerchantID=3002607")])
    const snapshot = await service.inspectPayment(data())
    replay!.finish()
    expect(snapshot).toEqual({ status: "pending", gateway_status: "TradeStatus 10200047", currency_code: "twd", amount: "100", captured_amount: "0", refunded_amount: "0", refunds: [] })
  })

  it("says why a payment was not completed, in ECPay's words without the shopper's", async () => {
    const { service } = provider()
    inline([query(tradeAnswer({ TradeStatus: "10200095", PaymentType: "", TradeNo: "", PaymentDate: "" }))])
    const snapshot = await service.inspectPayment(data())
    replay!.finish()
    expect(snapshot.reason).toBe("交易未成立: the shopper did not complete the payment (TradeStatus 10200095)")
  })

  // "若於廠商後台將系統「每日自動關帳」關閉以後，訂單仍須於21天內完成關帳作業，若於21天內未完成
  // 手動關帳作業，後續將無法以API方式進行關帳" (https://developers.ecpay.com.tw/?p=45919).
  it("with capture manual, a paid card payment is authorized until closed, and must be closed within 21 days of payment", async () => {
    const { service } = provider({ capture: "manual" })
    inline([query(tradeAnswer({})), query(tradeAnswer({}))])
    const open = await service.inspectPayment(data())
    const closed = await service.inspectPayment(paidCard({ closed: true }))
    replay!.finish()
    // 2026/11/20 10:01:30 in Taiwan is 02:01:30 UTC.
    expect(open).toEqual(expect.objectContaining({ status: "authorized", captured_amount: "0", authorization_expires_at: "2026-12-11T02:01:30.000Z" }))
    expect(closed).toEqual(expect.objectContaining({ status: "captured", captured_amount: "100" }))
    expect(closed.authorization_expires_at).toBeUndefined()
  })

  it("cannot list a card payment's refunds on stage (ECPay's card detail query is production only): refunds unknown, not none", async () => {
    const { service } = provider({ creditCheckCode: "59997889" })
    inline([query(tradeAnswer({}))])
    const snapshot = await service.inspectPayment(data())
    replay!.finish()
    expect(snapshot).toEqual({ status: "captured", gateway_status: "TradeStatus 1 (Credit_CreditCard)", currency_code: "twd", amount: "100", captured_amount: "100" })
  })

  it("in production, lists a card payment's partial refunds, telling the store's own (recorded in the data) from one made in the back office", async () => {
    const { service, lines } = provider(own)
    playProduction([
      productionQuery(productionAnswer({})),
      detailQuery([
        { status: "已關帳", sno: "1", amount: 100, datetime: "2026/11/20 20:15:00" },
        { status: "已關帳", sno: "2", amount: -30, datetime: "2026/11/22 10:00:00" },
        { status: "要關帳", sno: "3", amount: -20, datetime: "2026/11/23 09:00:00" },
        { status: "已取消", sno: "4", amount: -10, datetime: "2026/11/23 09:30:00" },
      ]),
    ])
    // The store refunded 30 TWD through DoAction R (its refunds carry no id of ECPay's).
    const snapshot = await service.inspectPayment(paidCard({ environment: "production", amount_refunded: 30, refunds: [{ key: "ref_01STOREREFUND", amount: 30 }] }))
    replay!.finish()
    expect(snapshot).toEqual({
      status: "captured",
      gateway_status: "TradeStatus 1 (Credit_CreditCard)",
      currency_code: "twd",
      amount: "100",
      captured_amount: "100",
      refunded_amount: "50",
      refunds: [
        { refund_id: "11718189-2", amount: "30", currency_code: "twd", made_by_store: true, status: "succeeded" },
        { refund_id: "11718189-3", amount: "20", currency_code: "twd", made_by_store: false, status: "succeeded" },
      ],
    })
    expect(lines.join("\n")).not.toContain("59997889")
  })

  it("counts a back-office refund already recorded in Medusa as the gateway's, not the store's, and matches the store's own refunds once each", async () => {
    const { service } = provider(own)
    playProduction([
      productionQuery(productionAnswer({})),
      detailQuery([
        { status: "已關帳", sno: "2", amount: -20, datetime: "2026/11/22 10:00:00" },
        { status: "已關帳", sno: "3", amount: -20, datetime: "2026/11/23 09:00:00" },
        { status: "已關帳", sno: "4", amount: -20, datetime: "2026/11/24 09:00:00" },
      ]),
    ])
    const snapshot = await service.inspectPayment(
      paidCard({
        environment: "production",
        amount_refunded: 40,
        refunds: [{ key: "ref_01STOREREFUND", amount: 20 }, { key: "ref_01RECORDED", amount: 20, refund_id: "11718189-3" }],
      })
    )
    replay!.finish()
    expect(snapshot.refunds?.map((r) => [r.refund_id, r.made_by_store])).toEqual([
      ["11718189-2", true],
      ["11718189-3", false],
      ["11718189-4", false],
    ])
  })

  it("without the merchant's check code, says nothing of the refunds rather than none", async () => {
    const { service } = provider({ ...own, creditCheckCode: undefined })
    playProduction([productionQuery(productionAnswer({}))])
    const snapshot = await service.inspectPayment(paidCard({ environment: "production" }))
    replay!.finish()
    expect(snapshot.refunds).toBeUndefined()
    expect(snapshot.refunded_amount).toBeUndefined()
  })

  it("reports a session voided in Medusa as canceled, and says so when ECPay was paid for it anyway", async () => {
    const { service } = provider()
    inline([query(tradeAnswer({ TradeStatus: "0", PaymentType: "", TradeNo: "", PaymentDate: "" })), query(tradeAnswer({}))])
    const unpaid = await service.inspectPayment(data({ voided: true }))
    const paid = await service.inspectPayment(data({ voided: true }))
    replay!.finish()
    expect(unpaid).toEqual(expect.objectContaining({ status: "canceled", gateway_status: "TradeStatus 0", reason: "voided in Medusa before it was paid" }))
    expect(paid).toEqual(expect.objectContaining({ status: "canceled", gateway_status: "TradeStatus 1 (Credit_CreditCard)", reason: expect.stringMatching(/voided in Medusa, but ECPay reports it paid: refund it in ECPay's back office/) }))
  })

  it("refuses to guess a TradeStatus ECPay does not document", async () => {
    const { service } = provider()
    inline([query(tradeAnswer({ TradeStatus: "2" }))])
    await expect(service.inspectPayment(data())).rejects.toThrow(/Unknown ECPay TradeStatus: "2"/)
    replay!.finish()
  })

  it("passes on ECPay's outage as an error, never a status", async () => {
    const { service } = provider()
    inline([query("Service Unavailable", 503)])
    const failure = await service.inspectPayment(data()).catch((e) => e)
    replay!.finish()
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(false)
  })
})

describe("ECPay's declaration", () => {
  it("reads the merchant's check code from ECPAY_CREDIT_CHECK_CODE", () => {
    const env = { ECPAY_MERCHANT_ID: "3123456", ECPAY_HASH_KEY: "k", ECPAY_HASH_IV: "i", ECPAY_PUBLIC_URL: "https://api.shop.example.com", ECPAY_CREDIT_CHECK_CODE: "59997889" }
    expect(ecpayDeclaration.options(env)).toEqual(expect.objectContaining({ creditCheckCode: "59997889" }))
    expect(ecpayDeclaration.options({ ...env, ECPAY_CREDIT_CHECK_CODE: "" })).toEqual(expect.objectContaining({ creditCheckCode: undefined }))
  })
})
