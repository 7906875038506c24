import {
  buildCustomerParams,
  buildIntentCreate,
  confirmsOnServer,
  formatStripeAmount,
  fromStripeAmount,
  mapIntentStatus,
  stripeEligibility,
  storefrontData,
  toSessionData,
  toStripeAmount,
  toStripeRefundAmount,
} from "../mapping"
import { STRIPE_WEBHOOK_EVENTS, mapWebhookEvent, readStripeEvent, toStripeSnapshot } from "../outcomes"
import { parseStripeOptions } from "../options"
import { judgeEligibility } from "../../../lib/payments/eligibility"

const options = parseStripeOptions({ apiKey: "sk_test_fake_mapping" })

// Every rule below is from Stripe's currency page, https://docs.stripe.com/currencies
// ("Zero-decimal currencies", "Three-decimal currencies", "Special cases").
describe("Stripe amounts", () => {
  // "Zero-decimal currencies": BIF, CLP, DJF, GNF, JPY, KMF, KRW, MGA, PYG, RWF, UGX, VND,
  // VUV, XAF, XOF, XPF; "to charge ¥500, provide an amount value of 500". UGX is listed
  // there too, but the special cases below say how it is sent.
  it.each(["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "vnd", "vuv", "xaf", "xof", "xpf"])(
    "zero-decimal %s: 500 is sent as 500 and comes back as 500",
    (currency) => {
      expect(toStripeAmount(500, currency)).toBe(500)
      expect(fromStripeAmount(500, currency)).toBe(500)
    }
  )

  it("MGA is zero-decimal at Stripe although ISO 4217 gives it two decimals", () => {
    expect(toStripeAmount(5000, "mga")).toBe(5000)
    expect(fromStripeAmount(5000, "mga")).toBe(5000)
  })

  // "Three-decimal currencies": BHD, JOD, KWD, OMR, TND; "the least-significant (last)
  // digit [must] be 0 ... 5.124 KWD must be rounded to 5120 or 5130."
  it.each(["bhd", "jod", "kwd", "omr", "tnd"])("three-decimal %s is sent in thousandths ending in 0", (currency) => {
    expect(toStripeAmount("5.124", currency)).toBe(5120)
    expect(toStripeAmount("5.125", currency)).toBe(5130)
    expect(toStripeAmount("12.34", currency)).toBe(12340)
    expect(fromStripeAmount(5120, currency)).toBe(5.12)
  })

  // Special case UGX: "UGX transitioned to a zero-decimal currency, but backward
  // compatibility requires you to represent it as a two-decimal value, where the decimal
  // amount is always 00. For example, to charge 5 UGX, provide an amount value of 500."
  it("UGX is sent as a two-decimal value whose decimals are always 00 (5 UGX -> 500)", () => {
    expect(toStripeAmount(5, "ugx")).toBe(500)
    expect(toStripeAmount(1000, "ugx")).toBe(100000)
    // "You can't charge fractions of UGX": whole shillings only.
    expect(toStripeAmount("1000.4", "ugx")).toBe(100000)
    expect(fromStripeAmount(100000, "ugx")).toBe(1000)
  })

  // Special case ISK: the same rule ("to charge 5 ISK, provide an amount value of 500").
  it("ISK is sent as a two-decimal value whose decimals are always 00 (5 ISK -> 500)", () => {
    expect(toStripeAmount(5, "isk")).toBe(500)
    expect(toStripeAmount(1500, "isk")).toBe(150000)
    expect(toStripeAmount(1500.4, "isk")).toBe(150000)
    expect(fromStripeAmount(150000, "isk")).toBe(1500)
  })

  // Special cases HUF and TWD: "Stripe treats HUF as a zero-decimal currency for payouts,
  // even though you can charge two-decimal amounts" (TWD: the same).
  it.each([
    ["huf", "1234.5", 123450],
    ["twd", "300", 30000],
    ["twd", "300.25", 30025],
  ])("%s is charged with two decimals: %s is sent as %p", (currency, amount, minor) => {
    expect(toStripeAmount(amount, currency)).toBe(minor)
    expect(fromStripeAmount(minor, currency)).toBe(Number(amount))
  })

  it.each([
    ["usd", 10.5, 1050],
    ["usd", "19.99", 1999],
    ["eur", 0.1 + 0.2, 30],
  ])("two-decimal %s %p is sent as %p", (currency, amount, minor) => {
    expect(toStripeAmount(amount as number, currency as string)).toBe(minor)
  })

  it("rounds a refund toward zero so it never returns more than asked (1.005 KWD -> 1000, not 1010)", () => {
    expect(toStripeRefundAmount("1.005", "kwd")).toBe(1000)
    expect(toStripeRefundAmount("10.009", "usd")).toBe(1000)
    expect(toStripeRefundAmount("1000.9", "ugx")).toBe(100000)
    expect(toStripeRefundAmount("12.34", "kwd")).toBe(12340)
  })

  it("formats Stripe's minor units for people with Stripe's rules", () => {
    expect(formatStripeAmount(150000, "isk")).toBe("1500 ISK")
    expect(formatStripeAmount(100000, "ugx")).toBe("1000 UGX")
    expect(formatStripeAmount(5120, "kwd")).toBe("5.120 KWD")
    expect(formatStripeAmount(5000, "mga")).toBe("5000.00 MGA")
  })
})

describe("PaymentIntent status mapping", () => {
  it.each([
    ["requires_payment_method", "pending"],
    ["requires_confirmation", "pending"],
    ["requires_action", "requires_more"],
    ["processing", "pending"],
    ["requires_capture", "authorized"],
    ["succeeded", "captured"],
    ["canceled", "canceled"],
  ])("%s -> %s", (status, expected) => {
    expect(mapIntentStatus({ status, payment_method_types: ["card"] })).toBe(expected)
  })

  it("reads a decline (a payment method error on an intent back in requires_payment_method) as error", () => {
    expect(
      mapIntentStatus({ status: "requires_payment_method", last_payment_error: { code: "card_declined" } })
    ).toBe("error")
  })

  it("lets an asynchronous method's processing intent place the order as pending_authorization", () => {
    expect(mapIntentStatus({ status: "processing", payment_method_types: ["sepa_debit"] }, ["sepa_debit"])).toBe(
      "pending_authorization"
    )
    expect(mapIntentStatus({ status: "processing", payment_method_types: ["card"] }, ["sepa_debit"])).toBe("pending")
  })

  it("refuses to guess an unknown status", () => {
    expect(() => mapIntentStatus({ status: "requires_reauthorization" })).toThrow(/Unknown Stripe PaymentIntent status/)
  })
})

describe("the intent request", () => {
  it("carries the session id, manual capture by default and no storefront-chosen capture method", () => {
    const params = buildIntentCreate(
      { amount: 100, currency_code: "EUR", session_id: "payses_1", data: { capture_method: "automatic", amount: 1 } },
      options
    )
    expect(params).toEqual({ amount: 10000, currency: "eur", capture_method: "manual", metadata: { session_id: "payses_1" } })
  })

  it("applies the options: automatic capture, automatic payment methods and the description", () => {
    const configured = parseStripeOptions({
      apiKey: "sk_test_fake_mapping",
      capture: true,
      automaticPaymentMethods: true,
      paymentDescription: "Order at Example",
    })
    expect(buildIntentCreate({ amount: 1, currency_code: "usd", session_id: "payses_1", customer: "cus_1" }, configured)).toEqual({
      amount: 100,
      currency: "usd",
      capture_method: "automatic",
      metadata: { session_id: "payses_1" },
      description: "Order at Example",
      customer: "cus_1",
      automatic_payment_methods: { enabled: true },
    })
  })

  it("saves the card during the purchase for a customer only: save_payment_method, or setup_future_usage as given", () => {
    const base = { amount: 1, currency_code: "usd", session_id: "payses_1" }
    expect(buildIntentCreate({ ...base, customer: "cus_1", data: { save_payment_method: true } }, options).setup_future_usage).toBe("off_session")
    expect(buildIntentCreate({ ...base, customer: "cus_1", data: { save_payment_method: true, setup_future_usage: "on_session" } }, options).setup_future_usage).toBe("on_session")
    expect(buildIntentCreate({ ...base, customer: "cus_1", data: { save_payment_method: "yes" } }, options)).not.toHaveProperty("setup_future_usage")
    // A guest has no Stripe customer to keep it.
    expect(buildIntentCreate({ ...base, data: { save_payment_method: true, setup_future_usage: "off_session" } }, options)).not.toHaveProperty("setup_future_usage")
  })

  it("sets no redirects on an intent it confirms itself with a chosen payment method (automatic payment methods)", () => {
    const automatic = parseStripeOptions({ apiKey: "sk_test_fake_mapping", automaticPaymentMethods: true })
    const base = { amount: 1, currency_code: "usd", session_id: "payses_1", customer: "cus_1" }
    expect(buildIntentCreate({ ...base, data: { payment_method: "pm_1abc" } }, automatic).automatic_payment_methods).toEqual({ enabled: true, allow_redirects: "never" })
    expect(buildIntentCreate(base, automatic).automatic_payment_methods).toEqual({ enabled: true })
  })

  it("confirms on the server only an intent waiting for confirmation with a payment method", () => {
    expect(confirmsOnServer({ status: "requires_confirmation", payment_method: "pm_1" })).toBe(true)
    expect(confirmsOnServer({ status: "requires_confirmation", payment_method: { id: "pm_1" } as never })).toBe(true)
    expect(confirmsOnServer({ status: "requires_confirmation", payment_method: null })).toBe(false)
    for (const status of ["requires_payment_method", "requires_action", "processing", "requires_capture", "succeeded", "canceled"] as const) {
      expect(confirmsOnServer({ status, payment_method: "pm_1" })).toBe(false)
    }
  })

  it("takes only the storefront fields it knows, and only well-formed ones", () => {
    expect(
      storefrontData({
        setup_future_usage: "off_session",
        payment_method: "pm_123abc",
        payment_method_types: ["card", "ideal"],
        metadata: { session_id: "payses_other" },
        amount: 1,
      })
    ).toEqual({
      setup_future_usage: "off_session",
      payment_method: "pm_123abc",
      payment_method_types: ["card", "ideal"],
    })
    expect(storefrontData({ setup_future_usage: "always", payment_method: "pm_1; drop" })).toEqual({})
  })

  it("cuts a storefront's description to Stripe's 1000 characters without splitting a character in two", () => {
    // 999 letters then an emoji (two UTF-16 units): cutting at 1000 units would leave half of it.
    const description = `${"a".repeat(999)}\u{1F600}tail`
    const params = buildIntentCreate({ amount: 1, currency_code: "usd", session_id: "payses_1", data: { payment_description: description } }, options)
    expect(params.description).toBe("a".repeat(999))
    expect(params.description!.length).toBeLessThanOrEqual(1000)
  })

  // Stripe's API reference, PaymentIntents create, `return_url`: "This parameter can only be
  // used with confirm=true" (https://docs.stripe.com/api/payment_intents/create#create_payment_intent-return_url);
  // the provider creates unconfirmed intents (Stripe.js confirms them on the storefront), so
  // Stripe would answer 400 to every session a storefront passes a return URL for.
  it("never sends a return_url with the unconfirmed intent, even when the storefront gives one", () => {
    const params = buildIntentCreate(
      { amount: 10, currency_code: "eur", session_id: "payses_1", data: { return_url: "https://shop.example.com/return" } },
      options
    )
    expect(params).not.toHaveProperty("return_url")
    expect(params).not.toHaveProperty("confirm")
    expect(storefrontData({ return_url: "https://shop.example.com/return" })).toEqual({})
  })

  it("maps the Medusa customer onto a Stripe customer", () => {
    expect(
      buildCustomerParams({
        id: "cus_medusa",
        email: "ada@example.com",
        first_name: "Ada",
        last_name: "Lovelace",
        phone: "+441234",
        billing_address: { address_1: "12 St James's Square", city: "London", country_code: "gb", postal_code: "SW1Y 4JH" },
      })
    ).toEqual({
      email: "ada@example.com",
      name: "Ada Lovelace",
      phone: "+441234",
      metadata: { medusa_customer_id: "cus_medusa" },
      address: { line1: "12 St James's Square", line2: undefined, city: "London", state: undefined, postal_code: "SW1Y 4JH", country: "GB" },
    })
  })
})

describe("session data", () => {
  it("keeps what the storefront needs and none of the intent's personal data", () => {
    const data = toSessionData({
      id: "pi_1",
      object: "payment_intent",
      client_secret: "pi_1_secret_x",
      status: "requires_capture",
      amount: 1000,
      amount_capturable: 1000,
      amount_received: 0,
      currency: "usd",
      capture_method: "manual",
      customer: { id: "cus_1" },
      payment_method: { id: "pm_1", billing_details: { email: "ada@example.com" } },
      latest_charge: "ch_1",
      last_payment_error: null,
      metadata: { session_id: "payses_1" },
      receipt_email: "ada@example.com",
      shipping: { name: "Ada", address: { line1: "12 St James's Square" } },
      description: "Order",
    } as never)
    expect(data).toEqual({
      id: "pi_1",
      client_secret: "pi_1_secret_x",
      status: "requires_capture",
      amount: 1000,
      amount_capturable: 1000,
      amount_received: 0,
      currency: "usd",
      capture_method: "manual",
      customer: "cus_1",
      payment_method: "pm_1",
      latest_charge: "ch_1",
      last_payment_error: null,
      session_id: "payses_1",
      amount_refunded: 0,
      refunds: [],
      update_seq: 0,
    })
    expect(JSON.stringify(data)).not.toMatch(/ada@example|St James/)
  })
})

describe("webhook events", () => {
  const event = (type: string, object: Record<string, unknown>) =>
    ({ id: "evt_1", object: "event", type, data: { object } }) as never

  it("uses amount_capturable for an authorization and amount_received for a capture", () => {
    const intent = { object: "payment_intent", currency: "jpy", amount: 5000, amount_capturable: 4000, amount_received: 3000, metadata: { session_id: "payses_1" }, payment_method_types: ["card"] }
    expect(mapWebhookEvent(event("payment_intent.amount_capturable_updated", intent))).toEqual({
      action: "authorized",
      data: { session_id: "payses_1", amount: 4000 },
    })
    expect(mapWebhookEvent(event("payment_intent.succeeded", intent))).toEqual({
      action: "captured",
      data: { session_id: "payses_1", amount: 3000 },
    })
  })

  it("reads a UGX or ISK event's amount in whole units (Stripe sends them as hundredths)", () => {
    const intent = { object: "payment_intent", currency: "ugx", amount: 100000, amount_capturable: 100000, amount_received: 100000, metadata: { session_id: "payses_1" }, payment_method_types: ["card"] }
    expect(mapWebhookEvent(event("payment_intent.succeeded", intent))).toEqual({ action: "captured", data: { session_id: "payses_1", amount: 1000 } })
    expect(mapWebhookEvent(event("payment_intent.succeeded", { ...intent, currency: "isk" }))).toEqual({
      action: "captured",
      data: { session_id: "payses_1", amount: 1000 },
    })
  })

  it("ignores intents that carry no Medusa payment session id", () => {
    const base = { object: "payment_intent", currency: "usd", amount: 100, amount_received: 100, payment_method_types: ["card"] }
    expect(mapWebhookEvent(event("payment_intent.succeeded", { ...base, metadata: {} }))).toEqual({ action: "not_supported" })
    expect(mapWebhookEvent(event("payment_intent.succeeded", { ...base, metadata: { session_id: "order_123" } }))).toEqual({
      action: "not_supported",
    })
  })

  it("ignores event types it does not act on", () => {
    expect(mapWebhookEvent(event("customer.created", { object: "customer" }))).toEqual({ action: "not_supported" })
  })
})

// https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts: minimum charge per
// currency (EUR 0.50, GBP 0.30, JPY 50, HUF 175.00...), and "12 digits for most card payments".
describe("Stripe's own limits in the eligibility", () => {
  const eligibility = stripeEligibility({}, "Card payment")
  const judge = (amount: number | string, currency: string) => judgeEligibility(eligibility, { amount, currency_code: currency })

  it.each([
    ["EUR", "0.49", "0.50 EUR"],
    ["GBP", "0.29", "0.30 GBP"],
    ["JPY", "49", "50 JPY"],
    ["HUF", "174.99", "175.00 HUF"],
    ["CZK", "14.99", "15.00 CZK"],
  ])("refuses %s %s, under Stripe's minimum charge (%s)", (currency, amount, minimum) => {
    expect(judge(amount, currency)).toEqual({ eligible: false, rule: "min_amount", reason: `Card payment is available for orders from ${minimum}` })
  })

  it("takes Stripe's minimum itself, and a merchant's higher minimum wins", () => {
    expect(judge("0.50", "EUR")).toEqual({ eligible: true })
    const merchant = stripeEligibility({ minAmount: { EUR: "5" } }, "Card payment")
    expect(judgeEligibility(merchant, { amount: 4, currency_code: "EUR" })).toEqual(expect.objectContaining({ reason: "Card payment is available for orders from 5.00 EUR" }))
  })

  it("refuses less than one of Stripe's units where the page lists no minimum (0.010 KWD, 1 UGX)", () => {
    expect(judge("0.004", "KWD")).toEqual({ eligible: false, rule: "min_amount", reason: "Card payment is available for orders from 0.010 KWD" })
    expect(judge("0.4", "UGX")).toEqual({ eligible: false, rule: "min_amount", reason: "Card payment is available for orders from 1 UGX" })
    expect(judge("0.01", "KWD")).toEqual({ eligible: true })
  })

  it("refuses more than Stripe's 12 digits", () => {
    expect(judge("9999999999.99", "USD")).toEqual({ eligible: true })
    expect(judge("10000000000", "USD")).toEqual({ eligible: false, rule: "max_amount", reason: "Card payment is limited to orders up to 9999999999.99 USD" })
    expect(judge("10000000000", "ISK")).toEqual({ eligible: false, rule: "max_amount", reason: "Card payment is limited to orders up to 9999999999 ISK" })
  })
})

describe("the full outcome of a verified Stripe event", () => {
  const event = (type: string, object: Record<string, unknown>, created = 1764583200) =>
    ({ id: "evt_3QfxOutcome000001", object: "event", type, created, data: { object } }) as never
  const ref = { event_id: "evt_3QfxOutcome000001", occurred_at: "2025-12-01T10:00:00.000Z" }
  const intent = (fields: Record<string, unknown> = {}) => ({
    id: "pi_3QfxOutcome000001",
    object: "payment_intent",
    currency: "usd",
    amount: 12000,
    amount_capturable: 0,
    amount_received: 0,
    metadata: { session_id: "payses_01OUTCOME" },
    payment_method_types: ["card"],
    ...fields,
  })
  const settled = (e: unknown) => {
    const reading = readStripeEvent(e as never)
    if (!("outcome" in reading) || typeof reading.outcome === "function") throw new Error("expected an outcome without a lookup")
    return reading.outcome
  }
  const looked = (e: unknown, sessionId: string | undefined) => {
    const reading = readStripeEvent(e as never)
    if (!("paymentIntent" in reading)) throw new Error("expected a lookup of the PaymentIntent")
    return { paymentIntent: reading.paymentIntent, outcome: reading.outcome(sessionId) }
  }

  it("says what each PaymentIntent event means, with the amount Stripe moved in exact major units", () => {
    expect(settled(event("payment_intent.amount_capturable_updated", intent({ status: "requires_capture", amount_capturable: 12000 })))).toEqual({
      ...ref, event_type: "payment_intent.amount_capturable_updated", kind: "authorized", session_id: "payses_01OUTCOME", amount: "120.00", currency_code: "usd",
    })
    expect(settled(event("payment_intent.succeeded", intent({ status: "succeeded", currency: "kwd", amount: 5120, amount_received: 5120 })))).toEqual({
      ...ref, event_type: "payment_intent.succeeded", kind: "captured", session_id: "payses_01OUTCOME", amount: "5.120", currency_code: "kwd", captured_total: "5.120",
    })
    for (const type of ["payment_intent.requires_action", "payment_intent.partially_funded"]) {
      expect(settled(event(type, intent()))).toEqual({ ...ref, event_type: type, kind: "requires_more", session_id: "payses_01OUTCOME" })
    }
    for (const type of ["payment_intent.processing", "payment_intent.created"]) {
      expect(settled(event(type, intent()))).toEqual({ ...ref, event_type: type, kind: "pending", session_id: "payses_01OUTCOME" })
    }
  })

  it("gives a decline's codes and message as the reason, and a cancellation's reason", () => {
    const error = { type: "card_error", code: "card_declined", decline_code: "insufficient_funds", message: "Your card has insufficient funds.", payment_method: { billing_details: { name: "Ada Lovelace" } } }
    const failed = settled(event("payment_intent.payment_failed", intent({ status: "requires_payment_method", last_payment_error: error })))
    expect(failed).toEqual({ ...ref, event_type: "payment_intent.payment_failed", kind: "failed", session_id: "payses_01OUTCOME", reason: "card_declined (insufficient_funds): Your card has insufficient funds." })
    expect(JSON.stringify(failed)).not.toContain("Lovelace")
    expect(settled(event("payment_intent.payment_failed", intent({ last_payment_error: null })))).toEqual({ ...ref, event_type: "payment_intent.payment_failed", kind: "failed", session_id: "payses_01OUTCOME" })
    expect(settled(event("payment_intent.canceled", intent({ status: "canceled", cancellation_reason: "abandoned" })))).toEqual({
      ...ref, event_type: "payment_intent.canceled", kind: "canceled", session_id: "payses_01OUTCOME", reason: "abandoned",
    })
  })

  it("ignores a PaymentIntent this store did not create", () => {
    expect(settled(event("payment_intent.succeeded", intent({ metadata: {} })))).toEqual(expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/no Medusa payment session/) }))
    expect(settled(event("payment_intent.succeeded", intent({ metadata: { session_id: "order_123" } })))).toEqual(expect.objectContaining({ kind: "ignored" }))
  })

  const refund = (fields: Record<string, unknown> = {}) => ({
    id: "re_3QfxOutcome000001",
    object: "refund",
    amount: 2000,
    currency: "usd",
    status: "succeeded",
    payment_intent: "pi_3QfxOutcome000001",
    charge: "ch_3QfxOutcome000001",
    metadata: {},
    ...fields,
  })

  it("reads a refund, made in the dashboard or by this store, once the PaymentIntent names the session", () => {
    for (const type of ["refund.created", "refund.updated", "charge.refund.updated"]) {
      expect(looked(event(type, refund()), "payses_01OUTCOME")).toEqual({
        paymentIntent: "pi_3QfxOutcome000001",
        outcome: { ...ref, event_type: type, kind: "refunded", session_id: "payses_01OUTCOME", refund_id: "re_3QfxOutcome000001", amount: "20.00", currency_code: "usd", made_by_store: false, status: "succeeded" },
      })
    }
    const ours = refund({ metadata: { session_id: "payses_01OUTCOME", medusa_refund_id: "ref_01OUTCOME" } })
    expect(looked(event("refund.created", ours), "payses_01OUTCOME").outcome).toEqual(expect.objectContaining({ made_by_store: true }))
    // Made by this store before its refunds carried the Medusa refund id: the session id only.
    const older = refund({ metadata: { session_id: "payses_01OUTCOME" } })
    expect(looked(event("refund.created", older), "payses_01OUTCOME").outcome).toEqual(expect.objectContaining({ made_by_store: true }))
    // A dashboard refund whose metadata the merchant filled in is not the store's.
    const typed = refund({ metadata: { reason: "damaged cup" } })
    expect(looked(event("refund.created", typed), "payses_01OUTCOME").outcome).toEqual(expect.objectContaining({ made_by_store: false }))
    expect(looked(event("refund.created", refund({ payment_intent: { id: "pi_3QfxExpanded00001", object: "payment_intent" } })), undefined).paymentIntent).toBe("pi_3QfxExpanded00001")
  })

  it("maps every refund status Stripe documents, and refuses one it does not", () => {
    const statusOf = (status: string | null) => (looked(event("refund.updated", refund({ status })), "payses_01OUTCOME").outcome as { status?: string }).status
    expect(statusOf("succeeded")).toBe("succeeded")
    expect(statusOf("pending")).toBe("pending")
    expect(statusOf("requires_action")).toBe("pending")
    expect(statusOf("failed")).toBe("failed")
    expect(statusOf("canceled")).toBe("canceled")
    expect(statusOf(null)).toBeUndefined()
    expect(() => statusOf("reversed")).toThrow(/Unknown Stripe refund status: "reversed"/)
    expect(looked(event("refund.failed", refund({ status: "failed" })), "payses_01OUTCOME").outcome).toEqual(expect.objectContaining({ kind: "refunded", status: "failed" }))
  })

  it("ignores a refund whose PaymentIntent names no Medusa session, or that has no PaymentIntent", () => {
    expect(looked(event("refund.created", refund()), undefined).outcome).toEqual(expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/pi_3QfxOutcome000001 carries no Medusa payment session/) }))
    expect(settled(event("refund.created", refund({ payment_intent: null })))).toEqual(expect.objectContaining({ kind: "ignored", reason: expect.stringMatching(/no PaymentIntent/) }))
  })

  it("leaves charge.refunded to refund.created, which names the refund", () => {
    expect(settled(event("charge.refunded", { id: "ch_3QfxOutcome000001", object: "charge", amount_refunded: 2000, currency: "usd", payment_intent: "pi_3QfxOutcome000001" }))).toEqual({
      ...ref, event_type: "charge.refunded", kind: "ignored", reason: expect.stringMatching(/refund\.created/),
    })
  })

  const dispute = (fields: Record<string, unknown> = {}) => ({
    id: "dp_3QfxOutcome000001",
    object: "dispute",
    amount: 12000,
    currency: "usd",
    reason: "fraudulent",
    status: "needs_response",
    payment_intent: "pi_3QfxOutcome000001",
    charge: "ch_3QfxOutcome000001",
    evidence_details: { due_by: 1765411200, has_evidence: false, past_due: false, submission_count: 0 },
    ...fields,
  })

  it("reads a dispute's life: opened, updated, then won, lost or closed", () => {
    const disputeOutcome = (type: string, fields: Record<string, unknown> = {}) => looked(event(type, dispute(fields)), "payses_01OUTCOME").outcome
    expect(disputeOutcome("charge.dispute.created")).toEqual({
      ...ref, event_type: "charge.dispute.created", kind: "dispute", session_id: "payses_01OUTCOME", dispute_id: "dp_3QfxOutcome000001", status: "opened", amount: "120.00", currency_code: "usd", reason: "fraudulent", evidence_due_by: "2025-12-11T00:00:00.000Z",
    })
    for (const type of ["charge.dispute.updated", "charge.dispute.funds_withdrawn", "charge.dispute.funds_reinstated"]) {
      expect(disputeOutcome(type, { status: "under_review" })).toEqual(expect.objectContaining({ status: "updated" }))
    }
    expect(disputeOutcome("charge.dispute.closed", { status: "won" })).toEqual(expect.objectContaining({ status: "won" }))
    expect(disputeOutcome("charge.dispute.closed", { status: "lost" })).toEqual(expect.objectContaining({ status: "lost" }))
    const closed = disputeOutcome("charge.dispute.closed", { status: "warning_closed", evidence_details: { due_by: null } })
    expect(closed).toEqual(expect.objectContaining({ status: "closed" }))
    expect(closed).not.toHaveProperty("evidence_due_by")
    expect(looked(event("charge.dispute.created", dispute()), undefined).outcome).toEqual(expect.objectContaining({ kind: "ignored" }))
  })

  it("ignores the event types it does not act on, saying which", () => {
    expect(settled(event("customer.created", { id: "cus_1", object: "customer" }))).toEqual({ ...ref, event_type: "customer.created", kind: "ignored", reason: "Stripe event type customer.created is not acted on" })
  })

  it("agrees with Medusa's action for every PaymentIntent event", () => {
    const kinds: Record<string, string> = { authorized: "authorized", captured: "captured", failed: "failed", canceled: "canceled", requires_more: "requires_more", pending: "pending" }
    for (const type of STRIPE_WEBHOOK_EVENTS.filter((t) => t.startsWith("payment_intent."))) {
      const body = event(type, intent({ amount_capturable: 12000, amount_received: 12000 }))
      const action = mapWebhookEvent(body).action
      const outcome = settled(body)
      expect({ type, action: action === "pending_authorization" ? "pending" : action }).toEqual({ type, action: kinds[outcome.kind] ?? outcome.kind })
    }
  })

  it("lists the events to enable: the PaymentIntent ones, refunds and disputes", () => {
    expect([...STRIPE_WEBHOOK_EVENTS].sort()).toEqual([
      "charge.dispute.closed",
      "charge.dispute.created",
      "charge.dispute.funds_reinstated",
      "charge.dispute.funds_withdrawn",
      "charge.dispute.updated",
      "charge.refund.updated",
      "payment_intent.amount_capturable_updated",
      "payment_intent.canceled",
      "payment_intent.created",
      "payment_intent.partially_funded",
      "payment_intent.payment_failed",
      "payment_intent.processing",
      "payment_intent.requires_action",
      "payment_intent.succeeded",
      "refund.created",
      "refund.failed",
      "refund.updated",
    ])
  })
})

