import { capturingLogger } from "../../../../integration-tests/harness/loggers"
import { FixtureFile, FixtureSession } from "../../../../integration-tests/harness/fixtures"
import { STRIPE_ORIGIN, signStripe, stripeEvent, stripeIntent } from "../../../../integration-tests/harness/stripe"
import { findSecrets } from "../../../lib/payments/redact"
import { GatewayRejectedError, GatewayUnavailableError, PaymentConfigError, PaymentInputError } from "../../../lib/payments/errors"
import StripeProviderService from "../service"

const API_KEY = "sk_test_fake_service_unit"
const WEBHOOK_SECRET = "whsec_test_fake_service"

function provider(options: Record<string, unknown> = {}) {
  const { logger, lines } = capturingLogger()
  const service = new StripeProviderService({ logger }, { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, ...options })
  return { service, lines }
}

let replay: FixtureSession | undefined
const play = (scenario: string, vars: Record<string, string> = {}, origin = STRIPE_ORIGIN) =>
  (replay = FixtureSession.load("stripe", scenario, { origin, bodyFormat: "form", vars }).start())
const inline = (fixture: Omit<FixtureFile, "provider" | "source">, vars: Record<string, string> = {}) =>
  (replay = new FixtureSession({ provider: "stripe", source: "inline", ...fixture }, { origin: STRIPE_ORIGIN, bodyFormat: "form", vars }).start())

/** Stripe's list of a PaymentIntent's refunds (https://docs.stripe.com/api/refunds/list), which the provider reads before each refund. */
const refundList = (paymentIntent: string, data: unknown[] = []) => ({
  request: { method: "GET", path: "/v1/refunds", query: { payment_intent: paymentIntent, limit: "100" } },
  response: { status: 200, body: { object: "list", url: "/v1/refunds", has_more: false, data } },
})

afterEach(() => {
  replay?.stop()
  replay = undefined
})

