import BigNumberJS from "bignumber.js"
import { handleHostedNotification } from "../hosted/notifications"
import { processOutcome } from "../outcomes/process"
import { PROVIDER_ID, hostedWorld, paidVerdict } from "./hosted-fakes"
import { MemoryPayments, outcomeWorld } from "./outcomes-fakes"

const FIELDS = { MerchantTradeNo: "any: the fake provider reads nothing" }

describe("handleHostedNotification", () => {
  const notify = (world: ReturnType<typeof hostedWorld>) => handleHostedNotification(world.deps, PROVIDER_ID, FIELDS, "Gateway")

  it("settles a paid notification once, handing the workflow the session's exact amount as a string", async () => {
    const world = hostedWorld()
    const session = world.medusa.addSession({ id: "payses_1" })
    world.provider.verdict = paidVerdict(session)

    const outcome = await notify(world)

    expect(outcome).toEqual({ acknowledge: true, result: "processed", detail: "captured", session_id: "payses_1", order_id: "order_1" })
    expect(world.medusa.workflowCalls).toEqual([{ action: "captured", data: { session_id: "payses_1", amount: "19.99" } }])
    expect(world.logger.lines).toEqual(["info: Gateway notification: payment session payses_1 settled from the notification; order order_1"])
  })

  it("hands an authorization to the workflow as authorized", async () => {
    const world = hostedWorld()
    const session = world.medusa.addSession({ id: "payses_1", raw_amount: { value: "1999.5", precision: 20 }, amount: 1999.5 })
    world.provider.verdict = paidVerdict(session, { action: "authorized", amount: new BigNumberJS("1999.50") })

    expect(await notify(world)).toEqual(expect.objectContaining({ acknowledge: true, result: "processed", detail: "authorized" }))
    expect(world.medusa.workflowCalls).toEqual([{ action: "authorized", data: { session_id: "payses_1", amount: "1999.5" } }])
  })

  it("answers a replay as a duplicate without running the workflow again", async () => {
    const world = hostedWorld()
    const session = world.medusa.addSession({ id: "payses_1" })
    world.provider.verdict = paidVerdict(session)
    await notify(world)

    const replay = await notify(world)

    expect(replay).toEqual({ acknowledge: true, result: "duplicate", detail: "already processed", session_id: "payses_1", order_id: "order_1" })
    expect(world.medusa.workflowCalls).toHaveLength(1)
  })

  it("rejects an amount or currency other than the session's, without running the workflow", async () => {
    const world = hostedWorld()
    const session = world.medusa.addSession({ id: "payses_1" })
    world.provider.verdict = paidVerdict(session, { amount: new BigNumberJS("19.98") })

    expect(await notify(world)).toEqual({ acknowledge: false, result: "rejected", detail: "amount mismatch", session_id: "payses_1" })
    expect(world.logger.lines).toEqual([
      "error: Gateway notification: payment REF-payses_1 reports 19.98 EUR but payment session payses_1 is for 19.99 EUR; not applied",
    ])

    world.provider.verdict = paidVerdict(session, { currency_code: "usd" })
    expect(await notify(world)).toEqual(expect.objectContaining({ acknowledge: false, detail: "amount mismatch" }))
    expect(world.medusa.workflowCalls).toEqual([])
  })

  it("rejects another session's order number", async () => {
    const world = hostedWorld()
    const session = world.medusa.addSession({ id: "payses_1" })
    world.medusa.addSession({ id: "payses_2" })
    world.provider.verdict = paidVerdict(session, { reference: "REF-payses_2" })

    expect(await notify(world)).toEqual({ acknowledge: false, result: "rejected", detail: "order number mismatch", session_id: "payses_1" })
    expect(world.logger.lines).toEqual([
      "warn: Gateway notification: order number REF-payses_2 is not the one of payment session payses_1 (REF-payses_1)",
    ])
    expect(world.medusa.workflowCalls).toEqual([])
  })

  it("rejects a session that does not exist, or belongs to another provider", async () => {
    const world = hostedWorld()
    world.provider.verdict = paidVerdict(world.medusa.addSession({ id: "payses_gone" }))
    world.medusa.sessions.delete("payses_gone")
    expect(await notify(world)).toEqual({ acknowledge: false, result: "rejected", detail: "unknown session", session_id: "payses_gone" })
    expect(world.logger.lines[0]).toMatch(/^error: .*which does not exist \(any more\); if it was paid, refund it/)

    world.provider.verdict = paidVerdict(world.medusa.addSession({ id: "payses_other", provider_id: "pp_other_other" }))
    expect(await notify(world)).toEqual(expect.objectContaining({ acknowledge: false, result: "rejected", detail: "session of another provider" }))
    expect(world.medusa.workflowCalls).toEqual([])
  })

  it("asks for a retry when the workflow fails, or runs without settling the session", async () => {
    const world = hostedWorld()
    const session = world.medusa.addSession({ id: "payses_1" })
    world.provider.verdict = paidVerdict(session)
    world.medusa.workflow = "throws"

    expect(await notify(world)).toEqual({ acknowledge: false, result: "retry", detail: "not settled", session_id: "payses_1" })
    expect(world.logger.lines).toEqual([
      "warn: Gateway notification: payment session payses_1 could not be settled from the notification yet: Could not authorize payment session",
    ])

    world.medusa.workflow = "swallows"
    expect(await notify(world)).toEqual({ acknowledge: false, result: "retry", detail: "not settled", session_id: "payses_1" })
    expect(world.logger.lines[1]).toBe("warn: Gateway notification: payment session payses_1 is not settled after the notification (status pending)")

    world.medusa.workflow = "settles"
    expect(await notify(world)).toEqual(expect.objectContaining({ acknowledge: true, result: "processed" }))
    expect(world.medusa.workflowCalls).toHaveLength(3)
  })

  it("asks for a retry when the session cannot be read", async () => {
    const world = hostedWorld()
    world.provider.verdict = paidVerdict(world.medusa.addSession({ id: "payses_1" }))
    world.medusa.session = async () => {
      throw new Error("connection refused")
    }
    expect(await notify(world)).toEqual({ acknowledge: false, result: "retry", detail: "session lookup failed", session_id: "payses_1" })
    expect(world.logger.lines).toEqual(["error: Gateway notification: could not read payment session payses_1: connection refused"])
  })

  describe("a stale notification", () => {
    const stale = (world: ReturnType<typeof hostedWorld>) => {
      const session = world.medusa.addSession({ id: "payses_1" })
      world.provider.verdict = { kind: "stale", session_id: session.id, reference: "REF-payses_1", reason: "sent 3 days ago" }
      return session
    }

    it("asks the gateway and settles only a settled answer", async () => {
      const world = hostedWorld()
      stale(world)
      world.provider.status = { status: "pending" }

      expect(await notify(world)).toEqual({ acknowledge: false, result: "retry", detail: "gateway reports pending", session_id: "payses_1" })
      expect(world.provider.statusQueries).toEqual([{ reference: "REF-payses_1" }])
      expect(world.medusa.workflowCalls).toEqual([])

      world.clock.nowMs += 10_000
      world.provider.status = { status: "captured" }
      expect(await notify(world)).toEqual({ acknowledge: true, result: "processed", detail: "captured", session_id: "payses_1", order_id: "order_1" })
      expect(world.medusa.workflowCalls).toEqual([{ action: "captured", data: { session_id: "payses_1", amount: "19.99" } }])
      expect(world.logger.lines).toEqual([
        "info: Gateway notification: sent 3 days ago; asking the gateway for the status of REF-payses_1",
        "info: Gateway notification: sent 3 days ago; asking the gateway for the status of REF-payses_1",
        "info: Gateway notification: payment session payses_1 settled from the status query; order order_1",
      ])
    })

    it("asks the gateway at most once per session every 10 seconds", async () => {
      const world = hostedWorld()
      stale(world)
      await notify(world)
      world.clock.nowMs += 9_999

      expect(await notify(world)).toEqual({ acknowledge: false, result: "retry", detail: "checked recently", session_id: "payses_1" })
      expect(world.provider.statusQueries).toHaveLength(1)
    })

    it("asks for a retry when the gateway cannot answer", async () => {
      const world = hostedWorld()
      stale(world)
      world.provider.status = new Error("ECONNRESET")
      expect(await notify(world)).toEqual({ acknowledge: false, result: "retry", detail: "status unavailable", session_id: "payses_1" })
      expect(world.logger.lines[1]).toBe("warn: Gateway notification: could not confirm REF-payses_1 with the gateway: ECONNRESET")
    })

    it("is a duplicate for a session already settled, without asking the gateway", async () => {
      const world = hostedWorld()
      const session = stale(world)
      world.medusa.sessions.set(session.id, { ...session, status: "captured", authorized_at: new Date(), payment: { id: "pay_1" } })
      expect(await notify(world)).toEqual({ acknowledge: true, result: "duplicate", detail: "already settled", session_id: "payses_1" })
      expect(world.provider.statusQueries).toEqual([])
    })
  })

  it("acknowledges a failed or ignored payment without acting on it, and refuses a rejected one", async () => {
    const world = hostedWorld()
    world.provider.verdict = { kind: "failed", session_id: "payses_1", reference: "REF-1", reason: "card declined" }
    expect(await notify(world)).toEqual({ acknowledge: true, result: "ignored", detail: "card declined", session_id: "payses_1" })
    world.provider.verdict = { kind: "ignored", reason: "a simulated payment" }
    expect(await notify(world)).toEqual({ acknowledge: true, result: "ignored", detail: "a simulated payment", session_id: undefined })
    world.provider.verdict = { kind: "rejected", reason: "CheckMacValue mismatch" }
    expect(await notify(world)).toEqual({ acknowledge: false, result: "rejected", detail: "CheckMacValue mismatch" })
    expect(world.logger.lines).toEqual([
      "info: Gateway notification: failed (REF-1): card declined",
      "info: Gateway notification: ignored: a simulated payment",
      "warn: Gateway notification: refused: CheckMacValue mismatch",
    ])
    expect(world.medusa.workflowCalls).toEqual([])
  })

  it("refuses a body that is not a form, an unknown provider and an unreadable notification; retries when providers are unreachable", async () => {
    const world = hostedWorld()
    expect(await handleHostedNotification(world.deps, PROVIDER_ID, undefined, "Gateway")).toEqual({
      acknowledge: false,
      result: "rejected",
      detail: "malformed",
    })

    expect(await handleHostedNotification(world.deps, "pp_missing_missing", FIELDS, "Gateway")).toEqual({
      acknowledge: false,
      result: "rejected",
      detail: "unknown provider",
    })
    world.registered.set("pp_stripe_stripe", { getPaymentStatus: async () => ({ status: "pending" }) })
    expect(await handleHostedNotification(world.deps, "pp_stripe_stripe", FIELDS, "Gateway")).toEqual(
      expect.objectContaining({ result: "rejected", detail: "unknown provider" })
    )

    world.provider.verifyNotification = () => {
      throw new Error("CheckMacValue missing")
    }
    expect(await notify(world)).toEqual({ acknowledge: false, result: "rejected", detail: "malformed" })

    const unreachable = {
      ...world.deps,
      providers: () => {
        throw new Error("The Payment Module does not expose its providers")
      },
    }
    expect(await handleHostedNotification(unreachable, PROVIDER_ID, FIELDS, "Gateway")).toEqual({
      acknowledge: false,
      result: "retry",
      detail: "provider unavailable",
    })
    expect(world.logger.lines).toEqual([
      "warn: Gateway notification: refused a body that is not a form",
      "warn: Gateway notification: no hosted payment provider is registered as pp_missing_missing",
      "warn: Gateway notification: no hosted payment provider is registered as pp_stripe_stripe",
      "warn: Gateway notification: refused a notification that could not be read: CheckMacValue missing",
      "error: Gateway notification: cannot reach provider pp_hosted_test: The Payment Module does not expose its providers",
    ])
  })

  it("redacts secrets from its log lines", async () => {
    const world = hostedWorld()
    // Put together here, so that the secrets lint finds no credential in this file.
    const token = "tok".repeat(12)
    world.provider.verdict = { kind: "rejected", reason: `sent with Authorization: ${["Bearer", token].join(" ")}` }
    await notify(world)
    expect(world.logger.lines).toHaveLength(1)
    expect(world.logger.lines.join("\n")).not.toContain(token)
  })
})

