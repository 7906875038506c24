import type { SessionRecord } from "../hosted/sessions"
import { outcomesFromSnapshot, reconcilePayments, reconcileSession, type GatewayStateRecord, type ReconcileDependencies } from "../outcomes/reconcile"
import type { GatewayPaymentSnapshot, PaymentDescription } from "../outcomes/types"
import { PROVIDER_ID, sessionRecord } from "./hosted-fakes"
import { outcomeWorld } from "./outcomes-fakes"

const NOW = new Date("2025-01-02T12:00:00.000Z")

/** A gateway that answers `snapshots[id of the gateway object]`, or throws. */
class FakeInspector {
  readonly asked: string[] = []
  snapshot: GatewayPaymentSnapshot | Error = { status: "pending", currency_code: "eur" }
  describePayment(): PaymentDescription {
    return { label: "Card payment (Gateway)", gateway: "gateway" }
  }
  async inspectPayment(data: Record<string, unknown>): Promise<GatewayPaymentSnapshot> {
    this.asked.push(String(data.id ?? data.reference))
    if (this.snapshot instanceof Error) throw this.snapshot
    return this.snapshot
  }
}

function reconcileWorld() {
  const world = outcomeWorld()
  const inspector = new FakeInspector()
  const states = new Map<string, GatewayStateRecord>()
  const stale: string[] = []
  const uncaptured: string[] = []
  let clockMs = NOW.getTime()
  const deps: ReconcileDependencies = {
    ...world.deps,
    now: () => new Date(clockMs),
    providers: (id) => (id === PROVIDER_ID ? inspector : undefined),
    states: {
      async lastChecked(ids) {
        return new Map(ids.filter((id) => states.has(id)).map((id) => [id, states.get(id)!.checked_at]))
      },
      async save(state) {
        states.set(state.session_id, state)
      },
    },
    candidates: {
      staleSessions: async (_ids, _from, _to, limit, offset = 0) => stale.slice(offset, offset + limit),
      uncapturedPayments: async (_ids, _from, limit, offset = 0) => uncaptured.slice(offset, offset + limit),
      providerIds: async () => [PROVIDER_ID, "pp_system_default"],
    },
    labelOf: () => "Gateway",
  }
  return { ...world, inspector, states, stale, uncaptured, deps, tick: (ms: number) => (clockMs += ms) }
}

describe("outcomesFromSnapshot", () => {
  const session = (over: Partial<SessionRecord> = {}) => sessionRecord({ id: "ps_1", ...over })
  const at = NOW.toISOString()

  it("settles a pending session the gateway reports captured, for the gateway's amount", () => {
    expect(outcomesFromSnapshot(session(), undefined, { status: "captured", currency_code: "eur", amount: "19.99" }, at)).toEqual([
      { event_id: "reconcile:ps_1:captured", event_type: "reconciliation.captured", occurred_at: at, kind: "captured", session_id: "ps_1", amount: "19.99", currency_code: "eur" },
    ])
  })

  it("does nothing more for a session already settled, or one still pending", () => {
    const settled = session({ status: "authorized", authorized_at: NOW, payment: { id: "pay_1" } })
    expect(outcomesFromSnapshot(settled, undefined, { status: "authorized", currency_code: "eur", amount: "19.99" }, at)).toEqual([])
    expect(outcomesFromSnapshot(session(), undefined, { status: "pending", currency_code: "eur" }, at)).toEqual([])
  })

  it("cancels what the gateway canceled and errors what it declined", () => {
    expect(outcomesFromSnapshot(session(), undefined, { status: "canceled", currency_code: "eur", reason: "expired" }, at)).toEqual([
      expect.objectContaining({ kind: "canceled", event_id: "reconcile:ps_1:canceled", reason: "expired" }),
    ])
    expect(outcomesFromSnapshot(session(), undefined, { status: "error", currency_code: "eur" }, at)).toEqual([expect.objectContaining({ kind: "failed" })])
    expect(outcomesFromSnapshot(session({ status: "canceled" }), undefined, { status: "canceled", currency_code: "eur" }, at)).toEqual([])
  })

  it("records refunds made outside Medusa that are not recorded yet, never the store's own", () => {
    const payment = {
      id: "pay_1",
      provider_id: PROVIDER_ID,
      amount: 20,
      currency_code: "eur",
      data: { external_refunds: [{ refund_id: "re_known", amount: "1", currency_code: "eur", recorded_at: at }] },
      canceled_at: null,
      captures: [],
      refunds: [],
    }
    const snapshot: GatewayPaymentSnapshot = {
      status: "captured",
      currency_code: "eur",
      amount: "20",
      refunds: [
        { refund_id: "re_known", amount: "1", currency_code: "eur", made_by_store: false, status: "succeeded" },
        { refund_id: "re_store", amount: "2", currency_code: "eur", made_by_store: true, status: "succeeded" },
        { refund_id: "re_pending", amount: "3", currency_code: "eur", made_by_store: false, status: "pending" },
        { refund_id: "re_new", amount: "4.25", currency_code: "eur", made_by_store: false, status: "succeeded" },
      ],
    }
    const settled = session({ status: "authorized", authorized_at: NOW, payment: { id: "pay_1" } })
    expect(outcomesFromSnapshot(settled, payment, snapshot, at)).toEqual([
      expect.objectContaining({ kind: "refunded", event_id: "reconcile:refund:re_new", refund_id: "re_new", amount: "4.25", made_by_store: false }),
    ])
  })
})

