/**
 * PayPal between faults. The shared HttpClient (src/lib/payments/http.ts) is the only retry
 * layer: network errors, timeouts and 5xx are retried `maxRetries` times under the same
 * PayPal-Request-Id, which PayPal answers with the first call's result
 * (https://developer.paypal.com/api/rest/reference/idempotency/). Across Medusa's own retries
 * (a new capture or refund id, since Medusa deletes the failed one) the provider reads the order
 * first and records what PayPal already did instead of doing it again.
 */
import PaypalProviderService from "../../src/providers/paypal/service"
import { toSessionData } from "../../src/providers/paypal/mapping"
import { GatewayUnavailableError } from "../../src/lib/payments/errors"
import { outcomesFromSnapshot } from "../../src/lib/payments/outcomes/reconcile"
import { FaultyGateway, type Fault } from "../harness/faults"
import { loadFixture } from "../harness/fixtures"
import { quietLogger } from "../harness/loggers"
import { paypalTestOptions } from "../harness/paypal"
import type { PaypalOrder } from "../../src/providers/paypal/types"

const SESSION = "payses_01FAULTPAYPAL0000000000001"
const lifecycle = loadFixture("paypal", "lifecycle-manual-capture").interactions
const orderAt = (index: number) => JSON.parse(JSON.stringify(lifecycle[index].response.body).split("{{session_id}}").join(SESSION)) as PaypalOrder
const SERVER_ERROR: Fault = { kind: "5xx", body: { name: "INTERNAL_SERVER_ERROR", message: "An internal server error occurred.", debug_id: "90957fca61718" } }

let gateway: FaultyGateway | undefined
afterEach(() => gateway?.stop())

async function paypalBehind(scenario: string, faults: Record<number, Fault>, vars: Record<string, string> = {}): Promise<PaypalProviderService> {
  gateway = FaultyGateway.of("paypal", scenario, faults, { bodyFormat: "json", vars: { session_id: SESSION, ...vars } })
  const origin = await gateway.start()
  return new PaypalProviderService({ logger: quietLogger }, { ...paypalTestOptions, apiBaseUrl: origin, timeoutMs: 1000, maxRetries: 2 })
}

function requestIds(path: RegExp): Array<string | undefined> {
  return gateway!.headerOf("paypal-request-id", (r) => r.method !== "GET" && path.test(r.path))
}

/** The session data after authorization, as Medusa keeps it (the order read before the capture). */
const authorized = () => {
  // Authorized just now, as authorizePayment records it: within PayPal's 3-day honor period, so no reauthorization.
  const data = toSessionData(orderAt(6), { session_id: SESSION })
  return { ...data, authorization: { ...data.authorization!, authorized_at: new Date().toISOString() } }
}
/** After the capture: what refunds start from. */
const captured = () => toSessionData(orderAt(8), { session_id: SESSION })

describe("paypal under faults: initiate and update", () => {
  it("creates one order through a 503 and a lost answer, every attempt under the session id", async () => {
    const provider = await paypalBehind("fault-initiate-replayed", { 2: SERVER_ERROR, 3: { kind: "timeout" } })
    const out = await provider.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: SESSION }, context: { idempotency_key: SESSION } })
    expect(out.id).toBe("8RU61172JS455403V")
    expect(requestIds(/checkout\/orders$/)).toEqual([SESSION, SESSION, SESSION])
    gateway!.finish()
  })

  it("changes the amount once when the connection is reset after PayPal changed it", async () => {
    const provider = await paypalBehind("fault-update-replayed", { 3: { kind: "reset" } })
    const data = toSessionData(orderAt(1), { session_id: SESSION })
    const out = await provider.updatePayment({ amount: 120, currency_code: "usd", data, context: { idempotency_key: SESSION } })
    expect(out.data).toMatchObject({ amount: "120.00", update_seq: 1 })
    const [first, retry] = requestIds(/checkout\/orders\//)
    expect(first).toBeTruthy()
    expect(retry).toBe(first)
    gateway!.finish()
  })
})

describe("paypal under faults: capture", () => {
  it("captures once when the answer is lost: the retry carries the Medusa capture id and PayPal answers the first capture", async () => {
    const provider = await paypalBehind("fault-capture-replayed", { 3: { kind: "timeout" } })
    const out = await provider.capturePayment({ data: authorized(), context: { idempotency_key: "capt_01FAULT1" } })
    expect(out.data).toMatchObject({ captures: [expect.objectContaining({ id: "6P7749307R532733N", status: "COMPLETED" })] })
    expect(requestIds(/capture$/)).toEqual(["capt_01FAULT1", "capt_01FAULT1"])
    gateway!.finish()
  })

  it("says the outcome is unknown when no answer comes back, and Medusa's next capture records PayPal's without a second one", async () => {
    const provider = await paypalBehind("fault-capture-indeterminate", { 3: { kind: "timeout" }, 4: SERVER_ERROR, 5: SERVER_ERROR })
    const lost = provider.capturePayment({ data: authorized(), context: { idempotency_key: "capt_01FAULT1" } })
    await expect(lost).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(lost).rejects.toMatchObject({ indeterminate: true, message: expect.stringContaining("the outcome is unknown") })
    const again = await provider.capturePayment({ data: authorized(), context: { idempotency_key: "capt_01FAULT2" } })
    expect(again.data).toMatchObject({ captures: [expect.objectContaining({ id: "6P7749307R532733N", amount: "120.00" })] })
    // One capture at PayPal: three attempts of the first, under one id, and no second capture call.
    expect(requestIds(/capture$/)).toEqual(["capt_01FAULT1", "capt_01FAULT1", "capt_01FAULT1"])
    gateway!.finish()
  })
})