describe("handleHostedNotification with the outcome pipeline (the plugin's notification route)", () => {
  /** The hosted world with `recordOutcome` over the same Medusa records, ledger and lock. */
  function recordingWorld() {
    const world = hostedWorld()
    const outcomes = outcomeWorld()
    const deps = { ...outcomes.deps, sessions: world.medusa, runPaymentWorkflow: world.medusa.runPaymentWorkflow }
    const actions = new MemoryPayments(world.medusa)
    deps.actions = actions
    world.deps.recordOutcome = (outcome) => processOutcome(deps, { providerId: PROVIDER_ID, outcome, source: "webhook", label: "Gateway" })
    return { ...world, events: outcomes.events, actions }
  }
  const notify = (world: ReturnType<typeof hostedWorld>) => handleHostedNotification(world.deps, PROVIDER_ID, FIELDS, "Gateway")

  it("settles a paid notification once and puts it, and its redelivery, on the payment's timeline", async () => {
    const world = recordingWorld()
    const session = world.medusa.addSession({ id: "payses_1" })
    world.provider.verdict = paidVerdict(session)
    expect(await notify(world)).toEqual(expect.objectContaining({ acknowledge: true, result: "processed", order_id: "order_1" }))
    expect(await notify(world)).toEqual(expect.objectContaining({ acknowledge: true, result: "duplicate" }))
    expect(world.medusa.workflowCalls).toHaveLength(1)
    expect(world.events.rows).toEqual([expect.objectContaining({ event_id: "REF-payses_1:captured", outcome: "acted_on", deliveries: 2, session_id: "payses_1" })])
  })

  it("errors the session of a failed payment of its current attempt, so the shopper can pay again", async () => {
    const world = recordingWorld()
    world.medusa.addSession({ id: "payses_1" })
    world.provider.verdict = { kind: "failed", session_id: "payses_1", reference: "REF-payses_1", reason: "RtnCode 10100058: card declined" }
    expect(await notify(world)).toEqual(expect.objectContaining({ acknowledge: true, result: "ignored" }))
    expect(world.actions.sessionStatuses).toEqual([["payses_1", "error"]])
  })

  it("leaves the session alone when the failure is of an older attempt (another order number)", async () => {
    const world = recordingWorld()
    world.medusa.addSession({ id: "payses_1" })
    world.provider.verdict = { kind: "failed", session_id: "payses_1", reference: "REF-an-older-attempt", reason: "declined" }
    expect(await notify(world)).toEqual(expect.objectContaining({ acknowledge: true, result: "ignored" }))
    expect(world.actions.sessionStatuses).toEqual([])
    expect(world.events.rows).toEqual([])
  })
})
