/**
 * Braintree test helpers: options with obviously fake keys, Braintree's XML in the shapes of
 * its gateway responses and notifications (as the SDK's `webhookTesting` writes them), and
 * deliveries signed with the SDK's own signing (`webhookTesting.sampleSignature`, an
 * HMAC-SHA1 of the base64 payload with the private key).
 */
import braintree from "braintree"
import type { WebhookCase } from "./conformance"

/** Braintree's sandbox gateway host, as the SDK calls it. */
export const BRAINTREE_ORIGIN = "https://api.sandbox.braintreegateway.com"
export const BRAINTREE_MERCHANT = "acmefixtures"

export const braintreeTestKeys = {
  merchantId: BRAINTREE_MERCHANT,
  publicKey: "test-public-key-fixtures",
  privateKey: "test-private-key-fixtures",
}

export const braintreeTestOptions = {
  ...braintreeTestKeys,
  environment: "sandbox",
  merchantAccounts: { USD: "acme_usd", JPY: "acme_jpy", HUF: "acme_huf" },
  verifyCredentialsAtBoot: false,
}

/**
 * The SDK's webhook testing gateway as it is at run time (its typings give `sampleNotification`
 * a Promise and leave `sampleSignature` out; both are synchronous).
 */
interface WebhookTesting {
  sampleSignature(payload: string): string
  sampleNotification(kind: string, id: string): { bt_signature: string; bt_payload: string }
}

/** The SDK configured with a key pair: its own notification builder and signer. */
function sdk(privateKey = braintreeTestKeys.privateKey, publicKey = braintreeTestKeys.publicKey): WebhookTesting {
  const testing: unknown = new braintree.BraintreeGateway({ environment: braintree.Environment.Sandbox, merchantId: BRAINTREE_MERCHANT, publicKey, privateKey }).webhookTesting
  return testing as WebhookTesting
}

const escape = (value: string) => value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

/** An XML element in Braintree's style: dashed names, `nil`, typed arrays. */
export function xml(name: string, value: unknown): string {
  if (value === null || value === undefined) return `<${name} nil="true"/>`
  if (Array.isArray(value)) return `<${name} type="array">${value.map((item) => xml("item", item)).join("")}</${name}>`
  if (typeof value === "boolean") return `<${name} type="boolean">${value}</${name}>`
  if (typeof value === "object") {
    return `<${name}>${Object.entries(value as Record<string, unknown>).map(([k, v]) => xml(k, v)).join("")}</${name}>`
  }
  return `<${name}>${escape(String(value))}</${name}>`
}

/** A transaction as Braintree's gateway answers it (the fields the provider reads, and a card). */
export function transactionXml(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    id: "tx000000",
    status: "authorized",
    type: "sale",
    "currency-iso-code": "USD",
    amount: "100.00",
    "merchant-account-id": "acme_usd",
    "order-id": null,
    "processor-response-code": "1000",
    "processor-response-text": "Approved",
    "gateway-rejection-reason": null,
    "payment-instrument-type": "credit_card",
    "credit-card": { token: null, bin: "411111", "last-4": "1111", "card-type": "Visa", "expiration-month": "12", "expiration-year": "2030" },
    "refund-ids": [],
    "refunded-transaction-id": null,
    "partial-settlement-transaction-ids": [],
    "authorized-transaction-id": null,
    ...fields,
  }
}

/** A notification's XML, as Braintree sends it (and as `webhookTesting.sampleXml` writes it). */
export function notificationXml(kind: string, subject: string, timestamp = new Date()): string {
  return `<notification><timestamp type="datetime">${timestamp.toISOString().replace(/\.\d{3}Z$/, "Z")}</timestamp><kind>${kind}</kind><subject>${subject}</subject></notification>`
}

