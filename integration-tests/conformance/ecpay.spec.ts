import { quietLogger } from "../harness/loggers"
import { describeConformance } from "../harness/conformance"
import {
  ECPAY_STAGE_ORIGIN,
  ecpayNotificationFields,
  ecpayTestOptions,
  formBody,
  signNotificationForm,
  signFixtureAnswers,
} from "../harness/ecpay"
import EcpayProviderService from "../../src/providers/ecpay/service"
import { ECPAY_IDEMPOTENCY_HEADER } from "../../src/providers/ecpay/client"


/** A session holding one of the status-mapping fixture's orders. */
const session = (merchant_trade_no: string) => ({
  session_id: "payses_01CONFORMANCESTATUS0",
  merchant_trade_no,
  amount: 100,
  currency: "twd",
})

/** A notification's form as ECPay posts it, before `signNotificationForm` adds its CheckMacValue. */
const notification = (sessionId: string, overrides: Record<string, string> = {}) => {
  const fields: Record<string, string | number> = {
    ...ecpayNotificationFields({ sessionId, merchantTradeNo: "CONFHOOK2611200001", amount: 120 }),
    ...overrides,
  }
  // A card notification's extra field (NeedExtraPaidInfo=Y: the authorized amount), signed
  // like every other field.
  if (String(fields.PaymentType).startsWith("Credit_")) fields.amount = 120
  return formBody(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])))
}

describeConformance({
  name: "ecpay",
  // The amount of the signed form is fixed (a new amount is a new session); ECPay's page
  // never declines on the server side (a declined card stays on ECPay's page); card
  // payments are refunded in parts through DoAction; notifications are signed.
  capabilities: { updateAmount: false, cancel: true, refund: true, partialRefund: true, decline: false, webhooks: true },
  // `manual`: card payments are authorized, then closed by the admin's capture, as the
  // suite's lifecycle expects.
  create: () => new EcpayProviderService({ logger: quietLogger }, ecpayTestOptions({ capture: "manual" })),
  fixtures: { origin: ECPAY_STAGE_ORIGIN, bodyFormat: "form", idempotencyHeader: ECPAY_IDEMPOTENCY_HEADER },
  currency: "twd",
  // The shopper pays on ECPay's page; ECPay's answer to the order query is then signed.
  buyerApproves: async (replay, data) => {
    replay?.bind("merchant_trade_no", String(data.merchant_trade_no))
    signFixtureAnswers(replay, "lifecycle-manual-capture")
  },
  expectCanceled: (data) => expect(data.voided).toBe(true),
  statuses: [
    { label: "0, not paid yet", data: session("CONFSTATUS0UNPAID01"), expected: "pending" },
    { label: "1, paid by card", data: session("CONFSTATUS1CARD0001"), expected: "authorized" },
    { label: "1, paid by ATM transfer", data: session("CONFSTATUS1ATM00001"), expected: "captured" },
    { label: "10200095, not completed by the shopper", data: session("CONFSTATUS10200095X"), expected: "error" },
    { label: "10200047, form never submitted", data: session("CONFSTATUS10200047X"), expected: "pending" },
  ],
  amountOf: (data) => Number(data.amount),
  // ECPay charges whole New Taiwan dollars only (https://developers.ecpay.com.tw/?p=2864):
  // JPY, KWD and USD are refused before anything is built; TWD round-trips exactly.
  amounts: [
    { currency: "jpy", amount: 1000, refused: /ECPay is only available in TWD, not JPY/ },
    { currency: "kwd", amount: 12.34, refused: /ECPay is only available in TWD, not KWD/ },
    { currency: "usd", amount: 10.99, refused: /ECPay is only available in TWD, not USD/ },
    { currency: "twd", amount: 1999 },
  ],
  webhooks: {
    sign: signNotificationForm,
    cases: (sessionId) => [
      { label: "paid by card", body: notification(sessionId), expected: { action: "authorized", amount: 120 } },
      {
        label: "paid by ATM transfer",
        body: notification(sessionId, { PaymentType: "ATM_TAISHIN" }),
        expected: { action: "captured", amount: 120 },
      },
      {
        label: "a simulated payment on stage",
        body: notification(sessionId, { PaymentType: "CVS_CVS", SimulatePaid: "1" }),
        expected: { action: "captured", amount: 120 },
      },
      {
        label: "a failed card payment",
        body: notification(sessionId, { RtnCode: "10100248", RtnMsg: "拒絕交易" }),
        expected: { action: "failed", amount: 120 },
      },
      {
        label: "an ATM account number issued, not paid yet",
        body: notification(sessionId, { PaymentType: "ATM_TAISHIN", RtnCode: "2", RtnMsg: "Get VirtualAccount Succeeded" }),
        expected: { action: "not_supported" },
      },
      {
        label: "another merchant's payment",
        body: notification(sessionId, { MerchantID: "2000132" }),
        expected: { action: "not_supported" },
      },
      {
        label: "a payment made outside this store's checkout",
        body: notification(sessionId, { CustomField1: "" }),
        expected: { action: "not_supported" },
      },
    ],
  },
})
