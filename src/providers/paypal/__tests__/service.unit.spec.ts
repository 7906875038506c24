import { capturingLogger } from "../../../../integration-tests/harness/loggers"
import nock from "nock"
import { FixtureFile, FixtureSession, loadFixture } from "../../../../integration-tests/harness/fixtures"
import {
  PAYPAL_CERT_ORIGIN,
  PAYPAL_CERT_PATH,
  PAYPAL_ORIGIN,
  TEST_SIGNING_CERT,
  approvedOrder,
  captureResource,
  disputeResource,
  paypalEvent,
  paypalTestOptions,
  paypalWebhookCases,
  refundResource,
  signPaypal,
} from "../../../../integration-tests/harness/paypal"
import { findSecrets } from "../../../lib/payments/redact"
import { evaluateEligibility, providerEligibility } from "../../../lib/payments/eligibility"
import { GatewayRejectedError, GatewayUnavailableError, NotSupportedError, PaymentConfigError, PaymentInputError } from "../../../lib/payments/errors"
import PaypalProviderService from "../service"

const CLIENT_SECRET = "test-client-secret-service-unit"

function provider(options: Record<string, unknown> = {}) {
  const { logger, lines } = capturingLogger()
  const service = new PaypalProviderService({ logger }, { ...paypalTestOptions, clientSecret: CLIENT_SECRET, ...options })
  return { service, lines }
}

let replay: FixtureSession | undefined
const play = (scenario: string, vars: Record<string, string> = {}) =>
  (replay = FixtureSession.load("paypal", scenario, { origin: PAYPAL_ORIGIN, vars }).start())
const inline = (fixture: Omit<FixtureFile, "provider" | "source">, vars: Record<string, string> = {}) =>
  (replay = new FixtureSession({ provider: "paypal", source: "inline", ...fixture }, { origin: PAYPAL_ORIGIN, vars }).start())
/** The token interaction every fixture starts with. */
const tokenInteraction = () => loadFixture("paypal", "boot-credentials-ok").interactions[0]

afterEach(() => {
  replay?.stop()
  replay = undefined
  nock.cleanAll()
})

const DAY = 24 * 60 * 60 * 1000

describe("PayPal options", () => {
  const attempt = async (options: Record<string, unknown>, env?: string) => {
    const previous = process.env.NODE_ENV
    if (env) process.env.NODE_ENV = env
    try {
      await PaypalProviderService.validateOptions({ verifyCredentialsAtBoot: false, ...options })
      return undefined
    } catch (error) {
      return error as Error
    } finally {
      process.env.NODE_ENV = previous
    }
  }

  it("requires the client id and secret and names them", async () => {
    const error = await attempt({})
    expect(error).toBeInstanceOf(PaymentConfigError)
    expect(error?.message).toMatch(/`clientId`: is required but missing/)
    expect(error?.message).toMatch(/`clientSecret`: is required but missing/)
  })

  it("requires the webhook id in production only", async () => {
    expect(await attempt({ clientId: "id-1234", clientSecret: "secret-1234" })).toBeUndefined()
    expect((await attempt({ clientId: "id-1234", clientSecret: "secret-1234" }, "production"))?.message).toMatch(/`webhookId`: is required in production/)
  })

  it("names each bad option without printing its value", async () => {
    const error = await attempt({ clientId: "id-1234", clientSecret: "secret-value-9876", environment: "production", intent: "sale", webhookId: "wh id with spaces", returnUrl: "ftp://x" })
    for (const name of ["environment", "intent", "webhookId", "returnUrl"]) {
      expect(error?.message).toMatch(new RegExp(`\`${name}\``))
    }
    expect(error?.message).not.toContain("secret-value-9876")
    expect(error?.message).not.toContain("wh id with spaces")
  })

  it("catches a base URL of the other environment at boot", async () => {
    expect((await attempt({ clientId: "id-1234", clientSecret: "secret-1234", environment: "live", apiBaseUrl: "https://api-m.sandbox.paypal.com" }))?.message).toMatch(
      /`apiBaseUrl`: points at PayPal's sandbox while `environment` is live/
    )
    expect((await attempt({ clientId: "id-1234", clientSecret: "secret-1234", apiBaseUrl: "https://api-m.paypal.com" }))?.message).toMatch(
      /points at PayPal's live API while `environment` is sandbox/
    )
  })

  it("refuses allowed currencies PayPal does not take", async () => {
    expect((await attempt({ clientId: "id-1234", clientSecret: "secret-1234", allowedCurrencies: ["EUR", "KWD"] }))?.message).toMatch(
      /`allowedCurrencies`: PayPal does not accept KWD/
    )
  })

  it("checks the credentials with PayPal at boot and passes when PayPal accepts them", async () => {
    const fixture = play("boot-credentials-ok")
    await expect(PaypalProviderService.validateOptions({ ...paypalTestOptions, verifyCredentialsAtBoot: true })).resolves.toBeUndefined()
    fixture.finish()
  })

  it("stops the boot when PayPal refuses the credentials, saying which environment, without the secret", async () => {
    const fixture = play("auth-error")
    const error = await PaypalProviderService.validateOptions({ ...paypalTestOptions, clientSecret: CLIENT_SECRET, verifyCredentialsAtBoot: true }).catch((e) => e)
    expect(error).toBeInstanceOf(PaymentConfigError)
    expect(error.message).toMatch(
      /PayPal's sandbox environment did not accept `clientId` and `clientSecret`; check them, and that they are sandbox credentials \(live credentials only work with `environment: live`\)/
    )
    expect(error.message).not.toContain(CLIENT_SECRET)
    fixture.finish()
  })

  it("only warns when PayPal cannot be reached at boot", async () => {
    nock.disableNetConnect()
    nock(PAYPAL_ORIGIN).post("/v1/oauth2/token").replyWithError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED" })
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {})
    try {
      await expect(PaypalProviderService.validateOptions({ ...paypalTestOptions, verifyCredentialsAtBoot: true })).resolves.toBeUndefined()
      expect(warn.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(/PayPal could not be reached to check its credentials at boot/)
    } finally {
      warn.mockRestore()
      nock.enableNetConnect()
    }
  })
})

