import BigNumberJS from "bignumber.js"
import {
  PaymentFacts,
  authorizationReservesFunds,
  isHostedPaymentProvider,
  parseFormBody,
  recordedPaymentStatus,
  redirectForm,
} from "../hosted"

describe("redirectForm", () => {
  it("describes a POST form with string fields, leaving empty ones out", () => {
    expect(redirectForm("https://gateway.example/pay", { A: "1", B: 2, C: "", D: undefined, E: null })).toEqual({
      method: "POST",
      action: "https://gateway.example/pay",
      charset: "UTF-8",
      fields: { A: "1", B: "2" },
    })
  })

  it("refuses an action that is not an absolute http(s) URL", () => {
    expect(() => redirectForm("javascript:alert(1)", {})).toThrow(/absolute http\(s\) action URL/)
    expect(() => redirectForm("/relative", {})).toThrow(/absolute/)
  })
})

describe("parseFormBody", () => {
  it("reads a urlencoded body as flat fields, + and %20 as spaces", () => {
    expect(parseFormBody(Buffer.from("A=1&B=x+y%20z&C=%E4%BF%83&D="))).toEqual({ A: "1", B: "x y z", C: "促", D: "" })
  })

  it("keeps bracketed names flat instead of nesting them", () => {
    expect(parseFormBody("card[number]=1")).toEqual({ "card[number]": "1" })
  })

  it("refuses a field sent twice, JSON and an empty body", () => {
    expect(parseFormBody("A=1&A=2")).toBeUndefined()
    expect(parseFormBody('{"A":"1"}')).toBeUndefined()
    expect(parseFormBody("")).toBeUndefined()
    expect(parseFormBody(undefined)).toBeUndefined()
  })
})

describe("isHostedPaymentProvider", () => {
  it("recognises a provider with the hosted-page methods only", () => {
    const fn = () => undefined
    expect(isHostedPaymentProvider({ verifyNotification: fn, referenceOf: fn, getPaymentStatus: fn })).toBe(true)
    expect(isHostedPaymentProvider({ getPaymentStatus: fn })).toBe(false)
    expect(isHostedPaymentProvider(undefined)).toBe(false)
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
