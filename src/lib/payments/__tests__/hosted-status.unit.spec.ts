import BigNumberJS from "bignumber.js"
import { handleHostedNotification } from "../hosted/notifications"
import { CartNotFoundError, PaymentFacts, authorizationReservesFunds, recordedPaymentStatus, refreshPaymentStatus } from "../hosted/status"
import { resetStatusThrottle } from "../hosted/throttle"
import { PROVIDER_ID, hostedWorld } from "./hosted-fakes"

describe("refreshPaymentStatus", () => {
  const poll = (world: ReturnType<typeof hostedWorld>, sessionId?: string, cartId = "cart_1") =>
    refreshPaymentStatus(world.deps, cartId, sessionId)

  it("says none for a cart without a payment session, asking no one", async () => {
    const world = hostedWorld()
    expect(await poll(world)).toEqual({
      cart_id: "cart_1",
      order_id: null,
      status: "none",
      amount: null,
      captured_amount: null,
      refunded_amount: null,
      currency_code: null,
      session: null,
      checked_with_provider: false,
    })
    world.medusa.carts.set("cart_2", { id: "cart_2", payment_collection: null })
    expect((await poll(world, undefined, "cart_2")).status).toBe("none")
  })

  it("refuses an unknown cart, and a session of another cart", async () => {
    const world = hostedWorld()
    world.medusa.addSession({ id: "payses_elsewhere", payment_collection_id: "pay_col_other" })
    await expect(poll(world, undefined, "cart_unknown")).rejects.toBeInstanceOf(CartNotFoundError)
    await expect(poll(world, "payses_elsewhere")).rejects.toThrow("Payment session payses_elsewhere does not belong to cart cart_1")
  })

  it("asks the gateway about a pending session and shows the session's exact amount", async () => {
    const world = hostedWorld()
    world.medusa.addSession({ id: "payses_1" })
    expect(await poll(world)).toEqual({
      cart_id: "cart_1",
      order_id: null,
      status: "pending",
      amount: "19.99",
      captured_amount: "0.00",
      refunded_amount: "0.00",
      currency_code: "eur",
      session: { id: "payses_1", provider_id: PROVIDER_ID, status: "pending", amount: 19.99, currency_code: "eur" },
      checked_with_provider: true,
      provider_status: "pending",
      next_check_after_seconds: 10,
    })
    expect(world.provider.statusQueries).toEqual([{ reference: "REF-payses_1" }])
  })

  it("asks the gateway at most once per session every 10 seconds, and says when it may again", async () => {
    const world = hostedWorld()
    world.medusa.addSession({ id: "payses_1" })
    await poll(world)
    world.clock.nowMs += 3_000
    expect(await poll(world)).toEqual(expect.objectContaining({ status: "pending", checked_with_provider: false, next_check_after_seconds: 7 }))
    expect(world.provider.statusQueries).toHaveLength(1)
    world.clock.nowMs += 7_000
    expect(await poll(world)).toEqual(expect.objectContaining({ checked_with_provider: true }))
    expect(world.provider.statusQueries).toHaveLength(2)
  })

  it("shares the throttle with the notification pipeline: a stale notification's query counts", async () => {
    const world = hostedWorld()
    world.medusa.addSession({ id: "payses_1" })
    world.provider.verdict = { kind: "stale", session_id: "payses_1", reference: "REF-payses_1", reason: "old" }
    await handleHostedNotification(world.deps, PROVIDER_ID, { any: "field" }, "Gateway")
    expect(await poll(world)).toEqual(expect.objectContaining({ checked_with_provider: false, next_check_after_seconds: 10 }))
    expect(world.provider.statusQueries).toHaveLength(1)
  })

  it("uses the process's one throttle unless given another, which resetStatusThrottle clears", async () => {
    const world = hostedWorld()
    const deps = { ...world.deps, throttle: undefined, now: undefined }
    world.medusa.addSession({ id: "payses_shared" })
    resetStatusThrottle()
    world.provider.verdict = { kind: "stale", session_id: "payses_shared", reference: "REF-payses_shared", reason: "old" }
    await handleHostedNotification(deps, PROVIDER_ID, { any: "field" }, "Gateway")
    expect(await refreshPaymentStatus(deps, "cart_1", undefined)).toEqual(expect.objectContaining({ checked_with_provider: false }))
    resetStatusThrottle()
    expect(await refreshPaymentStatus(deps, "cart_1", undefined)).toEqual(expect.objectContaining({ checked_with_provider: true }))
    expect(world.provider.statusQueries).toHaveLength(2)
    resetStatusThrottle()
  })

  it("settles a payment the gateway reports captured, once, then answers from the order without asking", async () => {
    const world = hostedWorld()
    world.medusa.addSession({ id: "payses_1" })
    world.provider.status = { status: "captured" }

    expect(await poll(world, "payses_1")).toEqual({
      cart_id: "cart_1",
      order_id: "order_1",
      status: "captured",
      amount: "19.99",
      captured_amount: "19.99",
      refunded_amount: "0.00",
      currency_code: "eur",
      session: { id: "payses_1", provider_id: PROVIDER_ID, status: "captured", amount: 19.99, currency_code: "eur" },
      checked_with_provider: true,
    })
    expect(world.medusa.workflowCalls).toEqual([{ action: "captured", data: { session_id: "payses_1", amount: "19.99" } }])
    expect(world.logger.lines).toEqual(["info: Payment status: payment session payses_1 settled from the status query; order order_1"])

    world.clock.nowMs += 60_000
    expect(await poll(world)).toEqual(expect.objectContaining({ status: "captured", order_id: "order_1", checked_with_provider: false }))
    expect(world.provider.statusQueries).toHaveLength(1)
    expect(world.medusa.workflowCalls).toHaveLength(1)
  })

  it("keeps polling when a settled answer could not be applied yet", async () => {
    const world = hostedWorld()
    world.medusa.addSession({ id: "payses_1" })
    world.provider.status = { status: "authorized" }
    world.medusa.workflow = "throws"
    expect(await poll(world)).toEqual(
      expect.objectContaining({ status: "pending", order_id: null, checked_with_provider: true, provider_status: "authorized" })
    )
    expect(world.medusa.workflowCalls).toEqual([{ action: "authorized", data: { session_id: "payses_1", amount: "19.99" } }])
  })

  it("says pending, with the gateway unavailable, when the gateway cannot answer", async () => {
    const world = hostedWorld()
    world.medusa.addSession({ id: "payses_1" })
    world.provider.status = new Error("ECONNRESET")
    expect(await poll(world)).toEqual(
      expect.objectContaining({ status: "pending", checked_with_provider: true, provider_status: "unavailable", next_check_after_seconds: 10 })
    )
    expect(world.logger.lines).toEqual(["warn: Payment status of session payses_1 could not be checked: ECONNRESET"])
  })

  describe("before an order, from the session", () => {
    const statusOf = async (sessionStatus: string, gatewayStatus?: string) => {
      const world = hostedWorld()
      world.medusa.addSession({ id: "payses_1", status: sessionStatus })
      if (gatewayStatus) world.provider.status = { status: gatewayStatus as never }
      const view = await poll(world)
      return { status: view.status, asked: world.provider.statusQueries.length }
    }

    it("says failed for an errored session and canceled for a canceled one, without asking the gateway", async () => {
      expect(await statusOf("error")).toEqual({ status: "failed", asked: 0 })
      expect(await statusOf("canceled")).toEqual({ status: "canceled", asked: 0 })
    })

    it("says pending while Medusa waits for the gateway to confirm (pending_authorization), without asking", async () => {
      expect(await statusOf("pending_authorization")).toEqual({ status: "pending", asked: 0 })
    })

    it("asks the gateway about a session that requires more, and says what it answers", async () => {
      expect(await statusOf("requires_more", "requires_more")).toEqual({ status: "requires_more", asked: 1 })
      expect(await statusOf("requires_more", "error")).toEqual({ status: "failed", asked: 1 })
      expect(await statusOf("pending", "canceled")).toEqual({ status: "canceled", asked: 1 })
    })

    it("says pending for a session Medusa authorized whose cart is not completed yet, without asking", async () => {
      const world = hostedWorld()
      world.medusa.addSession({ id: "payses_1", status: "authorized", authorized_at: new Date() })
      expect(await poll(world)).toEqual(expect.objectContaining({ status: "pending", checked_with_provider: false }))
      expect(world.provider.statusQueries).toEqual([])
    })

    it("reads the latest session when none is named", async () => {
      const world = hostedWorld()
      world.medusa.addSession({ id: "payses_old", status: "error", created_at: "2025-01-01T09:00:00.000Z" })
      world.medusa.addSession({ id: "payses_new", status: "canceled", created_at: "2025-01-01T09:30:00.000Z" })
      expect(await poll(world)).toEqual(expect.objectContaining({ status: "canceled", session: expect.objectContaining({ id: "payses_new" }) }))
      expect(await poll(world, "payses_old")).toEqual(expect.objectContaining({ status: "failed" }))
    })

    it("says pending without asking when the session's provider has no status query", async () => {
      const world = hostedWorld()
      world.medusa.addSession({ id: "payses_1", provider_id: "pp_system_default" })
      world.registered.set("pp_system_default", {})
      expect(await poll(world)).toEqual(expect.objectContaining({ status: "pending", checked_with_provider: false }))
    })
  })

  it("says awaiting_payment for a payment recorded by a provider whose authorization reserves nothing", async () => {
    const world = hostedWorld()
    class OfflineLike {
      static readonly authorizationReservesFunds = false
    }
    world.registered.set("pp_cod_cod", new OfflineLike())
    world.medusa.addSession({ id: "payses_1", provider_id: "pp_cod_cod", status: "authorized", authorized_at: new Date(), payment: { id: "pay_1" } })
    world.medusa.payments.set("pay_col_1", [
      {
        id: "pay_1",
        provider_id: "pp_cod_cod",
        amount: 19.99,
        raw_amount: { value: "19.99", precision: 20 },
        currency_code: "eur",
        canceled_at: null,
        captures: [],
        refunds: [],
      },
    ])
    expect(await poll(world)).toEqual(
      expect.objectContaining({ status: "awaiting_payment", amount: "19.99", captured_amount: "0.00", checked_with_provider: false })
    )
  })

  it("says canceled for a canceled order, from the order", async () => {
    const world = hostedWorld()
    world.medusa.addSession({ id: "payses_1", status: "authorized", authorized_at: new Date(), payment: { id: "pay_1" } })
    world.medusa.ordersOfCarts.set("cart_1", "order_9")
    world.medusa.orders.set("order_9", {
      id: "order_9",
      status: "canceled",
      canceled_at: null,
      currency_code: "eur",
      payments: [
        { id: "pay_1", provider_id: PROVIDER_ID, amount: 19.99, raw_amount: { value: "19.99", precision: 20 }, currency_code: "eur", canceled_at: new Date() },
      ],
    })
    expect(await poll(world)).toEqual(expect.objectContaining({ status: "canceled", order_id: "order_9", amount: "19.99" }))
  })
})