/**
 * A delivery as Braintree posts it: form-encoded `bt_signature` and `bt_payload` (the
 * base64 of `notification`, with the newline the SDK adds), signed by the SDK. `secret`
 * signs with another private key (a forgery); `timestampSeconds` dates the notification.
 */
export function signBraintree(notification: string, options: { timestampSeconds?: number; secret?: string } = {}): { headers: Record<string, string>; body: string } {
  const dated = options.timestampSeconds === undefined
    ? notification
    : notification.replace(/<timestamp type="datetime">[^<]*<\/timestamp>/, `<timestamp type="datetime">${new Date(options.timestampSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")}</timestamp>`)
  const payload = Buffer.from(dated).toString("base64") + "\n"
  const signature = sdk(options.secret ?? braintreeTestKeys.privateKey).sampleSignature(payload)
  return { headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ bt_signature: signature, bt_payload: payload }).toString() }
}

/** The SDK's own sample delivery of `kind` (its subjects carry no Medusa session), form-encoded. */
export function sampleBraintree(kind: string, id: string): string {
  const sample = sdk().sampleNotification(kind, id)
  return new URLSearchParams(sample).toString()
}

/** Multiply the amount inside a signed delivery's payload, keeping its signature. */
export function tamperBraintree(body: string): string {
  const form = new URLSearchParams(body)
  const decoded = Buffer.from(form.get("bt_payload") ?? "", "base64").toString("utf8")
  const changed = decoded.replace(/<amount>(\d+)/, (_m, whole: string) => `<amount>${Number(whole) * 10}`)
  form.set("bt_payload", Buffer.from(changed).toString("base64") + "\n")
  return form.toString()
}

/**
 * A chargeback as Braintree's dispute notifications carry it: Braintree writes the disputed
 * amount with fewer decimals ("120.0"), and the disputed sale with the `orderId` the store set.
 */
export function disputeXml(dispute: { id: string; transaction: string; orderId: string; amount: string; status?: string }): string {
  return xml("dispute", {
    id: dispute.id,
    status: dispute.status ?? "open",
    kind: "chargeback",
    reason: "fraud",
    amount: dispute.amount,
    "amount-disputed": dispute.amount.replace(/0$/, ""),
    "currency-iso-code": "USD",
    "reply-by-date": "2026-12-21",
    transaction: { id: dispute.transaction, amount: dispute.amount, "order-id": dispute.orderId },
  })
}

/** The session data a Braintree transaction of 100.00 USD leaves (what the sale and the captures wrote). */
export function braintreeSession(session_id: string, transaction_id: string | null, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    session_id,
    amount: "100.00",
    currency_code: "USD",
    merchant_account_id: "acme_usd",
    transaction_id,
    status: "authorized",
    amount_captured: "0.00",
    amount_refunded: "0.00",
    settlements: [],
    refunds: [],
    ...fields,
  }
}

/** The notifications the conformance suite signs, about a sale of `sessionId`. */
export function braintreeWebhookCases(sessionId: string): WebhookCase[] {
  const sale = (status: string) =>
    xml("transaction", transactionXml({ id: "txwebhook1", status, amount: "120.00", "order-id": sessionId, "payment-instrument-type": "us_bank_account", "credit-card": null }))
  const dispute = disputeXml({ id: "dpwebhook1", transaction: "txwebhook1", orderId: sessionId, amount: "120.00" })
  return [
    { label: "a sale settled (transaction_settled)", body: notificationXml("transaction_settled", sale("settled")), expected: { action: "captured", amount: 120 } },
    { label: "a settlement declined", body: notificationXml("transaction_settlement_declined", sale("settlement_declined")), expected: { action: "failed" } },
    { label: "a dispute opened (the plugin's outcome, not Medusa's action)", body: notificationXml("dispute_opened", dispute), expected: { action: "not_supported" } },
    { label: "a subscription charge", body: notificationXml("subscription_charged_successfully", xml("subscription", { id: "sub1" })), expected: { action: "not_supported" } },
  ]
}
