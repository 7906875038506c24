import { AmountError, PaymentInputError } from "../../../lib/payments/errors"
import { checkMacValue, verifyCheckMacValue } from "../checkmac"
import {
  buildCheckoutForm,
  choosePayment,
  formatTaipeiTime,
  fromEcpayAmount,
  mapTradeStatus,
  merchantTradeNo,
  notificationFields,
  paidStatus,
  parseEcpayAnswer,
  parseTaipeiTime,
  readSessionData,
  toEcpayAmount,
  verifyEcpayNotification,
  withTrade,
} from "../mapping"
import { refundsOfCreditDetail } from "../inspection"
import { parseEcpayOptions } from "../options"

const KEYS = { merchantId: "3002607", hashKey: "pwFHCqoQZGmho4w6", hashIv: "EkRm7iFT261dpevs" }
const options = (extra: Record<string, unknown> = {}) =>
  parseEcpayOptions({ ...KEYS, publicUrl: "https://api.shop.example.com", ...extra })

const NOW = Date.UTC(2026, 10, 20, 2, 1, 30) // 2026/11/20 10:01:30 in Taipei
const SESSION = "payses_01JTESTSESSION000000000000"
const TRADE_NO = "MTESTTRADE0000000001"

function notification(overrides: Record<string, string> = {}, key = KEYS.hashKey): Record<string, string> {
  const fields: Record<string, string> = {
    CustomField1: SESSION,
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
    MerchantID: KEYS.merchantId,
    MerchantTradeNo: TRADE_NO,
    PaymentDate: "2026/11/20 10:01:30",
    PaymentType: "Credit_CreditCard",
    PaymentTypeChargeFee: "3",
    RtnCode: "1",
    RtnMsg: "交易成功",
    SimulatePaid: "0",
    StoreID: "",
    TradeAmt: "100",
    TradeDate: "2026/11/20 10:00:00",
    TradeNo: "2611201000005678",
    ...overrides,
  }
  return { ...fields, CheckMacValue: checkMacValue(fields, key, KEYS.hashIv) }
}

const context = (extra: Partial<Parameters<typeof verifyEcpayNotification>[1]> = {}) => ({
  ...KEYS,
  environment: "stage" as const,
  capture: "automatic" as const,
  toleranceSeconds: 1800,
  nowMs: NOW,
  ...extra,
})

describe("ECPay amounts", () => {
  it("charges whole New Taiwan dollars as they are", () => {
    expect(toEcpayAmount(100, "twd")).toBe(100)
    expect(toEcpayAmount("1999", "TWD")).toBe(1999)
    expect(toEcpayAmount({ value: "30000", precision: 20 } as never, "twd")).toBe(30000)
  })

  it("refuses a cart that cannot be charged in whole dollars, saying why", () => {
    expect(() => toEcpayAmount(10.5, "twd")).toThrow(AmountError)
    expect(() => toEcpayAmount("99.99", "twd")).toThrow(/whole New Taiwan dollars only: 99\.99 TWD cannot be charged exactly/)
  })

  it("refuses every currency but TWD, JPY, KWD and USD included", () => {
    for (const currency of ["jpy", "kwd", "usd"]) {
      expect(() => toEcpayAmount(1000, currency)).toThrow(PaymentInputError)
      expect(() => toEcpayAmount(1000, currency)).toThrow(/TWD\) only/)
    }
  })

  it("refuses a zero amount", () => {
    expect(() => toEcpayAmount(0, "twd")).toThrow(/at least 1 TWD/)
  })

  it("reads ECPay's TradeAmt back exactly and refuses anything but whole dollars", () => {
    expect(fromEcpayAmount("100").toFixed()).toBe("100")
    expect(() => fromEcpayAmount("100.5")).toThrow(AmountError)
    expect(() => fromEcpayAmount("")).toThrow(AmountError)
  })
})

