/**
 * Stripe test helpers: options with obviously fake keys, the shopper's Stripe.js step
 * played by the SDK against the same fixture, and webhook events signed at test time
 * with Stripe's own algorithm.
 */
import Stripe from "stripe"
import { loadFixture, isRecording } from "./fixtures"

export const STRIPE_ORIGIN = "https://api.stripe.com"

/** Obvious fakes in replay; the sandbox keys from `.env.record` in record mode. */
export const stripeTestKeys = {
  apiKey: isRecording("stripe") ? String(process.env.STRIPE_API_KEY) : "sk_test_fake_conformance",
  webhookSecret: isRecording("stripe") ? String(process.env.STRIPE_WEBHOOK_SECRET) : "whsec_test_fake_fixture",
}

export const stripeTestOptions = {
  apiKey: stripeTestKeys.apiKey,
  webhookSecret: stripeTestKeys.webhookSecret,
  maxNetworkRetries: 2,
}

/** The storefront's side: what Stripe.js does with the client secret, here through the SDK. */
export function storefrontStripe(): Stripe {
  return new Stripe(stripeTestKeys.apiKey, { maxNetworkRetries: 0, telemetry: false })
}

export async function storefrontConfirms(intentId: string, paymentMethod = "pm_card_visa"): Promise<Stripe.PaymentIntent> {
  return storefrontStripe().paymentIntents.confirm(intentId, { payment_method: paymentMethod })
}

/** A card the issuer declines: Stripe answers 402 and the intent keeps the reason. */
export async function storefrontIsDeclined(intentId: string): Promise<void> {
  await expect(storefrontConfirms(intentId, "pm_card_chargeDeclined")).rejects.toMatchObject({
    type: "StripeCardError",
    code: "card_declined",
  })
}

/** A PaymentIntent in the shape the fixtures hold, with the session id filled in. */
export function stripeIntent(sessionId: string, overrides: Partial<Stripe.PaymentIntent> = {}): Stripe.PaymentIntent {
  const fixture = loadFixture("stripe", "lifecycle-manual-capture")
  const captured = fixture.interactions.find((i) => i.request.path.endsWith("/capture"))!.response.body as Stripe.PaymentIntent
  const intent = JSON.parse(JSON.stringify(captured).split("{{session_id}}").join(sessionId)) as Stripe.PaymentIntent
  return { ...intent, ...overrides }
}

let eventCounter = 0
export function stripeEvent(type: string, object: object): string {
  eventCounter += 1
  return JSON.stringify({
    id: `evt_3QfxTestEvent${String(eventCounter).padStart(6, "0")}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  })
}

/** Headers Stripe would send with `body`, signed with the real scheme (v1, HMAC-SHA256). */
export function signStripe(
  body: string,
  options: { timestampSeconds?: number; secret?: string } = {}
): Record<string, string> {
  const header = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: options.secret ?? stripeTestKeys.webhookSecret,
    timestamp: options.timestampSeconds,
  })
  return { "stripe-signature": header, "content-type": "application/json" }
}
