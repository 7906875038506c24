/**
 * Stripe between faults: answers lost after Stripe acted, resets, 503s, slow answers past the
 * client's timeout. stripe-node is the only retry layer (`maxNetworkRetries`), and retries a
 * POST under the same Idempotency-Key, which Stripe answers with the first result
 * (https://docs.stripe.com/api/idempotent_requests). The strict fixture holds exactly what
 * Stripe did: a second capture or refund would not match it.
 */
import StripeProviderService from "../../src/providers/stripe/service"
import { toSessionData } from "../../src/providers/stripe/mapping"
import { GatewayRejectedError, GatewayUnavailableError, PaymentInputError } from "../../src/lib/payments/errors"
import { noteExternalRefund } from "../../src/lib/payments/external-refunds"
import { processOutcome } from "../../src/lib/payments/outcomes/process"
import { outcomesFromSnapshot } from "../../src/lib/payments/outcomes/reconcile"
import type { GatewayOutcome } from "../../src/lib/payments/outcomes/types"
import { PROVIDER_ID } from "../../src/lib/payments/__tests__/hosted-fakes"
import { outcomeWorld } from "../../src/lib/payments/__tests__/outcomes-fakes"
import type { PaymentOfSession } from "../../src/lib/payments/outcomes/ports"
import type { SessionRecord } from "../../src/lib/payments/hosted/sessions"
import { FaultyGateway, type Fault } from "../harness/faults"
import { loadFixture } from "../harness/fixtures"
import { quietLogger } from "../harness/loggers"
import { signStripe, stripeEvent, stripeTestOptions } from "../harness/stripe"
import type Stripe from "stripe"

const SESSION = "payses_01FAULTSTRIPE0000000000001"
const PROVIDER = "pp_stripe_stripe"
const lifecycle = loadFixture("stripe", "lifecycle-manual-capture").interactions
const answerOf = (method: string, path: RegExp) => {
  const found = lifecycle.find((i) => i.request.method === method && path.test(i.request.path))
  if (!found) throw new Error(`lifecycle-manual-capture has no ${method} ${path}`)
  return JSON.stringify(found.response.body).split("{{session_id}}").join(SESSION)
}
const authorizedIntent = JSON.parse(answerOf("GET", /^\/v1\/payment_intents\/[^/]+$/)) as Stripe.PaymentIntent
const capturedIntent = JSON.parse(answerOf("POST", /\/capture$/)) as Stripe.PaymentIntent
/** Stripe's partial refund of the lifecycle (its first refund POST), with the store's mark as a placeholder. */
const partialRefund = answerOf("POST", /^\/v1\/refunds$/)

const SERVER_ERROR: Fault = { kind: "5xx", body: { error: { type: "api_error", message: "An unknown error occurred" } } }

let gateway: FaultyGateway | undefined
afterEach(() => gateway?.stop())

async function stripeBehind(scenario: string, faults: Record<number, Fault>, maxNetworkRetries = 2): Promise<StripeProviderService> {
  gateway = FaultyGateway.of("stripe", scenario, faults, { bodyFormat: "form", vars: { session_id: SESSION } })
  const origin = await gateway.start()
  return new StripeProviderService({ logger: quietLogger }, { ...stripeTestOptions, apiBaseUrl: origin, timeoutMs: 1000, maxNetworkRetries })
}

function keys(path?: RegExp): Array<string | undefined> {
  return gateway!.headerOf("idempotency-key", (r) => r.method === "POST" && (!path || path.test(r.path)))
}

/** What Medusa has when the capture's answer was lost: the session authorized, the payment without a capture. */
function medusaAfterLostCapture(data: Record<string, unknown>): { session: SessionRecord; payment: PaymentOfSession } {
  const session: SessionRecord = {
    id: SESSION, provider_id: PROVIDER, status: "authorized", amount: 120, currency_code: "usd", data,
    authorized_at: "2026-12-01T10:00:00.000Z", payment_collection_id: "pay_col_fault", payment: { id: "pay_01FAULT", captured_at: null },
  }
  const payment: PaymentOfSession = { id: "pay_01FAULT", provider_id: PROVIDER, amount: 120, currency_code: "usd", data, canceled_at: null, captures: [], refunds: [] }
  return { session, payment }
}