describe("ECPay times", () => {
  it("writes Taiwan time (UTC+8) in ECPay's format", () => {
    expect(formatTaipeiTime(Date.UTC(2023, 2, 12, 7, 30, 23))).toBe("2023/03/12 15:30:23")
    expect(formatTaipeiTime(Date.UTC(2026, 11, 31, 16, 0, 0))).toBe("2027/01/01 00:00:00")
  })

  it("reads it back, and refuses an impossible date", () => {
    expect(parseTaipeiTime("2023/03/12 15:30:23")).toBe(Date.UTC(2023, 2, 12, 7, 30, 23))
    expect(parseTaipeiTime("2023/02/30 10:00:00")).toBeUndefined()
    expect(parseTaipeiTime("yesterday")).toBeUndefined()
  })
})

describe("MerchantTradeNo", () => {
  it("is 20 letters and digits: prefix, time, randomness", () => {
    const value = merchantTradeNo("ab", NOW, "qwertyuiopasdfgh")
    expect(value).toMatch(/^[A-Z0-9]{20}$/)
    expect(value.startsWith("AB")).toBe(true)
    expect(value.slice(2, 10)).toBe(NOW.toString(36).toUpperCase())
  })

  it("refuses to build one without enough random characters", () => {
    expect(() => merchantTradeNo("ABCDEF", NOW, "XYZ")).toThrow(/random/)
  })
})

describe("the checkout form", () => {
  it("offers every method with ALL, one with its name, several with ALL and IgnorePayment", () => {
    expect(choosePayment(["ALL"])).toEqual({ ChoosePayment: "ALL" })
    expect(choosePayment(["Credit"])).toEqual({ ChoosePayment: "Credit" })
    expect(choosePayment(["Credit", "ATM"])).toEqual({ ChoosePayment: "ALL", IgnorePayment: "WebATM#CVS#BARCODE#ApplePay#TWQR#BNPL" })
  })

  it("is signed with CheckMacValue, carries the session id, and holds no key", () => {
    const form = buildCheckoutForm(
      {
        sessionId: SESSION,
        merchantTradeNo: TRADE_NO,
        amount: 1999,
        epochMs: NOW,
        notificationUrl: "https://api.shop.example.com/hooks/ecpay/ecpay",
        action: "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5",
      },
      options({ itemName: "Order {reference} ({amount} TWD)", returnUrl: "https://shop.example.com/return?s={session_id}" })
    )
    expect(form).toEqual({
      method: "POST",
      action: "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5",
      charset: "UTF-8",
      fields: {
        ChoosePayment: "ALL",
        ClientBackURL: `https://shop.example.com/return?s=${SESSION}`,
        CustomField1: SESSION,
        EncryptType: "1",
        ItemName: `Order ${TRADE_NO} (1999 TWD)`,
        MerchantID: "3002607",
        MerchantTradeDate: "2026/11/20 10:01:30",
        MerchantTradeNo: TRADE_NO,
        NeedExtraPaidInfo: "N",
        PaymentType: "aio",
        ReturnURL: "https://api.shop.example.com/hooks/ecpay/ecpay",
        TotalAmount: "1999",
        TradeDesc: "Online order",
        CheckMacValue: expect.stringMatching(/^[0-9A-F]{64}$/),
      },
    })
    expect(verifyCheckMacValue(form.fields, KEYS.hashKey, KEYS.hashIv)).toBe(true)
    expect(JSON.stringify(form)).not.toContain(KEYS.hashKey)
    expect(JSON.stringify(form)).not.toContain(KEYS.hashIv)
  })
})

describe("TradeStatus", () => {
  it("maps every documented status, a paid card as authorized only when the admin closes cards", () => {
    expect(mapTradeStatus("0", "ATM_TAISHIN", "automatic")).toBe("pending")
    expect(mapTradeStatus("1", "Credit_CreditCard", "automatic")).toBe("captured")
    expect(mapTradeStatus("1", "Credit_CreditCard", "manual")).toBe("authorized")
    expect(mapTradeStatus("1", "ATM_TAISHIN", "manual")).toBe("captured")
    expect(mapTradeStatus("10200095", "Credit_CreditCard", "automatic")).toBe("error")
    expect(mapTradeStatus("10200047", "", "automatic")).toBe("pending")
  })

  it("throws on a status it does not know instead of calling it pending", () => {
    expect(() => mapTradeStatus("10100058", "Credit_CreditCard", "automatic")).toThrow(/Unknown ECPay TradeStatus/)
    expect(() => mapTradeStatus("", undefined, "automatic")).toThrow(/Unknown ECPay TradeStatus/)
  })

  it("treats only Credit_ payment types as card payments", () => {
    expect(paidStatus("Credit_CreditCard", "manual")).toBe("authorized")
    expect(paidStatus("ApplePay", "manual")).toBe("captured")
    expect(paidStatus(null, "manual")).toBe("captured")
  })
})