describe("Stripe options", () => {
  const attempt = (options: Record<string, unknown>, env?: string) => {
    try {
      StripeProviderService.validateOptions(options)
      if (env) {
        const previous = process.env.NODE_ENV
        process.env.NODE_ENV = env
        try {
          StripeProviderService.validateOptions(options)
        } finally {
          process.env.NODE_ENV = previous
        }
      }
      return undefined
    } catch (error) {
      return error as Error
    }
  }

  it("requires apiKey and names it", () => {
    const error = attempt({})
    expect(error).toBeInstanceOf(PaymentConfigError)
    expect(error?.message).toMatch(/`apiKey`: is required but missing/)
  })

  it("refuses a publishable key given as apiKey without printing it", () => {
    const publishable = "pk_test_" + "Z".repeat(30)
    const error = attempt({ apiKey: publishable })
    expect(error?.message).toMatch(/`apiKey`: is a publishable key/)
    expect(error?.message).not.toContain(publishable)
    expect(error?.message).not.toContain("ZZZZ")
  })

  it("requires webhookSecret in production only", () => {
    expect(attempt({ apiKey: API_KEY })).toBeUndefined()
    const error = attempt({ apiKey: API_KEY }, "production")
    expect(error?.message).toMatch(/`webhookSecret`: is required in production/)
  })

  // Stripe's API reference: a PaymentIntent's `description` is at most 1000 characters
  // (https://docs.stripe.com/api/payment_intents/create#create_payment_intent-description,
  // maxLength 1000 in Stripe's OpenAPI spec). A longer option passed the boot and then made
  // Stripe refuse every checkout.
  it("refuses at boot a paymentDescription longer than Stripe's 1000 characters, naming it", () => {
    const error = attempt({ apiKey: API_KEY, paymentDescription: "Ordered at Example ".repeat(60) })
    expect(error).toBeInstanceOf(PaymentConfigError)
    expect(error?.message).toMatch(/`paymentDescription`: must be at most 1000 characters \(Stripe's limit for a PaymentIntent description\)/)
    expect(error?.message).not.toContain("Ordered at Example")
    expect(attempt({ apiKey: API_KEY, paymentDescription: "d".repeat(1000) })).toBeUndefined()
  })

  it("refuses malformed secrets and base URLs, naming each option", () => {
    const error = attempt({ apiKey: "not-a-key-at-all", webhookSecret: "secret-value-1234", apiBaseUrl: "ftp://x", maxNetworkRetries: 50 })
    expect(error?.message).toMatch(/`apiKey`/)
    expect(error?.message).toMatch(/`webhookSecret`/)
    expect(error?.message).toMatch(/`apiBaseUrl`/)
    expect(error?.message).toMatch(/`maxNetworkRetries`/)
    expect(error?.message).not.toContain("not-a-key-at-all")
    expect(error?.message).not.toContain("secret-value-1234")
  })
})

describe("Stripe provider", () => {
  it("can be pointed at another base URL (a proxy, an emulator)", async () => {
    const { service } = provider({ apiBaseUrl: "http://localhost:12111/" })
    const fixture = play("cancel-before-authorize", { session_id: "payses_01BASEURL", payment_id: "pay_01BASEURL" }, "http://localhost:12111")
    const started = await service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01BASEURL" }, context: { idempotency_key: "payses_01BASEURL" } })
    await service.cancelPayment({ data: started.data, context: { idempotency_key: "pay_01BASEURL" } })
    fixture.finish()
  })

  // Creating a PaymentIntent moves no money: Stripe charges only once the intent is
  // confirmed, which Stripe.js does on the storefront
  // (https://docs.stripe.com/payments/paymentintents/lifecycle). An outage there is a
  // failure to retry, not an unknown money outcome.
  it("retries an outage with the same idempotency key, then says Stripe could not be reached and no money moved", async () => {
    const { service, lines } = provider({ maxNetworkRetries: 2 })
    const fixture = play("gateway-outage", { session_id: "payses_01OUTAGE" })
    const failure = await service
      .initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01OUTAGE" }, context: { idempotency_key: "payses_01OUTAGE" } })
      .catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(false)
    expect(failure.message).toMatch(/^Stripe could not be reached to create the payment; no money was moved and it can be tried again/)
    expect(failure.message).not.toMatch(/outcome is unknown/)
    fixture.finish()
    expect(fixture.requests.map((r) => r.headers["idempotency-key"])).toEqual(["payses_01OUTAGE", "payses_01OUTAGE", "payses_01OUTAGE"])
    expect(lines.join("\n")).not.toContain(API_KEY)
  })

  it("keeps an outage during a capture or a refund indeterminate: money may have moved", async () => {
    const { service } = provider({ maxNetworkRetries: 0 })
    const down = { status: 503, body: { error: { type: "api_error", message: "Stripe is temporarily unavailable" } } }
    const fixture = inline({
      scenario: "capture-and-refund-outage",
      interactions: [
        { request: { method: "POST", path: "/v1/payment_intents/pi_3QfxOutage00001/capture" }, response: down },
        refundList("pi_3QfxOutage00001"),
        { request: { method: "POST", path: "/v1/refunds" }, response: down },
      ],
    })
    const authorized = { id: "pi_3QfxOutage00001", status: "requires_capture", amount: 10000, amount_capturable: 10000, currency: "usd" }
    const capture = await service.capturePayment({ data: authorized, context: { idempotency_key: "capt_01OUTAGE" } }).catch((e) => e)
    expect(capture).toBeInstanceOf(GatewayUnavailableError)
    expect(capture.indeterminate).toBe(true)
    expect(capture.message).toMatch(/could not be reached to capture the payment; the outcome is unknown/)
    const captured = { ...authorized, status: "succeeded", amount_capturable: 0, amount_received: 10000 }
    const refund = await service.refundPayment({ amount: 10, data: captured, context: { idempotency_key: "ref_01OUTAGE" } }).catch((e) => e)
    expect(refund.indeterminate).toBe(true)
    expect(refund.message).toMatch(/could not be reached to refund the payment; the outcome is unknown/)
    fixture.finish()
  })

  it("says so when the key Stripe cannot be reached with is the demo's placeholder", async () => {
    const { service } = provider({ apiKey: "sk_test_demo_placeholder", maxNetworkRetries: 0 })
    const fixture = inline({
      scenario: "placeholder-outage",
      interactions: [{ request: { method: "POST", path: "/v1/payment_intents" }, response: { status: 503, body: { error: { type: "api_error", message: "unavailable" } } } }],
    })
    const failure = await service
      .initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01PLACEHOLDER" }, context: { idempotency_key: "payses_01PLACEHOLDER" } })
      .catch((e) => e)
    fixture.finish()
    expect(failure.message).toMatch(/no money was moved and it can be tried again .*Stripe is registered with the demo's placeholder key; put a sandbox key in \.env \(STRIPE_API_KEY\)/)
  })

  it("reports a rejected API key clearly without the key", async () => {
    const { service, lines } = provider()
    const fixture = play("auth-error", { session_id: "payses_01AUTH" })
    const failure = await service
      .initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01AUTH" }, context: { idempotency_key: "payses_01AUTH" } })
      .catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayRejectedError)
    expect(failure.message).toMatch(/Stripe refused to create the payment: the API key was not accepted; check the `apiKey` option/)
    expect(failure.message).not.toContain(API_KEY)
    fixture.finish()
    expect(lines.join("\n")).not.toContain(API_KEY)
    expect(findSecrets(lines.join("\n"))).toEqual([])
  })

  it("cancels the intent of a deleted session so none is left open", async () => {
    const { service } = provider()
    const fixture = play("delete-abandoned", { session_id: "payses_01ABANDONED" })
    const started = await service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01ABANDONED" }, context: { idempotency_key: "payses_01ABANDONED" } })
    const deleted = await service.deletePayment({ data: started.data })
    expect(deleted.data).toEqual(expect.objectContaining({ id: "pi_3QfxAbandoned0001", status: "canceled" }))
    fixture.finish()
  })

  it("does not call Stripe when the amount did not change", async () => {
    const { service } = provider()
    const fixture = play("delete-abandoned", { session_id: "payses_01SAME" })
    const started = await service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01SAME" }, context: { idempotency_key: "payses_01SAME" } })
    const same = await service.updatePayment({ amount: "100.00", currency_code: "usd", data: started.data })
    expect(same).toEqual({ status: "pending", data: started.data })
    await service.deletePayment({ data: started.data })
    fixture.finish()
  })

  it("derives a different key for each update and the same key for a retried one", async () => {
    const { service } = provider()
    const intent = { id: "pi_3QfxUpdate00001", object: "payment_intent", status: "requires_payment_method", amount: 12000, amount_capturable: 0, amount_received: 0, currency: "usd", capture_method: "manual", client_secret: "[REDACTED]", metadata: { session_id: "payses_01UPDATE" }, payment_method_types: ["card"], last_payment_error: null, customer: null, payment_method: null, latest_charge: null }
    const update = (amount: string, key: string) => ({ request: { method: "POST", path: "/v1/payment_intents/pi_3QfxUpdate00001", body: { amount, currency: "usd" }, headers: { "idempotency-key": `{{${key}}}` } }, response: { status: 200, body: { ...intent, amount: Number(amount) } } })
    const fixture = inline({
      scenario: "update-keys",
      interactions: [update("12000", "k1"), update("12000", "k1"), update("10000", "k2"), update("12000", "k3")],
    })
    const data = { id: "pi_3QfxUpdate00001", status: "requires_payment_method", amount: 10000, currency: "usd", session_id: "payses_01UPDATE", update_seq: 0 }
    const first = await service.updatePayment({ amount: 120, currency_code: "usd", data })
    // The same step retried (same input) replays under the same key.
    await service.updatePayment({ amount: 120, currency_code: "usd", data })
    const second = await service.updatePayment({ amount: 100, currency_code: "usd", data: first.data })
    // Back to an earlier amount later: a new update, so a new key (a replayed key would
    // make Stripe answer with the old result and leave the amount unchanged).
    await service.updatePayment({ amount: 120, currency_code: "usd", data: second.data })
    fixture.finish()
    expect(new Set([fixture.vars.k1, fixture.vars.k2, fixture.vars.k3]).size).toBe(3)
    expect(first.data).toEqual(expect.objectContaining({ amount: 12000, update_seq: 1 }))
  })

  // Stripe's API reference, PaymentIntents create, `return_url`: "This parameter can only be
  // used with confirm=true" (https://docs.stripe.com/api/payment_intents/create#create_payment_intent-return_url).
  // Sent without it, Stripe answers 400 and the shopper cannot pay at all.
  it("creates the intent without the storefront's return_url, which belongs to Stripe.js confirmPayment", async () => {
    const { service } = provider()
    const intent = { id: "pi_3QfxReturnUrl001", object: "payment_intent", status: "requires_payment_method", amount: 2500, amount_capturable: 0, amount_received: 0, currency: "eur", capture_method: "manual", client_secret: "[REDACTED]", metadata: { session_id: "payses_01RETURNURL" }, payment_method_types: ["card"], last_payment_error: null, customer: null, payment_method: null, latest_charge: null }
    const fixture = inline({
      scenario: "initiate-with-return-url",
      interactions: [
        {
          request: {
            method: "POST",
            path: "/v1/payment_intents",
            body: { amount: "2500", currency: "eur", capture_method: "manual", metadata: { session_id: "payses_01RETURNURL" } },
            headers: { "idempotency-key": "payses_01RETURNURL" },
          },
          response: { status: 200, body: intent },
        },
      ],
    })
    const started = await service.initiatePayment({
      amount: 25,
      currency_code: "eur",
      data: { session_id: "payses_01RETURNURL", return_url: "https://shop.example.com/checkout/return" },
      context: { idempotency_key: "payses_01RETURNURL" },
    })
    fixture.finish()
    expect(started.status).toBe("pending")
    expect(fixture.requests[0].body).not.toHaveProperty("return_url")
  })

  it("refuses to change the amount of an authorized payment without calling Stripe", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    await expect(
      service.updatePayment({ amount: 50, currency_code: "usd", data: { id: "pi_3QfxAuth0000001", status: "requires_capture", amount: 10000, currency: "usd" } })
    ).rejects.toThrow(/cannot change once it is requires_capture/)
    fixture.finish()
  })

  it("refuses a second capture after Stripe captured once, and refunds only what was captured", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    const captured = { id: "pi_3QfxCaptured001", status: "succeeded", amount: 10000, amount_received: 6000, amount_refunded: 5000, currency: "usd" }
    await expect(service.capturePayment({ data: captured, context: { idempotency_key: "capt_2" } })).rejects.toThrow(
      /already captured \(60\.00 USD\)/
    )
    await expect(service.refundPayment({ amount: 10.01, data: captured, context: { idempotency_key: "ref_9" } })).rejects.toThrow(
      /cannot refund 10\.01 USD .* only 10\.00 USD of the 60\.00 USD captured remains/
    )
    await expect(
      service.refundPayment({ amount: 1, data: { ...captured, status: "requires_capture", amount_received: 0 }, context: { idempotency_key: "ref_8" } })
    ).rejects.toThrow(/nothing captured to refund/)
    fixture.finish()
  })

  // https://docs.stripe.com/currencies, "Special cases": "to charge 5 UGX, provide an
  // amount value of 500". 1000 UGX sent as amount=1000 would be 10 UGX at Stripe.
  it("charges, reads back and refunds UGX as Stripe's two-decimal value with 00 decimals", async () => {
    const { service } = provider()
    const intent = (fields: Record<string, unknown>) => ({ id: "pi_3QfxUgandan0001", object: "payment_intent", amount: 100000, amount_capturable: 0, amount_received: 0, currency: "ugx", capture_method: "manual", client_secret: "[REDACTED]", metadata: { session_id: "payses_01UGX" }, payment_method_types: ["card"], last_payment_error: null, customer: null, payment_method: null, latest_charge: null, ...fields })
    const fixture = inline({
      scenario: "ugx-lifecycle",
      interactions: [
        { request: { method: "POST", path: "/v1/payment_intents", body: { amount: "100000", currency: "ugx", capture_method: "manual", metadata: { session_id: "payses_01UGX" } } }, response: { status: 200, body: intent({ status: "requires_payment_method" }) } },
        { request: { method: "GET", path: "/v1/payment_intents/pi_3QfxUgandan0001" }, response: { status: 200, body: intent({ status: "requires_capture", amount_capturable: 100000 }) } },
        { request: { method: "POST", path: "/v1/payment_intents/pi_3QfxUgandan0001/capture", body: {} }, response: { status: 200, body: intent({ status: "succeeded", amount_received: 100000 }) } },
        refundList("pi_3QfxUgandan0001"),
        { request: { method: "POST", path: "/v1/refunds", body: { payment_intent: "pi_3QfxUgandan0001", amount: "25000", metadata: { session_id: "payses_01UGX", medusa_refund_id: "ref_01UGX" } } }, response: { status: 200, body: { id: "re_3QfxUgandan0001", object: "refund", amount: 25000, currency: "ugx", status: "succeeded", payment_intent: "pi_3QfxUgandan0001" } } },
      ],
    })
    const started = await service.initiatePayment({ amount: 1000, currency_code: "ugx", data: { session_id: "payses_01UGX" }, context: { idempotency_key: "payses_01UGX" } })
    const authorized = await service.authorizePayment({ data: started.data!, context: { idempotency_key: "payses_01UGX" } })
    expect(authorized.status).toBe("authorized")
    const captured = await service.capturePayment({ data: authorized.data!, context: { idempotency_key: "capt_01UGX" } })
    // Refund 250 UGX: 25000 at Stripe, not 250.
    const refunded = await service.refundPayment({ amount: 250, data: captured.data!, context: { idempotency_key: "ref_01UGX" } })
    expect(refunded.data).toEqual(expect.objectContaining({ amount_refunded: 25000 }))
    // A refund beyond what remains is refused in shillings, not hundredths.
    await expect(service.refundPayment({ amount: 800, data: refunded.data!, context: { idempotency_key: "ref_02UGX" } })).rejects.toThrow(
      /cannot refund 800 UGX .* only 750 UGX of the 1000 UGX captured remains/
    )
    fixture.finish()
  })

  it("rounds a three-decimal refund toward zero: 1.005 KWD is refunded as 1.000, never 1.010", async () => {
    const { service } = provider()
    const fixture = inline({
      scenario: "kwd-refund-rounding",
      interactions: [
        refundList("pi_3QfxKuwaiti0001"),
        { request: { method: "POST", path: "/v1/refunds", body: { payment_intent: "pi_3QfxKuwaiti0001", amount: "1000", metadata: { medusa_refund_id: "ref_01KWD" } } }, response: { status: 200, body: { id: "re_3QfxKuwaiti0001", object: "refund", amount: 1000, currency: "kwd", status: "succeeded", payment_intent: "pi_3QfxKuwaiti0001" } } },
      ],
    })
    const captured = { id: "pi_3QfxKuwaiti0001", status: "succeeded", amount: 12340, amount_received: 12340, currency: "kwd" }
    const refunded = await service.refundPayment({ amount: "1.005", data: captured, context: { idempotency_key: "ref_01KWD" } })
    expect(refunded.data).toEqual(expect.objectContaining({ amount_refunded: 1000 }))
    fixture.finish()
  })

  describe("captures that Stripe already holds", () => {
    // What the Payment Module's capture service answers for the capture being recorded
    // (Medusa passes the provider the capture id only).
    const withCaptures = (amounts: Record<string, string>) => {
      const { logger, lines } = capturingLogger()
      const captureService = {
        retrieve: async (id: string) => {
          if (!(id in amounts)) throw new Error(`Capture with id: ${id} was not found`)
          return { amount: Number(amounts[id]), raw_amount: { value: amounts[id], precision: 20 } }
        },
      }
      const service = new StripeProviderService({ logger, captureService }, { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET })
      return { service, lines }
    }
    const authorized = { id: "pi_3QfxDashboard001", status: "requires_capture", amount: 2000, amount_capturable: 2000, amount_received: 0, currency: "usd", session_id: "payses_01DASHBOARD" }
    const intent = (fields: Record<string, unknown>) => ({ id: "pi_3QfxDashboard001", object: "payment_intent", amount: 2000, currency: "usd", capture_method: "manual", client_secret: "[REDACTED]", metadata: { session_id: "payses_01DASHBOARD" }, payment_method_types: ["card"], last_payment_error: null, customer: null, payment_method: null, latest_charge: "ch_3QfxDashboard001", ...fields })
    // Stripe's answer to a capture of an intent that is no longer requires_capture: the
    // error carries the intent (https://docs.stripe.com/error-codes#payment-intent-unexpected-state).
    const unexpectedState = (fields: Record<string, unknown>) => ({
      status: 400,
      body: {
        error: {
          type: "invalid_request_error",
          code: "payment_intent_unexpected_state",
          message: "This PaymentIntent could not be captured because it has a status of succeeded. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
          payment_intent: intent(fields),
        },
      },
    })
    const capture = (body: Record<string, string>, response: { status: number; body: unknown }, key: string) => ({
      request: { method: "POST", path: "/v1/payment_intents/pi_3QfxDashboard001/capture", body, headers: { "idempotency-key": key } },
      response,
    })

    it("refuses to record a capture larger than the one Stripe already made, saying what Stripe holds", async () => {
      // 5.00 captured in Stripe's dashboard, then 15.00 captured in the Medusa admin: Medusa
      // must not book 15.00 that Stripe never took.
      const { service } = withCaptures({ capt_01FIFTEEN: "15" })
      const fixture = inline({
        scenario: "capture-after-dashboard-capture",
        interactions: [capture({ amount_to_capture: "1500" }, unexpectedState({ status: "succeeded", amount_capturable: 0, amount_received: 500 }), "capt_01FIFTEEN")],
      })
      const failure = await service.capturePayment({ data: authorized, context: { idempotency_key: "capt_01FIFTEEN" } }).catch((e) => e)
      fixture.finish()
      expect(failure).toBeInstanceOf(Error)
      expect(failure.message).toMatch(/already captured 5\.00 USD of payment pi_3QfxDashboard001.*not the 15\.00 USD being captured/)
    })

    it("records a capture Stripe already made when it covers what is asked, and the rest of it later without a new call", async () => {
      const { service } = withCaptures({ capt_01FIVE: "5", capt_01TEN: "10", capt_01MORE: "5.01" })
      const fixture = inline({
        scenario: "capture-covered-by-dashboard-capture",
        interactions: [capture({ amount_to_capture: "500" }, unexpectedState({ status: "succeeded", amount_capturable: 0, amount_received: 1500 }), "capt_01FIVE")],
      })
      const first = await service.capturePayment({ data: authorized, context: { idempotency_key: "capt_01FIVE" } })
      expect(first.data).toEqual(expect.objectContaining({ status: "succeeded", amount_received: 1500, amount_captured_recorded: 500 }))
      // Stripe holds 15.00 and Medusa has recorded 5.00: 10.00 more is recorded as it is.
      const second = await service.capturePayment({ data: first.data, context: { idempotency_key: "capt_01TEN" } })
      expect(second.data).toEqual(expect.objectContaining({ amount_captured_recorded: 1500 }))
      fixture.finish()
      // And not a cent beyond what Stripe holds.
      await expect(service.capturePayment({ data: second.data, context: { idempotency_key: "capt_01MORE" } })).rejects.toThrow(/already captured/)
    })

    it("refuses, before calling Stripe, a capture larger than what the intent can capture", async () => {
      const { service } = withCaptures({ capt_01TOOMUCH: "25" })
      const fixture = inline({ scenario: "none", interactions: [] })
      await expect(service.capturePayment({ data: authorized, context: { idempotency_key: "capt_01TOOMUCH" } })).rejects.toThrow(
        /cannot capture 25\.00 USD of payment pi_3QfxDashboard001: 20\.00 USD is authorized/
      )
      fixture.finish()
    })

    it("refuses a partial capture Stripe cannot represent rather than capturing more than Medusa records", async () => {
      // Stripe takes three-decimal currencies in steps of 10 thousandths
      // (https://docs.stripe.com/currencies#three-decimal): 5.125 KWD is 5.120 or 5.130.
      const { service } = withCaptures({ capt_01KWD: "5.125" })
      const fixture = inline({ scenario: "none", interactions: [] })
      const kwd = { ...authorized, id: "pi_3QfxKwdCapture01", currency: "kwd", amount: 10000, amount_capturable: 10000 }
      await expect(service.capturePayment({ data: kwd, context: { idempotency_key: "capt_01KWD" } })).rejects.toThrow(/5\.125 KWD cannot be charged exactly/)
      fixture.finish()
    })
  })

  it("manages the Stripe customer and saved cards", async () => {
    const { service } = provider()
    const fixture = play("customer-and-saved-cards", { customer_id: "cus_01MEDUSA" })
    const customer = { id: "cus_01MEDUSA", email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", billing_address: { address_1: "12 St James's Square", city: "London", postal_code: "SW1Y 4JH", country_code: "gb" } }
    const holder = await service.createAccountHolder({ context: { customer, idempotency_key: "cus_01MEDUSA" } })
    expect(holder).toEqual({ id: "cus_QfxCustomer0001", data: { id: "cus_QfxCustomer0001" } })
    const account_holder = { data: holder.data! }
    await service.updateAccountHolder({ context: { account_holder, customer: { id: "cus_01MEDUSA", email: "ada.lovelace@example.com", first_name: "Ada", last_name: "Lovelace" } } })
    const setup = await service.savePaymentMethod({ context: { account_holder }, data: {} })
    expect(setup).toEqual({ id: "seti_3QfxSetup00001", data: { id: "seti_3QfxSetup00001", client_secret: "[REDACTED]", status: "requires_payment_method" } })
    const methods = await service.listPaymentMethods({ context: { account_holder } })
    expect(methods).toEqual([
      { id: "pm_3QfxSavedCard0001", data: { id: "pm_3QfxSavedCard0001", type: "card", created: 1763856000, card: { brand: "visa", last4: "4242", exp_month: 8, exp_year: 2030, wallet: "link" } } },
    ])
    // What reaches the storefront about a saved card holds no billing details.
    expect(JSON.stringify(methods)).not.toMatch(/ada@example|Lovelace/)
    await service.deletePaymentMethod({ data: { id: "pm_3QfxSavedCard0001" }, context: { account_holder } })
    await service.deleteAccountHolder({ context: { account_holder: { data: { id: "cus_QfxCustomer0001" } } } })
    fixture.finish()
  })

  // Stripe's idempotency: "the idempotency layer compares incoming parameters to those of
  // the original request and errors if they're not the same"
  // (https://docs.stripe.com/api/idempotent_requests). Medusa passes the customer id as the
  // key, so a retry after the customer's details changed would get Stripe's idempotency
  // error; the key is derived from the parameters instead.
  it("derives the customer creation key from the parameters, so a retry with changed details is a new request", async () => {
    const { service } = provider()
    const created = { id: "cus_QfxCustomer0002", object: "customer" }
    const create = (key: string) => ({ request: { method: "POST", path: "/v1/customers", headers: { "idempotency-key": `{{${key}}}` } }, response: { status: 200, body: created } })
    const fixture = inline({ scenario: "customer-keys", interactions: [create("k1"), create("k1"), create("k2")] })
    const customer = { id: "cus_01MEDUSAKEYS", email: "ada@example.com", first_name: "Ada", last_name: "Lovelace" }
    await service.createAccountHolder({ context: { customer, idempotency_key: "cus_01MEDUSAKEYS" } })
    await service.createAccountHolder({ context: { customer, idempotency_key: "cus_01MEDUSAKEYS" } })
    await service.createAccountHolder({ context: { customer: { ...customer, email: "ada.lovelace@example.com" }, idempotency_key: "cus_01MEDUSAKEYS" } })
    fixture.finish()
    expect(fixture.vars.k1).not.toBe(fixture.vars.k2)
    expect(fixture.vars.k1).not.toBe("cus_01MEDUSAKEYS")
  })

  it("refuses to delete a card that belongs to another customer", async () => {
    const { service } = provider()
    const fixture = inline({
      scenario: "foreign-card",
      interactions: [{ request: { method: "GET", path: "/v1/payment_methods/pm_3QfxForeign00001" }, response: { status: 200, body: { id: "pm_3QfxForeign00001", object: "payment_method", type: "card", customer: "cus_SomeoneElse001" } } }],
    })
    await expect(
      service.deletePaymentMethod({ data: { id: "pm_3QfxForeign00001" }, context: { account_holder: { data: { id: "cus_QfxCustomer0001" } } } })
    ).rejects.toThrow(/does not belong to this customer/)
    fixture.finish()
  })

  it("refuses, before calling Stripe, a payment its eligibility rules exclude", async () => {
    const { service } = provider({ allowedCurrencies: ["EUR", "USD"], maxAmount: { USD: 500 } })
    const fixture = inline({ scenario: "none", interactions: [] })
    await expect(
      service.initiatePayment({ amount: 500.01, currency_code: "usd", data: { session_id: "payses_01LIMIT" }, context: { idempotency_key: "payses_01LIMIT" } })
    ).rejects.toThrow("Card payment is limited to orders up to 500.00 USD")
    await expect(
      service.initiatePayment({ amount: 10, currency_code: "jpy", data: { session_id: "payses_01LIMIT" }, context: { idempotency_key: "payses_01LIMIT" } })
    ).rejects.toThrow("Card payment is only available in EUR and USD, not JPY")
    await expect(
      service.updatePayment({ amount: 600, currency_code: "usd", data: { id: "pi_3QfxLimit000001", status: "requires_payment_method", amount: 10000, currency: "usd" } })
    ).rejects.toThrow(/limited to orders up to 500\.00 USD/)
    fixture.finish()
  })

  it("ignores webhooks, with a warning, when no signing secret is configured", async () => {
    const { logger, lines } = capturingLogger()
    const service = new StripeProviderService({ logger }, { apiKey: API_KEY })
    const result = await service.getWebhookActionAndData({ data: {}, rawData: Buffer.from("{}"), headers: { "stripe-signature": "t=1,v1=abc" } })
    expect(result).toEqual({ action: "not_supported" })
    expect(lines).toEqual([expect.stringMatching(/^warn Stripe: a webhook arrived but `webhookSecret` is not configured/)])
  })
})

describe("Stripe saved payment methods", () => {
  const account_holder = { data: { id: "cus_QfxCustomer0001" } }
  const SAVED = "pm_3QfxSavedCard0001"
  const waiting = (id: string, session_id = "payses_01SAVED") => ({ id, status: "requires_confirmation", amount: 10000, currency: "usd", session_id, payment_method: SAVED, customer: "cus_QfxCustomer0001" })

  // https://docs.stripe.com/payments/save-during-payment#charge-saved-payment-method: the
  // customer and the saved payment method on the intent, confirmed on the server.
  it("pays with a saved card at cart completion: the intent is confirmed on the server, once, with its own key", async () => {
    const { service } = provider()
    const fixture = play("saved-card-payment", { session_id: "payses_01SAVED" })
    const session = await service.initiatePayment({
      amount: 100,
      currency_code: "usd",
      data: { session_id: "payses_01SAVED", payment_method: SAVED },
      context: { idempotency_key: "payses_01SAVED", account_holder: account_holder as never },
    })
    // Waiting for confirmation is not a payment yet.
    expect(session).toEqual(expect.objectContaining({ id: "pi_3QfxSavedPay0001", status: "pending" }))
    expect(session.data).toEqual(expect.objectContaining({ status: "requires_confirmation", payment_method: SAVED, customer: "cus_QfxCustomer0001" }))

    const authorized = await service.authorizePayment({ data: session.data!, context: { idempotency_key: "payses_01SAVED" } })
    expect(authorized.status).toBe("authorized")
    expect(authorized.data).toEqual(expect.objectContaining({ id: "pi_3QfxSavedPay0001", status: "requires_capture", amount_capturable: 10000, session_id: "payses_01SAVED" }))
    // Stripe's idempotency keys are the account's: the session id already created the intent.
    expect(fixture.vars.confirm_key).toMatch(/^[0-9a-f]{40}$/)
    expect(fixture.vars.confirm_key).not.toBe("payses_01SAVED")
    // The confirmation sends no off_session: the shopper is at the checkout.
    const confirm = fixture.requests.find((r) => r.path.endsWith("/confirm"))!
    expect(confirm.body ?? {}).toEqual({})

    // Medusa authorizes again (a retried step): the intent is read, not confirmed twice.
    const again = await service.authorizePayment({ data: authorized.data!, context: { idempotency_key: "payses_01SAVED" } })
    expect(again.status).toBe("authorized")
    fixture.finish()
    expect(fixture.mutatingRequests().map((r) => r.path)).toEqual(["/v1/payment_intents", "/v1/payment_intents/pi_3QfxSavedPay0001/confirm"])
  })

  // https://docs.stripe.com/payments/save-and-reuse#charge-saved-payment-method: "off_session
  // to true to indicate that the customer isn't in your checkout flow during this payment
  // attempt"; for a merchant's own workflow (an order edit, a charge after delivery), never
  // for a storefront (the store route refuses it).
  it("charges a saved card off-session for the merchant's own workflow: the confirmation says off_session", async () => {
    const { service } = provider()
    const fixture = play("saved-card-off-session", { session_id: "payses_01OFFSESSION" })
    const session = await service.initiatePayment({
      amount: 100,
      currency_code: "usd",
      data: { session_id: "payses_01OFFSESSION", payment_method: SAVED, off_session: true },
      context: { idempotency_key: "payses_01OFFSESSION", account_holder: account_holder as never },
    })
    const authorized = await service.authorizePayment({ data: session.data!, context: { idempotency_key: "payses_01OFFSESSION" } })
    expect(authorized.status).toBe("authorized")
    fixture.finish()
    const confirm = fixture.requests.find((r) => r.path.endsWith("/confirm"))!
    expect(confirm.body).toEqual({ off_session: "true" })
  })

  it("marks no payment off-session without a saved card and a customer", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    // A guest (no account holder) asking for off_session with a card: refused before Stripe.
    await expect(
      service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01OFFGUEST", payment_method: SAVED, off_session: true }, context: { idempotency_key: "payses_01OFFGUEST" } })
    ).rejects.toThrow("Stripe: an off-session payment needs the customer's account holder and one of their saved payment methods")
    fixture.finish()
  })

  it("reads a saved card the issuer declines as the session's error, not a crash", async () => {
    const { service } = provider()
    const fixture = play("saved-card-declined", { session_id: "payses_01SAVED" })
    const declined = await service.authorizePayment({ data: waiting("pi_3QfxSavedDecl0001"), context: { idempotency_key: "payses_01SAVED" } })
    expect(declined.status).toBe("error")
    expect(declined.data).toEqual(
      expect.objectContaining({ status: "requires_payment_method", last_payment_error: { code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds." } })
    )
    fixture.finish()
  })

  it("leaves a saved card that needs 3D Secure to the shopper (requires_more), then reads it authorized", async () => {
    const { service } = provider()
    const fixture = play("saved-card-requires-action", { session_id: "payses_01SAVED" })
    const first = await service.authorizePayment({ data: waiting("pi_3QfxSaved3ds00001"), context: { idempotency_key: "payses_01SAVED" } })
    expect(first.status).toBe("requires_more")
    // The storefront runs Stripe.js's handleNextAction with the client secret it holds.
    expect(first.data).toEqual(expect.objectContaining({ status: "requires_action", client_secret: "[REDACTED]" }))
    expect(first.data).not.toHaveProperty("next_action")
    const second = await service.authorizePayment({ data: first.data!, context: { idempotency_key: "payses_01SAVED" } })
    expect(second.status).toBe("authorized")
    fixture.finish()
  })

  it("saves the card during the purchase only for a customer with an account holder", async () => {
    const { service } = provider()
    const fixture = play("save-during-payment", { session_id: "payses_01SAVEDURING", guest_session_id: "payses_01SAVEGUEST" })
    const customer = await service.initiatePayment({
      amount: 100,
      currency_code: "usd",
      data: { session_id: "payses_01SAVEDURING", save_payment_method: true },
      context: { idempotency_key: "payses_01SAVEDURING", account_holder: account_holder as never },
    })
    expect(customer.status).toBe("pending")
    // A guest's box is no error: Stripe has no customer to keep the card for.
    const guest = await service.initiatePayment({
      amount: 100,
      currency_code: "usd",
      data: { session_id: "payses_01SAVEGUEST", save_payment_method: true, setup_future_usage: "off_session" },
      context: { idempotency_key: "payses_01SAVEGUEST" },
    })
    expect(guest.data).toEqual(expect.objectContaining({ id: "pi_3QfxSaveGuest0001", customer: null }))
    fixture.finish()
  })

  it("detaches nothing without the account holder that owns the card", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    await expect(service.deletePaymentMethod({ data: { id: SAVED }, context: {} })).rejects.toThrow(
      "Stripe: deleting a payment method needs the customer's account holder"
    )
    fixture.finish()
  })
})

describe("Stripe gateway events (readGatewayEvent)", () => {
  const session_id = "payses_01GATEWAYEVENT"
  const payload = (body: string, headers: Record<string, string>) => ({ data: JSON.parse(body), rawData: Buffer.from(body), headers })
  const signed = (body: string, options: { timestampSeconds?: number; secret?: string } = {}) => payload(body, signStripe(body, { secret: WEBHOOK_SECRET, ...options }))
  const intentOf = (fields: Record<string, unknown> = {}) => stripeIntent(session_id, { id: "pi_3QfxGatewayEvt001", ...fields } as never)
  const refundObject = (fields: Record<string, unknown> = {}) => ({
    id: "re_3QfxGatewayEvt001",
    object: "refund",
    amount: 2500,
    currency: "usd",
    status: "succeeded",
    payment_intent: "pi_3QfxGatewayEvt001",
    charge: "ch_3QfxGatewayEvt001",
    metadata: {},
    ...fields,
  })
  const lookup = (body: unknown, status = 200) => ({ request: { method: "GET", path: "/v1/payment_intents/pi_3QfxGatewayEvt001" }, response: { status, body } })

  it("says the whole outcome of a signed PaymentIntent event without calling Stripe", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    const body = stripeEvent("payment_intent.succeeded", intentOf({ status: "succeeded", amount: 12000, amount_received: 12000 }))
    const verdict = await service.readGatewayEvent(signed(body))
    fixture.finish()
    expect(verdict).toEqual({
      verified: true,
      outcome: {
        event_id: JSON.parse(body).id,
        event_type: "payment_intent.succeeded",
        occurred_at: new Date(JSON.parse(body).created * 1000).toISOString(),
        kind: "captured",
        session_id,
        amount: "120.00",
        currency_code: "usd",
        captured_total: "120.00",
      },
    })
  })

  it("refuses, with the reason, what getWebhookActionAndData refuses: forged, tampered, stale and unsigned events", async () => {
    const { service, lines } = provider()
    const body = stripeEvent("payment_intent.succeeded", intentOf({ status: "succeeded", amount_received: 12000 }))
    const cases = [
      signed(body, { secret: "whsec_not_the_store_secret" }),
      payload(body.replace('"amount_received":12000', '"amount_received":120000'), signStripe(body, { secret: WEBHOOK_SECRET })),
      signed(body, { timestampSeconds: Math.floor(Date.now() / 1000) - 3600 }),
      payload(body, { "content-type": "application/json" }),
    ]
    for (const delivery of cases) {
      const verdict = await service.readGatewayEvent(delivery)
      expect(verdict).toEqual({ verified: false, reason: expect.stringMatching(/signature did not verify/) })
      await expect(service.getWebhookActionAndData(delivery)).resolves.toEqual({ action: "not_supported" })
    }
    expect(lines.filter((line) => /rejected a webhook whose signature did not verify/.test(line))).toHaveLength(cases.length * 2)
  })

  it("refuses every event when no signing secret is configured", async () => {
    const { logger } = capturingLogger()
    const service = new StripeProviderService({ logger }, { apiKey: API_KEY })
    const body = stripeEvent("payment_intent.succeeded", intentOf())
    await expect(service.readGatewayEvent(signed(body))).resolves.toEqual({ verified: false, reason: expect.stringMatching(/`webhookSecret` is not configured/) })
  })

  it("reads a refund made in Stripe's dashboard, finding its session through the PaymentIntent", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "refund-lookup", interactions: [lookup(intentOf({ status: "succeeded" }))] })
    const body = stripeEvent("refund.created", refundObject())
    const verdict = await service.readGatewayEvent(signed(body))
    fixture.finish()
    expect(verdict).toEqual({
      verified: true,
      outcome: expect.objectContaining({ kind: "refunded", session_id, refund_id: "re_3QfxGatewayEvt001", amount: "25.00", currency_code: "usd", made_by_store: false, status: "succeeded" }),
    })
    // Medusa's own contract has no refund action.
    await expect(service.getWebhookActionAndData(signed(body))).resolves.toEqual({ action: "not_supported" })
  })

  it("knows its own refunds by the Medusa refund id in their metadata", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "own-refund-lookup", interactions: [lookup(intentOf({ status: "succeeded" }))] })
    const body = stripeEvent("refund.updated", refundObject({ metadata: { session_id, medusa_refund_id: "ref_01OWNREFUND" } }))
    const verdict = await service.readGatewayEvent(signed(body))
    fixture.finish()
    expect(verdict).toEqual({ verified: true, outcome: expect.objectContaining({ kind: "refunded", made_by_store: true }) })
  })

  it("ignores a refund or a dispute of a PaymentIntent this store did not create, or that Stripe no longer has", async () => {
    const { service } = provider()
    const missing = { error: { type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent: 'pi_3QfxGatewayEvt001'" } }
    const fixture = inline({ scenario: "foreign-lookups", interactions: [lookup(intentOf({ metadata: {} })), lookup(missing, 404)] })
    const refund = await service.readGatewayEvent(signed(stripeEvent("refund.created", refundObject())))
    const dispute = await service.readGatewayEvent(
      signed(stripeEvent("charge.dispute.created", { id: "dp_3QfxGatewayEvt001", object: "dispute", amount: 12000, currency: "usd", reason: "fraudulent", status: "needs_response", payment_intent: "pi_3QfxGatewayEvt001", evidence_details: { due_by: null } }))
    )
    fixture.finish()
    expect(refund).toEqual({ verified: true, outcome: expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/carries no Medusa payment session id/) }) })
    expect(dispute).toEqual({ verified: true, outcome: expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/carries no Medusa payment session id/) }) })
  })

  it("reads a dispute, with the evidence due date", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "dispute-lookup", interactions: [lookup(intentOf({ status: "succeeded" }))] })
    const body = stripeEvent("charge.dispute.closed", { id: "dp_3QfxGatewayEvt001", object: "dispute", amount: 12000, currency: "usd", reason: "product_not_received", status: "lost", payment_intent: "pi_3QfxGatewayEvt001", evidence_details: { due_by: 1765411200 } })
    const verdict = await service.readGatewayEvent(signed(body))
    fixture.finish()
    expect(verdict).toEqual({
      verified: true,
      outcome: expect.objectContaining({ kind: "dispute", session_id, dispute_id: "dp_3QfxGatewayEvt001", status: "lost", amount: "120.00", reason: "product_not_received", evidence_due_by: "2025-12-11T00:00:00.000Z" }),
    })
  })

  it("fails the delivery rather than guess when Stripe cannot be reached to look up the PaymentIntent", async () => {
    const { service } = provider({ maxNetworkRetries: 0 })
    const fixture = inline({ scenario: "lookup-outage", interactions: [lookup({ error: { type: "api_error", message: "unavailable" } }, 503)] })
    await expect(service.readGatewayEvent(signed(stripeEvent("refund.created", refundObject())))).rejects.toBeInstanceOf(GatewayUnavailableError)
    fixture.finish()
  })
})