describe("reconcileSession", () => {
  it("turns an approval whose notification never came into an order, once", async () => {
    const { medusa, inspector, states, deps } = reconcileWorld()
    medusa.addSession({ id: "ps_1", data: { id: "pi_1" } })
    inspector.snapshot = { status: "captured", currency_code: "eur", amount: "19.99", captured_amount: "19.99", gateway_status: "succeeded" }

    const first = await reconcileSession(deps, "ps_1")
    expect(first).toMatchObject({ status: "checked", results: [expect.objectContaining({ outcome: "acted_on", order_id: "order_1" })] })
    expect(medusa.workflowCalls).toEqual([{ action: "captured", data: { session_id: "ps_1", amount: "19.99" } }])
    expect(states.get("ps_1")).toMatchObject({ status: "captured", gateway_status: "succeeded", captured_amount: "19.99", error: null })

    const second = await reconcileSession(deps, "ps_1")
    expect(second.results).toEqual([])
    expect(medusa.workflowCalls).toHaveLength(1)
  })

  it("records an unreachable gateway on the payment's state and changes nothing", async () => {
    const { medusa, inspector, states, logger, deps } = reconcileWorld()
    medusa.addSession({ id: "ps_1", data: { id: "pi_1" } })
    inspector.snapshot = new Error("gateway timeout")
    const result = await reconcileSession(deps, "ps_1")
    expect(result.status).toBe("unavailable")
    expect(states.get("ps_1")).toMatchObject({ status: "unknown", error: "the gateway could not be asked: gateway timeout" })
    expect(medusa.workflowCalls).toEqual([])
    expect(logger.lines.join("\n")).toMatch(/warn: reconciliation: payment session ps_1/)
  })

  it("warns of an authorization that lapses within two days and nothing captured", async () => {
    const { medusa, actions, inspector, logger, deps } = reconcileWorld()
    medusa.addSession({ id: "ps_1", data: { id: "pi_1" } })
    actions.addPayment("ps_1", { captures: [] })
    inspector.snapshot = { status: "authorized", currency_code: "eur", amount: "20", authorization_expires_at: "2025-01-03T12:00:00.000Z" }
    expect((await reconcileSession(deps, "ps_1")).authorization_expiring).toBe(true)
    expect(logger.lines.join("\n")).toMatch(/payment pay_ps_1 of order order_1 .* authorization lapses at 2025-01-03T12:00:00.000Z: capture it or cancel it/)

    inspector.snapshot = { ...inspector.snapshot, authorization_expires_at: "2025-01-06T12:00:00.000Z" }
    expect((await reconcileSession(deps, "ps_1")).authorization_expiring).toBe(false)
  })

  it("skips a provider with no gateway to ask", async () => {
    const { medusa, deps } = reconcileWorld()
    medusa.addSession({ id: "ps_1", provider_id: "pp_system_default" })
    expect((await reconcileSession(deps, "ps_1")).status).toBe("skipped")
  })
})

/** One check that fails after the gateway answered (Medusa's database, say). */
async function reconcileSessionThatFails(deps: ReconcileDependencies, sessionId: string) {
  const paymentOfSession = deps.actions.paymentOfSession
  let calls = 0
  deps.actions.paymentOfSession = async (id) => {
    calls++
    if (calls === 1) throw new Error("connection reset")
    return paymentOfSession.call(deps.actions, id)
  }
  try {
    return await reconcileSession(deps, sessionId)
  } finally {
    deps.actions.paymentOfSession = paymentOfSession
  }
}

