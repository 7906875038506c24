import BigNumberJS from "bignumber.js"
import { declineStatus, describeIssue, parsePaypalError } from "../errors"
import {
  buildAmountPatch,
  buildOrderRequest,
  honorPeriodElapsed,
  mapAuthorizationStatus,
  mapPaymentStatus,
  parseRefundCustomId,
  paypalEligibilityRules,
  refundCustomId,
  toSessionData,
} from "../mapping"
import { PAYPAL_WEBHOOK_EVENTS, mapWebhookEvent, readPaypalEvent } from "../events"
import { fromPaypalMoney, toPaypalCaptureAmount, toPaypalMoney, toPaypalRefundMoney } from "../money"
import { allocateRefund } from "../refunds"
import type { PaypalSessionData } from "../types"
import { parsePaypalOptions } from "../options"

const options = parsePaypalOptions({ clientId: "test-client-id", clientSecret: "test-client-secret" })
const SESSION = "payses_01MAPPINGUNIT000000000"

describe("PayPal amounts", () => {
  it.each([
    ["usd", 10.5, "10.50"],
    ["usd", "19.99", "19.99"],
    ["eur", 100, "100.00"],
    // Medusa's totals may carry more decimals than the currency (tax): rounded half-up.
    ["usd", "13.0781", "13.08"],
    ["usd", "13.075", "13.08"],
    ["jpy", 1000, "1000"],
    // HUF and TWD have two decimals in ISO 4217 and none at PayPal.
    ["huf", 1500, "1500"],
    ["huf", "1500.5", "1501"],
    ["twd", "300.49", "300"],
    ["gbp", { value: "42.1", precision: 20 }, "42.10"],
  ])("%s %p is sent as %p", (currency, amount, value) => {
    expect(toPaypalMoney(amount as never, currency as string)).toEqual({ currency_code: String(currency).toUpperCase(), value })
  })

  // PayPal's currency codes page (https://developer.paypal.com/docs/api/reference/currency-codes/)
  // lists 25 currencies; HUF, JPY and TWD are marked "This currency does not support
  // decimals. If you pass a decimal amount, an error occurs."
  it.each(["HUF", "JPY", "TWD"])("%s is sent without decimals", (currency) => {
    expect(toPaypalMoney(1500, currency)).toEqual({ currency_code: currency, value: "1500" })
    expect(toPaypalMoney("1500.4", currency).value).toBe("1500")
    expect(() => fromPaypalMoney({ currency_code: currency, value: "1500.50" })).toThrow(/more decimals/)
  })

  it.each(["AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "ILS", "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RUB", "SEK", "SGD", "THB", "USD"])(
    "%s is sent with two decimals",
    (currency) => {
      expect(toPaypalMoney("12.5", currency)).toEqual({ currency_code: currency, value: "12.50" })
      expect(fromPaypalMoney({ currency_code: currency, value: "12.50" }).toFixed()).toBe("12.5")
    }
  )

  it("rounds a refund toward zero (never more than asked) and refuses a partial capture it cannot take exactly", () => {
    expect(toPaypalRefundMoney("10.005", "usd").value).toBe("10.00")
    expect(toPaypalRefundMoney("100.9", "huf").value).toBe("100")
    expect(toPaypalCaptureAmount("13.0781", "usd", new BigNumberJS("13.08")).toFixed()).toBe("13.08")
    expect(toPaypalCaptureAmount("5.50", "usd", new BigNumberJS("13.08")).toFixed()).toBe("5.5")
    expect(() => toPaypalCaptureAmount("5.505", "usd", new BigNumberJS("13.08"))).toThrow(/cannot be charged exactly/)
  })

  it("refuses a currency PayPal does not take, naming it (no three-decimal currency such as KWD)", () => {
    expect(() => toPaypalMoney(12.345, "kwd")).toThrow(/PayPal does not accept payments in KWD; its currencies are AUD, .*USD/)
    expect(() => toPaypalMoney(100, "inr")).toThrow(/not accept payments in INR/)
  })

  it("reads PayPal's amounts back exactly, refusing decimals PayPal would not send", () => {
    expect(fromPaypalMoney({ currency_code: "USD", value: "120.00" }).toFixed()).toBe("120")
    expect(fromPaypalMoney({ currency_code: "JPY", value: "1000" }).toNumber()).toBe(1000)
    expect(() => fromPaypalMoney({ currency_code: "HUF", value: "1500.50" })).toThrow(/more decimals than HUF allows/)
  })
})

describe("PayPal order requests", () => {
  it("puts the session id in custom_id and the amount in PayPal's precision, with the configured intent", () => {
    const body = buildOrderRequest({ amount: 12.5, currency_code: "eur", session_id: SESSION }, options)
    expect(body).toEqual({
      intent: "AUTHORIZE",
      purchase_units: [{ reference_id: "default", custom_id: SESSION, amount: { currency_code: "EUR", value: "12.50" } }],
      payment_source: { paypal: { experience_context: { shipping_preference: "NO_SHIPPING", user_action: "PAY_NOW" } } },
    })
    const capture = buildOrderRequest({ amount: 1000, currency_code: "jpy", session_id: SESSION }, { ...options, intent: "capture" })
    expect(capture.intent).toBe("CAPTURE")
  })

  it("uses the session's return and cancel URLs over the configured ones, ignoring anything that is not a URL", () => {
    const configured = { ...options, returnUrl: "https://shop.example.com/return", cancelUrl: "https://shop.example.com/cancel", brandName: "Espresso & Co", locale: "de-DE", landingPage: "LOGIN" as const }
    const overridden = buildOrderRequest(
      { amount: 1, currency_code: "usd", session_id: SESSION, data: { return_url: "https://shop.example.com/de/return?cart=1", cancel_url: "javascript:alert(1)" } },
      configured
    )
    expect((overridden.payment_source as { paypal: { experience_context: object } }).paypal.experience_context).toEqual({
      brand_name: "Espresso & Co",
      locale: "de-DE",
      landing_page: "LOGIN",
      shipping_preference: "NO_SHIPPING",
      user_action: "PAY_NOW",
      return_url: "https://shop.example.com/de/return?cart=1",
      cancel_url: "https://shop.example.com/cancel",
    })
  })

  it("patches the amount of the one purchase unit by its reference id", () => {
    expect(buildAmountPatch({ currency_code: "USD", value: "120.00" })).toEqual([
      { op: "replace", path: "/purchase_units/@reference_id=='default'/amount", value: { currency_code: "USD", value: "120.00" } },
    ])
  })
})

describe("PayPal session data", () => {
  const approved = {
    id: "8RU61172JS455403V",
    status: "COMPLETED" as const,
    intent: "AUTHORIZE" as const,
    payer: { email_address: "sam.shopper@example.com", name: { given_name: "Sam", surname: "Shopper" } },
    purchase_units: [
      {
        custom_id: SESSION,
        amount: { currency_code: "USD", value: "120.00" },
        payee: { email_address: "merchant@example.com" },
        shipping: { name: { full_name: "Sam Shopper" }, address: { address_line_1: "1 Main St" } },
        payments: {
          authorizations: [{ id: "2KF02913XN8829318", status: "CREATED" as const, amount: { currency_code: "USD", value: "120.00" }, create_time: "2026-11-23T09:02:10Z" }],
        },
      },
    ],
    links: [{ href: "https://www.sandbox.paypal.com/checkoutnow?token=8RU61172JS455403V", rel: "payer-action" }],
  }

  it("keeps ids, amounts and states for the storefront, never the payer's or the merchant's details", () => {
    const data = toSessionData(approved, { session_id: SESSION })
    expect(data).toEqual(
      expect.objectContaining({
        id: "8RU61172JS455403V",
        status: "COMPLETED",
        amount: "120.00",
        currency_code: "USD",
        approve_url: "https://www.sandbox.paypal.com/checkoutnow?token=8RU61172JS455403V",
        session_id: SESSION,
        authorization: { id: "2KF02913XN8829318", status: "CREATED", amount: "120.00", authorized_at: null, created_at: "2026-11-23T09:02:10Z", expiration_time: null, reauthorized_from: null },
        amount_captured: "0.00",
        amount_refunded: "0.00",
      })
    )
    const text = JSON.stringify(data)
    for (const personal of ["sam.shopper@example.com", "Shopper", "merchant@example.com", "1 Main St"]) {
      expect(text).not.toContain(personal)
    }
  })

  it("keeps the store's own authorization time and the reauthorization link across lookups", () => {
    const previous = toSessionData(approved, { session_id: SESSION })
    const known = { ...previous, authorization: { ...previous.authorization!, authorized_at: "2026-11-23T09:02:11.000Z" } }
    const again = toSessionData(approved, known)
    expect(again.authorization?.authorized_at).toBe("2026-11-23T09:02:11.000Z")
  })
})

describe("PayPal status mapping", () => {
  const state = (status: string, extra: object = {}) => ({ status, intent: "AUTHORIZE", authorization: null, captures: [], ...extra }) as never

  it.each([
    ["CREATED", "pending"],
    ["SAVED", "pending"],
    ["PAYER_ACTION_REQUIRED", "pending"],
    ["APPROVED", "pending"],
    ["VOIDED", "canceled"],
  ])("order %s -> %s", (status, expected) => {
    expect(mapPaymentStatus(state(status))).toBe(expected)
  })

  it.each([
    ["CREATED", "authorized"],
    ["PENDING", "pending_authorization"],
    ["PARTIALLY_CAPTURED", "captured"],
    ["CAPTURED", "captured"],
    ["DENIED", "error"],
    ["VOIDED", "canceled"],
  ])("authorization %s -> %s", (status, expected) => {
    expect(mapPaymentStatus(state("COMPLETED", { authorization: { status } }))).toBe(expected)
  })

  it.each([
    ["COMPLETED", "captured"],
    ["PARTIALLY_REFUNDED", "captured"],
    ["REFUNDED", "captured"],
    ["PENDING", "pending_authorization"],
    ["DECLINED", "error"],
    ["FAILED", "error"],
  ])("capture %s (intent capture) -> %s", (status, expected) => {
    expect(mapPaymentStatus(state("COMPLETED", { intent: "CAPTURE", captures: [{ status }] }))).toBe(expected)
  })

  it("maps a session canceled before approval to canceled whatever the order says", () => {
    expect(mapPaymentStatus(state("APPROVED", { canceled: true }))).toBe("canceled")
  })

  it("throws on a status PayPal might add later instead of reading it as pending", () => {
    expect(() => mapPaymentStatus(state("ON_HOLD"))).toThrow('Unknown PayPal order status: "ON_HOLD"')
    expect(() => mapAuthorizationStatus("EXPIRED" as never)).toThrow('Unknown PayPal authorization status: "EXPIRED"')
    expect(() => mapPaymentStatus(state("COMPLETED", { intent: "CAPTURE", captures: [{ status: "SETTLED" }] }))).toThrow(
      'Unknown PayPal capture status: "SETTLED"'
    )
    expect(() => mapPaymentStatus(state("COMPLETED", { intent: "CAPTURE", captures: [] }))).toThrow(/COMPLETED but carries no capture/)
  })
})

describe("PayPal declines and errors", () => {
  it("sends the buyer back to PayPal after INSTRUMENT_DECLINED and ends the payment after a refusal", () => {
    expect(declineStatus("INSTRUMENT_DECLINED")).toBe("requires_more")
    expect(declineStatus("REDIRECT_PAYER_FOR_ALTERNATE_FUNDING")).toBe("requires_more")
    expect(declineStatus("TRANSACTION_REFUSED")).toBe("error")
    expect(declineStatus("PAYER_CANNOT_PAY")).toBe("error")
    expect(declineStatus("ORDER_NOT_APPROVED")).toBeUndefined()
  })

  it("reads PayPal's REST and OAuth error bodies", () => {
    expect(
      parsePaypalError(422, { name: "UNPROCESSABLE_ENTITY", message: "The requested action could not be performed", details: [{ issue: "REFUND_AMOUNT_EXCEEDED", description: "The refund amount must be less" }] })
    ).toEqual({ code: "REFUND_AMOUNT_EXCEEDED", message: "The refund amount must be less" })
    expect(parsePaypalError(401, { error: "invalid_client", error_description: "Client Authentication failed" })).toEqual({
      code: "invalid_client",
      message: "Client Authentication failed",
    })
    expect(parsePaypalError(503, { name: "SERVICE_UNAVAILABLE", message: "Service Unavailable." })).toEqual({ code: "SERVICE_UNAVAILABLE", message: "Service Unavailable." })
  })

  it.each([
    ["ORDER_NOT_APPROVED", /not approved the payment at PayPal yet/],
    ["AUTHORIZATION_EXPIRED", /expired \(after 29 days\)/],
    ["REFUND_AMOUNT_EXCEEDED", /more than what remains refundable/],
    ["DECIMALS_NOT_SUPPORTED", /does not accept decimals in this currency/],
    ["INSTRUMENT_DECLINED", /choose another one at PayPal/],
  ])("words PayPal's %s for the merchant", (issue, expected) => {
    expect(describeIssue(issue, "fallback")).toMatch(expected)
  })

  it("keeps PayPal's own description for an issue it has no words for", () => {
    expect(describeIssue("SOMETHING_NEW", "PayPal's description")).toBe("PayPal's description")
  })
})

describe("PayPal honor period", () => {
  const now = new Date("2026-11-23T12:00:00Z")
  it("has passed three days after the store authorized, not before", () => {
    expect(honorPeriodElapsed({ authorized_at: "2026-11-20T11:59:59Z", created_at: null }, now)).toBe(true)
    expect(honorPeriodElapsed({ authorized_at: "2026-11-20T12:00:01Z", created_at: null }, now)).toBe(false)
    // PayPal's create_time only counts when the store did not record its own time.
    expect(honorPeriodElapsed({ authorized_at: null, created_at: "2026-11-19T12:00:00Z" }, now)).toBe(true)
    expect(honorPeriodElapsed({ authorized_at: "2026-11-23T11:00:00Z", created_at: "2026-11-19T12:00:00Z" }, now)).toBe(false)
    expect(honorPeriodElapsed({ authorized_at: null, created_at: null }, now)).toBe(false)
  })
})

describe("PayPal refunds across captures", () => {
  const data = {
    id: "1HP48217EX5530162",
    currency_code: "USD",
    captures: [
      { id: "C1", status: "COMPLETED", amount: "60.00", final_capture: false },
      { id: "C2", status: "COMPLETED", amount: "40.00", final_capture: true },
      { id: "C3", status: "PENDING", amount: "5.00", final_capture: false },
    ],
    refunds: [{ id: "R1", capture_id: "C1", status: "COMPLETED", amount: "50.00" }],
  } as unknown as PaypalSessionData

  it("refunds oldest first from what each settled capture has left", () => {
    expect(allocateRefund(data, new BigNumberJS("30")).map((p) => [p.capture_id, p.amount.toFixed()])).toEqual([
      ["C1", "10"],
      ["C2", "20"],
    ])
  })

  it("cannot cover more than the settled captures hold (a pending capture is not refundable)", () => {
    expect(() => allocateRefund(data, new BigNumberJS("50.01"))).toThrow(/cannot cover a refund of 50.01 USD/)
  })
})

describe("PayPal eligibility", () => {
  it("limits the currencies to PayPal's unless the merchant narrows them further", () => {
    expect(paypalEligibilityRules({}).allowedCurrencies).toEqual(expect.arrayContaining(["USD", "EUR", "JPY", "HUF"]))
    expect(paypalEligibilityRules({}).allowedCurrencies).not.toContain("KWD")
    expect(paypalEligibilityRules({ allowedCurrencies: ["EUR"] }).allowedCurrencies).toEqual(["EUR"])
  })
})

describe("PayPal webhook mapping (of bodies already verified)", () => {
  const event = (event_type: string, resource: Record<string, unknown>) => ({ id: "WH-1", event_type, resource })
  const capture = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id: "3C679366HH908993F", status: "COMPLETED", custom_id: SESSION, amount: { currency_code: "JPY", value: "1500" }, final_capture: true, ...extra })

  it("gives the session id from custom_id and the amount in major units", () => {
    expect(mapWebhookEvent(event("PAYMENT.CAPTURE.COMPLETED", capture())).result).toEqual({ action: "captured", data: { session_id: SESSION, amount: 1500 } })
  })

  it("does not act on a partial capture, which the capture that made it already recorded", () => {
    const mapped = mapWebhookEvent(event("PAYMENT.CAPTURE.COMPLETED", capture({ final_capture: false })))
    expect(mapped.result).toEqual({ action: "not_supported" })
    expect(mapped.note).toMatch(/partial capture 3C679366HH908993F/)
  })

  it("ignores events without a Medusa session, with an amount PayPal would not send, or of other types", () => {
    expect(mapWebhookEvent(event("PAYMENT.CAPTURE.COMPLETED", capture({ custom_id: "order-4711" }))).result).toEqual({ action: "not_supported" })
    expect(mapWebhookEvent(event("PAYMENT.CAPTURE.COMPLETED", capture({ amount: { currency_code: "JPY", value: "15.5" } }))).result).toEqual({ action: "not_supported" })
    expect(mapWebhookEvent(event("PAYMENT.CAPTURE.COMPLETED", capture({ amount: undefined }))).result).toEqual({ action: "not_supported" })
    expect(mapWebhookEvent(event("BILLING.SUBSCRIPTION.CREATED", capture())).result).toEqual({ action: "not_supported" })
  })
})