describe("paypal under faults: refund", () => {
  it("refunds once when the answer arrives after the client's timeout: the retry carries the Medusa refund id", async () => {
    const provider = await paypalBehind("fault-refund-replayed", { 3: { kind: "slow", delayMs: 1500 } })
    const out = await provider.refundPayment({ data: captured(), amount: 20, context: { idempotency_key: "ref_01FAULT1" } })
    expect(out.data).toMatchObject({ refunds: [expect.objectContaining({ id: "9T1376612B0539334", amount: "20.00" })] })
    expect(requestIds(/refund$/)).toEqual(["ref_01FAULT1", "ref_01FAULT1"])
    gateway!.finish()
  })

  it("says a refund whose answers were all lost is of unknown outcome; Medusa's next refund records PayPal's, and the reconciliation would too", async () => {
    const provider = await paypalBehind("fault-refund-indeterminate", { 3: { kind: "timeout" }, 4: { kind: "reset", acted: false }, 5: SERVER_ERROR })
    const lost = provider.refundPayment({ data: captured(), amount: 20, context: { idempotency_key: "ref_01FAULT1" } })
    await expect(lost).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(lost).rejects.toMatchObject({ indeterminate: true })
    const again = await provider.refundPayment({ data: captured(), amount: 20, context: { idempotency_key: "ref_01FAULT2" } })
    expect(again.data).toMatchObject({ amount_refunded: "20.00", refunds: [expect.objectContaining({ id: "9T1376612B0539334" })] })
    expect(requestIds(/refund$/)).toEqual(["ref_01FAULT1", "ref_01FAULT1", "ref_01FAULT1"])
    gateway!.finish()
  })

  it("has the reconciliation record a store refund whose Medusa refund is gone", () => {
    // What inspectPayment reads from the order after the lost refund (interaction 10).
    const order = JSON.parse(JSON.stringify(lifecycle[10].response.body).split("{{session_id_refund_1}}").join(`${SESSION}.ref_01FAULT1`).split("{{session_id}}").join(SESSION)) as PaypalOrder
    const refund = order.purchase_units![0].payments!.refunds![0]
    const session = { id: SESSION, provider_id: "pp_paypal_paypal", status: "authorized", amount: 120, currency_code: "usd", data: {}, authorized_at: "2026-12-01T10:00:00Z", payment_collection_id: "pay_col", payment: { id: "pay_1" } }
    const payment = { id: "pay_1", provider_id: "pp_paypal_paypal", amount: 120, currency_code: "usd", data: {}, canceled_at: null, captures: [{ amount: 120 }], refunds: [] }
    const snapshot = { status: "captured", currency_code: "usd", amount: "120.00", captured_amount: "120.00", refunds: [{ refund_id: refund.id, amount: "20.00", currency_code: "usd", made_by_store: true, medusa_refund_id: "ref_01FAULT1", status: "succeeded" as const }] }
    expect(outcomesFromSnapshot(session, payment, snapshot, "2026-12-01T12:00:00Z")).toEqual([expect.objectContaining({ kind: "refunded", refund_id: "9T1376612B0539334", amount: "20.00" })])
    expect(outcomesFromSnapshot(session, { ...payment, refunds: [{ id: "ref_01FAULT1", amount: 20 }] }, snapshot, "2026-12-01T12:00:00Z")).toEqual([])
  })
})

describe("paypal under faults: cancel", () => {
  it("voids once when the connection is reset after PayPal voided: the retry carries the Medusa payment id", async () => {
    const provider = await paypalBehind("fault-cancel-replayed", { 2: { kind: "reset" } })
    const data = {
      id: "4RS05872LM6627344", status: "COMPLETED", amount: "100.00", currency_code: "USD", session_id: SESSION,
      authorization: { id: "1GH30486PL7715209", status: "CREATED", amount: "100.00", authorized_at: new Date().toISOString(), created_at: null, expiration_time: null, reauthorized_from: null },
    }
    const out = await provider.cancelPayment({ data, context: { idempotency_key: "pay_01FAULT" } })
    expect(out.data).toMatchObject({ authorization: expect.objectContaining({ status: "VOIDED" }) })
    expect(requestIds(/void$/)).toEqual(["pay_01FAULT", "pay_01FAULT"])
    gateway!.finish()
  })
})