describe("PayPal provider", () => {
  it("refuses a currency PayPal does not take before calling it (no KWD at PayPal)", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    await expect(
      service.initiatePayment({ amount: 12.345, currency_code: "kwd", data: { session_id: "payses_01KWD" }, context: { idempotency_key: "payses_01KWD" } })
    ).rejects.toThrow(/PayPal is only available in AUD, .*USD, not KWD/)
    fixture.finish()
  })

  it("tells the store routes the same currency rule, so a KWD cart does not see PayPal", () => {
    const { label, rules } = providerEligibility(PaypalProviderService, paypalTestOptions, "fallback")
    expect(label).toBe("PayPal")
    expect(evaluateEligibility(rules, { amount: 10, currency_code: "kwd" }, label)).toEqual({
      eligible: false,
      rule: "currency",
      reason: expect.stringMatching(/^PayPal is only available in AUD, .* and USD, not KWD$/),
    })
    expect(evaluateEligibility(rules, { amount: 10, currency_code: "eur" }, label)).toEqual({ eligible: true })
    const narrowed = providerEligibility(PaypalProviderService, { ...paypalTestOptions, allowedCurrencies: ["EUR"], maxAmount: { EUR: 500 } }, "fallback")
    expect(evaluateEligibility(narrowed.rules, { amount: 501, currency_code: "eur" }, "PayPal")).toEqual(expect.objectContaining({ eligible: false, rule: "max_amount" }))
  })

  it("refuses an amount of zero before calling PayPal", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    await expect(service.initiatePayment({ amount: 0, currency_code: "usd", data: { session_id: "payses_01ZERO" } })).rejects.toThrow(
      "PayPal is available for orders from 0.01 USD"
    )
    fixture.finish()
  })

  // Creating an order moves no money: PayPal reserves or takes funds only when the store
  // authorizes or captures the approved order
  // (https://developer.paypal.com/docs/api/orders/v2/#orders_create). An outage there is a
  // failure to retry, not an unknown money outcome.
  it("retries an outage with the same PayPal-Request-Id, then says PayPal could not be reached and no money moved", async () => {
    const { service, lines } = provider({ maxRetries: 2 })
    const fixture = play("gateway-outage", { session_id: "payses_01OUTAGE" })
    const failure = await service
      .initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01OUTAGE" }, context: { idempotency_key: "payses_01OUTAGE" } })
      .catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(false)
    expect(failure.message).toMatch(/^PayPal could not be reached to create the PayPal order; no money was moved and it can be tried again/)
    fixture.finish()
    expect(fixture.requests.filter((r) => r.path === "/v2/checkout/orders").map((r) => r.headers["paypal-request-id"])).toEqual([
      "payses_01OUTAGE",
      "payses_01OUTAGE",
      "payses_01OUTAGE",
    ])
    expect(lines.join("\n")).not.toContain(CLIENT_SECRET)
  })

  it("says PayPal could not be reached when even the token fails, and that the demo's credentials are placeholders", async () => {
    // Nothing exists at PayPal after a failed token request (OAuth2 client credentials,
    // https://developer.paypal.com/api/rest/authentication/): nothing can have moved.
    const { service } = provider({ clientId: "demo-placeholder-client-id", clientSecret: "demo-placeholder-client-secret", maxRetries: 0 })
    nock.disableNetConnect()
    nock(PAYPAL_ORIGIN).post("/v1/oauth2/token").replyWithError({ code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND api-m.sandbox.paypal.com" })
    const failure = await service
      .initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01NOTOKEN" }, context: { idempotency_key: "payses_01NOTOKEN" } })
      .catch((e) => e)
    nock.enableNetConnect()
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(false)
    expect(failure.message).toMatch(
      /^PayPal could not be reached to sign in; no money was moved and it can be tried again .*PayPal is registered with the demo's placeholder credentials; put sandbox credentials in \.env/
    )
  })

  it("keeps an outage while authorizing an approved order indeterminate: the funds may be reserved", async () => {
    const { service } = provider({ maxRetries: 0 })
    const fixture = inline({
      scenario: "authorize-outage",
      interactions: [
        tokenInteraction(),
        { request: { method: "GET", path: "/v2/checkout/orders/5O190127TN364715T" }, response: { status: 200, body: approvedOrder("payses_01AUTHOUTAGE") } },
        { request: { method: "POST", path: "/v2/checkout/orders/5O190127TN364715T/authorize" }, response: { status: 503, body: { name: "SERVICE_UNAVAILABLE", message: "Service Unavailable." } } },
      ],
    })
    const data = { id: "5O190127TN364715T", status: "APPROVED", intent: "AUTHORIZE", amount: "120.00", currency_code: "USD", session_id: "payses_01AUTHOUTAGE" }
    const failure = await service.authorizePayment({ data, context: { idempotency_key: "payses_01AUTHOUTAGE" } }).catch((e) => e)
    fixture.finish()
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(true)
    expect(failure.message).toMatch(/could not be reached to authorize the PayPal order; the outcome is unknown/)
  })

  it("reports refused credentials clearly, with neither the secret nor the token in errors or logs", async () => {
    const { service, lines } = provider()
    const fixture = play("auth-error")
    const failure = await service.getPaymentStatus({ data: { id: "7TU19384KD2240096" } }).catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayRejectedError)
    expect(failure.message).toMatch(/PayPal refused to sign in: PayPal's sandbox environment did not accept `clientId` and `clientSecret`/)
    fixture.finish()
    const logged = lines.join("\n")
    expect(failure.message + logged).not.toContain(CLIENT_SECRET)
    expect(findSecrets(failure.message + logged)).toEqual([])
    // The Basic credentials were sent, and appear nowhere.
    const basic = fixture.requests[0].headers.authorization
    expect(basic).toMatch(/^Basic /)
    expect(logged).not.toContain(basic.slice(6))
  })

  it("refreshes the token once when PayPal answers 401, and makes the call again", async () => {
    const { service } = provider()
    const fixture = play("token-refresh", { session_id: "payses_01REFRESH" })
    const { status } = await service.getPaymentStatus({ data: { id: "7TU19384KD2240096", status: "APPROVED" } })
    expect(status).toBe("pending")
    fixture.finish()
    expect(fixture.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/oauth2/token",
      "GET /v2/checkout/orders/7TU19384KD2240096",
      "POST /v1/oauth2/token",
      "GET /v2/checkout/orders/7TU19384KD2240096",
    ])
    expect(fixture.requests[1].headers.authorization).toBe("Bearer [REDACTED]")
  })

  it("keeps the payer's details out of the session data the storefront gets", async () => {
    const { service } = provider()
    const session_id = "payses_01PERSONALDATA"
    const fixture = play("http-webhook-completes-cart", { session_id })
    const started = await service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id }, context: { idempotency_key: session_id } })
    expect(started.data).toEqual(expect.objectContaining({ id: "2HW59328FY6641273", approve_url: "https://www.sandbox.paypal.com/checkoutnow?token=2HW59328FY6641273" }))
    const authorized = await service.authorizePayment({ data: started.data, context: { idempotency_key: session_id } })
    expect(authorized.status).toBe("authorized")
    fixture.finish()
    // PayPal's answers carried the payer's name and e-mail...
    expect(JSON.stringify(loadFixture("paypal", "http-webhook-completes-cart").interactions.map((i) => i.response.body))).toContain("sam.shopper@example.com")
    // ...which the session data does not.
    const text = JSON.stringify(authorized.data)
    for (const personal of ["sam.shopper@example.com", "Shopper", "QYR5Z8XDVJNXQ", "merchant@example.com"]) {
      expect(text).not.toContain(personal)
    }
    expect(fixture.requests[3].headers["paypal-request-id"]).toBe(`${session_id}-authorize`)
    expect(authorized.data).toEqual(expect.objectContaining({ authorization: expect.objectContaining({ id: "7HA32569WC1107494", status: "CREATED", authorized_at: expect.any(String) }) }))
  })

  it("answers requires_more while the buyer has not approved, without trying to authorize", async () => {
    const { service } = provider()
    const session_id = "payses_01NOTAPPROVED"
    const fixture = play("authorize-not-approved", { session_id })
    const data = { id: "6YZ41093BE1184726", status: "PAYER_ACTION_REQUIRED", amount: "100.00", currency_code: "USD", session_id }
    const first = await service.authorizePayment({ data, context: { idempotency_key: session_id } })
    expect(first.status).toBe("requires_more")
    // PayPal has not seen the approval yet when the storefront tries again: still requires_more.
    const second = await service.authorizePayment({ data, context: { idempotency_key: session_id } })
    expect(second.status).toBe("requires_more")
    fixture.finish()
    expect(fixture.mutatingRequests().map((r) => r.path)).toEqual(["/v1/oauth2/token", "/v2/checkout/orders/6YZ41093BE1184726/authorize"])
  })

  it("does not change the amount after the buyer approved it, and says to start a new session", async () => {
    const { service } = provider()
    const fixture = play("update-after-approval", { session_id: "payses_01APPROVED" })
    const data = { id: "0PQ37420VX9913358", status: "PAYER_ACTION_REQUIRED", amount: "100.00", currency_code: "USD", session_id: "payses_01APPROVED" }
    await expect(service.updatePayment({ amount: 120, currency_code: "usd", data })).rejects.toThrow(
      /the amount of order 0PQ37420VX9913358 cannot change once the buyer approved it \(APPROVED\); start a new payment session/
    )
    fixture.finish()
    expect(fixture.mutatingRequests().map((r) => r.path)).toEqual(["/v1/oauth2/token"])
  })

  it("does not call PayPal when the amount did not change", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    const data = { id: "0PQ37420VX9913358", status: "PAYER_ACTION_REQUIRED", amount: "100.00", currency_code: "USD" }
    await expect(service.updatePayment({ amount: "100", currency_code: "usd", data })).resolves.toEqual({ status: "pending", data: expect.objectContaining({ amount: "100.00" }) })
    fixture.finish()
  })

  it("captures with intent capture, and sends the buyer back to PayPal when the funding source is declined", async () => {
    const { service } = provider({ intent: "capture" })
    const session_id = "payses_01INTENTCAPTURE"
    const fixture = play("capture-intent-declined", { session_id })
    const data = { id: "2CI87412RM5530617", status: "APPROVED", intent: "CAPTURE", amount: "100.00", currency_code: "USD", session_id }
    const declined = await service.authorizePayment({ data, context: { idempotency_key: session_id } })
    expect(declined).toEqual({
      status: "requires_more",
      data: expect.objectContaining({ decline: { issue: "INSTRUMENT_DECLINED", description: expect.stringMatching(/choose another one at PayPal/) } }),
    })
    const captured = await service.authorizePayment({ data: declined.data, context: { idempotency_key: session_id } })
    expect(captured.status).toBe("captured")
    expect(captured.data).toEqual(expect.objectContaining({ decline: null, amount_captured: "100.00" }))
    fixture.finish()
    // A new attempt, a new key: PayPal would answer a repeated key with the stored decline.
    expect(fixture.requests.filter((r) => r.method === "POST" && r.path.endsWith("/capture")).map((r) => r.headers["paypal-request-id"])).toEqual([
      `${session_id}-capture`,
      `${session_id}-capture-2`,
    ])
  })

  it("reauthorizes past the three-day honor period, then captures the new authorization", async () => {
    const { service } = provider()
    const session_id = "payses_01HONORPERIOD"
    const fixture = play("capture-after-honor-period", { session_id, capture_id: "capt_01HONOR" })
    const data = {
      id: "2HX45186KU0472512",
      status: "COMPLETED",
      amount: "100.00",
      currency_code: "USD",
      session_id,
      authorization: { id: "9BR26613FJ4433912", status: "CREATED", amount: "100.00", authorized_at: new Date(Date.now() - 5 * DAY).toISOString(), created_at: null, expiration_time: null, reauthorized_from: null },
    }
    const result = await service.capturePayment({ data, context: { idempotency_key: "capt_01HONOR" } })
    fixture.finish()
    expect(fixture.mutatingRequests().slice(1).map((r) => [r.path, r.headers["paypal-request-id"]])).toEqual([
      ["/v2/payments/authorizations/9BR26613FJ4433912/reauthorize", "capt_01HONOR-reauthorize"],
      ["/v2/payments/authorizations/4CD07421NA2850236/capture", "capt_01HONOR"],
    ])
    expect(result.data).toEqual(
      expect.objectContaining({
        authorization: expect.objectContaining({ id: "4CD07421NA2850236", status: "CAPTURED", reauthorized_from: "9BR26613FJ4433912" }),
        amount_captured: "100.00",
      })
    )
  })

  it("captures without reauthorizing within the honor period", async () => {
    const { service } = provider()
    const session_id = "payses_01WITHINHONOR"
    const order = loadFixture("paypal", "capture-after-honor-period").interactions[1].response.body
    const captureAnswer = loadFixture("paypal", "capture-after-honor-period").interactions[3].response.body
    const fixture = inline(
      {
        scenario: "within-honor-period",
        interactions: [
          tokenInteraction(),
          { request: { method: "GET", path: "/v2/checkout/orders/2HX45186KU0472512" }, response: { status: 200, body: order } },
          { request: { method: "POST", path: "/v2/payments/authorizations/9BR26613FJ4433912/capture", headers: { "paypal-request-id": "capt_01WITHIN" } }, response: { status: 201, body: captureAnswer } },
        ],
      },
      { session_id }
    )
    const data = {
      id: "2HX45186KU0472512",
      status: "COMPLETED",
      amount: "100.00",
      currency_code: "USD",
      session_id,
      authorization: { id: "9BR26613FJ4433912", status: "CREATED", amount: "100.00", authorized_at: new Date(Date.now() - 2 * DAY).toISOString(), created_at: null, expiration_time: null, reauthorized_from: null },
    }
    await service.capturePayment({ data, context: { idempotency_key: "capt_01WITHIN" } })
    fixture.finish()
  })

  it("records a capture PayPal already holds instead of capturing again (a lost answer, the dashboard)", async () => {
    const { service, lines } = provider()
    const session_id = "payses_01ALREADYCAPTURED"
    const completed = loadFixture("paypal", "http-cart-to-refund").interactions[4].response.body as { purchase_units: Array<{ payments: Record<string, unknown> }> }
    const capture = loadFixture("paypal", "http-cart-to-refund").interactions[5].response.body
    const captured = JSON.parse(JSON.stringify(completed))
    captured.purchase_units[0].payments.captures = [capture]
    captured.purchase_units[0].payments.authorizations[0].status = "CAPTURED"
    const fixture = inline({ scenario: "already-captured", interactions: [tokenInteraction(), { request: { method: "GET", path: "/v2/checkout/orders/0HT37195UW2681839" }, response: { status: 200, body: captured } }] }, { session_id })
    const data = {
      id: "0HT37195UW2681839",
      status: "COMPLETED",
      amount: "100.00",
      currency_code: "USD",
      session_id,
      authorization: { id: "5HA79032BC4415716", status: "CREATED", amount: "100.00", authorized_at: new Date().toISOString(), created_at: null, expiration_time: null, reauthorized_from: null },
    }
    const result = await service.capturePayment({ data, context: { idempotency_key: "capt_01SECOND" } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ amount_captured: "100.00", captures: [expect.objectContaining({ id: "2HC02735PB9360417", status: "COMPLETED" })] }))
    expect(lines.join("\n")).toMatch(/100.00 USD of order 0HT37195UW2681839 was already captured at PayPal; recorded without a new capture/)
  })

  it("explains an expired authorization when the capture is refused", async () => {
    const { service } = provider()
    const session_id = "payses_01EXPIRED"
    const fixture = play("capture-expired", { session_id, capture_id: "capt_01EXPIRED" })
    const data = {
      id: "3JK86201TT5508311",
      status: "COMPLETED",
      amount: "100.00",
      currency_code: "USD",
      session_id,
      authorization: { id: "8UV12739MC0078341", status: "CREATED", amount: "100.00", authorized_at: new Date().toISOString(), created_at: null, expiration_time: null, reauthorized_from: null },
    }
    const failure = await service.capturePayment({ data, context: { idempotency_key: "capt_01EXPIRED" } }).catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayRejectedError)
    expect(failure.message).toBe(
      "PayPal refused to capture the PayPal payment: the PayPal authorization expired (after 29 days) and can no longer be captured; the buyer has to pay again (AUTHORIZATION_EXPIRED)"
    )
    fixture.finish()
  })

  it("refuses a capture beyond what remains of the authorization before calling PayPal for it", async () => {
    const { service } = provider()
    const session_id = "payses_01NOTHINGLEFT"
    const order = loadFixture("paypal", "http-partial-captures").interactions[6].response.body as { purchase_units: Array<{ payments: { authorizations: Array<{ status: string }>; captures: unknown[] } }> }
    const both = JSON.parse(JSON.stringify(order))
    both.purchase_units[0].payments.captures.push(loadFixture("paypal", "http-partial-captures").interactions[7].response.body)
    both.purchase_units[0].payments.authorizations[0].status = "CAPTURED"
    const fixture = inline({ scenario: "nothing-left", interactions: [tokenInteraction(), { request: { method: "GET", path: "/v2/checkout/orders/1HP48217EX5530162" }, response: { status: 200, body: both } }] }, { session_id })
    const known = { id: "1HP48217EX5530162", status: "COMPLETED", amount: "100.00", currency_code: "USD", session_id, captures: [{ id: "3HC51207YQ6619244", status: "COMPLETED", amount: "60.00", final_capture: false }, { id: "9HC63318KM4472025", status: "COMPLETED", amount: "40.00", final_capture: true }] }
    await expect(service.capturePayment({ data: known, context: { idempotency_key: "capt_01MORE" } })).rejects.toThrow(/authorization 6HA21458VB0096383 is CAPTURED and cannot be captured/)
    fixture.finish()
  })

  it("explains a refund PayPal finds larger than what is left", async () => {
    const { service } = provider()
    const session_id = "payses_01REFUNDEXCEEDED"
    // The refund's custom_id marks it as this store's: the session and the Medusa refund id.
    const fixture = play("refund-exceeded", { session_id, refund_id: "ref_01EXCEEDED", session_id_refund: `${session_id}.ref_01EXCEEDED` })
    const data = { id: "4RS05872LM6627344", status: "COMPLETED", amount: "50.00", currency_code: "USD", session_id, captures: [{ id: "5KE96401RW2290014", status: "COMPLETED", amount: "50.00", final_capture: true }] }
    const failure = await service.refundPayment({ amount: 50, data, context: { idempotency_key: "ref_01EXCEEDED" } }).catch((e) => e)
    expect(failure).toBeInstanceOf(GatewayRejectedError)
    expect(failure.message).toMatch(/PayPal refused to refund the PayPal payment: the refund is more than what remains refundable on the PayPal capture \(REFUND_AMOUNT_EXCEEDED\)/)
    fixture.finish()
  })

  it("records a refund PayPal already holds (made in its dashboard) instead of refunding again, and refunds only the rest", async () => {
    const { service, lines } = provider()
    const session_id = "payses_01DASHBOARDREFUND"
    const base = loadFixture("paypal", "lifecycle-manual-capture")
    // The order as PayPal shows it after a 20.00 refund made in PayPal's dashboard.
    // (A refund made in the dashboard carries no Medusa refund id: the session alone.)
    const afterDashboardRefund = JSON.parse(
      JSON.stringify(base.interactions[10].response.body).split("{{session_id_refund_1}}").join(session_id).split("{{session_id}}").join(session_id)
    )
    const refundAnswer = JSON.parse(JSON.stringify(base.interactions[11].response.body).split("{{session_id_refund_2}}").join(`${session_id}.ref_01THIRTY`))
    const fixture = inline(
      {
        scenario: "dashboard-refund",
        interactions: [
          tokenInteraction(),
          { request: { method: "GET", path: "/v2/checkout/orders/8RU61172JS455403V" }, response: { status: 200, body: afterDashboardRefund } },
          { request: { method: "GET", path: "/v2/checkout/orders/8RU61172JS455403V" }, response: { status: 200, body: afterDashboardRefund } },
          {
            request: {
              method: "POST",
              path: "/v2/payments/captures/6P7749307R532733N/refund",
              body: { amount: { currency_code: "USD", value: "10.00" }, custom_id: `${session_id}.ref_01THIRTY` },
              headers: { "paypal-request-id": "ref_01THIRTY" },
            },
            response: { status: 201, body: { ...refundAnswer, amount: { currency_code: "USD", value: "10.00" } } },
          },
        ],
      },
      { session_id }
    )
    const data = {
      id: "8RU61172JS455403V",
      status: "COMPLETED",
      amount: "120.00",
      currency_code: "USD",
      session_id,
      captures: [{ id: "6P7749307R532733N", status: "COMPLETED", amount: "120.00", final_capture: true }],
    }
    // The admin records the dashboard's 20.00 in Medusa: nothing is refunded again.
    const recorded = await service.refundPayment({ amount: 20, data, context: { idempotency_key: "ref_01TWENTY" } })
    expect(recorded.data).toEqual(expect.objectContaining({ amount_refunded: "20.00" }))
    expect(lines.join("\n")).toMatch(/20.00 USD of order 8RU61172JS455403V was already refunded at PayPal; recorded without a new refund/)
    // Without the record (the same data as before): a refund of 30.00 counts the 20.00 PayPal holds and refunds 10.00.
    const rest = await service.refundPayment({ amount: 30, data, context: { idempotency_key: "ref_01THIRTY" } })
    expect(rest.data).toEqual(expect.objectContaining({ amount_refunded: "30.00" }))
    fixture.finish()
  })

  it("refunds only what was captured, and nothing of a pending capture", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    const data = { id: "4RS05872LM6627344", status: "COMPLETED", amount: "100.00", currency_code: "USD", captures: [{ id: "C1", status: "COMPLETED", amount: "60.00", final_capture: false }], refunds: [{ id: "R1", capture_id: "C1", status: "COMPLETED", amount: "50.00" }] }
    await expect(service.refundPayment({ amount: 10.01, data, context: { idempotency_key: "ref_9" } })).rejects.toThrow(
      /cannot refund 10.01 USD of order 4RS05872LM6627344: only 10.00 USD of the 60.00 USD captured remains/
    )
    const pending = { ...data, captures: [{ id: "C1", status: "PENDING", amount: "60.00", final_capture: true }], refunds: [] }
    await expect(service.refundPayment({ amount: 1, data: pending, context: { idempotency_key: "ref_8" } })).rejects.toThrow(/nothing captured to refund/)
    fixture.finish()
  })

  it("rounds a refund toward zero to PayPal's decimals: 10.005 USD is refunded as 10.00, never 10.01", async () => {
    const { service } = provider()
    const session_id = "payses_01REFUNDDOWN"
    const order = {
      id: "4RS05872LM6627344",
      intent: "CAPTURE",
      status: "COMPLETED",
      purchase_units: [
        {
          reference_id: "default",
          custom_id: session_id,
          amount: { currency_code: "USD", value: "60.00" },
          payments: { captures: [{ id: "2GG279541U471931P", status: "COMPLETED", amount: { currency_code: "USD", value: "60.00" }, final_capture: true }] },
        },
      ],
    }
    const fixture = inline({
      scenario: "refund-rounding",
      interactions: [
        tokenInteraction(),
        { request: { method: "GET", path: "/v2/checkout/orders/4RS05872LM6627344" }, response: { status: 200, body: order } },
        {
          request: { method: "POST", path: "/v2/payments/captures/2GG279541U471931P/refund", body: { amount: { currency_code: "USD", value: "10.00" }, custom_id: `${session_id}.ref_01DOWN` } },
          response: { status: 201, body: { id: "1JU08902781691411", status: "COMPLETED", amount: { currency_code: "USD", value: "10.00" } } },
        },
      ],
    })
    const data = { id: "4RS05872LM6627344", status: "COMPLETED", intent: "CAPTURE", amount: "60.00", currency_code: "USD", session_id, captures: [{ id: "2GG279541U471931P", status: "COMPLETED", amount: "60.00", final_capture: true }] }
    const refunded = await service.refundPayment({ amount: "10.005", data, context: { idempotency_key: "ref_01DOWN" } })
    expect(refunded.data).toEqual(expect.objectContaining({ amount_refunded: "10.00" }))
    fixture.finish()
  })

  describe("the amount of a partial capture", () => {
    const withCapture = (amount: string) => {
      const { logger } = capturingLogger()
      const captureService = { retrieve: async () => ({ amount: Number(amount), raw_amount: { value: amount, precision: 20 } }) }
      return new PaypalProviderService({ logger, captureService }, { ...paypalTestOptions, clientSecret: CLIENT_SECRET })
    }
    const authorizedOrder = (session_id: string, value: string, currency: string) => ({
      id: "9FL21539GM3215013",
      intent: "AUTHORIZE",
      status: "COMPLETED",
      purchase_units: [
        {
          reference_id: "default",
          custom_id: session_id,
          amount: { currency_code: currency, value },
          payments: { authorizations: [{ id: "3C679366HH908993F", status: "CREATED", amount: { currency_code: currency, value }, create_time: new Date().toISOString() }] },
        },
      ],
    })

    // PayPal: HUF "does not support decimals. If you pass a decimal amount, an error occurs"
    // (https://developer.paypal.com/docs/api/reference/currency-codes/). Rounding 100.5 HUF
    // up would capture more than Medusa records.
    it("refuses a partial capture PayPal cannot take exactly instead of rounding it", async () => {
      const service = withCapture("100.5")
      const session_id = "payses_01HUFCAPTURE"
      const fixture = inline({
        scenario: "huf-partial-capture",
        interactions: [tokenInteraction(), { request: { method: "GET", path: "/v2/checkout/orders/9FL21539GM3215013" }, response: { status: 200, body: authorizedOrder(session_id, "1000", "HUF") } }],
      })
      const data = { id: "9FL21539GM3215013", status: "COMPLETED", amount: "1000", currency_code: "HUF", session_id }
      await expect(service.capturePayment({ data, context: { idempotency_key: "capt_01HUF" } })).rejects.toThrow(/100\.5 HUF cannot be charged exactly/)
      fixture.finish()
    })

    it("captures the whole authorization when Medusa's total carries more decimals than PayPal (13.0781 USD authorized as 13.08)", async () => {
      const service = withCapture("13.0781")
      const session_id = "payses_01WHOLECAPTURE"
      const fixture = inline({
        scenario: "whole-capture-extra-decimals",
        interactions: [
          tokenInteraction(),
          { request: { method: "GET", path: "/v2/checkout/orders/9FL21539GM3215013" }, response: { status: 200, body: authorizedOrder(session_id, "13.08", "USD") } },
          {
            request: { method: "POST", path: "/v2/payments/authorizations/3C679366HH908993F/capture", body: { amount: { currency_code: "USD", value: "13.08" }, final_capture: true } },
            response: { status: 201, body: { id: "7TK53561YB803214S", status: "COMPLETED", amount: { currency_code: "USD", value: "13.08" }, final_capture: true } },
          },
        ],
      })
      const data = { id: "9FL21539GM3215013", status: "COMPLETED", amount: "13.08", currency_code: "USD", session_id }
      const captured = await service.capturePayment({ data, context: { idempotency_key: "capt_01WHOLE" } })
      expect(captured.data).toEqual(expect.objectContaining({ amount_captured: "13.08" }))
      fixture.finish()
    })
  })

  it("voids the authorization when the payment is canceled", async () => {
    const { service } = provider()
    const session_id = "payses_01CANCELAUTH"
    const fixture = play("cancel-authorized", { session_id, payment_id: "pay_01CANCELAUTH" })
    const data = {
      id: "4RS05872LM6627344",
      status: "COMPLETED",
      amount: "100.00",
      currency_code: "USD",
      session_id,
      authorization: { id: "1GH30486PL7715209", status: "CREATED", amount: "100.00", authorized_at: new Date().toISOString(), created_at: null, expiration_time: null, reauthorized_from: null },
    }
    const result = await service.cancelPayment({ data, context: { idempotency_key: "pay_01CANCELAUTH" } })
    expect(result.data).toEqual(expect.objectContaining({ authorization: expect.objectContaining({ id: "1GH30486PL7715209", status: "VOIDED" }) }))
    fixture.finish()
  })

  it("never authorizes a session canceled before approval", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    const data = { id: "3GG80271NP183650B", status: "APPROVED", amount: "100.00", currency_code: "USD", session_id: "payses_01CANCELED" }
    const canceled = await service.cancelPayment({ data, context: { idempotency_key: "pay_01" } })
    const authorized = await service.authorizePayment({ data: canceled.data!, context: { idempotency_key: "payses_01CANCELED" } })
    expect(authorized.status).toBe("canceled")
    fixture.finish()
  })

  it("voids the authorization of a deleted session so no money stays reserved", async () => {
    const { service } = provider()
    const voided = loadFixture("paypal", "cancel-authorized").interactions[1]
    const fixture = inline({ scenario: "delete", interactions: [tokenInteraction(), { ...voided, request: { ...voided.request, headers: { "paypal-request-id": "{{*}}" } } }] }, { session_id: "payses_01DELETED" })
    const data = { id: "4RS05872LM6627344", status: "COMPLETED", amount: "100.00", currency_code: "USD", authorization: { id: "1GH30486PL7715209", status: "CREATED", amount: "100.00" } }
    const result = await service.deletePayment({ data })
    expect(result.data).toEqual(expect.objectContaining({ authorization: expect.objectContaining({ status: "VOIDED" }) }))
    fixture.finish()
    // Leaves an order nobody authorized alone: it reserves nothing and expires at PayPal.
    await expect(service.deletePayment({ data: { id: "3GG80271NP183650B", status: "PAYER_ACTION_REQUIRED" } })).resolves.toEqual({ data: { id: "3GG80271NP183650B", status: "PAYER_ACTION_REQUIRED" } })
  })

  it("keeps an account holder for the Medusa customer until PayPal mints its customer id (see the vault conformance)", async () => {
    const { service } = provider()
    await expect(service.createAccountHolder({ context: { customer: { id: "cus_01", email: "ada@example.com" } } as never })).resolves.toEqual({
      id: "cus_01",
      data: { paypal_customer_id: null },
    })
    await expect(service.createAccountHolder({ context: {} } as never)).rejects.toThrow("PayPal: an account holder needs the Medusa customer it belongs to")
    const error = await service.savePaymentMethod({ context: {}, data: {} } as never).catch((e) => e)
    expect(error).toBeInstanceOf(NotSupportedError)
  })

  it("refuses session data without a PayPal order id", async () => {
    const { service } = provider()
    await expect(service.authorizePayment({ data: { id: "pi_123" } })).rejects.toThrow(PaymentInputError)
  })
})

