/**
 * ECPay test helpers: options with ECPay's public stage credentials, notifications and
 * answers signed at test time with the real CheckMacValue, and the adapter that lets the
 * shared conformance suite (which hands signatures over in headers) post ECPay's
 * in-body signature.
 */
import { checkMacValue } from "../../src/providers/ecpay/checkmac"
import { formatTaipeiTime, parseEcpayAnswer } from "../../src/providers/ecpay/mapping"
import { FixtureSession, loadFixture } from "./fixtures"

export const ECPAY_STAGE_ORIGIN = "https://payment-stage.ecpay.com.tw"

/**
 * ECPay's public stage merchant, published in its documentation and SDKs for anyone to test
 * with (https://developers.ecpay.com.tw/?p=2902): not a secret.
 */
export const ecpayTestKeys = {
  merchantId: "3002607",
  hashKey: "pwFHCqoQZGmho4w6",
  hashIv: "EkRm7iFT261dpevs",
}

export const ECPAY_PUBLIC_URL = "https://api.shop.example.com"

export function ecpayTestOptions(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...ecpayTestKeys,
    environment: "stage",
    publicUrl: ECPAY_PUBLIC_URL,
    returnUrl: "https://shop.example.com/checkout/ecpay-return?session={session_id}",
    maxRetries: 0,
    ...overrides,
  }
}

/** Fields with their CheckMacValue, computed with `hashKey` (the store's by default). */
export function signEcpay(fields: Record<string, string>, hashKey = ecpayTestKeys.hashKey, hashIv = ecpayTestKeys.hashIv): Record<string, string> {
  const { CheckMacValue: _old, ...rest } = fields
  return { ...rest, CheckMacValue: checkMacValue(rest, hashKey, hashIv) }
}

export interface NotificationParams {
  sessionId: string
  merchantTradeNo: string
  amount: number
  paymentType?: string
  rtnCode?: string
  rtnMsg?: string
  simulatePaid?: "0" | "1"
  merchantId?: string
  /** When the shopper paid; now by default. */
  paidAtMs?: number
  tradeNo?: string
}

/**
 * The fields of ECPay's payment notification (付款結果通知, https://developers.ecpay.com.tw/?p=2878),
 * unsigned.
 */
export function ecpayNotificationFields(p: NotificationParams): Record<string, string> {
  const paidAt = p.paidAtMs ?? Date.now()
  return {
    CustomField1: p.sessionId,
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
    MerchantID: p.merchantId ?? ecpayTestKeys.merchantId,
    MerchantTradeNo: p.merchantTradeNo,
    PaymentDate: formatTaipeiTime(paidAt),
    PaymentType: p.paymentType ?? "Credit_CreditCard",
    PaymentTypeChargeFee: "3",
    RtnCode: p.rtnCode ?? "1",
    RtnMsg: p.rtnMsg ?? "交易成功",
    SimulatePaid: p.simulatePaid ?? "0",
    StoreID: "",
    TradeAmt: String(p.amount),
    TradeDate: formatTaipeiTime(paidAt - 60_000),
    TradeNo: p.tradeNo ?? "2501011200001234",
  }
}

/** A form body as ECPay posts it. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString()
}

/**
 * Sign, at test time, the ECPay answers of a fixture: every response body holding
 * `CheckMacValue={{name}}` gets `name` bound to the CheckMacValue of its other fields (with
 * the placeholders bound so far filled in), as ECPay signs its QueryTradeInfo answers, with
 * `keys` (the public stage merchant's by default).
 */
export function signFixtureAnswers(
  replay: FixtureSession | undefined,
  scenario: string,
  keys: { hashKey: string; hashIv: string } = ecpayTestKeys
): void {
  if (!replay) return
  const fixture = loadFixture("ecpay", scenario)
  for (const interaction of fixture.interactions) {
    const body = interaction.response.body
    if (typeof body !== "string") continue
    const signature = /CheckMacValue=\{\{([A-Za-z0-9_.-]+)\}\}/.exec(body)
    if (!signature) continue
    const filled = body.replace(/\{\{([A-Za-z0-9_.-]+)\}\}/g, (whole, name: string) =>
      name === signature[1] ? "" : replay.vars[name] ?? whole
    )
    if (/\{\{/.test(filled)) {
      throw new Error(`signFixtureAnswers: ${scenario} needs ${filled.match(/\{\{[^}]+\}\}/)?.[0]} bound first`)
    }
    replay.bind(signature[1], checkMacValue(parseEcpayAnswer(filled), keys.hashKey, keys.hashIv))
  }
}

/**
 * The conformance suite's `sign` for ECPay, which signs inside the posted form: the
 * fields of `body` with `PaymentDate` set to `timestampSeconds` (when given) and their
 * CheckMacValue computed with `secret` (a forgery) or the store's HashKey, posted as a form.
 */
export function signNotificationForm(
  body: string,
  options: { timestampSeconds?: number; secret?: string } = {}
): { body: string; headers: Record<string, string> } {
  const fields = Object.fromEntries(new URLSearchParams(body))
  if (options.timestampSeconds !== undefined) {
    fields.PaymentDate = formatTaipeiTime(options.timestampSeconds * 1000)
  }
  const signed = signEcpay(fields, options.secret ?? ecpayTestKeys.hashKey)
  return { body: formBody(signed), headers: { "content-type": "application/x-www-form-urlencoded" } }
}

function stringFields(data: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)]))
}

/** ECPay's answers in fixtures, parsed: for assertions on what was sent. */
export function sentFields(body: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
}
