import nock from "nock"
import { quietLogger } from "../harness/loggers"
import PaypalProviderService from "../../src/providers/paypal/service"
import { describeConformance } from "../harness/conformance"
import { loadFixture } from "../harness/fixtures"
import { PAYPAL_ORIGIN, paypalTestOptions, paypalWebhookCases, signPaypal } from "../harness/paypal"


/** Each GET of the status-mapping fixture, read back into the session data it starts from. */
const statusOrders = loadFixture("paypal", "status-mapping")
  .interactions.filter((i) => i.request.method === "GET")
  .map((i) => ({ note: i.note ?? "", order: i.response.body as { id: string } }))

/** What each order of the fixture (in its order) maps to. */
const EXPECTED = [
  ["an order CREATED", "pending"],
  ["an order PAYER_ACTION_REQUIRED", "pending"],
  ["an order APPROVED", "pending"],
  ["an order SAVED", "pending"],
  ["an order VOIDED", "canceled"],
  ["a completed order whose authorization is CREATED", "authorized"],
  ["a completed order whose authorization is PENDING", "pending_authorization"],
  ["a completed order whose authorization is PARTIALLY_CAPTURED", "captured"],
  ["a completed order whose authorization is CAPTURED", "captured"],
  ["a completed order whose authorization is DENIED", "error"],
  ["a completed order whose authorization is VOIDED", "canceled"],
  ["an order captured at once (intent CAPTURE) whose capture is COMPLETED", "captured"],
  ["an order captured at once (intent CAPTURE) whose capture is PENDING", "pending_authorization"],
  ["an order captured at once (intent CAPTURE) whose capture is DECLINED", "error"],
  ["an order captured at once (intent CAPTURE) whose capture is FAILED", "error"],
  ["an order captured at once (intent CAPTURE) whose capture is PARTIALLY_REFUNDED", "captured"],
  ["an order captured at once (intent CAPTURE) whose capture is REFUNDED", "captured"],
] as const

describeConformance({
  name: "paypal",
  // PayPal refuses at authorization, after the buyer approved (422 TRANSACTION_REFUSED).
  capabilities: { updateAmount: true, cancel: true, refund: true, partialRefund: true, decline: true, webhooks: true },
  create: () => new PaypalProviderService({ logger: quietLogger }, paypalTestOptions),
  fixtures: { origin: PAYPAL_ORIGIN, bodyFormat: "json", idempotencyHeader: "PayPal-Request-Id" },
  currency: "usd",
  // The buyer approves on PayPal's site: there is no request to replay; the next GET of the
  // order (in the fixture) shows it APPROVED.
  buyerApproves: async () => {},
  // The buyer approves; PayPal refuses when the store authorizes (nothing to replay here).
  buyerIsDeclined: async () => {},
  // A refusal ends the payment. (INSTRUMENT_DECLINED, which PayPal documents for the order
  // capture of intent capture, is `requires_more`: see the provider's unit tests.)
  declineStatus: "error",
  expectCanceled: (data) => expect(data.canceled === true || (data.authorization as { status?: string } | null)?.status === "VOIDED").toBe(true),
  statuses: statusOrders.map(({ note, order }, index) => {
    expect(note).toBe(EXPECTED[index][0])
    return { label: note, data: { id: order.id, status: "CREATED", amount: "100.00", currency_code: "USD" }, expected: EXPECTED[index][1] }
  }),
  amountOf: (data) => String(data.amount),
  // PayPal takes no three-decimal currency (https://developer.paypal.com/docs/api/reference/currency-codes/):
  // KWD is refused with the eligibility reason, before any call. HUF is added: two decimals in
  // ISO 4217, none at PayPal, so it exercises the per-gateway override.
  amounts: [
    { currency: "jpy", amount: 1000 },
    { currency: "kwd", amount: 12.345, refused: /^PayPal is only available in AUD, .* and USD, not KWD$/ },
    { currency: "huf", amount: 1500 },
    { currency: "usd", amount: 10.99 },
  ],
  webhooks: {
    sign: (body, options) => signPaypal(body, options),
    cases: (sessionId) => paypalWebhookCases(sessionId),
  },
})

/**
 * The provider's full outcome of a notification (`readGatewayEvent`) against Medusa's action
 * of the same notification: one verification, so the two never disagree.
 */
describe("paypal: the full outcome of each notification agrees with Medusa's action", () => {
  const KIND_OF_ACTION: Record<string, string[]> = {
    authorized: ["authorized"],
    captured: ["captured"],
    failed: ["failed", "dispute"],
    canceled: ["canceled"],
    pending: ["pending"],
    pending_authorization: ["pending"],
    // Medusa has no refund or dispute action.
    not_supported: ["ignored", "refunded", "dispute"],
  }
  const payload = (body: string, headers: Record<string, string>) => ({ data: JSON.parse(body), rawData: Buffer.from(body), headers })
  const sessionId = "payses_01CONFORMANCEOUTCOMES"

  afterEach(() => nock.cleanAll())

  it("gives, for every signed notification, an outcome of Medusa's action, with the same session and amount", async () => {
    const provider = new PaypalProviderService({ logger: quietLogger }, paypalTestOptions)
    for (const testCase of paypalWebhookCases(sessionId)) {
      const delivery = payload(testCase.body, signPaypal(testCase.body))
      const action = await provider.getWebhookActionAndData(delivery)
      const verdict = await provider.readGatewayEvent(delivery)
      if (!verdict.verified) throw new Error(`${testCase.label}: not verified: ${verdict.reason}`)
      const outcome = verdict.outcome as { kind: string; session_id?: string; amount?: string }
      expect({ label: testCase.label, kind: KIND_OF_ACTION[action.action]?.includes(outcome.kind) ? "agrees" : outcome.kind }).toEqual({ label: testCase.label, kind: "agrees" })
      if (action.data) {
        expect(outcome.session_id).toBe(action.data.session_id)
        if (outcome.amount !== undefined) expect(Number(outcome.amount)).toBe(Number(action.data.amount))
      }
    }
  })

  it("refuses a forged, a stale and an unsigned notification, as Medusa's method does", async () => {
    const provider = new PaypalProviderService({ logger: quietLogger }, paypalTestOptions)
    const [first] = paypalWebhookCases(sessionId)
    const deliveries = [
      payload(first.body, signPaypal(first.body, { secret: "a forger's key" })),
      payload(first.body, signPaypal(first.body, { timestampSeconds: Math.floor(Date.now() / 1000) - 3600 })),
      payload(first.body, { "content-type": "application/json" }),
    ]
    for (const delivery of deliveries) {
      await expect(provider.readGatewayEvent(delivery)).resolves.toEqual({ verified: false, reason: expect.any(String) })
      await expect(provider.getWebhookActionAndData(delivery)).resolves.toEqual({ action: "not_supported" })
    }
  })
})