describe("PayPal notifications", () => {
  const session = "payses_01NOTIFICATIONS00000"
  const payload = (body: string, headers: Record<string, string>) => ({ data: JSON.parse(body), rawData: Buffer.from(body), headers })
  const body = paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(session, "COMPLETED"))

  it("acts on a verified notification", async () => {
    const { service } = provider()
    await expect(service.getWebhookActionAndData(payload(body, signPaypal(body)))).resolves.toEqual({ action: "captured", data: { session_id: session, amount: 120 } })
  })

  it("ignores a notification whose amount was changed after signing, and logs why", async () => {
    const { service, lines } = provider()
    const tampered = body.replace('"value":"120.00"', '"value":"1200.00"')
    expect(tampered).not.toBe(body)
    await expect(service.getWebhookActionAndData(payload(tampered, signPaypal(body)))).resolves.toEqual({ action: "not_supported" })
    expect(lines.join("\n")).toMatch(/ignored a notification: its signature did not verify: the signature does not match the body/)
  })

  it("reads the verified raw body, never the parsed one it came with", async () => {
    const { service } = provider()
    const forgedData = JSON.parse(paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource("payses_01SOMEONEELSE", "COMPLETED", "9999.00")))
    const result = await service.getWebhookActionAndData({ data: forgedData, rawData: Buffer.from(body), headers: signPaypal(body) })
    expect(result).toEqual({ action: "captured", data: { session_id: session, amount: 120 } })
  })

  it("never downloads a certificate from a host that is not PayPal's", async () => {
    const { service, lines } = provider()
    nock.disableNetConnect()
    try {
      const headers = signPaypal(body, { certUrl: "https://evil.example/v1/notifications/certs/CERT-1" })
      await expect(service.getWebhookActionAndData(payload(body, headers))).resolves.toEqual({ action: "not_supported" })
      expect(lines.join("\n")).toMatch(/the certificate URL is not one of PayPal's sandbox certificate URLs/)
    } finally {
      nock.enableNetConnect()
    }
  })

  it("ignores every notification when no webhook id is configured", async () => {
    const { service, lines } = provider({ webhookId: undefined })
    await expect(service.getWebhookActionAndData(payload(body, signPaypal(body)))).resolves.toEqual({ action: "not_supported" })
    expect(lines.join("\n")).toMatch(/`webhookId` is not configured/)
  })

  it("fails the delivery (so the event bus retries it) when PayPal's certificate cannot be fetched for an outage", async () => {
    const { service } = provider({ maxRetries: 0 })
    nock(PAYPAL_CERT_ORIGIN).get(PAYPAL_CERT_PATH).reply(503, "Service Unavailable")
    const headers = signPaypal(body, { serveCertificate: false })
    await expect(service.getWebhookActionAndData(payload(body, headers))).rejects.toBeInstanceOf(GatewayUnavailableError)
  })

  it("downloads PayPal's certificate once and reuses it", async () => {
    const { service } = provider()
    let downloads = 0
    nock(PAYPAL_CERT_ORIGIN)
      .persist()
      .get(PAYPAL_CERT_PATH)
      .reply(200, () => {
        downloads += 1
        return TEST_SIGNING_CERT
      })
    for (const c of paypalWebhookCases(session).slice(0, 3)) {
      const headers = signPaypal(c.body, { serveCertificate: false })
      await expect(service.getWebhookActionAndData(payload(c.body, headers))).resolves.toEqual(expect.objectContaining({ action: c.expected.action }))
    }
    expect(downloads).toBe(1)
  })

  it("with webhookVerification: api, asks PayPal with the exact bytes received and acts only on SUCCESS", async () => {
    const { service } = provider({ webhookVerification: "api" })
    const fixture = play("webhook-verify-api")
    const approved = paypalEvent("CHECKOUT.ORDER.APPROVED", approvedOrder(session))
    // Spaces PayPal might send: the bytes, not a re-serialisation, are what is verified.
    const spaced = approved.replace('"event_type":', '"event_type": ')
    await expect(service.getWebhookActionAndData(payload(spaced, signPaypal(spaced)))).resolves.toEqual({ action: "authorized", data: { session_id: session, amount: 120 } })
    await expect(service.getWebhookActionAndData(payload(approved, signPaypal(approved, { secret: "forged" })))).resolves.toEqual({ action: "not_supported" })
    fixture.finish()
    const sent = fixture.requests.filter((r) => r.path === "/v1/notifications/verify-webhook-signature")
    expect(sent[0].body).toEqual(expect.objectContaining({ webhook_id: paypalTestOptions.webhookId, webhook_event: JSON.parse(spaced) }))
  })
})