describe("the mark on the refunds this store makes (custom_id)", () => {
  it("is the session id and the Medusa refund id, within PayPal's pattern and length", () => {
    const mark = refundCustomId(SESSION, "ref_01JD4K7R9XWQ2M8N5P3T6V1Y0Z")
    expect(mark).toBe(`${SESSION}.ref_01JD4K7R9XWQ2M8N5P3T6V1Y0Z`)
    // payments_payment_v2 `refund.custom_id`: pattern ^[A-Za-z0-9-_.,]*$, 1 to 127 characters.
    expect(mark).toMatch(/^[A-Za-z0-9\-_.,]{1,127}$/)
    expect(parseRefundCustomId(mark)).toEqual({ session_id: SESSION, medusa_refund_id: "ref_01JD4K7R9XWQ2M8N5P3T6V1Y0Z" })
  })

  it("is the session id alone without a Medusa refund id, or when the two would not fit PayPal's field", () => {
    expect(refundCustomId(SESSION, undefined)).toBe(SESSION)
    expect(refundCustomId(SESSION, "ref with spaces")).toBe(SESSION)
    expect(refundCustomId(SESSION, `ref_${"X".repeat(120)}`)).toBe(SESSION)
    expect(refundCustomId(null, "ref_01A")).toBeUndefined()
  })

  it("reads back what it wrote, and nothing from another integration's custom_id", () => {
    expect(parseRefundCustomId(SESSION)).toEqual({ session_id: SESSION })
    expect(parseRefundCustomId("order-4711")).toEqual({})
    expect(parseRefundCustomId("order-4711.ref_01A")).toEqual({})
    expect(parseRefundCustomId(`${SESSION}.`)).toEqual({ session_id: SESSION })
    expect(parseRefundCustomId(undefined)).toEqual({})
  })
})

