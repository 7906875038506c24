/**
 * Braintree's notifications: posted form-encoded (`bt_signature`, `bt_payload`), the payload
 * a base64 XML document signed with the API key pair (an HMAC-SHA1 with the private key,
 * under the public key's name). The official SDK verifies and parses them
 * (`webhookNotification.parse`); this adds the freshness check on Braintree's timestamp.
 * @see https://developer.paypal.com/braintree/docs/guides/webhooks/parse/node
 */
import type braintree from "braintree"
import { isWithinTolerance } from "../../lib/payments/signatures"
import type { BraintreeNotification } from "./types"

/** The two form fields of a delivery, from the raw body Medusa keeps (the parsed body as a fallback). */
export function notificationFields(raw: Buffer | undefined, parsed: Record<string, unknown> | undefined): { signature?: string; payload?: string } {
  if (raw && raw.length) {
    const form = new URLSearchParams(raw.toString("utf8"))
    const signature = form.get("bt_signature") ?? undefined
    const payload = form.get("bt_payload") ?? undefined
    if (signature || payload) return { signature, payload }
  }
  const text = (value: unknown) => (typeof value === "string" ? value : undefined)
  return { signature: text(parsed?.bt_signature), payload: text(parsed?.bt_payload) }
}

export type VerifiedNotification = { ok: true; notification: BraintreeNotification } | { ok: false; reason: string }

/**
 * Verify and parse a delivery with the SDK, then refuse one whose signed timestamp is more
 * than `toleranceSeconds` from `nowMs` (a replay of an old notification).
 */
export async function verifyBraintreeNotification(
  gateway: Pick<braintree.BraintreeGateway, "webhookNotification">,
  fields: { signature?: string; payload?: string },
  toleranceSeconds: number,
  nowMs: number
): Promise<VerifiedNotification> {
  if (!fields.signature || !fields.payload) return { ok: false, reason: "it has no bt_signature or no bt_payload" }
  let notification: BraintreeNotification
  try {
    const parsed: unknown = await gateway.webhookNotification.parse(fields.signature, fields.payload)
    notification = parsed as BraintreeNotification
  } catch (error) {
    const type = (error as { type?: string }).type
    return { ok: false, reason: type === "invalidSignatureError" ? `its signature does not verify (${(error as Error).message})` : "its payload could not be read" }
  }
  const timestamp = notification.timestamp instanceof Date ? notification.timestamp : new Date(String(notification.timestamp))
  if (Number.isNaN(timestamp.getTime())) return { ok: false, reason: "it has no timestamp" }
  if (!isWithinTolerance(Math.floor(timestamp.getTime() / 1000), toleranceSeconds, nowMs)) {
    return { ok: false, reason: `its timestamp ${timestamp.toISOString()} is more than ${toleranceSeconds} s away` }
  }
  return { ok: true, notification }
}