describe("Stripe refunds made outside Medusa", () => {
  const captured = {
    id: "pi_3QfxExternal00001",
    status: "succeeded",
    amount: 10000,
    amount_received: 10000,
    currency: "usd",
    session_id: "payses_01EXTERNAL",
  }
  const noted = (amount: string, refund_id = "re_3QfxDashboard0001") => ({ refund_id, amount, currency_code: "usd", recorded_at: null })

  it("marks its own refunds with the Medusa refund id", async () => {
    const { service } = provider()
    const fixture = inline({
      scenario: "refund-mark",
      interactions: [
        refundList("pi_3QfxExternal00001"),
        {
          request: { method: "POST", path: "/v1/refunds", body: { payment_intent: "pi_3QfxExternal00001", amount: "1500", metadata: { session_id: "payses_01EXTERNAL", medusa_refund_id: "ref_01MARKED" } }, headers: { "idempotency-key": "ref_01MARKED" } },
          response: { status: 200, body: { id: "re_3QfxMarked000001", object: "refund", amount: 1500, currency: "usd", status: "succeeded", payment_intent: "pi_3QfxExternal00001" } },
        },
      ],
    })
    await service.refundPayment({ amount: 15, data: captured, context: { idempotency_key: "ref_01MARKED" } })
    fixture.finish()
  })

  it("records a refund noted from Stripe's dashboard without calling Stripe, in its refunds and totals", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    const data = { ...captured, amount_refunded: 1000, refunds: [{ id: "re_3QfxEarlier00001", amount: 1000, status: "succeeded" }], external_refunds: [noted("25.00")] }
    const result = await service.refundPayment({ amount: 25, data, context: { idempotency_key: "ref_01RECORDED" } })
    fixture.finish()
    expect(result.data).toEqual(
      expect.objectContaining({
        amount_refunded: 3500,
        refunds: [
          { id: "re_3QfxEarlier00001", amount: 1000, status: "succeeded" },
          { id: "re_3QfxDashboard0001", amount: 2500, status: null },
        ],
        external_refunds: [{ ...noted("25.00"), recorded_at: expect.any(String) }],
      })
    )
  })

  it("does not take a noted refund for a refund of another amount, and sends none while Stripe's is not recorded yet", async () => {
    const { service } = provider()
    const dashboard = { id: "re_3QfxDashboard0001", object: "refund", amount: 2500, currency: "usd", status: "succeeded", payment_intent: "pi_3QfxExternal00001", metadata: {} }
    const fixture = inline({
      scenario: "refund-other-amount",
      interactions: [
        refundList("pi_3QfxExternal00001", [dashboard]),
        refundList("pi_3QfxExternal00001", [dashboard]),
        {
          request: { method: "POST", path: "/v1/refunds", body: { payment_intent: "pi_3QfxExternal00001", amount: "2400", metadata: { session_id: "payses_01EXTERNAL", medusa_refund_id: "ref_01OTHER" } } },
          response: { status: 200, body: { id: "re_3QfxOther0000001", object: "refund", amount: 2400, currency: "usd", status: "succeeded", payment_intent: "pi_3QfxExternal00001" } },
        },
      ],
    })
    // The dashboard's 25.00 is noted and being recorded: a refund of 24.00 meanwhile is refused.
    await expect(service.refundPayment({ amount: 24, data: { ...captured, external_refunds: [noted("25.00")] }, context: { idempotency_key: "ref_01OTHER" } })).rejects.toThrow(
      /already has refund re_3QfxDashboard0001 of 25\.00 USD \(made outside Medusa, in Stripe's dashboard or by another integration; being recorded from Stripe's answer\) that Medusa has not recorded; nothing was refunded now/
    )
    // Recorded (the refund that records it, without calling Stripe), it is not counted again.
    const recorded = await service.refundPayment({ amount: 25, data: { ...captured, external_refunds: [noted("25.00")] }, context: { idempotency_key: "ref_01RECORDS" } })
    const result = await service.refundPayment({ amount: 24, data: recorded.data!, context: { idempotency_key: "ref_01OTHER" } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ amount_refunded: 4900, external_refunds: [{ ...noted("25.00"), recorded_at: expect.any(String) }] }))
  })

  it("keeps the noted refunds in the data through the other calls", async () => {
    const { service } = provider()
    const intent = stripeIntent("payses_01EXTERNAL", { id: "pi_3QfxExternal00001", status: "succeeded", amount: 10000, amount_received: 10000 } as never)
    const fixture = inline({ scenario: "retrieve", interactions: [{ request: { method: "GET", path: "/v1/payment_intents/pi_3QfxExternal00001" }, response: { status: 200, body: intent } }] })
    const external_refunds = [{ ...noted("25.00"), recorded_at: "2026-12-01T10:00:00.000Z" }]
    const result = await service.retrievePayment({ data: { ...captured, external_refunds } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ external_refunds }))
  })
})