describe("PayPal gateway events (readGatewayEvent)", () => {
  const session = "payses_01GATEWAYEVENTS0000"
  const payload = (body: string, headers: Record<string, string>) => ({ data: JSON.parse(body), rawData: Buffer.from(body), headers })
  const signed = (body: string, options: Parameters<typeof signPaypal>[1] = {}) => payload(body, signPaypal(body, options))
  const captureLookup = (body: unknown, status = 200) => ({ request: { method: "GET", path: "/v2/payments/captures/3C679366HH908993F" }, response: { status, body } })

  it("says the whole outcome of a verified payment notification without calling PayPal", async () => {
    const { service } = provider()
    const body = paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(session, "COMPLETED"))
    const verdict = await service.readGatewayEvent(signed(body))
    expect(verdict).toEqual({
      verified: true,
      outcome: { event_id: JSON.parse(body).id, event_type: "PAYMENT.CAPTURE.COMPLETED", occurred_at: JSON.parse(body).create_time, kind: "captured", session_id: session, amount: "120.00", currency_code: "usd" },
    })
  })

  it("refuses, with the reason, what getWebhookActionAndData refuses", async () => {
    const { service, lines } = provider()
    const body = paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(session, "COMPLETED"))
    const deliveries: Array<[ReturnType<typeof payload>, RegExp]> = [
      [signed(body, { secret: "a forger's key" }), /signature did not verify/],
      [payload(body.replace('"value":"120.00"', '"value":"1200.00"'), signPaypal(body)), /signature did not verify/],
      [signed(body, { timestampSeconds: Math.floor(Date.now() / 1000) - 3600 }), /outside the \d+s tolerance/],
      [payload(body, { "content-type": "application/json" }), /unsigned: missing PAYPAL-\* header/],
    ]
    for (const [delivery, reason] of deliveries) {
      await expect(service.readGatewayEvent(delivery)).resolves.toEqual({ verified: false, reason: expect.stringMatching(reason) })
      await expect(service.getWebhookActionAndData(delivery)).resolves.toEqual({ action: "not_supported" })
    }
    expect(lines.filter((line) => /ignored a notification/.test(line))).toHaveLength(deliveries.length * 2)
    const { service: unconfigured } = provider({ webhookId: undefined })
    await expect(unconfigured.readGatewayEvent(signed(body))).resolves.toEqual({ verified: false, reason: expect.stringMatching(/`webhookId` is not configured/) })
  })

  it("knows this store's refund by its custom_id, without a lookup", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    const body = paypalEvent("PAYMENT.CAPTURE.REFUNDED", refundResource(session, "20.00", "1JU08902781691411", `${session}.ref_01OWNREFUND`))
    const verdict = await service.readGatewayEvent(signed(body))
    fixture.finish()
    expect(verdict).toEqual({ verified: true, outcome: expect.objectContaining({ kind: "refunded", session_id: session, refund_id: "1JU08902781691411", amount: "20.00", made_by_store: true, status: "succeeded" }) })
    // Medusa's own contract has no refund action.
    await expect(service.getWebhookActionAndData(signed(body))).resolves.toEqual({ action: "not_supported" })
  })

  it("finds the session of a refund made in PayPal's dashboard through its capture", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "dashboard-refund-lookup", interactions: [tokenInteraction(), captureLookup(captureResource(session, "PARTIALLY_REFUNDED"))] })
    const body = paypalEvent("PAYMENT.CAPTURE.REFUNDED", refundResource(session, "15.00", "2KV19013892702522", null))
    const verdict = await service.readGatewayEvent(signed(body))
    fixture.finish()
    expect(verdict).toEqual({ verified: true, outcome: expect.objectContaining({ kind: "refunded", session_id: session, refund_id: "2KV19013892702522", amount: "15.00", made_by_store: false }) })
  })

  it("reads a dispute, and ignores one whose capture PayPal does not have for this account", async () => {
    const { service } = provider()
    const notFound = { name: "RESOURCE_NOT_FOUND", message: "The specified resource does not exist.", debug_id: "8a3d3f0c9b1e2", details: [{ issue: "INVALID_RESOURCE_ID", description: "Specified resource ID does not exist." }] }
    const fixture = inline({
      scenario: "dispute-lookups",
      interactions: [tokenInteraction(), captureLookup(captureResource(session, "COMPLETED")), captureLookup(notFound, 404)],
    })
    const body = paypalEvent("CUSTOMER.DISPUTE.CREATED", disputeResource(undefined))
    const opened = await service.readGatewayEvent(signed(body))
    const unknown = await service.readGatewayEvent(signed(paypalEvent("CUSTOMER.DISPUTE.UPDATED", disputeResource(undefined, { status: "UNDER_REVIEW" }))))
    fixture.finish()
    expect(opened).toEqual({
      verified: true,
      outcome: expect.objectContaining({ kind: "dispute", session_id: session, dispute_id: "PP-D-27803", status: "opened", amount: "120.00", currency_code: "usd", reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED", evidence_due_by: "2026-12-04T09:00:00Z" }),
    })
    expect(unknown).toEqual({ verified: true, outcome: expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/carries no Medusa session id/) }) })
  })

  it("fails the delivery rather than guess when PayPal cannot be reached to look up the capture", async () => {
    const { service } = provider({ maxRetries: 0 })
    const fixture = inline({ scenario: "capture-lookup-outage", interactions: [tokenInteraction(), captureLookup({ name: "INTERNAL_SERVER_ERROR", message: "An internal server error occurred." }, 503)] })
    const body = paypalEvent("CUSTOMER.DISPUTE.CREATED", disputeResource(undefined))
    await expect(service.readGatewayEvent(signed(body))).rejects.toBeInstanceOf(GatewayUnavailableError)
    fixture.finish()
  })
})