describe("stripe under faults: initiate and update", () => {
  it("creates one intent through a 503, a reset before Stripe saw the request and a lost answer, all under the session id", async () => {
    const provider = await stripeBehind("fault-initiate-replayed", { 1: SERVER_ERROR, 2: { kind: "reset", acted: false }, 3: { kind: "timeout" } }, 3)
    const out = await provider.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: SESSION }, context: { idempotency_key: SESSION } })
    expect(out.id).toBe("pi_3QfxLifecycle0001")
    expect(keys()).toEqual([SESSION, SESSION, SESSION, SESSION])
    gateway!.finish()
  })

  it("changes the amount once when the connection is reset after Stripe changed it: the retry's key is the first's", async () => {
    const provider = await stripeBehind("fault-update-replayed", { 1: { kind: "reset" } })
    const data = toSessionData({ ...authorizedIntent, status: "requires_payment_method", amount: 10000, amount_capturable: 0 }, { session_id: SESSION })
    const out = await provider.updatePayment({ amount: 120, currency_code: "usd", data, context: { idempotency_key: SESSION } })
    expect(out.data).toMatchObject({ amount: 12000, update_seq: 1 })
    const [first, retry] = keys()
    expect(first).toBeTruthy()
    expect(retry).toBe(first)
    gateway!.finish()
  })
})

describe("stripe under faults: capture", () => {
  const data = () => toSessionData(authorizedIntent, { session_id: SESSION })

  it("captures once when the answer is lost: stripe-node retries under the Medusa capture id and Stripe replays it", async () => {
    const provider = await stripeBehind("fault-capture-replayed", { 1: { kind: "timeout" } })
    const out = await provider.capturePayment({ data: data(), context: { idempotency_key: "capt_01FAULT1" } })
    expect(out.data).toMatchObject({ status: "succeeded", amount_received: 12000 })
    expect(keys(/capture$/)).toEqual(["capt_01FAULT1", "capt_01FAULT1"])
    gateway!.finish()
  })

  it("says the outcome is unknown when no answer comes back, and Medusa's next capture records Stripe's without capturing twice", async () => {
    const provider = await stripeBehind("fault-capture-indeterminate", { 1: { kind: "timeout" }, 2: SERVER_ERROR, 3: SERVER_ERROR })
    const lost = provider.capturePayment({ data: data(), context: { idempotency_key: "capt_01FAULT1" } })
    await expect(lost).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(lost).rejects.toMatchObject({ indeterminate: true, message: expect.stringContaining("the outcome is unknown") })
    // Medusa deleted its capture when the call failed; the admin's next capture has a new id.
    const again = await provider.capturePayment({ data: data(), context: { idempotency_key: "capt_01FAULT2" } })
    expect(again.data).toMatchObject({ status: "succeeded", amount_received: 12000 })
    expect(keys(/capture$/)).toEqual(["capt_01FAULT1", "capt_01FAULT1", "capt_01FAULT1", "capt_01FAULT2"])
    gateway!.finish()
  })

  it("is brought to captured by the reconciliation when nobody captures again: the capture Stripe made is recorded", async () => {
    const provider = await stripeBehind("fault-capture-reconciled", { 1: { kind: "timeout" }, 2: SERVER_ERROR, 3: SERVER_ERROR })
    const before = data()
    await expect(provider.capturePayment({ data: before, context: { idempotency_key: "capt_01FAULT1" } })).rejects.toMatchObject({ indeterminate: true })
    const snapshot = await provider.inspectPayment(before)
    expect(snapshot).toMatchObject({ status: "captured", captured_amount: "120.00" })
    const { session, payment } = medusaAfterLostCapture(before)
    expect(outcomesFromSnapshot(session, payment, snapshot, "2026-12-01T12:00:00.000Z")).toEqual([
      expect.objectContaining({ kind: "captured", session_id: SESSION, amount: "120.00", currency_code: "usd", captured_total: "120.00" }),
    ])
    // Once Medusa records it, the same check finds nothing more to do.
    expect(outcomesFromSnapshot(session, { ...payment, captures: [{ amount: 120 }] }, snapshot, "2026-12-01T12:10:00.000Z")).toEqual([])
    gateway!.finish()
  })
})