/**
 * Before a refund is sent, the intent's refunds at Stripe against the session's: Medusa deletes
 * its refund when the provider throws, so after a lost answer the admin's refund again has a
 * new id, hence a new Idempotency-Key, and Stripe would refund twice.
 */
describe("Stripe refunds the session does not record", () => {
  const PI = "pi_3QfxUnrecorded001"
  const captured = { id: PI, status: "succeeded", amount: 10000, amount_received: 10000, currency: "usd", session_id: "payses_01UNRECORDED" }
  const stripeRefund = (id: string, amount: number, fields: Record<string, unknown> = {}) => ({
    id, object: "refund", amount, currency: "usd", status: "succeeded", payment_intent: PI, charge: "ch_3QfxUnrecorded001", created: 1764590400, reason: null, ...fields,
  })
  const post = (key: string, amount: number, id: string) => ({
    request: { method: "POST", path: "/v1/refunds", body: { payment_intent: PI, amount: String(amount), metadata: { session_id: "payses_01UNRECORDED", medusa_refund_id: key } }, headers: { "idempotency-key": key } },
    response: { status: 200, body: stripeRefund(id, amount, { metadata: { session_id: "payses_01UNRECORDED", medusa_refund_id: key } }) },
  })
  /** The provider as the Payment Module registers it: its container has the module's refund service. */
  const inModule = (existing: string[]) => {
    const { logger } = capturingLogger()
    const asked: unknown[] = []
    const refundService = {
      retrieve: async () => ({ id: "unused", note: null }),
      list: async (filters: { id: string[] }) => {
        asked.push(filters)
        return filters.id.filter((id) => existing.includes(id)).map((id) => ({ id }))
      },
    }
    return { service: new StripeProviderService({ logger, refundService }, { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET }), asked }
  }

  it("names a marked refund whose Medusa refund is gone as one whose answer was lost, and sends nothing", async () => {
    const { service, asked } = inModule([])
    const lost = stripeRefund("re_3QfxLostAnswer001", 2000, { metadata: { session_id: "payses_01UNRECORDED", medusa_refund_id: "ref_01GONE" } })
    const fixture = inline({ scenario: "lost-refund-refused", interactions: [refundList(PI, [lost])] })
    const error = await service.refundPayment({ amount: 20, data: captured, context: { idempotency_key: "ref_01AGAIN" } }).catch((e) => e)
    fixture.finish()
    expect(error).toBeInstanceOf(PaymentInputError)
    expect(error.message).toBe(
      "Stripe: payment pi_3QfxUnrecorded001 already has refund re_3QfxLostAnswer001 of 20.00 USD (made by this store for Medusa refund ref_01GONE, " +
        "which Medusa no longer has: its answer was lost) that Medusa has not recorded; nothing was refunded now, so nothing is refunded twice. " +
        "Stripe's refund event or the admin's \"Check with the gateway\" (the reconciliation) records it in Medusa; then refund only what is still owed"
    )
    expect(asked).toEqual([{ id: ["ref_01GONE"] }])
  })

  it("says a lost refund still pending at Stripe is recorded once it succeeds", async () => {
    const { service } = inModule([])
    const pending = stripeRefund("re_3QfxLostPending01", 2000, { status: "pending", metadata: { medusa_refund_id: "ref_01GONE" } })
    const fixture = inline({ scenario: "lost-refund-pending", interactions: [refundList(PI, [pending])] })
    await expect(service.refundPayment({ amount: 30, data: captured, context: { idempotency_key: "ref_01AGAIN" } })).rejects.toThrow(
      /refund re_3QfxLostPending01 of 20\.00 USD \(made by this store for Medusa refund ref_01GONE, which Medusa no longer has: its answer was lost; pending at Stripe, recorded once it succeeds\)/
    )
    fixture.finish()
  })

  it("takes a marked refund whose Medusa refund exists (made meanwhile, its data not seen yet) for Medusa's, and refunds", async () => {
    const { service } = inModule(["ref_01MEANWHILE"])
    const meanwhile = stripeRefund("re_3QfxMeanwhile0001", 2000, { metadata: { session_id: "payses_01UNRECORDED", medusa_refund_id: "ref_01MEANWHILE" } })
    const fixture = inline({ scenario: "refund-made-meanwhile", interactions: [refundList(PI, [meanwhile]), post("ref_01NEXT", 3000, "re_3QfxNext00000001")] })
    const result = await service.refundPayment({ amount: 30, data: captured, context: { idempotency_key: "ref_01NEXT" } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ amount_refunded: 3000, refunds: [{ id: "re_3QfxNext00000001", amount: 3000, status: "succeeded" }] }))
  })

  it("records a refund Stripe made under this very Medusa refund without asking Stripe to refund again", async () => {
    const { service } = provider()
    const made = stripeRefund("re_3QfxThisRefund001", 2000, { metadata: { session_id: "payses_01UNRECORDED", medusa_refund_id: "ref_01THIS" } })
    const fixture = inline({ scenario: "refund-made-under-this-key", interactions: [refundList(PI, [made])] })
    const result = await service.refundPayment({ amount: 20, data: captured, context: { idempotency_key: "ref_01THIS" } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ amount_refunded: 2000, refunds: [{ id: "re_3QfxThisRefund001", amount: 2000, status: "succeeded" }] }))
  })

  it("refuses a marked refund outside the Payment Module, where whether its Medusa refund exists cannot be read", async () => {
    const { service } = provider()
    const marked = stripeRefund("re_3QfxUnreadMark001", 2000, { metadata: { medusa_refund_id: "ref_01ELSEWHERE" } })
    const fixture = inline({ scenario: "mark-unread", interactions: [refundList(PI, [marked])] })
    await expect(service.refundPayment({ amount: 20, data: captured, context: { idempotency_key: "ref_01AGAIN" } })).rejects.toThrow(
      /refund re_3QfxUnreadMark001 of 20\.00 USD \(made by this store for Medusa refund ref_01ELSEWHERE, which this payment does not record\)/
    )
    fixture.finish()
  })

  it("takes a refund this store made before refunds carried the Medusa refund id for Medusa's, as the reconciliation does", async () => {
    const { service } = provider()
    const older = stripeRefund("re_3QfxOlderMark0001", 2000, { metadata: { session_id: "payses_01UNRECORDED" } })
    const fixture = inline({ scenario: "older-store-refund", interactions: [refundList(PI, [older]), post("ref_01AFTER", 1000, "re_3QfxAfter0000001")] })
    const result = await service.refundPayment({ amount: 10, data: captured, context: { idempotency_key: "ref_01AFTER" } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ amount_refunded: 1000 }))
  })

  it("leaves refunds that failed or were canceled at Stripe out: nothing was returned", async () => {
    const { service } = provider()
    const fixture = inline({
      scenario: "failed-refunds-left-out",
      interactions: [
        refundList(PI, [
          stripeRefund("re_3QfxFailed0000001", 2000, { status: "failed", metadata: { medusa_refund_id: "ref_01GONE" } }),
          stripeRefund("re_3QfxCanceled00001", 1000, { status: "canceled" }),
        ]),
        post("ref_01AFTER", 2000, "re_3QfxAfter0000001"),
      ],
    })
    const result = await service.refundPayment({ amount: 20, data: captured, context: { idempotency_key: "ref_01AFTER" } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ amount_refunded: 2000 }))
  })

  it("refuses when Stripe's refunds add up to more than the session records, even with each one named", async () => {
    const { service } = provider()
    const known = stripeRefund("re_3QfxKnown00000001", 2000, { metadata: { medusa_refund_id: "ref_01KNOWN" } })
    const fixture = inline({ scenario: "totals-differ", interactions: [refundList(PI, [known])] })
    const data = { ...captured, amount_refunded: 1000, refunds: [{ id: "re_3QfxKnown00000001", amount: 2000, status: "succeeded" }] }
    await expect(service.refundPayment({ amount: 10, data, context: { idempotency_key: "ref_01MORE" } })).rejects.toThrow(
      /payment pi_3QfxUnrecorded001 has 20\.00 USD refunded at Stripe, more than the 10\.00 USD Medusa has recorded; nothing was refunded now/
    )
    fixture.finish()
  })

  it("sends no refund when Stripe cannot be asked, and says no money was moved", async () => {
    const { service } = provider({ maxNetworkRetries: 0 })
    const down = { status: 503, body: { error: { type: "api_error", message: "Stripe is temporarily unavailable" } } }
    const fixture = inline({ scenario: "list-outage", interactions: [{ request: refundList(PI).request, response: down }] })
    const error = await service.refundPayment({ amount: 20, data: captured, context: { idempotency_key: "ref_01DOWN" } }).catch((e) => e)
    fixture.finish()
    expect(error).toBeInstanceOf(GatewayUnavailableError)
    expect(error.indeterminate).toBe(false)
    expect(error.message).toMatch(/could not be reached to look at the payment's refunds before refunding; no money was moved/)
  })
})