describe("PayPal refunds made outside Medusa", () => {
  const session_id = "payses_01EXTERNALPAYPAL00"
  const captured = {
    id: "8RU61172JS455403V",
    status: "COMPLETED",
    amount: "120.00",
    currency_code: "USD",
    session_id,
    captures: [{ id: "6P7749307R532733N", status: "COMPLETED", amount: "120.00", final_capture: true }],
    refunds: [{ id: "9T1376612B0539334", capture_id: "6P7749307R532733N", status: "COMPLETED", amount: "20.00" }],
  }
  const noted = (amount: string) => ({ refund_id: "7DB81212ML0345628", amount, currency_code: "usd", recorded_at: null })

  it("records a refund noted from PayPal's dashboard without calling PayPal, in its refunds and totals", async () => {
    const { service } = provider()
    const fixture = inline({ scenario: "none", interactions: [] })
    const result = await service.refundPayment({ amount: 35, data: { ...captured, external_refunds: [noted("35")] }, context: { idempotency_key: "ref_01RECORDPAYPAL" } })
    fixture.finish()
    expect(result.data).toEqual(
      expect.objectContaining({
        amount_refunded: "55.00",
        refunds: [captured.refunds[0], { id: "7DB81212ML0345628", capture_id: "6P7749307R532733N", status: "COMPLETED", amount: "35.00" }],
        external_refunds: [{ ...noted("35"), recorded_at: expect.any(String) }],
      })
    )
  })

  it("still refunds at PayPal, marked as this store's, when the amount asked is not the noted refund's", async () => {
    const { service } = provider()
    const base = loadFixture("paypal", "lifecycle-manual-capture")
    const order = JSON.parse(JSON.stringify(base.interactions[10].response.body).split("{{session_id_refund_1}}").join(`${session_id}.ref_01EARLIER`).split("{{session_id}}").join(session_id))
    const fixture = inline({
      scenario: "refund-other-amount",
      interactions: [
        tokenInteraction(),
        { request: { method: "GET", path: "/v2/checkout/orders/8RU61172JS455403V" }, response: { status: 200, body: order } },
        {
          request: { method: "POST", path: "/v2/payments/captures/6P7749307R532733N/refund", body: { amount: { currency_code: "USD", value: "34.00" }, custom_id: `${session_id}.ref_01OTHERAMOUNT` }, headers: { "paypal-request-id": "ref_01OTHERAMOUNT" } },
          response: { status: 201, body: { id: "4AB51207YQ6619244", status: "COMPLETED", amount: { currency_code: "USD", value: "34.00" } } },
        },
      ],
    })
    const result = await service.refundPayment({ amount: 34, data: { ...captured, external_refunds: [noted("35")] }, context: { idempotency_key: "ref_01OTHERAMOUNT" } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ amount_refunded: "54.00", external_refunds: [noted("35")] }))
  })

  it("keeps the noted refunds in the data through the other calls", async () => {
    const { service } = provider()
    const base = loadFixture("paypal", "lifecycle-manual-capture")
    const order = JSON.parse(JSON.stringify(base.interactions[10].response.body).split("{{session_id_refund_1}}").join(session_id).split("{{session_id}}").join(session_id))
    const fixture = inline({ scenario: "retrieve", interactions: [tokenInteraction(), { request: { method: "GET", path: "/v2/checkout/orders/8RU61172JS455403V" }, response: { status: 200, body: order } }] })
    const external_refunds = [{ ...noted("35"), recorded_at: "2026-12-01T10:00:00.000Z" }]
    const result = await service.retrievePayment({ data: { ...captured, external_refunds } })
    fixture.finish()
    expect(result.data).toEqual(expect.objectContaining({ external_refunds }))
  })
})