describe("recordedPaymentStatus", () => {
  const payment = (over: Partial<Record<keyof PaymentFacts, unknown>> = {}): PaymentFacts => ({
    amount: new BigNumberJS(String(over.amount ?? "20")),
    captured: new BigNumberJS(String(over.captured ?? "0")),
    refunded: new BigNumberJS(String(over.refunded ?? "0")),
    canceled: Boolean(over.canceled ?? false),
    reservesFunds: Boolean(over.reservesFunds ?? true),
  })
  const status = (payments: PaymentFacts[], orderCanceled = false) => recordedPaymentStatus(payments, orderCanceled).status

  it("says awaiting_payment for an offline authorization, which moves no money", () => {
    expect(status([payment({ reservesFunds: false })])).toBe("awaiting_payment")
  })

  it("says authorized for a gateway authorization, which reserves the money", () => {
    expect(status([payment()])).toBe("authorized")
  })

  it("says partially_captured for 8 of 20 received, and captured for all of it", () => {
    const partial = recordedPaymentStatus([payment({ captured: "8", reservesFunds: false })], false)
    expect(partial.status).toBe("partially_captured")
    expect([partial.amount.toFixed(), partial.captured.toFixed(), partial.refunded.toFixed()]).toEqual(["20", "8", "0"])
    expect(status([payment({ captured: "20", reservesFunds: false })])).toBe("captured")
  })

  it("says partially_refunded, then refunded once all that was captured is refunded", () => {
    expect(status([payment({ captured: "20", refunded: "5" })])).toBe("partially_refunded")
    expect(status([payment({ captured: "20", refunded: "20" })])).toBe("refunded")
    expect(status([payment({ captured: "8", refunded: "8", reservesFunds: false })])).toBe("refunded")
  })

  it("says canceled for a canceled order or payment with nothing refunded, refunded when its money was", () => {
    expect(status([payment({ canceled: true, reservesFunds: false })], true)).toBe("canceled")
    expect(status([payment({ canceled: true })], false)).toBe("canceled")
    expect(status([payment({ captured: "8", refunded: "8" })], true)).toBe("refunded")
    expect(status([payment({ captured: "8", refunded: "3" })], true)).toBe("partially_refunded")
  })

  it("says pending for an order whose payment the gateway is still confirming (no payment yet)", () => {
    expect(status([])).toBe("pending")
    expect(status([], true)).toBe("canceled")
  })

  it("leaves out a canceled payment with nothing captured when a live one replaced it", () => {
    const result = recordedPaymentStatus([payment({ canceled: true }), payment({ captured: "20" })], false)
    expect(result.status).toBe("captured")
    expect(result.amount.toFixed()).toBe("20")
  })
})

describe("authorizationReservesFunds", () => {
  it("reads the provider class's flag, and takes any provider without it to reserve the money", () => {
    class OfflineLike {
      static readonly authorizationReservesFunds = false
    }
    class CashLike extends OfflineLike {}
    class CardProvider {}
    expect(authorizationReservesFunds(new OfflineLike())).toBe(false)
    expect(authorizationReservesFunds(new CashLike())).toBe(false)
    expect(authorizationReservesFunds(new CardProvider())).toBe(true)
    expect(authorizationReservesFunds(undefined)).toBe(true)
  })

  it("knows that Medusa's own system provider (pp_system_default, the manual payment) reserves nothing", async () => {
    // Medusa's own class, from the installed Payment Module (not re-exported by its package).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SystemPaymentProvider } = require("@medusajs/payment/dist/providers") as { SystemPaymentProvider: new () => object }
    expect(authorizationReservesFunds(new SystemPaymentProvider())).toBe(false)
  })
})
