/**
 * Braintree between faults. Braintree takes no idempotency key and its SDK retries nothing: the
 * provider's equivalent is the lookup before a retry (src/providers/braintree/transactions.ts): a
 * sale or refund whose answer was lost is searched by the `order_id` it carried (the session id,
 * the Medusa refund id) and adopted, a capture or void is looked up on the transaction before it
 * is tried again (https://developer.paypal.com/braintree/docs/reference/request/transaction/search/node).
 * The strict fixture holds exactly what Braintree did: a second sale, settlement or refund would
 * not match it.
 */
import BraintreeProviderService from "../../src/providers/braintree/service"
import { GatewayUnavailableError } from "../../src/lib/payments/errors"
import { FaultyGateway, type Fault } from "../harness/faults"
import { braintreeSession, braintreeTestOptions } from "../harness/braintree"
import { quietLogger } from "../harness/loggers"

let gateway: FaultyGateway | undefined
afterEach(() => gateway?.stop())

async function braintreeBehind(scenario: string, faults: Record<number, Fault>, vars: Record<string, string> = {}): Promise<BraintreeProviderService> {
  gateway = FaultyGateway.of("braintree", scenario, faults, { bodyFormat: "json", vars })
  const origin = await gateway.start()
  return new BraintreeProviderService({ logger: quietLogger }, { ...braintreeTestOptions, apiBaseUrl: origin, timeoutMs: 1000 })
}

const calls = () => gateway!.requests.map((r) => `${r.method} ${r.path.replace("/merchants/acmefixtures", "")}`)

describe("braintree under faults: the sale (authorize)", () => {
  async function authorize(provider: BraintreeProviderService, session_id: string) {
    const started = await provider.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id, payment_method_nonce: "fake-valid-nonce" }, context: { idempotency_key: session_id } } as never)
    return provider.authorizePayment({ data: { ...started.data }, context: { idempotency_key: session_id } } as never)
  }

  it("adopts the sale Braintree made when its answer is lost to the timeout, found by the session id (no second sale)", async () => {
    const session_id = "payses_01BTFAULTSALE00001"
    const provider = await braintreeBehind("fault-sale-timeout-adopted", { 1: { kind: "timeout" } }, { session_id })
    const result = await authorize(provider, session_id)
    expect(result.status).toBe("authorized")
    expect(result.data).toMatchObject({ transaction_id: "tx1retried" })
    expect(calls()).toEqual(["POST /transactions", "POST /transactions/advanced_search_ids", "POST /transactions/advanced_search"])
    gateway!.finish()
  })

  it("makes the sale once more, the same one, when the connection was reset before Braintree saw it", async () => {
    const session_id = "payses_01BTFAULTSALE00002"
    const provider = await braintreeBehind("fault-sale-reset-retried", { 1: { kind: "reset", acted: false } }, { session_id })
    const result = await authorize(provider, session_id)
    expect(result.status).toBe("authorized")
    expect(calls()).toEqual(["POST /transactions", "POST /transactions/advanced_search_ids", "POST /transactions"])
    const [first, , retry] = gateway!.requests
    expect(JSON.parse(retry.body)).toEqual(JSON.parse(first.body))
    gateway!.finish()
  })
})

describe("braintree under faults: capture", () => {
  it("says a submission for settlement whose answer was lost is of unknown outcome, and Medusa's next capture finds it made", async () => {
    const session_id = "payses_01BTFAULTCAPT0001"
    const provider = await braintreeBehind("fault-capture-indeterminate", { 2: { kind: "timeout" } }, { session_id })
    const data = braintreeSession(session_id, "tx1lifecy", { amount: "120.00" })
    const lost = provider.capturePayment({ data, context: { idempotency_key: "capt_01BTFAULT1" } } as never)
    await expect(lost).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(lost).rejects.toMatchObject({ indeterminate: true })
    const again = await provider.capturePayment({ data, context: { idempotency_key: "capt_01BTFAULT2" } } as never)
    expect(again.data).toMatchObject({ status: "submitted_for_settlement", amount_captured: "120.00" })
    expect(calls()).toEqual(["GET /transactions/tx1lifecy", "PUT /transactions/tx1lifecy/submit_for_settlement", "GET /transactions/tx1lifecy"])
    gateway!.finish()
  })
})

describe("braintree under faults: refund", () => {
  it("adopts the refund Braintree made when the connection is reset after it, found by the Medusa refund id (no second refund)", async () => {
    const session_id = "payses_01BTFAULTRFND0001"
    const provider = await braintreeBehind("fault-refund-timeout-adopted", { 2: { kind: "reset" } }, { session_id })
    const data = braintreeSession(session_id, "tx1lifecy", { amount: "120.00", status: "settled", amount_captured: "120.00" })
    const out = await provider.refundPayment({ amount: 20, data, context: { idempotency_key: "ref_01BTFAULT1" } } as never)
    expect(out.data).toMatchObject({ amount_refunded: "20.00", refunds: [expect.objectContaining({ transaction_id: "rf1lifecy" })] })
    expect(calls()).toEqual(["GET /transactions/tx1lifecy", "POST /transactions/tx1lifecy/refund", "POST /transactions/advanced_search_ids", "POST /transactions/advanced_search"])
    expect(JSON.parse(gateway!.requests[2].body)).toEqual({ search: { order_id: { is: "ref_01BTFAULT1" } } })
    gateway!.finish()
  })
})

describe("braintree under faults: cancel", () => {
  it("says a void whose answer was lost is of unknown outcome, and the next cancel finds it voided and sends nothing", async () => {
    const session_id = "payses_01BTFAULTVOID0001"
    const provider = await braintreeBehind("fault-void-indeterminate", { 2: { kind: "timeout" } }, { session_id })
    const data = braintreeSession(session_id, "tx1lifecy", { amount: "120.00" })
    const lost = provider.cancelPayment({ data, context: { idempotency_key: "pay_01BTFAULT" } } as never)
    await expect(lost).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(lost).rejects.toMatchObject({ indeterminate: true })
    const again = await provider.cancelPayment({ data, context: { idempotency_key: "pay_01BTFAULT" } } as never)
    expect(again.data).toMatchObject({ status: "voided" })
    expect(calls()).toEqual(["GET /transactions/tx1lifecy", "PUT /transactions/tx1lifecy/void", "GET /transactions/tx1lifecy"])
    gateway!.finish()
  })
})
