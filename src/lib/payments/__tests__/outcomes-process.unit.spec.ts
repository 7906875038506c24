import { DISPUTE_EVENTS, processOutcome, type ProcessInput } from "../outcomes/process"
import type { GatewayOutcome } from "../outcomes/types"
import { PROVIDER_ID } from "./hosted-fakes"
import { outcomeWorld } from "./outcomes-fakes"

const ref = (event_id: string, event_type = "test.event") => ({ event_id, event_type })
const input = (outcome: GatewayOutcome, over: Partial<ProcessInput> = {}): ProcessInput => ({
  providerId: PROVIDER_ID,
  outcome,
  source: "webhook",
  label: "Gateway",
  ...over,
})

describe("processOutcome: the outcomes Medusa's webhook subscriber drops", () => {
  it("marks the session of a declined payment as errored, once, so the shopper can pay again", async () => {
    const { medusa, actions, events, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    const failed: GatewayOutcome = { ...ref("evt_1", "payment_intent.payment_failed"), kind: "failed", session_id: "ps_1", reason: "card_declined" }

    const first = await processOutcome(deps, input(failed))
    expect(first).toMatchObject({ outcome: "acted_on", retry: false })
    expect(first.detail).toMatch(/card_declined.*errored/)
    expect(medusa.sessions.get("ps_1")!.status).toBe("error")

    const again = await processOutcome(deps, input(failed))
    expect(again).toMatchObject({ outcome: "duplicate", retry: false })
    expect(actions.sessionStatuses).toEqual([["ps_1", "error"]])
    expect(events.rows).toHaveLength(1)
    expect(events.rows[0]).toMatchObject({ outcome: "acted_on", deliveries: 2, kind: "failed", session_id: "ps_1" })
  })

  it("leaves an authorized payment alone when a failure is reported after it", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1")
    const result = await processOutcome(deps, input({ ...ref("evt_1"), kind: "failed", session_id: "ps_1" }))
    expect(result.outcome).toBe("ignored")
    expect(actions.sessionStatuses).toEqual([])
  })

  it("cancels the Medusa payment of an authorization voided at the gateway, and nothing captured", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1", { captures: [] })
    medusa.addSession({ id: "ps_2" })
    actions.addPayment("ps_2")

    const voided = await processOutcome(deps, input({ ...ref("evt_1", "PAYMENT.AUTHORIZATION.VOIDED"), kind: "canceled", session_id: "ps_1" }))
    expect(voided).toMatchObject({ outcome: "acted_on" })
    expect(actions.canceled).toEqual(["pay_ps_1"])

    // A second cancellation event about the same payment changes nothing.
    const echo = await processOutcome(deps, input({ ...ref("evt_2", "payment_intent.canceled"), kind: "canceled", session_id: "ps_1" }))
    expect(echo.outcome).toBe("duplicate")

    // Captured in Medusa: not canceled behind the merchant's back.
    const captured = await processOutcome(deps, input({ ...ref("evt_3"), kind: "canceled", session_id: "ps_2" }))
    expect(captured.outcome).toBe("ignored")
    expect(actions.canceled).toEqual(["pay_ps_1"])
  })

  it("cancels a session that never became a payment", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1", status: "pending" })
    expect((await processOutcome(deps, input({ ...ref("evt_1"), kind: "canceled", session_id: "ps_1" }))).outcome).toBe("acted_on")
    expect(actions.sessionStatuses).toEqual([["ps_1", "canceled"]])
  })

  it("ignores an event about a session of another provider, or of no session in this store", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1", provider_id: "pp_other_x" })
    expect((await processOutcome(deps, input({ ...ref("evt_1"), kind: "failed", session_id: "ps_1" }))).outcome).toBe("ignored")
    expect((await processOutcome(deps, input({ ...ref("evt_2"), kind: "failed", session_id: "ps_gone" }))).outcome).toBe("ignored")
    expect(actions.sessionStatuses).toEqual([])
  })
})