describe("reconcilePayments", () => {
  it("checks at most a batch, never-checked and least recently checked first", async () => {
    const { medusa, inspector, stale, states, deps, tick } = reconcileWorld()
    for (const id of ["ps_a", "ps_b", "ps_c"]) {
      medusa.addSession({ id, data: { id } })
      stale.push(id)
    }
    const run1 = await reconcilePayments(deps, { batchSize: 2, minAgeMs: 60_000 })
    expect(run1).toMatchObject({ checked: 2, out_of_time: false })
    expect(inspector.asked).toEqual(["ps_a", "ps_b"])

    // A minute later: ps_c was never checked, so it goes first; then the oldest check.
    tick(61_000)
    await reconcilePayments(deps, { batchSize: 2, minAgeMs: 60_000 })
    expect(inspector.asked.slice(2)).toEqual(["ps_c", "ps_a"])
    expect([...states.keys()].sort()).toEqual(["ps_a", "ps_b", "ps_c"])
  })

  it("leaves a session checked within the minimum age for a later run", async () => {
    const { medusa, inspector, stale, deps, tick } = reconcileWorld()
    medusa.addSession({ id: "ps_a", data: { id: "ps_a" } })
    stale.push("ps_a")
    await reconcilePayments(deps, { minAgeMs: 60_000 })
    tick(30_000)
    expect((await reconcilePayments(deps, { minAgeMs: 60_000 })).checked).toBe(0)
    expect(inspector.asked).toEqual(["ps_a"])
  })

  it("reaches past a page of sessions checked recently (many abandoned checkouts) to the ones never checked", async () => {
    const { medusa, inspector, stale, deps, tick } = reconcileWorld()
    // 200 abandoned checkouts, all checked by earlier runs...
    for (let i = 0; i < 200; i++) {
      medusa.addSession({ id: `ps_old_${i}`, data: { id: `ps_old_${i}` } })
      stale.push(`ps_old_${i}`)
    }
    for (let run = 0; run < 4; run++) await reconcilePayments(deps, { batchSize: 50, minAgeMs: 60_000 })
    expect(inspector.asked).toHaveLength(200)
    // ...then a paid cart whose webhook failed, listed after them.
    medusa.addSession({ id: "ps_paid", data: { id: "ps_paid" } })
    stale.push("ps_paid")
    tick(30_000)
    const run = await reconcilePayments(deps, { batchSize: 50, minAgeMs: 60_000 })
    expect(run.checked).toBe(1)
    expect(inspector.asked.at(-1)).toBe("ps_paid")
  })

  it("gives every pending session its turn, however many, as the job runs every ten minutes", async () => {
    const { medusa, inspector, stale, deps, tick } = reconcileWorld()
    for (let i = 0; i < 400; i++) {
      medusa.addSession({ id: `ps_${i}`, data: { id: `ps_${i}` } })
      stale.push(`ps_${i}`)
    }
    for (let run = 0; run < 8; run++) {
      await reconcilePayments(deps, { batchSize: 50, minAgeMs: 15 * 60_000 })
      tick(10 * 60_000)
    }
    expect(new Set(inspector.asked).size).toBe(400)
    expect(inspector.asked).toHaveLength(400)
  })

  it("goes on to the next session when one check fails unexpectedly (its state cannot be saved)", async () => {
    const { medusa, inspector, stale, states, deps } = reconcileWorld()
    for (const id of ["ps_a", "ps_b"]) {
      medusa.addSession({ id, data: { id } })
      stale.push(id)
    }
    const save = deps.states.save
    deps.states.save = async (state) => {
      if (state.session_id === "ps_a") throw new Error("duplicate key value violates unique constraint")
      return save(state)
    }
    const run = await reconcilePayments(deps, { minAgeMs: 60_000 })
    expect(inspector.asked).toEqual(["ps_a", "ps_b"])
    expect(run.sessions.map((s) => [s.session_id, s.status])).toEqual([
      ["ps_a", "unavailable"],
      ["ps_b", "checked"],
    ])
    expect(run.sessions[0].detail).toMatch(/could not be completed: duplicate key/)
    // Its check is kept with the reason once it can be, so it waits its turn next time.
    deps.states.save = save
    states.delete("ps_a")
    expect(await reconcileSessionThatFails(deps, "ps_a")).toMatchObject({ status: "unavailable", provider_id: PROVIDER_ID })
    expect(states.get("ps_a")).toMatchObject({ session_id: "ps_a", error: expect.stringMatching(/could not be completed: connection reset/) })
  })

  it("stops starting checks when its time budget is spent", async () => {
    const { medusa, inspector, stale, uncaptured, deps, tick } = reconcileWorld()
    for (const id of ["ps_a", "ps_b", "ps_c"]) medusa.addSession({ id, data: { id } })
    stale.push("ps_a", "ps_b")
    uncaptured.push("ps_b", "ps_c")
    const slow = inspector.inspectPayment.bind(inspector)
    inspector.inspectPayment = async (data) => {
      tick(600)
      return slow(data)
    }
    const run = await reconcilePayments(deps, { budgetMs: 1000 })
    expect(run).toMatchObject({ checked: 2, out_of_time: true })
    expect(inspector.asked).toEqual(["ps_a", "ps_b"])
  })
})