describe("ECPay notifications", () => {
  it("reads a fresh signed card payment as captured, with its session, order number and amount", () => {
    const verdict = verifyEcpayNotification(notification(), context())
    expect(verdict).toEqual(
      expect.objectContaining({ kind: "paid", action: "captured", session_id: SESSION, reference: TRADE_NO, currency_code: "twd" })
    )
    expect(verdict.kind === "paid" && verdict.amount.toFixed()).toBe("100")
  })

  it("reads a card payment as authorized when the admin closes card payments", () => {
    expect(verifyEcpayNotification(notification(), context({ capture: "manual" }))).toEqual(
      expect.objectContaining({ kind: "paid", action: "authorized" })
    )
  })

  it("rejects a bad signature, an unsigned body and another merchant's notification", () => {
    expect(verifyEcpayNotification(notification({}, "5294y06JbISpM5x9"), context())).toEqual({ kind: "rejected", reason: "CheckMacValue does not verify" })
    const { CheckMacValue: _s, ...unsigned } = notification()
    expect(verifyEcpayNotification(unsigned, context()).kind).toBe("rejected")
    expect(verifyEcpayNotification(notification({ MerchantID: "2000132" }), context())).toEqual(
      expect.objectContaining({ kind: "rejected", reason: expect.stringMatching(/MerchantID/) })
    )
  })

  it("reads RtnCode other than 1 as a failed payment, and issued ATM or store codes as nothing yet", () => {
    expect(verifyEcpayNotification(notification({ RtnCode: "10100248", RtnMsg: "拒絕交易" }), context())).toEqual(
      expect.objectContaining({ kind: "failed", session_id: SESSION, reason: "RtnCode 10100248: 拒絕交易" })
    )
    expect(verifyEcpayNotification(notification({ RtnCode: "2", PaymentType: "ATM_TAISHIN" }), context()).kind).toBe("ignored")
    expect(verifyEcpayNotification(notification({ RtnCode: "10100073", PaymentType: "CVS_CVS" }), context()).kind).toBe("ignored")
  })

  it("never counts a simulated payment in production, and does on stage", () => {
    const simulated = notification({ SimulatePaid: "1" })
    expect(verifyEcpayNotification(simulated, context({ environment: "production" }))).toEqual(
      expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/SimulatePaid=1/) })
    )
    expect(verifyEcpayNotification(simulated, context({ environment: "stage" })).kind).toBe("paid")
  })

  it("calls a notification stale beyond the tolerance, in either direction", () => {
    expect(verifyEcpayNotification(notification(), context({ nowMs: NOW + 1801_000 })).kind).toBe("stale")
    expect(verifyEcpayNotification(notification(), context({ nowMs: NOW - 1801_000 })).kind).toBe("stale")
    expect(verifyEcpayNotification(notification(), context({ nowMs: NOW + 1799_000 })).kind).toBe("paid")
  })

  it("ignores a payment without this store's session id, and rejects a malformed one", () => {
    expect(verifyEcpayNotification(notification({ CustomField1: "" }), context()).kind).toBe("ignored")
    expect(verifyEcpayNotification(notification({ TradeAmt: "12.5" }), context()).kind).toBe("rejected")
    expect(verifyEcpayNotification(notification({ PaymentDate: "soon" }), context()).kind).toBe("rejected")
    expect(verifyEcpayNotification(notification({ MerchantTradeNo: "has space" }), context()).kind).toBe("rejected")
  })

  it("takes the fields from a flat parsed body, or from the raw form, and refuses nested ones", () => {
    expect(notificationFields({ a: "1", b: 2 }, undefined)).toEqual({ a: "1", b: "2" })
    expect(notificationFields(undefined, Buffer.from("a=1&b=x+y"))).toEqual({ a: "1", b: "x y" })
    expect(notificationFields({ a: { nested: "1" } }, Buffer.from("a=1"))).toBeUndefined()
    expect(notificationFields(undefined, Buffer.from("a=1&a=2"))).toBeUndefined()
    expect(notificationFields(undefined, Buffer.from('{"a":"1"}'))).toBeUndefined()
  })
})