describe("stripe under faults: refund", () => {
  const data = () => toSessionData(capturedIntent, { session_id: SESSION })

  it("refunds once when the answer arrives after the client's timeout: the retry carries the Medusa refund id", async () => {
    const provider = await stripeBehind("fault-refund-replayed", { 2: { kind: "slow", delayMs: 1500 } })
    const out = await provider.refundPayment({ data: data(), amount: 20, context: { idempotency_key: "ref_01FAULT1" } })
    expect(out.data).toMatchObject({ amount_refunded: 2000 })
    expect(keys()).toEqual(["ref_01FAULT1", "ref_01FAULT1"])
    gateway!.finish()
  })

  it("says a refund whose answers were all lost is of unknown outcome, and the reconciliation records it once", async () => {
    const provider = await stripeBehind("fault-refund-reconciled", { 2: { kind: "timeout" }, 3: { kind: "reset", acted: false }, 4: SERVER_ERROR })
    const before = data()
    const lost = provider.refundPayment({ data: before, amount: 20, context: { idempotency_key: "ref_01FAULT1" } })
    await expect(lost).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(lost).rejects.toMatchObject({ indeterminate: true })
    const snapshot = await provider.inspectPayment(before)
    const { session, payment } = medusaAfterLostCapture(before)
    // Medusa deleted its refund when the call failed: Stripe's refund carries the store's mark
    // with that deleted id, and must be recorded, not taken for one Medusa has.
    const captured = { ...payment, captures: [{ amount: 120 }] }
    expect(outcomesFromSnapshot(session, captured, snapshot, "2026-12-01T12:00:00.000Z")).toEqual([
      expect.objectContaining({ kind: "refunded", refund_id: "re_3QfxRefundPart0001", amount: "20.00", made_by_store: false }),
    ])
    const recorded = { ...captured, refunds: [{ id: "ref_01FAULT1", amount: 20 }] }
    expect(outcomesFromSnapshot(session, recorded, snapshot, "2026-12-01T12:10:00.000Z")).toEqual([])
    gateway!.finish()
  })
})

describe("stripe under faults: a refund made again by hand after an unknown outcome", () => {
  const data = () => toSessionData(capturedIntent, { session_id: SESSION })

  it("refuses the admin's new refund while Stripe holds the first one Medusa lost, names it, and refunds once it is recorded", async () => {
    // Request 1 is the look at the intent's refunds; 2-4 the refund, whose answers are all lost.
    const provider = await stripeBehind("fault-refund-retried-by-hand", { 2: { kind: "timeout" }, 3: { kind: "reset", acted: false }, 4: SERVER_ERROR })
    const before = data()
    await expect(provider.refundPayment({ data: before, amount: 20, context: { idempotency_key: "ref_01FAULT1" } })).rejects.toMatchObject({ indeterminate: true })
    // Medusa deleted ref_01FAULT1 when the call failed, and the admin refunds again: a new
    // Medusa refund, so a new Idempotency-Key, which Stripe would take for a second refund.
    const again = provider.refundPayment({ data: before, amount: 20, context: { idempotency_key: "ref_01FAULT2" } })
    await expect(again).rejects.toBeInstanceOf(PaymentInputError)
    await expect(again).rejects.toThrow(/refund re_3QfxRefundPart0001 of 20\.00 USD .*Medusa refund ref_01FAULT1.*nothing was refunded now/)
    await expect(again).rejects.toThrow(/"Check with the gateway"/)
    // The check (or Stripe's refund event) records it through Medusa's refund of a noted
    // gateway refund, which never calls Stripe.
    const noted = noteExternalRefund(before, { refund_id: "re_3QfxRefundPart0001", amount: "20.00", currency_code: "usd" })
    const recorded = await provider.refundPayment({ data: noted, amount: 20, context: { idempotency_key: "ref_01FAULT3" } })
    expect(recorded.data).toMatchObject({ amount_refunded: 2000, refunds: [expect.objectContaining({ id: "re_3QfxRefundPart0001" })] })
    // Recorded, it is not counted again: the admin's next refund goes to Stripe, once.
    const more = await provider.refundPayment({ data: recorded.data!, amount: 30, context: { idempotency_key: "ref_01FAULT4" } })
    expect(more.data).toMatchObject({ amount_refunded: 5000 })
    expect(keys(/\/v1\/refunds$/)).toEqual(["ref_01FAULT1", "ref_01FAULT1", "ref_01FAULT1", "ref_01FAULT4"])
    gateway!.finish()
  })
})