describe("Stripe snapshots (inspectPayment), pure", () => {
  const intent = (fields: Record<string, unknown>) =>
    ({ id: "pi_3QfxSnapshot0001", object: "payment_intent", created: 1763856000, status: "succeeded", amount: 0, amount_capturable: 0, amount_received: 0, latest_charge: null, last_payment_error: null, cancellation_reason: null, payment_method_types: ["card"], ...fields }) as never
  const capturedCharge = (amount: number, refunded: number, currency: string) => ({ id: "ch_3QfxSnapshot0001", object: "charge", captured: true, amount, amount_refunded: refunded, currency, payment_method_details: { type: "card", card: {} } })

  // Stripe's three-decimal currencies end in 0; UGX is sent with two decimals that are always 00
  // (https://docs.stripe.com/currencies): the snapshot gives the exact major units.
  it.each([
    ["kwd", 5120, 1230, "5.120", "1.230"],
    ["jpy", 1500, 500, "1500", "500"],
    ["ugx", 500000, 100000, "5000", "1000"],
  ])("gives %s amounts as exact decimal strings in major units", (currency, received, refunded, amount, refundedAmount) => {
    const snapshot = toStripeSnapshot(intent({ currency, amount: received, amount_received: received, latest_charge: capturedCharge(received, refunded, currency) }), [
      { id: "re_3QfxSnapshot0001", object: "refund", amount: refunded, currency, status: null, metadata: {} } as never,
    ])
    expect(snapshot).toEqual(
      expect.objectContaining({ amount, captured_amount: amount, refunded_amount: refundedAmount, refunds: [expect.objectContaining({ amount: refundedAmount, status: "pending", made_by_store: false })] })
    )
  })

  it("refuses to guess a refund status Stripe does not document", () => {
    const refund = { id: "re_3QfxSnapshot0002", object: "refund", amount: 100, currency: "usd", status: "reversed", metadata: {} } as never
    expect(() => toStripeSnapshot(intent({ currency: "usd", amount: 1000, amount_received: 1000, latest_charge: capturedCharge(1000, 100, "usd") }), [refund])).toThrow(
      /Unknown Stripe refund status: "reversed"/
    )
  })
})
