import { quietLogger } from "../harness/loggers"
import StripeProviderService from "../../src/providers/stripe/service"
import { fromStripeAmount } from "../../src/providers/stripe/mapping"
import { describeConformance } from "../harness/conformance"
import { loadFixture } from "../harness/fixtures"
import {
  STRIPE_ORIGIN,
  signStripe,
  storefrontConfirms,
  storefrontIsDeclined,
  stripeEvent,
  stripeIntent,
  stripeTestOptions,
} from "../harness/stripe"

const statusIntents = loadFixture("stripe", "status-mapping").interactions.map(
  (i) => i.response.body as { id: string; status: string }
)
const EXPECTED: Record<string, string> = {
  requires_payment_method: "pending",
  requires_confirmation: "pending",
  requires_action: "requires_more",
  processing: "pending",
  requires_capture: "authorized",
  succeeded: "captured",
  canceled: "canceled",
}

describeConformance({
  name: "stripe",
  capabilities: { updateAmount: true, cancel: true, refund: true, partialRefund: true, decline: true, webhooks: true },
  create: () => new StripeProviderService({ logger: quietLogger }, stripeTestOptions),
  fixtures: { origin: STRIPE_ORIGIN, bodyFormat: "form", idempotencyHeader: "Idempotency-Key" },
  currency: "usd",
  buyerApproves: async (_replay, data) => {
    await storefrontConfirms(String(data.id))
  },
  buyerIsDeclined: async (_replay, data) => {
    await storefrontIsDeclined(String(data.id))
  },
  declineStatus: "error",
  expectCanceled: (data) => expect(data.status).toBe("canceled"),
  statuses: statusIntents.map((intent) => ({
    label: intent.status,
    data: { id: intent.id, status: "requires_payment_method", amount: 10000, currency: "usd" },
    expected: EXPECTED[intent.status] as never,
  })),
  amountOf: (data) => fromStripeAmount(Number(data.amount), String(data.currency)),
  amounts: [
    { currency: "jpy", amount: 1000 },
    { currency: "kwd", amount: 12.34 },
    { currency: "usd", amount: 10.99 },
  ],
  webhooks: {
    sign: signStripe,
    cases: (sessionId) => {
      const intent = (o: object) => stripeIntent(sessionId, o)
      return [
        { label: "authorized", body: stripeEvent("payment_intent.amount_capturable_updated", intent({ status: "requires_capture", amount: 12000, amount_capturable: 12000, amount_received: 0 })), expected: { action: "authorized", amount: 120 } },
        { label: "captured", body: stripeEvent("payment_intent.succeeded", intent({ status: "succeeded", amount: 12000, amount_capturable: 0, amount_received: 12000 })), expected: { action: "captured", amount: 120 } },
        { label: "failed", body: stripeEvent("payment_intent.payment_failed", intent({ status: "requires_payment_method", amount_received: 0 })), expected: { action: "failed", amount: 120 } },
        { label: "canceled", body: stripeEvent("payment_intent.canceled", intent({ status: "canceled", amount_received: 0 })), expected: { action: "canceled", amount: 120 } },
        { label: "requires more", body: stripeEvent("payment_intent.requires_action", intent({ status: "requires_action", amount_received: 0 })), expected: { action: "requires_more", amount: 120 } },
        { label: "processing", body: stripeEvent("payment_intent.processing", intent({ status: "processing", amount_received: 0 })), expected: { action: "pending", amount: 120 } },
        { label: "another event type", body: stripeEvent("charge.refunded", { id: "ch_3QfxChargeLifecycle01", object: "charge", amount: 12000, currency: "usd", metadata: { session_id: sessionId } }), expected: { action: "not_supported" } },
        { label: "an intent this store did not create", body: stripeEvent("payment_intent.succeeded", intent({ metadata: {} })), expected: { action: "not_supported" } },
      ]
    },
  },
})

/**
 * The provider's full outcome of a delivery (`readGatewayEvent`) against Medusa's action of
 * the same delivery: one verification, so the two never disagree.
 */
describe("stripe: the full outcome of each webhook agrees with Medusa's action", () => {
  const KIND_OF_ACTION: Record<string, string> = {
    authorized: "authorized",
    captured: "captured",
    failed: "failed",
    canceled: "canceled",
    requires_more: "requires_more",
    pending: "pending",
    pending_authorization: "pending",
    not_supported: "ignored",
  }
  const payload = (body: string, headers: Record<string, string>) => ({ data: JSON.parse(body), rawData: Buffer.from(body), headers })
  const sessionId = "payses_01CONFORMANCEOUTCOMES"
  const cases = () => {
    const intent = (o: object) => stripeIntent(sessionId, o)
    return [
      stripeEvent("payment_intent.amount_capturable_updated", intent({ status: "requires_capture", amount: 12000, amount_capturable: 12000, amount_received: 0 })),
      stripeEvent("payment_intent.succeeded", intent({ status: "succeeded", amount: 12000, amount_capturable: 0, amount_received: 12000 })),
      stripeEvent("payment_intent.payment_failed", intent({ status: "requires_payment_method", amount_received: 0 })),
      stripeEvent("payment_intent.canceled", intent({ status: "canceled", amount_received: 0, cancellation_reason: "requested_by_customer" })),
      stripeEvent("payment_intent.requires_action", intent({ status: "requires_action", amount_received: 0 })),
      stripeEvent("payment_intent.processing", intent({ status: "processing", amount_received: 0 })),
      stripeEvent("charge.refunded", { id: "ch_3QfxChargeLifecycle01", object: "charge", amount: 12000, currency: "usd", metadata: { session_id: sessionId } }),
      stripeEvent("payment_intent.succeeded", intent({ metadata: {} })),
    ]
  }

  it("gives, for every signed event, the outcome of Medusa's action, with the same session and amount", async () => {
    const provider = new StripeProviderService({ logger: quietLogger }, stripeTestOptions)
    for (const body of cases()) {
      const delivery = payload(body, signStripe(body))
      const action = await provider.getWebhookActionAndData(delivery)
      const verdict = await provider.readGatewayEvent(delivery)
      if (!verdict.verified) throw new Error(`not verified: ${verdict.reason}`)
      const outcome = verdict.outcome as { kind: string; session_id?: string; amount?: string }
      const type = JSON.parse(body).type
      expect({ type, kind: outcome.kind }).toEqual({ type, kind: KIND_OF_ACTION[action.action] })
      if (action.data) {
        expect(outcome.session_id).toBe(action.data.session_id)
        if (outcome.amount !== undefined) expect(Number(outcome.amount)).toBe(Number(action.data.amount))
      }
    }
  })

  it("refuses a forged, a stale and an unsigned event, as Medusa's method does", async () => {
    const provider = new StripeProviderService({ logger: quietLogger }, stripeTestOptions)
    const [body] = cases()
    const deliveries = [
      payload(body, signStripe(body, { secret: "whsec_forged_not_the_store_one" })),
      payload(body, signStripe(body, { timestampSeconds: Math.floor(Date.now() / 1000) - 3600 })),
      payload(body, { "content-type": "application/json" }),
    ]
    for (const delivery of deliveries) {
      await expect(provider.readGatewayEvent(delivery)).resolves.toEqual({ verified: false, reason: expect.any(String) })
      await expect(provider.getWebhookActionAndData(delivery)).resolves.toEqual({ action: "not_supported" })
    }
  })
})