describe("processOutcome: refunds made at the gateway", () => {
  const refund = (event_id: string, over: Partial<Extract<GatewayOutcome, { kind: "refunded" }>> = {}): GatewayOutcome => ({
    ...ref(event_id, "charge.refunded"),
    kind: "refunded",
    session_id: "ps_1",
    refund_id: "re_1",
    amount: "5.50",
    currency_code: "EUR",
    made_by_store: false,
    status: "succeeded",
    ...over,
  })

  it("records a dashboard refund once, for its exact amount, with a note naming the gateway", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1")
    expect((await processOutcome(deps, input(refund("evt_1")))).outcome).toBe("acted_on")
    // The gateway's second event about the same refund (refund.created after charge.refunded).
    expect((await processOutcome(deps, input(refund("evt_2", { event_type: "refund.created" })))).outcome).toBe("duplicate")
    expect(actions.refundsRecorded).toEqual([
      { payment_id: "pay_ps_1", refund_id: "re_1", amount: "5.5", note: "Refunded at Gateway outside Medusa (gateway refund re_1); recorded from the gateway's event" },
    ])
  })

  it("records nothing for a refund this store made (Medusa recorded it), or one still pending", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1")
    expect((await processOutcome(deps, input(refund("evt_1", { made_by_store: true })))).outcome).toBe("duplicate")
    expect((await processOutcome(deps, input(refund("evt_2", { refund_id: "re_2", status: "pending" })))).outcome).toBe("ignored")
    expect((await processOutcome(deps, input(refund("evt_3", { refund_id: "re_3", status: "failed" })))).outcome).toBe("ignored")
    expect(actions.refundsRecorded).toEqual([])
  })

  it("records nothing for a refund a Medusa refund already records (its note names it), even when the payment's data lost the entry", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1", {
      data: { id: "gw_1" },
      refunds: [{ id: "ref_1", amount: 5.5, raw_amount: { value: "5.5", precision: 20 }, note: "Refunded at Gateway outside Medusa (gateway refund re_1); recorded from the gateway's event" }],
    })
    expect((await processOutcome(deps, input(refund("evt_1")))).outcome).toBe("duplicate")
    // A merchant's own note mentioning it is not a record of it.
    actions.addPayment("ps_1", { data: { id: "gw_1" }, refunds: [{ id: "ref_2", amount: 1, raw_amount: { value: "1", precision: 20 }, note: "goodwill, see (gateway refund re_1)" }] })
    expect((await processOutcome(deps, input(refund("evt_2")))).outcome).toBe("acted_on")
    expect(actions.refundsRecorded).toHaveLength(1)
  })

  it("warns when a refund this store made fails at the gateway after Medusa recorded it", async () => {
    const { medusa, actions, logger, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1")
    const result = await processOutcome(deps, input(refund("evt_1", { made_by_store: true, status: "failed" })))
    expect(result.outcome).toBe("ignored")
    expect(result.detail).toMatch(/failed at the gateway after Medusa recorded it/)
    expect(logger.lines.join("\n")).toMatch(/warn: .*re_1 of 5\.50 EUR, made by this store, is failed at the gateway/)
    expect(actions.refundsRecorded).toEqual([])
  })

  it("refuses to record more than Medusa captured and did not refund, and says so", async () => {
    const { medusa, actions, logger, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1", { refunds: [{ id: "ref_0", amount: 18, raw_amount: { value: "18", precision: 20 } }] })
    const result = await processOutcome(deps, input(refund("evt_1", { amount: "2.01" })))
    expect(result.outcome).toBe("ignored")
    expect(actions.refundsRecorded).toEqual([])
    expect(logger.lines.join("\n")).toMatch(/error: .*more than Medusa can refund .*2\.00 EUR/)
  })

  it("records ten concurrent deliveries of the same refund event once", async () => {
    const { medusa, actions, events, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1")
    const results = await Promise.all(Array.from({ length: 10 }, () => processOutcome(deps, input(refund("evt_1")))))
    expect(results.filter((r) => r.outcome === "acted_on")).toHaveLength(1)
    expect(results.filter((r) => r.outcome === "duplicate")).toHaveLength(9)
    expect(actions.refundsRecorded).toHaveLength(1)
    expect(events.rows).toHaveLength(1)
    expect(events.rows[0].deliveries).toBe(10)
  })

  it("answers a retry when recording fails, and records it on the redelivery", async () => {
    const { medusa, actions, events, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1")
    actions.failRefunds = 1
    const first = await processOutcome(deps, input(refund("evt_1")))
    expect(first).toMatchObject({ outcome: "failed", retry: true })
    expect(events.rows[0]).toMatchObject({ outcome: "failed", attempts: 1 })
    const second = await processOutcome(deps, input(refund("evt_1")))
    expect(second).toMatchObject({ outcome: "acted_on", retry: false })
    expect(events.rows[0]).toMatchObject({ outcome: "acted_on", attempts: 2, deliveries: 2 })
    expect(actions.refundsRecorded).toHaveLength(1)
  })

  it("retries a refund of a payment Medusa has not recorded yet", async () => {
    const { medusa, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    expect(await processOutcome(deps, input(refund("evt_1")))).toMatchObject({ outcome: "failed", retry: true })
  })
})

describe("processOutcome: disputes", () => {
  const dispute = (event_id: string, status: "opened" | "updated" | "won" | "lost" | "closed", over = {}): GatewayOutcome => ({
    ...ref(event_id, `charge.dispute.${status}`),
    kind: "dispute",
    session_id: "ps_1",
    dispute_id: "dp_1",
    status,
    amount: "20.00",
    currency_code: "EUR",
    reason: "fraudulent",
    evidence_due_by: "2025-01-10T23:59:59.000Z",
    ...over,
  })

  it("records a dispute on the payment and the order and emits an event, once per change", async () => {
    const { medusa, actions, disputes, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1")

    expect((await processOutcome(deps, input(dispute("evt_1", "opened")))).outcome).toBe("acted_on")
    expect((await processOutcome(deps, input(dispute("evt_1", "opened")))).outcome).toBe("duplicate")
    expect(disputes.rows).toEqual([
      expect.objectContaining({ dispute_id: "dp_1", status: "opened", amount: "20", currency_code: "eur", payment_id: "pay_ps_1", order_id: "order_1", reason: "fraudulent" }),
    ])
    expect(actions.emitted).toEqual([
      {
        name: DISPUTE_EVENTS.opened,
        data: expect.objectContaining({ dispute_id: "dp_1", status: "opened", amount: "20", evidence_due_by: "2025-01-10T23:59:59.000Z", order_id: "order_1" }),
      },
    ])

    expect((await processOutcome(deps, input(dispute("evt_2", "lost")))).outcome).toBe("acted_on")
    expect(disputes.rows[0]).toMatchObject({ status: "lost", closed_at: expect.any(Date) })
    expect(actions.emitted.map((e) => e.name)).toEqual([DISPUTE_EVENTS.opened, DISPUTE_EVENTS.closed])
    expect(actions.orderNotes).toEqual([
      ["order_1", "dp_1:opened"],
      ["order_1", "dp_1:lost"],
    ])

    // An older update delivered late does not reopen it.
    expect((await processOutcome(deps, input(dispute("evt_0", "updated")))).outcome).toBe("ignored")
    expect(disputes.rows[0].status).toBe("lost")
  })

  it("announces a dispute and notes it on the order on the redelivery when the first delivery could not", async () => {
    const { medusa, actions, disputes, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1")
    actions.failEmits = 1
    expect(await processOutcome(deps, input(dispute("evt_1", "opened")))).toMatchObject({ outcome: "failed", retry: true })
    expect(actions.emitted).toEqual([])
    expect(await processOutcome(deps, input(dispute("evt_1", "opened")))).toMatchObject({ outcome: "acted_on", retry: false })
    expect(actions.emitted.map((e) => e.name)).toEqual([DISPUTE_EVENTS.opened])
    expect(actions.orderNotes.at(-1)).toEqual(["order_1", "dp_1:opened"])
    expect(disputes.rows).toHaveLength(1)
    // Later deliveries of the same event announce nothing more.
    expect((await processOutcome(deps, input(dispute("evt_1", "opened")))).outcome).toBe("duplicate")
    expect(actions.emitted).toHaveLength(1)
  })
})

describe("processOutcome: payments that settle a cart, on the plugin's own route", () => {
  it("settles an authorized payment through Medusa's payment processing, once", async () => {
    const { medusa, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    const authorized: GatewayOutcome = { ...ref("evt_1"), kind: "authorized", session_id: "ps_1", amount: "19.99", currency_code: "EUR" }
    const first = await processOutcome(deps, input(authorized))
    expect(first).toMatchObject({ outcome: "acted_on", order_id: "order_1" })
    expect(medusa.workflowCalls).toEqual([{ action: "authorized", data: { session_id: "ps_1", amount: "19.99" } }])
    const echo = await processOutcome(deps, input({ ...authorized, event_id: "evt_2" }))
    expect(echo.outcome).toBe("duplicate")
    expect(medusa.workflowCalls).toHaveLength(1)
  })

  it("settles a payment made on a session an earlier decline errored (the shopper retried on the same intent)", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    const declined: GatewayOutcome = { ...ref("evt_1", "payment_intent.payment_failed"), kind: "failed", session_id: "ps_1", reason: "card_declined" }
    expect((await processOutcome(deps, input(declined))).outcome).toBe("acted_on")
    expect(medusa.sessions.get("ps_1")!.status).toBe("error")
    const paid: GatewayOutcome = { ...ref("evt_2", "payment_intent.amount_capturable_updated"), kind: "authorized", session_id: "ps_1", amount: "19.99", currency_code: "EUR" }
    expect(await processOutcome(deps, input(paid))).toMatchObject({ outcome: "acted_on", order_id: "order_1" })
    expect(actions.sessionStatuses).toEqual([
      ["ps_1", "error"],
      ["ps_1", "pending"],
    ])
    expect(medusa.workflowCalls).toEqual([{ action: "authorized", data: { session_id: "ps_1", amount: "19.99" } }])
  })

  it("settles an event for the amount the gateway charged for the session's (Stripe's 5.130 for 5.125 KWD), and nothing else", async () => {
    const { medusa, logger, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1", amount: 5.125, raw_amount: { value: "5.125", precision: 20 }, currency_code: "kwd" })
    medusa.addSession({ id: "ps_2", amount: 5.125, raw_amount: { value: "5.125", precision: 20 }, currency_code: "kwd" })
    deps.chargedAmount = (providerId, amount, currency) => (providerId === PROVIDER_ID && amount === "5.125" && currency === "kwd" ? "5.130" : undefined)
    const charged: GatewayOutcome = { ...ref("evt_1"), kind: "captured", session_id: "ps_1", amount: "5.130", currency_code: "KWD" }
    expect((await processOutcome(deps, input(charged))).outcome).toBe("acted_on")
    // Medusa is told the session's own amount.
    expect(medusa.workflowCalls).toEqual([{ action: "captured", data: { session_id: "ps_1", amount: "5.125" } }])
    const other: GatewayOutcome = { ...ref("evt_2"), kind: "captured", session_id: "ps_2", amount: "5.120", currency_code: "KWD" }
    expect((await processOutcome(deps, input(other))).outcome).toBe("ignored")
    expect(logger.lines.join("\n")).toMatch(/5\.120 KWD but payment session ps_2 is for 5\.125 KWD/)
  })

  it("never settles an amount or currency other than the session's", async () => {
    const { medusa, logger, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    const short: GatewayOutcome = { ...ref("evt_1"), kind: "captured", session_id: "ps_1", amount: "19.98", currency_code: "EUR" }
    expect((await processOutcome(deps, input(short))).outcome).toBe("ignored")
    const usd: GatewayOutcome = { ...ref("evt_2"), kind: "captured", session_id: "ps_1", amount: "19.99", currency_code: "USD" }
    expect((await processOutcome(deps, input(usd))).outcome).toBe("ignored")
    expect(medusa.workflowCalls).toEqual([])
    expect(logger.lines.join("\n")).toMatch(/19\.98 EUR but payment session ps_1 is for 19\.99 EUR/)
  })

  it("answers a retry when Medusa's processing fails, and settles on the redelivery", async () => {
    const { medusa, events, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    medusa.workflow = "throws"
    const authorized: GatewayOutcome = { ...ref("evt_1"), kind: "captured", session_id: "ps_1", amount: "19.99", currency_code: "EUR" }
    expect(await processOutcome(deps, input(authorized))).toMatchObject({ outcome: "failed", retry: true })
    medusa.workflow = "settles"
    expect(await processOutcome(deps, input(authorized))).toMatchObject({ outcome: "acted_on", retry: false, order_id: "order_1" })
    expect(events.rows[0]).toMatchObject({ outcome: "acted_on", attempts: 2 })
  })

  it("leaves authorized and captured events that came through Medusa's event to Medusa's subscriber", async () => {
    const { medusa, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    const authorized: GatewayOutcome = { ...ref("evt_1"), kind: "authorized", session_id: "ps_1", amount: "19.99", currency_code: "EUR" }
    const result = await processOutcome(deps, input(authorized, { source: "medusa_webhook" }))
    expect(result.outcome).toBe("ignored")
    expect(result.detail).toMatch(/Medusa's payment-webhook subscriber/)
    expect(medusa.workflowCalls).toEqual([])
  })
})

describe("processOutcome: a capture made in the gateway's dashboard", () => {
  const captured = (event_id: string, captured_total: string): GatewayOutcome => ({
    ...ref(event_id, "payment_intent.succeeded"),
    kind: "captured",
    session_id: "ps_1",
    amount: captured_total,
    currency_code: "EUR",
    captured_total,
  })

  it("records in Medusa what the gateway captured beyond Medusa's captures, once", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1", { captures: [] })
    const first = await processOutcome(deps, input(captured("evt_1", "20.00")))
    expect(first).toMatchObject({ outcome: "acted_on", detail: "recorded a capture of 20.00 EUR made at the gateway" })
    expect(actions.capturesRecorded).toEqual([["pay_ps_1", "20"]])
    // Stripe's next event about it (charge.captured after payment_intent.succeeded) records nothing more.
    await processOutcome(deps, input(captured("evt_2", "20.00")))
    expect(actions.capturesRecorded).toHaveLength(1)
  })

  it("records a partial dashboard capture for what it took, and nothing for Medusa's own captures", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1", { captures: [{ amount: 5, raw_amount: { value: "5", precision: 20 } }] })
    // Medusa's own capture of 5.00 coming back: nothing beyond it.
    await processOutcome(deps, input(captured("evt_1", "5.00")))
    expect(actions.capturesRecorded).toEqual([])
    expect((await processOutcome(deps, input(captured("evt_2", "12.50")))).outcome).toBe("acted_on")
    expect(actions.capturesRecorded).toEqual([["pay_ps_1", "7.5"]])
    // Never more than the payment's amount, whatever the gateway reports.
    expect((await processOutcome(deps, input(captured("evt_3", "25.00")))).outcome).toBe("acted_on")
    expect(actions.capturesRecorded).toEqual([
      ["pay_ps_1", "7.5"],
      ["pay_ps_1", "7.5"],
    ])
  })

  it("records nothing on a canceled payment", async () => {
    const { medusa, actions, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    actions.addPayment("ps_1", { captures: [], canceled_at: new Date() })
    await processOutcome(deps, input(captured("evt_1", "20.00")))
    expect(actions.capturesRecorded).toEqual([])
  })
})

describe("processOutcome: events not acted on", () => {
  it("records an event of no interest once and logs it once, without its payload", async () => {
    const { events, logger, deps } = outcomeWorld()
    const other: GatewayOutcome = { ...ref("evt_1", "customer.created"), kind: "ignored", reason: "event type customer.created is not acted on" }
    expect((await processOutcome(deps, input(other))).outcome).toBe("ignored")
    expect((await processOutcome(deps, input(other))).outcome).toBe("duplicate")
    expect(events.rows).toHaveLength(1)
    expect(logger.lines.filter((line) => line.includes("evt_1"))).toEqual([
      "info: Gateway event evt_1 (customer.created): not acted on: event type customer.created is not acted on",
    ])
  })
})

describe("processOutcome: a later event about a payment Medusa already has", () => {
  it("does not call a partial capture made in the admin an amount mismatch", async () => {
    const { medusa, logger, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    const authorized: GatewayOutcome = { ...ref("evt_1"), kind: "authorized", session_id: "ps_1", amount: "19.99", currency_code: "EUR" }
    await processOutcome(deps, input(authorized))
    // Stripe's payment_intent.succeeded after the admin captured 10.00 of 19.99.
    const succeeded: GatewayOutcome = { ...ref("evt_2", "payment_intent.succeeded"), kind: "captured", session_id: "ps_1", amount: "10.00", currency_code: "EUR" }
    expect((await processOutcome(deps, input(succeeded))).outcome).toBe("duplicate")
    expect(logger.lines.join("\n")).not.toMatch(/error/)
    expect(medusa.workflowCalls).toHaveLength(1)
  })
})

describe("processOutcome: a payment locked elsewhere", () => {
  it("records the delivery as failed and asks for it again, then processes the redelivery", async () => {
    const { medusa, events, deps } = outcomeWorld()
    medusa.addSession({ id: "ps_1" })
    const locked = { ...deps, lock: async () => Promise.reject(new Error("Timed-out acquiring lock")) }
    const authorized: GatewayOutcome = { ...ref("evt_1"), kind: "authorized", session_id: "ps_1", amount: "19.99", currency_code: "EUR" }
    expect(await processOutcome(locked, input(authorized))).toMatchObject({ outcome: "failed", retry: true })
    expect(events.rows).toEqual([expect.objectContaining({ outcome: "failed", deliveries: 1, attempts: 1 })])
    expect(medusa.workflowCalls).toEqual([])

    expect(await processOutcome(deps, input(authorized))).toMatchObject({ outcome: "acted_on", retry: false })
    expect(events.rows).toEqual([expect.objectContaining({ outcome: "acted_on", deliveries: 2, attempts: 2 })])
    // Locked again, but already done: a duplicate, not a retry.
    expect(await processOutcome(locked, input(authorized))).toMatchObject({ outcome: "duplicate", retry: false })
  })
})