/**
 * What the admin and the reconciliation read (`GatewayPaymentInspector`): a pure description
 * (PayPal's transaction id and its page in PayPal's activity, sandbox or live) and one GET of
 * the order, which carries the authorizations, captures and refunds
 * (`purchase_units[].payments`, checkout_orders_v2 `payment_collection`).
 */
describe("PayPal: describing and inspecting a payment", () => {
  const session_id = "payses_01INSPECTPAYPAL000001"
  const order = (id: string, extra: Record<string, unknown> = {}) => ({ id, status: "CREATED", amount: "100.00", currency_code: "USD", session_id, ...extra })
  const authorization = { id: "6IN01AUTH00000000", status: "CREATED", amount: "120.00", authorized_at: null, created_at: null, expiration_time: null, reauthorized_from: null }

  // https://developer.paypal.com/reference/currency-codes/: HUF, JPY and TWD take no decimals.
  it("says what PayPal is asked for a Medusa amount, as the order was created", () => {
    const { service } = provider()
    expect(service.chargedAmount("19.99", "usd")).toBe("19.99")
    expect(service.chargedAmount("1234", "huf")).toBe("1234")
    expect(service.chargedAmount("500", "jpy")).toBe("500")
  })

  it("names the authorization as PayPal's transaction and links to its page in the sandbox's activity", () => {
    const { service } = provider()
    expect(service.describePayment(order("5IN01AUTHHONO0000", { status: "COMPLETED", authorization }))).toEqual({
      label: "PayPal",
      gateway: "paypal",
      reference: { label: "PayPal transaction (authorization)", value: "6IN01AUTH00000000" },
      dashboard_url: "https://www.sandbox.paypal.com/activity/payment/6IN01AUTH00000000",
      mode: "test",
    })
    expect(service.describePayment({}).label).toBe(PaypalProviderService.eligibilityLabel)
  })

  it("links into the live account's activity with live credentials, the capture when the order was captured at once", () => {
    const { service } = provider({ environment: "live", apiBaseUrl: undefined })
    const captured = order("5IN03REFUNDS0000", { status: "COMPLETED", intent: "CAPTURE", captures: [{ id: "7IN03CAPT00000000", status: "COMPLETED", amount: "120.00", final_capture: true }] })
    expect(service.describePayment(captured)).toEqual({
      label: "PayPal",
      gateway: "paypal",
      reference: { label: "PayPal transaction (capture)", value: "7IN03CAPT00000000" },
      dashboard_url: "https://www.paypal.com/activity/payment/7IN03CAPT00000000",
      mode: "live",
    })
  })

  it("gives the order id alone, without a link, before the buyer paid (PayPal's activity has no page for an order)", () => {
    const { service } = provider()
    expect(service.describePayment(order("5IN00CREATED00000"))).toEqual({ label: "PayPal", gateway: "paypal", reference: { label: "PayPal order", value: "5IN00CREATED00000" }, mode: "test" })
  })

  it("describes empty or foreign data with its name only, and copies nothing of the buyer", () => {
    const { service } = provider()
    expect(service.describePayment({})).toEqual({ label: "PayPal", gateway: "paypal", mode: "test" })
    expect(service.describePayment({ id: "pi_not_paypal", authorization: { id: "<script>" } })).toEqual({ label: "PayPal", gateway: "paypal", mode: "test" })
    const withBuyer = service.describePayment({ ...order("5IN00CREATED00000"), approve_url: "https://www.sandbox.paypal.com/checkoutnow?token=5IN00CREATED00000", payer: { email_address: "sam.shopper@example.com" } })
    expect(JSON.stringify(withBuyer)).not.toMatch(/checkoutnow|shopper/)
  })

  /** The orders of the status-mapping fixture and what each is, as the conformance suite reads them. */
  const STATUSES = [
    ["5ST01ORDERCREA000", "pending", "CREATED"],
    ["5ST02ORDERPAYE000", "pending", "PAYER_ACTION_REQUIRED"],
    ["5ST03ORDERAPPR000", "pending", "APPROVED"],
    ["5ST04ORDERSAVE000", "pending", "SAVED"],
    ["5ST05ORDERVOID000", "canceled", "VOIDED"],
    ["5ST10AUTHCREA0000", "authorized", "COMPLETED, authorization CREATED"],
    ["5ST11AUTHPEND0000", "pending_authorization", "COMPLETED, authorization PENDING"],
    ["5ST12AUTHPART0000", "captured", "COMPLETED, authorization PARTIALLY_CAPTURED"],
    ["5ST13AUTHCAPT0000", "captured", "COMPLETED, authorization CAPTURED"],
    ["5ST14AUTHDENI0000", "error", "COMPLETED, authorization DENIED"],
    ["5ST15AUTHVOID0000", "canceled", "COMPLETED, authorization VOIDED"],
    ["5ST20CAPTCOMP0000", "captured", "COMPLETED, capture COMPLETED"],
    ["5ST21CAPTPEND0000", "pending_authorization", "COMPLETED, capture PENDING"],
    ["5ST22CAPTDECL0000", "error", "COMPLETED, capture DECLINED"],
    ["5ST23CAPTFAIL0000", "error", "COMPLETED, capture FAILED"],
    ["5ST24CAPTPART0000", "captured", "COMPLETED, capture PARTIALLY_REFUNDED"],
    ["5ST25CAPTREFU0000", "captured", "COMPLETED, capture REFUNDED"],
  ] as const

  it("maps every order, authorization and capture status, with one GET of the order each", async () => {
    const { service } = provider()
    const fixture = play("status-mapping")
    const seen: Array<[string, string, string | undefined]> = []
    for (const [id] of STATUSES) {
      const snapshot = await service.inspectPayment(order(id))
      seen.push([id, snapshot.status, snapshot.gateway_status])
    }
    fixture.finish()
    expect(seen).toEqual(STATUSES.map(([id, status, gateway]) => [id, status, gateway]))
    expect(fixture.mutatingRequests().map((r) => r.path)).toEqual(["/v1/oauth2/token"])
  })

  it("gives what was captured in PayPal's precision, and no expiry once nothing is left to capture", async () => {
    const { service } = provider()
    const fixture = play("status-mapping")
    const snapshots = []
    for (const [id] of STATUSES) snapshots.push(await service.inspectPayment(order(id)))
    fixture.finish()
    expect(snapshots[0]).toEqual({ status: "pending", gateway_status: "CREATED", currency_code: "usd", amount: "100.00", captured_amount: "0.00", refunded_amount: "0.00", refunds: [] })
    expect(snapshots[11]).toEqual(expect.objectContaining({ status: "captured", amount: "100.00", captured_amount: "100.00" }))
    expect(snapshots[8].authorization_expires_at).toBeUndefined()
    expect(snapshots[10].authorization_expires_at).toBeUndefined()
  })

  // PayPal: "PayPal honors the funds for 3 days ... an authorization is valid for 29 days"
  // (https://developer.paypal.com/docs/checkout/standard/customize/authorization/).
  it("says when the authorization expires (PayPal's expiration_time, else 29 days) and when its 3-day honor period ends", async () => {
    const { service } = provider()
    const fixture = play("inspect-authorization-honor-period", { session_id })
    const fromPaypal = await service.inspectPayment(order("5IN01AUTHHONO0000"))
    const withoutExpiration = await service.inspectPayment(order("5IN02AUTHNOEX0000"))
    fixture.finish()
    expect(fromPaypal).toEqual({
      status: "authorized",
      gateway_status: "COMPLETED, authorization CREATED",
      currency_code: "usd",
      amount: "120.00",
      captured_amount: "0.00",
      refunded_amount: "0.00",
      refunds: [],
      authorization_expires_at: "2026-12-22T09:02:10.000Z",
      honor_period_ends_at: "2026-11-26T09:02:10.000Z",
    })
    expect(withoutExpiration.authorization_expires_at).toBe("2026-12-22T09:02:10.000Z")
  })

  it("reckons the honor period from when this store authorized, as the capture does before reauthorizing", async () => {
    const { service } = provider()
    const [token, authorized] = loadFixture("paypal", "inspect-authorization-honor-period").interactions
    const fixture = inline({ scenario: "honor-period-of-the-store", interactions: [token, authorized] }, { session_id })
    const snapshot = await service.inspectPayment(order("5IN01AUTHHONO0000", { authorization: { ...authorization, authorized_at: "2026-11-23T09:02:30.000Z" } }))
    fixture.finish()
    expect(snapshot.honor_period_ends_at).toBe("2026-11-26T09:02:30.000Z")
  })

  it("lists partial refunds, telling the store's own (custom_id <session>.<refund>) from one made in PayPal's dashboard", async () => {
    const { service } = provider()
    const fixture = play("inspect-refunds-store-and-dashboard", { session_id })
    const snapshot = await service.inspectPayment(order("5IN03REFUNDS0000"))
    fixture.finish()
    expect(snapshot).toEqual({
      status: "captured",
      gateway_status: "COMPLETED, capture PARTIALLY_REFUNDED",
      currency_code: "usd",
      amount: "120.00",
      captured_amount: "120.00",
      refunded_amount: "55.00",
      refunds: [
        { refund_id: "8IN03STORE0000000", amount: "20.00", currency_code: "usd", made_by_store: true, medusa_refund_id: "ref_01INSPECTSTORE", status: "succeeded" },
        { refund_id: "8IN03DASH00000000", amount: "30.00", currency_code: "usd", made_by_store: false, status: "succeeded" },
        { refund_id: "8IN03PEND00000000", amount: "5.00", currency_code: "usd", made_by_store: true, medusa_refund_id: "ref_01INSPECTPENDING", status: "pending" },
      ],
    })
  })

  it("refuses to guess a refund status PayPal does not document", async () => {
    const { service } = provider()
    const base = loadFixture("paypal", "inspect-refunds-store-and-dashboard")
    const strange = JSON.parse(JSON.stringify(base.interactions[1]).split("{{session_id}}").join(session_id).replace('"status":"PENDING"', '"status":"REVERSED"'))
    const fixture = inline({ scenario: "unknown-refund-status", interactions: [tokenInteraction(), strange] })
    await expect(service.inspectPayment(order("5IN03REFUNDS0000"))).rejects.toThrow(/Unknown PayPal refund status: "REVERSED"/)
    fixture.finish()
  })

  it("passes on PayPal's outage as an error, never a status", async () => {
    const { service } = provider({ maxRetries: 0 })
    const fixture = inline({
      scenario: "inspect-outage",
      interactions: [tokenInteraction(), { request: { method: "GET", path: "/v2/checkout/orders/5IN04OUTAGE00000" }, response: { status: 503, body: { name: "SERVICE_UNAVAILABLE", message: "Service Unavailable." } } }],
    })
    const failure = await service.inspectPayment(order("5IN04OUTAGE00000")).catch((e) => e)
    fixture.finish()
    expect(failure).toBeInstanceOf(GatewayUnavailableError)
    expect(failure.indeterminate).toBe(false)
  })
})
