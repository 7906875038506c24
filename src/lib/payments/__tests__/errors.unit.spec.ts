import { MedusaError } from "@medusajs/framework/utils"
import {
  isPlaceholderCredential,
  AmountError,
  GatewayRejectedError,
  GatewayUnavailableError,
  NotSupportedError,
  PaymentConfigError,
  PaymentInputError,
  SignatureError,
} from "../errors"

// Secret-looking values are assembled at runtime (the repository lints for literal keys).
const STRIPE_SECRET = "sk_" + "test_" + "ErrMsgKey1".repeat(3)
const CLIENT_SECRET_TAIL = "Zx9Yw8Vv7Uu6Tt5"
const CLIENT_SECRET = "pi_" + "3AbCdEf" + "_secret_" + CLIENT_SECRET_TAIL
const BEARER = "Bearer " + "tokEn.value-".repeat(4)
const CARD = ["4242", "4242", "4242", "4242"].join("")

describe("error classes", () => {
  it.each([
    ["PaymentConfigError", () => new PaymentConfigError("bad options"), MedusaError.Types.INVALID_ARGUMENT],
    ["AmountError", () => new AmountError("bad amount"), MedusaError.Types.INVALID_DATA],
    ["NotSupportedError", () => new NotSupportedError("Offline", "refund"), MedusaError.Types.NOT_ALLOWED],
    ["PaymentInputError", () => new PaymentInputError("bad input"), MedusaError.Types.INVALID_DATA],
    [
      "GatewayRejectedError",
      () => new GatewayRejectedError({ gateway: "PayPal", operation: "capture the payment" }, "nope"),
      MedusaError.Types.NOT_ALLOWED,
    ],
    [
      "GatewayUnavailableError",
      () => new GatewayUnavailableError({ gateway: "PayPal", operation: "capture the payment" }),
      MedusaError.Types.UNEXPECTED_STATE,
    ],
    ["SignatureError", () => new SignatureError("bad signature"), MedusaError.Types.UNAUTHORIZED],
  ])("%s is a MedusaError of the right type and carries its own name", (name, make, type) => {
    const error = make()
    expect(error).toBeInstanceOf(MedusaError)
    expect(error).toBeInstanceOf(Error)
    expect(error.type).toBe(type)
    expect(error.name).toBe(name)
  })

  it("maps to the HTTP-relevant MedusaError type strings", () => {
    // Medusa's error handler turns these type strings into 400/401/409-style answers.
    expect(new PaymentConfigError("x").type).toBe("invalid_argument")
    expect(new AmountError("x").type).toBe("invalid_data")
    expect(new SignatureError("x").type).toBe("unauthorized")
    expect(new GatewayUnavailableError({ gateway: "G", operation: "o" }).type).toBe("unexpected_state")
  })

  it("keeps plain messages as given", () => {
    expect(new PaymentConfigError("`apiKey`: is required").message).toBe("`apiKey`: is required")
    expect(new AmountError("10.005 USD cannot be charged exactly").message).toBe("10.005 USD cannot be charged exactly")
  })

  it("NotSupportedError names the operation, the provider and the optional reason", () => {
    expect(new NotSupportedError("Bank transfer", "Refunding").message).toBe(
      "Refunding is not supported by the Bank transfer payment provider"
    )
    expect(new NotSupportedError("Bank transfer", "Refunding", "refund by bank yourself").message).toBe(
      "Refunding is not supported by the Bank transfer payment provider: refund by bank yourself"
    )
  })
})

describe("GatewayRejectedError", () => {
  it("says which gateway refused which operation, keeps the gateway's message and appends its code", () => {
    const error = new GatewayRejectedError(
      { gateway: "Stripe", operation: "capture the payment", code: "card_declined", status: 402, requestId: "req_1" },
      "Your card was declined."
    )
    expect(error.message).toBe("Stripe refused to capture the payment: Your card was declined. (card_declined)")
    expect(error.details).toEqual({
      gateway: "Stripe",
      operation: "capture the payment",
      code: "card_declined",
      status: 402,
      requestId: "req_1",
    })
  })

  it("omits the code suffix when there is no code", () => {
    const error = new GatewayRejectedError({ gateway: "PayPal", operation: "create the order" }, "HTTP 400")
    expect(error.message).toBe("PayPal refused to create the order: HTTP 400")
  })

  it("scrubs secrets the gateway echoed in its message", () => {
    const gatewayMessage = `Invalid API Key provided: ${STRIPE_SECRET}; intent ${CLIENT_SECRET}; header ${BEARER}; card ${CARD}`
    const error = new GatewayRejectedError({ gateway: "Stripe", operation: "create the payment" }, gatewayMessage)
    expect(error.message).not.toContain(STRIPE_SECRET)
    expect(error.message).not.toContain(CLIENT_SECRET_TAIL)
    expect(error.message).not.toContain(BEARER)
    expect(error.message).not.toContain(CARD)
    expect(error.message).toContain("Invalid API Key provided: sk_test_[REDACTED]")
  })
})

describe("GatewayUnavailableError", () => {
  it("says the gateway could not be reached and no money moved for a call that cannot move money", () => {
    const error = new GatewayUnavailableError({ gateway: "PayPal", operation: "sign in" }, "ECONNREFUSED", {
      indeterminate: false,
      hint: "PayPal is registered with the demo's placeholder credentials",
    })
    expect(error.indeterminate).toBe(false)
    expect(error.message).toBe(
      "PayPal could not be reached to sign in; no money was moved and it can be tried again (ECONNREFUSED). " +
        "PayPal is registered with the demo's placeholder credentials"
    )
  })

  it("recognises the demo's placeholder credentials and nothing else", () => {
    expect(isPlaceholderCredential("sk_test_demo_placeholder")).toBe(true)
    expect(isPlaceholderCredential("demo-placeholder-client-id")).toBe(true)
    expect(isPlaceholderCredential("sk_test_51Qabc")).toBe(false)
    expect(isPlaceholderCredential(undefined)).toBe(false)
  })

  it("is indeterminate by default and says the outcome is unknown", () => {
    const error = new GatewayUnavailableError({ gateway: "PayPal", operation: "capture the payment", status: 503 }, "HTTP 503")
    expect(error.indeterminate).toBe(true)
    expect(error.message).toContain("PayPal could not be reached to capture the payment")
    expect(error.message).toContain("the outcome is unknown")
    expect(error.message).toContain("(HTTP 503)")
    expect(error.details.status).toBe(503)
  })

  it("has no cause suffix without a cause", () => {
    const error = new GatewayUnavailableError({ gateway: "PayPal", operation: "refund" })
    expect(error.message).not.toMatch(/\)$/)
  })

  it("scrubs secrets from the cause", () => {
    const error = new GatewayUnavailableError(
      { gateway: "Stripe", operation: "refund" },
      `connect failed with ${STRIPE_SECRET} and ${BEARER}`
    )
    expect(error.message).not.toContain(STRIPE_SECRET)
    expect(error.message).not.toContain(BEARER)
    expect(error.message).toContain("[REDACTED]")
  })
})