describe("ECPay answers", () => {
  it("keeps spaces and + as ECPay sends them and decodes %XX", () => {
    expect(parseEcpayAnswer("PaymentDate=2026/11/20 10:01:30&ItemName=A+B%26C&TradeStatus=1")).toEqual({
      PaymentDate: "2026/11/20 10:01:30",
      ItemName: "A+B&C",
      TradeStatus: "1",
    })
  })

  it("refuses what is not ECPay's name=value text", () => {
    expect(() => parseEcpayAnswer({ TradeStatus: "1" })).toThrow(PaymentInputError)
    expect(() => parseEcpayAnswer("<html>error</html>")).toThrow(PaymentInputError)
  })
})

describe("session data", () => {
  it("refuses data that holds no ECPay order", () => {
    expect(() => readSessionData({ id: "pi_123" })).toThrow(/no ECPay order number/)
    expect(() => readSessionData({ merchant_trade_no: TRADE_NO, amount: "x" })).toThrow(/no amount/)
  })
})

describe("the card detail query (CreditDetail/QueryTrade/V2, https://developers.ecpay.com.tw/?p=2894)", () => {
  const session = readSessionData({ merchant_trade_no: "MMAPPINGUNIT00000001", amount: 100, session_id: "payses_01MAPPING" })

  it("keeps the card authorization's number (gwsr) from QueryTradeInfo's answer, for the query", () => {
    expect(withTrade(session, { TradeStatus: "1", TradeNo: "2611201000005678", PaymentType: "Credit_CreditCard", gwsr: "11718189" })).toEqual(
      expect.objectContaining({ credit_refund_id: "11718189" })
    )
    expect(withTrade(session, { TradeStatus: "1", PaymentType: "ATM_TAISHIN" })).not.toHaveProperty("credit_refund_id")
  })

  it("reads a refund as a counted close of a negative amount, and nothing else", () => {
    const answer = {
      RtnMsg: "",
      RtnValue: {
        TradeID: "11718189",
        amount: "100",
        clsamt: "70",
        status: "已關帳",
        close_data: [
          { status: "已關帳", sno: "1", amount: "100", datetime: "2026/11/20 20:15:00" },
          { status: "已關帳", sno: "2", amount: "-30", datetime: "2026/11/22 10:00:00" },
          { status: "已取消", sno: "3", amount: "-10", datetime: "2026/11/22 11:00:00" },
          { status: "已關帳", amount: "-5" },
          { status: "已關帳", sno: "4", amount: "-2.5" },
        ],
      },
    }
    expect(refundsOfCreditDetail(answer, session, "11718189")).toEqual({ refunds: [{ refund_id: "11718189-2", amount: "30", currency_code: "twd" }] })
    expect(refundsOfCreditDetail({ ...answer, RtnValue: { ...answer.RtnValue, close_data: undefined } }, session, "11718189")).toEqual({ refunds: [] })
  })

  it("says when ECPay refused the query or answered about another amount", () => {
    expect(refundsOfCreditDetail({ RtnMsg: "error_Stop", RtnValue: "" }, session, "11718189")).toEqual({ refused: "error_Stop" })
    expect(refundsOfCreditDetail({ RtnMsg: "" }, session, "11718189")).toEqual({ refused: "no details in the answer" })
    expect(refundsOfCreditDetail({ RtnMsg: "", RtnValue: { TradeID: "1", amount: 90 } }, session, "11718189")).toEqual({
      mismatch: "ECPay's card detail of authorization 11718189 is for 90 TWD, not the payment's 100 TWD",
    })
  })
})
