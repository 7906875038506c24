/**
 * Stripe's webhook signature: `Stripe-Signature` carries a timestamp and an HMAC-SHA256 of
 * `<timestamp>.<raw body>` with the endpoint's signing secret; the SDK checks it, in
 * constant time and within the tolerance, before the body is parsed. Local: no call to
 * Stripe.
 * @see https://docs.stripe.com/webhooks#verify-events
 */
import type Stripe from "stripe"
import { stripeSdk } from "./client"

/**
 * The verified event, or a throw (forged, tampered, stale or unsigned). The SDK's
 * `webhooks` helper is the one every `Stripe` instance uses.
 */
export function verifyStripeEvent(
  rawBody: Buffer | string,
  signature: string | undefined,
  secret: string,
  toleranceSeconds: number
): Stripe.Event {
  return stripeSdk().webhooks.constructEvent(rawBody, signature ?? "", secret, toleranceSeconds)
}