describe("the full outcome of a verified PayPal event", () => {
  const event = (event_type: string, resource: Record<string, unknown>) => ({ id: "WH-OUTCOME-1", event_type, create_time: "2026-11-23T09:00:00.000Z", resource })
  const ref = { event_id: "WH-OUTCOME-1", occurred_at: "2026-11-23T09:00:00.000Z" }
  const settled = (e: unknown) => {
    const reading = readPaypalEvent(e as never)
    if (!("outcome" in reading) || typeof reading.outcome === "function") throw new Error("expected an outcome without a lookup")
    return reading.outcome
  }
  const looked = (e: unknown, sessionId: string | undefined) => {
    const reading = readPaypalEvent(e as never)
    if (!("captureId" in reading)) throw new Error("expected a lookup of the capture")
    return { captureId: reading.captureId, outcome: reading.outcome(sessionId) }
  }
  const money = (value: string, currency_code = "USD") => ({ currency_code, value })
  const up = (captureId: string) => [{ href: `https://api-m.sandbox.paypal.com/v2/payments/captures/${captureId}`, rel: "up", method: "GET" }]

  it("keeps the payment mapping Medusa's action has, with exact amounts", () => {
    const order = { id: "5O190127TN364715T", status: "APPROVED", purchase_units: [{ custom_id: SESSION, amount: money("120.00") }] }
    expect(settled(event("CHECKOUT.ORDER.APPROVED", order))).toEqual({ ...ref, event_type: "CHECKOUT.ORDER.APPROVED", kind: "authorized", session_id: SESSION, amount: "120.00", currency_code: "usd" })
    const authorization = (status: string) => ({ id: "0VF52814DK998046A", status, custom_id: SESSION, amount: money("1500", "JPY") })
    expect(settled(event("PAYMENT.AUTHORIZATION.CREATED", authorization("CREATED")))).toEqual(expect.objectContaining({ kind: "authorized", amount: "1500", currency_code: "jpy" }))
    expect(settled(event("PAYMENT.AUTHORIZATION.CREATED", authorization("PENDING")))).toEqual({ ...ref, event_type: "PAYMENT.AUTHORIZATION.CREATED", kind: "pending", session_id: SESSION })
    expect(settled(event("PAYMENT.AUTHORIZATION.VOIDED", authorization("VOIDED")))).toEqual({ ...ref, event_type: "PAYMENT.AUTHORIZATION.VOIDED", kind: "canceled", session_id: SESSION, reason: "authorization 0VF52814DK998046A voided" })
    const capture = (status: string, final_capture = true) => ({ id: "3C679366HH908993F", status, custom_id: SESSION, amount: money("60.00"), final_capture })
    expect(settled(event("PAYMENT.CAPTURE.COMPLETED", capture("COMPLETED")))).toEqual(expect.objectContaining({ kind: "captured", amount: "60.00" }))
    expect(settled(event("PAYMENT.CAPTURE.COMPLETED", capture("COMPLETED", false)))).toEqual({
      ...ref, event_type: "PAYMENT.CAPTURE.COMPLETED", kind: "ignored", session_id: SESSION, reason: `partial capture 3C679366HH908993F of ${SESSION} is already recorded by the capture that made it`,
    })
    expect(settled(event("PAYMENT.CAPTURE.PENDING", capture("PENDING")))).toEqual(expect.objectContaining({ kind: "pending" }))
    expect(settled(event("PAYMENT.CAPTURE.DENIED", { ...capture("DECLINED"), status_details: { reason: "RISK" } }))).toEqual({
      ...ref, event_type: "PAYMENT.CAPTURE.DENIED", kind: "failed", session_id: SESSION, reason: "capture 3C679366HH908993F DECLINED (RISK)",
    })
  })

  it("reads this store's refund from its custom_id, with no lookup", () => {
    const refund = { id: "1JU08902781691411", status: "COMPLETED", amount: money("20.00"), custom_id: `${SESSION}.ref_01OWN`, links: up("3C679366HH908993F") }
    expect(settled(event("PAYMENT.CAPTURE.REFUNDED", refund))).toEqual({
      ...ref, event_type: "PAYMENT.CAPTURE.REFUNDED", kind: "refunded", session_id: SESSION, refund_id: "1JU08902781691411", amount: "20.00", currency_code: "usd", made_by_store: true, medusa_refund_id: "ref_01OWN", status: "succeeded",
    })
    // A refund made before the mark carried the refund id: the session only, not this store's mark.
    expect(settled(event("PAYMENT.CAPTURE.REFUNDED", { ...refund, custom_id: SESSION }))).toEqual(expect.objectContaining({ made_by_store: false }))
  })

  it("finds the session of a refund made in PayPal's dashboard through its capture", () => {
    const refund = { id: "2KV19013892702522", status: "PENDING", amount: money("15.00"), links: up("3C679366HH908993F") }
    expect(looked(event("PAYMENT.CAPTURE.REFUNDED", refund), SESSION)).toEqual({
      captureId: "3C679366HH908993F",
      outcome: { ...ref, event_type: "PAYMENT.CAPTURE.REFUNDED", kind: "refunded", session_id: SESSION, refund_id: "2KV19013892702522", amount: "15.00", currency_code: "usd", made_by_store: false, status: "pending" },
    })
    expect(looked(event("PAYMENT.CAPTURE.REFUNDED", refund), "order-4711").outcome).toEqual(expect.objectContaining({ kind: "ignored" }))
    expect(settled(event("PAYMENT.CAPTURE.REFUNDED", { ...refund, links: [] }))).toEqual(expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/names no capture/) }))
  })

  it("maps every refund status PayPal documents, and refuses one it does not", () => {
    const statusOf = (status: string) => (settled(event("PAYMENT.CAPTURE.REFUNDED", { id: "R1", status, amount: money("1.00"), custom_id: SESSION })) as { status?: string }).status
    expect([statusOf("COMPLETED"), statusOf("PENDING"), statusOf("FAILED"), statusOf("CANCELLED")]).toEqual(["succeeded", "pending", "failed", "canceled"])
    expect(() => statusOf("REVERSED")).toThrow(/Unknown PayPal refund status: "REVERSED"/)
  })

  it("reads a reversed capture as a dispute PayPal decided against the store", () => {
    const reversal = { id: "8MR11172JS455403V", status: "COMPLETED", amount: money("120.00"), custom_id: SESSION, links: up("3C679366HH908993F") }
    expect(settled(event("PAYMENT.CAPTURE.REVERSED", reversal))).toEqual({
      ...ref, event_type: "PAYMENT.CAPTURE.REVERSED", kind: "dispute", session_id: SESSION, dispute_id: "8MR11172JS455403V", status: "lost", amount: "120.00", currency_code: "usd", reason: "reversed",
    })
  })

  const dispute = (fields: Record<string, unknown> = {}) => ({
    dispute_id: "PP-D-27803",
    create_time: "2026-11-24T10:00:00.000Z",
    reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
    status: "WAITING_FOR_SELLER_RESPONSE",
    dispute_amount: money("120.00"),
    seller_response_due_date: "2026-12-04T10:00:00.000Z",
    disputed_transactions: [{ seller_transaction_id: "3C679366HH908993F", custom: SESSION, buyer: { name: "Ada Lovelace" } }],
    ...fields,
  })

  it("reads a customer dispute's life, from the session its transaction carries", () => {
    expect(settled(event("CUSTOMER.DISPUTE.CREATED", dispute()))).toEqual({
      ...ref, event_type: "CUSTOMER.DISPUTE.CREATED", kind: "dispute", session_id: SESSION, dispute_id: "PP-D-27803", status: "opened", amount: "120.00", currency_code: "usd", reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED", evidence_due_by: "2026-12-04T10:00:00.000Z",
    })
    expect(settled(event("CUSTOMER.DISPUTE.UPDATED", dispute({ status: "UNDER_REVIEW" })))).toEqual(expect.objectContaining({ status: "updated" }))
    const resolved = (outcome_code: string) => (settled(event("CUSTOMER.DISPUTE.RESOLVED", dispute({ status: "RESOLVED", dispute_outcome: { outcome_code } }))) as { status: string }).status
    expect(resolved("RESOLVED_SELLER_FAVOUR")).toBe("won")
    expect(resolved("DENIED")).toBe("won")
    expect(resolved("RESOLVED_BUYER_FAVOUR")).toBe("lost")
    expect(resolved("ACCEPTED")).toBe("lost")
    expect(resolved("CANCELED_BY_BUYER")).toBe("closed")
    expect(resolved("RESOLVED_WITH_PAYOUT")).toBe("closed")
    expect(resolved("NONE")).toBe("closed")
    expect(() => resolved("SPLIT")).toThrow(/Unknown PayPal dispute outcome: "SPLIT"/)
    expect(settled(event("CUSTOMER.DISPUTE.RESOLVED", dispute({ status: "RESOLVED" })))).toEqual(expect.objectContaining({ status: "closed" }))
    expect(JSON.stringify(settled(event("CUSTOMER.DISPUTE.CREATED", dispute())))).not.toContain("Lovelace")
  })

  it("finds a dispute's session through its capture when the dispute does not carry it", () => {
    const withoutSession = dispute({ disputed_transactions: [{ seller_transaction_id: "3C679366HH908993F" }] })
    expect(looked(event("CUSTOMER.DISPUTE.CREATED", withoutSession), SESSION)).toEqual({ captureId: "3C679366HH908993F", outcome: expect.objectContaining({ kind: "dispute", session_id: SESSION, status: "opened" }) })
    expect(looked(event("CUSTOMER.DISPUTE.CREATED", withoutSession), undefined).outcome).toEqual(expect.objectContaining({ kind: "ignored" }))
    expect(settled(event("CUSTOMER.DISPUTE.CREATED", dispute({ disputed_transactions: [] })))).toEqual(expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/names no transaction/) }))
  })

  it("ignores what is not this store's, what carries no amount, and other event types, saying why", () => {
    expect(settled(event("PAYMENT.CAPTURE.COMPLETED", { id: "C1", status: "COMPLETED", custom_id: "order-4711", amount: money("1.00"), final_capture: true }))).toEqual(expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/no Medusa session id/) }))
    expect(settled(event("PAYMENT.CAPTURE.COMPLETED", { id: "C1", status: "COMPLETED", custom_id: SESSION, final_capture: true }))).toEqual(expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/carries no amount/) }))
    expect(settled(event("BILLING.SUBSCRIPTION.CREATED", {}))).toEqual(expect.objectContaining({ kind: "ignored", reason: "PayPal event type BILLING.SUBSCRIPTION.CREATED is not acted on" }))
  })

  it("lists the events to subscribe the webhook to", () => {
    expect([...PAYPAL_WEBHOOK_EVENTS].sort()).toEqual([
      "CHECKOUT.ORDER.APPROVED",
      "CUSTOMER.DISPUTE.CREATED",
      "CUSTOMER.DISPUTE.RESOLVED",
      "CUSTOMER.DISPUTE.UPDATED",
      "PAYMENT.AUTHORIZATION.CREATED",
      "PAYMENT.AUTHORIZATION.VOIDED",
      "PAYMENT.CAPTURE.COMPLETED",
      "PAYMENT.CAPTURE.DENIED",
      "PAYMENT.CAPTURE.PENDING",
      "PAYMENT.CAPTURE.REFUNDED",
      "PAYMENT.CAPTURE.REVERSED",
    ])
  })
})
