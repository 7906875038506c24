/**
 * ECPay between faults. ECPay has no idempotency key (src/providers/ecpay/client.ts): its order
 * query (QueryTradeInfo, the only call on the authorize and status path: the checkout form is
 * signed locally and an amount change is a new session) moves no money and is retried by the
 * shared HttpClient under one X-Idempotency-Key; `DoAction` (close, refund, release) is sent
 * exactly once, and an answer that does not come back is an unknown outcome, said so, never a
 * failure (https://developers.ecpay.com.tw/?p=9242 asks for the card detail query before a
 * DoAction: the admin checks ECPay's back office, or, in production with `creditCheckCode`, the
 * reconciliation reads the refunds).
 */
import EcpayProviderService from "../../src/providers/ecpay/service"
import { ECPAY_IDEMPOTENCY_HEADER } from "../../src/providers/ecpay/client"
import { GatewayRejectedError, GatewayUnavailableError } from "../../src/lib/payments/errors"
import { FaultyGateway, type Fault } from "../harness/faults"
import { ecpayTestOptions, signFixtureAnswers } from "../harness/ecpay"
import { quietLogger } from "../harness/loggers"

const SESSION = "payses_01FAULTECPAY00000000000001"
const SERVER_ERROR: Fault = { kind: "5xx", status: 502, body: "<html><body>502 Bad Gateway</body></html>", headers: { "content-type": "text/html" } }

let gateway: FaultyGateway | undefined
afterEach(() => gateway?.stop())

/** The provider behind the faults, and a paid card payment authorized through the fixture's first answer. */
async function paidBehind(scenario: string, faults: Record<number, Fault>, maxRetries = 2) {
  gateway = FaultyGateway.of("ecpay", scenario, faults, { bodyFormat: "form", vars: { session_id: SESSION } })
  const origin = await gateway.start()
  const provider = new EcpayProviderService({ logger: quietLogger }, ecpayTestOptions({ capture: "manual", apiBaseUrl: origin, timeoutMs: 1000, maxRetries }))
  const started = await provider.initiatePayment({ amount: 100, currency_code: "twd", data: { session_id: SESSION }, context: { idempotency_key: SESSION } })
  gateway.scenario.bind("merchant_trade_no", String(started.data!.merchant_trade_no))
  signFixtureAnswers(gateway.scenario, scenario)
  const authorized = await provider.authorizePayment({ data: started.data!, context: { idempotency_key: SESSION } })
  return { provider, authorized }
}

const keysOf = (path: RegExp) => gateway!.headerOf(ECPAY_IDEMPOTENCY_HEADER, (r) => path.test(r.path))

describe("ecpay under faults: the order query (authorize, status)", () => {
  it("asks again through a 502 and a reset before ECPay saw it, under one key, and reads the payment", async () => {
    const { authorized } = await paidBehind("fault-query-retried", { 1: SERVER_ERROR, 2: { kind: "reset", acted: false } })
    expect(authorized.status).toBe("authorized")
    expect(keysOf(/QueryTradeInfo/)).toEqual([SESSION, SESSION, SESSION])
    gateway!.finish()
  })

  it("says a query ECPay never answered moved no money and can be made again", async () => {
    gateway = FaultyGateway.of("ecpay", "fault-query-retried", { 1: SERVER_ERROR, 2: SERVER_ERROR })
    const origin = await gateway.start()
    const provider = new EcpayProviderService({ logger: quietLogger }, ecpayTestOptions({ capture: "manual", apiBaseUrl: origin, timeoutMs: 1000, maxRetries: 1 }))
    const started = await provider.initiatePayment({ amount: 100, currency_code: "twd", data: { session_id: SESSION }, context: { idempotency_key: SESSION } })
    const failed = provider.authorizePayment({ data: started.data!, context: { idempotency_key: SESSION } })
    await expect(failed).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(failed).rejects.toMatchObject({ indeterminate: false, message: expect.stringContaining("can be tried again") })
    gateway.stop()
    expect(gateway.requests).toHaveLength(2)
  })
})

describe("ecpay under faults: DoAction is sent once", () => {
  it("closes (captures) once: a lost answer is an unknown outcome, not a failure and not a second close", async () => {
    const { provider, authorized } = await paidBehind("fault-capture-indeterminate", { 2: { kind: "timeout" } })
    const lost = provider.capturePayment({ data: authorized.data!, context: { idempotency_key: "capt_01ECFAULT1" } })
    await expect(lost).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(lost).rejects.not.toBeInstanceOf(GatewayRejectedError)
    await expect(lost).rejects.toMatchObject({ indeterminate: true, message: expect.stringContaining("the outcome is unknown") })
    expect(keysOf(/DoAction/)).toEqual(["capt_01ECFAULT1"])
    gateway!.finish()
  })

  it("refunds once: a reset after ECPay refunded is an unknown outcome, and the refund is not sent again", async () => {
    const { provider, authorized } = await paidBehind("fault-refund-indeterminate", { 3: { kind: "reset" } })
    const closed = await provider.capturePayment({ data: authorized.data!, context: { idempotency_key: "capt_01ECFAULT1" } })
    const lost = provider.refundPayment({ data: closed.data!, amount: 20, context: { idempotency_key: "ref_01ECFAULT1" } })
    await expect(lost).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(lost).rejects.toMatchObject({ indeterminate: true })
    expect(keysOf(/DoAction/)).toEqual(["capt_01ECFAULT1", "ref_01ECFAULT1"])
    gateway!.finish()
  })

  it("does not retry a DoAction ECPay answered 502: whether it acted is unknown", async () => {
    const { provider, authorized } = await paidBehind("fault-query-retried", { 2: SERVER_ERROR })
    const failed = provider.capturePayment({ data: authorized.data!, context: { idempotency_key: "capt_01ECFAULT1" } })
    await expect(failed).rejects.toMatchObject({ name: "GatewayUnavailableError", indeterminate: true })
    expect(keysOf(/DoAction/)).toEqual(["capt_01ECFAULT1"])
    gateway!.finish()
  })
})