describe("stripe under faults: a lost refund's own event", () => {
  it("records once a refund event carrying the store's mark whose Medusa refund is gone (Medusa deleted it when the call failed)", async () => {
    const provider = await stripeBehind("fault-webhook-lookup", {})
    const refund = JSON.parse(partialRefund.split("{{refund_1}}").join("ref_01FAULT1")) as Stripe.Refund
    const body = stripeEvent("refund.created", refund)
    const verdict = await provider.readGatewayEvent({ data: JSON.parse(body), rawData: body, headers: signStripe(body) })
    expect(verdict).toMatchObject({ verified: true, outcome: { kind: "refunded", made_by_store: true, medusa_refund_id: "ref_01FAULT1" } })
    gateway!.finish()

    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: SESSION, currency_code: "usd", amount: 120 })
    actions.addPayment(SESSION, { currency_code: "usd", amount: 120, captures: [{ amount: 120 }], refunds: [] })
    const outcome = (verdict as { outcome: GatewayOutcome }).outcome
    const first = await processOutcome(deps, { providerId: PROVIDER_ID, outcome, source: "webhook", label: "Stripe" })
    expect(first.outcome).toBe("acted_on")
    expect(actions.refundsRecorded).toEqual([expect.objectContaining({ refund_id: "re_3QfxRefundPart0001", amount: "20" })])
    // Delivered again, or as refund.updated: recorded once.
    expect((await processOutcome(deps, { providerId: PROVIDER_ID, outcome, source: "webhook", label: "Stripe" })).outcome).toBe("duplicate")
    const updated = { ...outcome, event_id: "evt_refund_updated" }
    expect((await processOutcome(deps, { providerId: PROVIDER_ID, outcome: updated, source: "webhook", label: "Stripe" })).outcome).toBe("duplicate")
    expect(actions.refundsRecorded).toHaveLength(1)
  })

  it("still takes a marked refund whose Medusa refund exists for one Medusa has", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: SESSION, currency_code: "usd", amount: 120 })
    actions.addPayment(SESSION, { currency_code: "usd", amount: 120, captures: [{ amount: 120 }], refunds: [{ id: "ref_01FAULT1", amount: 20 }] })
    const outcome: GatewayOutcome = {
      event_id: "evt_1", event_type: "refund.created", kind: "refunded", session_id: SESSION, refund_id: "re_3QfxRefundPart0001",
      amount: "20.00", currency_code: "usd", made_by_store: true, medusa_refund_id: "ref_01FAULT1", status: "succeeded",
    }
    expect((await processOutcome(deps, { providerId: PROVIDER_ID, outcome, source: "webhook", label: "Stripe" })).outcome).toBe("duplicate")
    expect(actions.refundsRecorded).toEqual([])
  })
})

describe("stripe under faults: cancel", () => {
  it("cancels once when the connection is reset after Stripe canceled: the retry carries the Medusa payment id", async () => {
    const provider = await stripeBehind("fault-cancel-replayed", { 1: { kind: "reset" } })
    const out = await provider.cancelPayment({ data: toSessionData(authorizedIntent, { session_id: SESSION }), context: { idempotency_key: "pay_01FAULT" } })
    expect(out.data).toMatchObject({ status: "canceled" })
    expect(keys()).toEqual(["pay_01FAULT", "pay_01FAULT"])
    gateway!.finish()
  })
})

describe("stripe under faults: webhook processing", () => {
  it("gives no verdict while Stripe cannot be asked for the refund's session, and the redelivery is read in full", async () => {
    const provider = await stripeBehind("fault-webhook-lookup", { 1: SERVER_ERROR, 2: SERVER_ERROR, 3: SERVER_ERROR })
    const refund = JSON.parse(partialRefund.split("{{refund_1}}").join("re_dashboard_none")) as Stripe.Refund
    const body = stripeEvent("refund.created", { ...refund, metadata: {} })
    const delivery = { data: JSON.parse(body), rawData: body, headers: signStripe(body) }
    // Thrown, not an "ignored" verdict: the plugin's route answers 500 and Stripe delivers it again.
    const first = provider.readGatewayEvent(delivery)
    await expect(first).rejects.toBeInstanceOf(GatewayUnavailableError)
    await expect(first).rejects.not.toBeInstanceOf(GatewayRejectedError)
    const again = await provider.readGatewayEvent(delivery)
    expect(again).toMatchObject({ verified: true, outcome: { kind: "refunded", session_id: SESSION, refund_id: "re_3QfxRefundPart0001", made_by_store: false } })
    gateway!.finish()
  })
})