/**
 * What the admin and the reconciliation read (`GatewayPaymentInspector`): a pure description
 * (label, PaymentIntent id, a deep link into Stripe's dashboard in the keys' mode) and one
 * read-only look at Stripe (the PaymentIntent with its latest charge expanded, then the
 * charge's refunds when it was captured), replayed from fixtures in Stripe's shapes.
 */
describe("Stripe: describing and inspecting a payment", () => {
  const LIVE_KEY = "sk_live_fake_service_unit_describe"
  const session = (id: string) => ({ id, status: "requires_payment_method", amount: 10000, currency: "usd", session_id: "payses_01INSPECTSTRIPE0000001" })

  // https://docs.stripe.com/currencies#three-decimal: amounts in three-decimal currencies are
  // charged in steps of ten minor units; ISK and UGX are two-decimal values with 00 decimals.
  it("says what Stripe charges for a Medusa amount, as the PaymentIntent was created", () => {
    const { service } = provider()
    expect(service.chargedAmount("5.125", "kwd")).toBe("5.130")
    expect(service.chargedAmount("5.124", "kwd")).toBe("5.120")
    expect(service.chargedAmount("19.99", "usd")).toBe("19.99")
    expect(service.chargedAmount("1000", "ugx")).toBe("1000")
    expect(service.chargedAmount("500", "jpy")).toBe("500")
  })

  it("names the payment as the store names the method, with its PaymentIntent and a link into the test dashboard", () => {
    const { service } = provider()
    expect(service.describePayment(session("pi_3QfxDescribe0001"))).toEqual({
      label: `${StripeProviderService.eligibilityLabel} (Stripe)`,
      gateway: "stripe",
      reference: { label: "PaymentIntent", value: "pi_3QfxDescribe0001" },
      dashboard_url: "https://dashboard.stripe.com/test/payments/pi_3QfxDescribe0001",
      mode: "test",
    })
    expect(service.describePayment({}).label).toBe("Card payment (Stripe)")
  })

  it("links into the live dashboard with live keys, restricted keys included", () => {
    for (const apiKey of [LIVE_KEY, "rk_live_fake_service_unit_describe"]) {
      const { service } = provider({ apiKey })
      expect(service.describePayment(session("pi_3QfxDescribe0001"))).toEqual(
        expect.objectContaining({ dashboard_url: "https://dashboard.stripe.com/payments/pi_3QfxDescribe0001", mode: "live" })
      )
    }
  })

  it("describes empty or foreign data with its name only, without throwing", () => {
    const { service } = provider()
    const only = { label: "Card payment (Stripe)", gateway: "stripe", mode: "test" }
    expect(service.describePayment({})).toEqual(only)
    // Built at run time, so this file holds nothing the secrets lint would take for a client secret.
    const clientSecret = ["pi_3QfxDescribe0001", "secret", "abcdefghijklmnop"].join("_")
    expect(service.describePayment({ id: "not-an-intent", client_secret: clientSecret })).toEqual(only)
    expect(service.describePayment(null as never)).toEqual(only)
  })

  it("never copies anything else of the data: no client secret, no customer, no card", () => {
    const { service } = provider()
    const description = service.describePayment({
      ...session("pi_3QfxDescribe0001"),
      client_secret: ["pi_3QfxDescribe0001", "secret", "abcdefghijklmnop"].join("_"),
      customer: "cus_3QfxShopper0001",
      payment_method: "pm_3QfxCardVisa0001",
      last_payment_error: { code: "card_declined", decline_code: null, message: "Your card was declined." },
    })
    expect(JSON.stringify(description)).not.toMatch(/secret|cus_|pm_|declined/)
  })

  const inspectStatuses = [
    ["pi_3QfxInspect01pending", "pending", "requires_payment_method"],
    ["pi_3QfxInspect02declined", "error", "requires_payment_method"],
    ["pi_3QfxInspect03confirm", "pending", "requires_confirmation"],
    ["pi_3QfxInspect04action", "requires_more", "requires_action"],
    ["pi_3QfxInspect05processing", "pending", "processing"],
    ["pi_3QfxInspect06authorized", "authorized", "requires_capture"],
    ["pi_3QfxInspect07captured", "captured", "succeeded"],
    ["pi_3QfxInspect08canceled", "canceled", "canceled"],
  ] as const

  it("maps every PaymentIntent status, asking for the refunds of a captured charge only", async () => {
    const { service } = provider()
    const fixture = play("inspect-status-mapping")
    const seen: Array<[string, string, string | undefined]> = []
    for (const [id] of inspectStatuses) {
      const snapshot = await service.inspectPayment(session(id))
      seen.push([id, snapshot.status, snapshot.gateway_status])
    }
    fixture.finish()
    expect(seen).toEqual(inspectStatuses.map(([id, status, gateway]) => [id, status, gateway]))
    // Read-only: nothing but GETs.
    expect(fixture.mutatingRequests()).toEqual([])
  })

  it("gives amounts in major units, the decline and cancellation reasons, and counts a released authorization as no refund", async () => {
    const { service } = provider()
    const fixture = play("inspect-status-mapping")
    const snapshots = []
    for (const [id] of inspectStatuses) snapshots.push(await service.inspectPayment(session(id)))
    fixture.finish()
    const [pending, declined, , , , authorized, captured, canceled] = snapshots
    expect(pending).toEqual({ status: "pending", gateway_status: "requires_payment_method", currency_code: "usd", amount: "100.00", captured_amount: "0.00", refunded_amount: "0.00", refunds: [] })
    expect(declined.reason).toBe("card_declined (insufficient_funds): Your card has insufficient funds.")
    expect(authorized).toEqual({
      status: "authorized",
      gateway_status: "requires_capture",
      currency_code: "usd",
      amount: "100.00",
      captured_amount: "0.00",
      refunded_amount: "0.00",
      refunds: [],
      authorization_expires_at: "2025-11-30T00:00:00.000Z",
    })
    expect(captured).toEqual({ status: "captured", gateway_status: "succeeded", currency_code: "usd", amount: "100.00", captured_amount: "100.00", refunded_amount: "0.00", refunds: [] })
    // Canceling an uncaptured charge "refunds" the authorization at Stripe: no money was taken.
    expect(canceled).toEqual(expect.objectContaining({ status: "canceled", reason: "abandoned", captured_amount: "0.00", refunded_amount: "0.00", refunds: [] }))
    expect(canceled.authorization_expires_at).toBeUndefined()
  })

  it("lists partial refunds, telling the store's own (medusa_refund_id) from one made in the dashboard", async () => {
    const { service } = provider()
    const fixture = play("inspect-refunds-store-and-dashboard")
    const snapshot = await service.inspectPayment(session("pi_3QfxInspectRefund01"))
    fixture.finish()
    expect(snapshot).toEqual({
      status: "captured",
      gateway_status: "succeeded",
      currency_code: "usd",
      amount: "120.00",
      captured_amount: "120.00",
      refunded_amount: "50.00",
      refunds: [
        { refund_id: "re_3QfxInspectDashboard1", amount: "30.00", currency_code: "usd", made_by_store: false, status: "succeeded" },
        { refund_id: "re_3QfxInspectFailed001", amount: "10.00", currency_code: "usd", made_by_store: false, status: "failed" },
        { refund_id: "re_3QfxInspectStore0001", amount: "20.00", currency_code: "usd", made_by_store: true, medusa_refund_id: "ref_01INSPECTSTOREREFUND", status: "succeeded" },
      ],
    })
  })

  // Stripe: "the payment_method_details.card.capture_before attribute on the charge indicates
  // when the authorization expires" (https://docs.stripe.com/payments/place-a-hold-on-a-payment-method);
  // "Uncaptured PaymentIntents are cancelled a set number of days (7 by default) after their
  // creation" (https://docs.stripe.com/api/payment_intents/capture).
  it("says when an authorization lapses: the charge's capture_before, else 7 days after the intent was created", async () => {
    const { service } = provider()
    const fixture = play("inspect-authorization-expiring")
    const visa = await service.inspectPayment(session("pi_3QfxInspectExpiry01"))
    const unknown = await service.inspectPayment(session("pi_3QfxInspectExpiry02"))
    fixture.finish()
    expect(visa).toEqual(expect.objectContaining({ status: "authorized", currency_code: "eur", amount: "45.00", authorization_expires_at: "2025-11-27T18:00:00.000Z" }))
    expect(unknown.authorization_expires_at).toBe("2025-11-30T00:00:00.000Z")
  })

  it("passes on Stripe's outage as an error to see, not a status: the reconciliation records it as unavailable", async () => {
    const { service } = provider({ maxNetworkRetries: 0 })
    const fixture = inline({
      scenario: "inspect-outage",
      interactions: [
        {
          request: { method: "GET", path: "/v1/payment_intents/pi_3QfxInspectOutage1", query: { expand: ["latest_charge"] } },
          response: { status: 503, body: { error: { type: "api_error", message: "Stripe is temporarily unavailable" } } },
        },
      ],
    })
    const failure = await service.inspectPayment(session("pi_3QfxInspectOutage1")).catch((e) => e)
    fixture.finish()
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(false)
  })

  it("refuses data that holds no PaymentIntent before asking Stripe", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    await expect(service.inspectPayment({})).rejects.toBeInstanceOf(PaymentInputError)
    fixture.finish()
  })
})
