/**
 * PayPal test helpers: options with obviously fake credentials, the TEST-ONLY certificate
 * chain served from a PayPal certificate URL (its root is the options' trust anchor), webhook
 * notifications signed at test time with PayPal's real algorithm, and event bodies in PayPal's
 * documented shapes.
 */
import { X509Certificate, createSign, generateKeyPairSync, randomUUID } from "node:crypto"
import fs from "node:fs"
import path from "node:path"
import nock from "nock"
import { FIXTURES_DIR, isRecording } from "./fixtures"
import { signedMessage } from "../../src/providers/paypal/webhook"

/** The sandbox REST host the provider calls. */
export const PAYPAL_ORIGIN = "https://api-m.sandbox.paypal.com"
/**
 * PayPal's (legacy) sandbox API host, where its notifications' certificate URLs point.
 * Served by its own interceptor, apart from the REST fixtures.
 */
export const PAYPAL_CERT_ORIGIN = "https://api.sandbox.paypal.com"
export const PAYPAL_CERT_PATH = "/v1/notifications/certs/CERT-360caa42-fca2a594-testonly"
export const PAYPAL_CERT_URL = `${PAYPAL_CERT_ORIGIN}${PAYPAL_CERT_PATH}`
export const PAYPAL_TOKEN_PATH = "/v1/oauth2/token"

const CERTS_DIR = path.join(FIXTURES_DIR, "paypal", "certs")
const readTestOnly = (name: string) => fs.readFileSync(path.join(CERTS_DIR, `TEST-ONLY-${name}.pem`), "utf8")

/**
 * TEST-ONLY root CA (see certs/README.md): the trust anchor the tests configure with
 * `webhookCertificateRoots` (`PAYPAL_WEBHOOK_CERTIFICATE_ROOTS` holds this path), in place of
 * Node's bundled Mozilla roots.
 */
export const TEST_ROOT_CERT_PATH = path.join(CERTS_DIR, "TEST-ONLY-root-ca.cert.pem")
export const TEST_ROOT_CERT = fs.readFileSync(TEST_ROOT_CERT_PATH, "utf8")
/** TEST-ONLY intermediate CA, issued by the test root. */
export const TEST_INTERMEDIATE_CERT = readTestOnly("intermediate-ca.cert")
/** TEST-ONLY leaf, CN=messageverificationcerts.sandbox.paypal.com, issued by the intermediate. */
export const TEST_LEAF_CERT = readTestOnly("webhook-signing.cert")
const TEST_SIGNING_KEY = readTestOnly("webhook-signing.key")
/** What the tests serve at PayPal's certificate URL: the leaf first, then the intermediate. */
export const TEST_SIGNING_CERT = TEST_LEAF_CERT + TEST_INTERMEDIATE_CERT
/**
 * TEST-ONLY: self-signed, CN=messageverificationcerts.sandbox.paypal.com, and its key: what
 * anyone can make, which must be refused although it carries PayPal's name.
 */
export const SELF_SIGNED_PAYPAL_CERT = readTestOnly("self-signed-paypal-name.cert")
export const SELF_SIGNED_PAYPAL_KEY = readTestOnly("self-signed-paypal-name.key")
/**
 * TEST-ONLY chains that must be refused (see certs/README.md). Each leaf carries PayPal's
 * sandbox name and the test leaf's key, so a notification signed by `signPaypal` matches it
 * and only the chain is wrong.
 */
export const TEST_BAD_CHAINS = {
  /** A root nobody configured. */
  untrustedRoot: readTestOnly("untrusted-root-ca.cert"),
  /** A certificate that is no CA (CA:FALSE, as a public CA issues to anyone) signed the leaf. */
  leafUnderNotCa: readTestOnly("leaf-under-not-ca.cert") + readTestOnly("not-ca-intermediate.cert"),
  /** A CA whose key usage leaves out certificate signing signed the leaf. */
  leafUnderNoCertSign: readTestOnly("leaf-under-no-certsign.cert") + readTestOnly("no-certsign-intermediate.cert"),
  /** The intermediate expired in 2001. */
  leafUnderExpiredIntermediate: readTestOnly("leaf-under-expired-intermediate.cert") + readTestOnly("expired-intermediate.cert"),
  /** A leaf straight under a root that expired in 2001, and that root. */
  leafUnderExpiredRoot: readTestOnly("leaf-under-expired-root.cert"),
  expiredRoot: readTestOnly("expired-root-ca.cert"),
  /** The leaf names the test intermediate as its issuer but another key signed it. */
  leafSignedByImpostor: readTestOnly("leaf-signed-by-impostor.cert") + TEST_INTERMEDIATE_CERT,
}
/**
 * Where the TEST-ONLY leaf says its issuer can be downloaded (its Authority Information
 * Access, on DigiCert's host as PayPal's real leaves are): served by `serveTestIssuer`.
 */
export const TEST_ISSUER_URL = "http://cacerts.digicert.com/TEST-ONLY-IntermediateCA.crt"
/** TEST-ONLY: the leaf (same key) naming an issuer URL off DigiCert's host, an internal address. */
export const TEST_LEAF_FOREIGN_ISSUER_URL_CERT = readTestOnly("leaf-foreign-issuer-url.cert")

/**
 * Serve the TEST-ONLY intermediate at the leaf's issuer URL, as DER like a CA publishes it,
 * until the next `nock.cleanAll()`; returns a counter of the downloads.
 */
export function serveTestIssuer(): { downloads: () => number } {
  const url = new URL(TEST_ISSUER_URL)
  let count = 0
  if (!nock.isActive()) nock.activate()
  nock(url.origin)
    .persist()
    .get(url.pathname)
    .reply(200, () => {
      count += 1
      return new X509Certificate(TEST_INTERMEDIATE_CERT).raw
    }, { "content-type": "application/pkix-cert" })
  return { downloads: () => count }
}

/** TEST-ONLY: a certificate that is not PayPal's, and its key. */
export const NOT_PAYPAL_CERT = readTestOnly("not-paypal.cert")
export const NOT_PAYPAL_KEY = readTestOnly("not-paypal.key")

/** Obvious fakes in replay; the sandbox app's from `.env.record` in record mode. */
export const paypalTestKeys = {
  clientId: isRecording("paypal") ? String(process.env.PAYPAL_CLIENT_ID) : "test-client-id-fixtures",
  clientSecret: isRecording("paypal") ? String(process.env.PAYPAL_CLIENT_SECRET) : "test-client-secret-fixtures",
  webhookId: isRecording("paypal") ? String(process.env.PAYPAL_WEBHOOK_ID) : "4JH86294D6297924G",
}

export const paypalTestOptions = {
  clientId: paypalTestKeys.clientId,
  clientSecret: paypalTestKeys.clientSecret,
  environment: "sandbox",
  webhookId: paypalTestKeys.webhookId,
  verifyCredentialsAtBoot: false,
  maxRetries: 2,
  // The TEST-ONLY chain's root, instead of Node's bundled Mozilla roots.
  webhookCertificateRoots: [TEST_ROOT_CERT],
}

/**
 * Serve the TEST-ONLY chain (leaf, intermediate) at the certificate URL until the next
 * `nock.cleanAll()` (a FixtureSession's stop): the provider downloads it to verify a notification.
 */
export function serveTestCertificate(pem: string = TEST_SIGNING_CERT): void {
  const key = `GET ${PAYPAL_CERT_ORIGIN}:443${PAYPAL_CERT_PATH}`
  if (nock.activeMocks().includes(key)) return
  if (!nock.isActive()) nock.activate()
  nock(PAYPAL_CERT_ORIGIN)
    .persist()
    .get(PAYPAL_CERT_PATH)
    .reply(200, pem, { "content-type": "text/plain" })
}

let forgerKey: string | undefined
/** A key that is not the certificate's: what a forger holds. */
function forgedKey(): string {
  forgerKey ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString()
  return forgerKey
}

export interface SignOptions {
  /** Transmission time, seconds since the epoch. @default now */
  timestampSeconds?: number
  /** Any value: sign with a forger's key instead of the certificate's. */
  secret?: string
  /** The webhook id the signature is made for. @default the store's */
  webhookId?: string
  /** The key to sign with (PEM). @default the TEST-ONLY leaf's */
  privateKey?: string
  certUrl?: string
  /** Serve the TEST-ONLY chain at its URL. @default true */
  serveCertificate?: boolean
}

/**
 * Headers PayPal would send with `body`: SHA256withRSA over
 * `transmission_id|transmission_time|webhook_id|crc32(body)`, the certificate URL and the
 * algorithm. Also makes sure the certificate is served.
 */
export function signPaypal(body: string, options: SignOptions = {}): Record<string, string> {
  if (options.serveCertificate !== false) serveTestCertificate()
  const time = new Date((options.timestampSeconds ?? Math.floor(Date.now() / 1000)) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")
  const transmission = { id: randomUUID(), time }
  const message = signedMessage(transmission, options.webhookId ?? paypalTestKeys.webhookId, Buffer.from(body))
  const key = options.privateKey ?? (options.secret !== undefined ? forgedKey() : TEST_SIGNING_KEY)
  const signature = createSign("sha256").update(message).sign(key, "base64")
  return {
    "content-type": "application/json",
    "paypal-auth-algo": "SHA256withRSA",
    "paypal-cert-url": options.certUrl ?? PAYPAL_CERT_URL,
    "paypal-transmission-id": transmission.id,
    "paypal-transmission-sig": signature,
    "paypal-transmission-time": transmission.time,
  }
}

const RESOURCE_TYPES: Record<string, string> = {
  "CHECKOUT.ORDER.APPROVED": "checkout-order",
  "PAYMENT.AUTHORIZATION.CREATED": "authorization",
  "PAYMENT.AUTHORIZATION.VOIDED": "authorization",
  "PAYMENT.CAPTURE.COMPLETED": "capture",
  "PAYMENT.CAPTURE.PENDING": "capture",
  "PAYMENT.CAPTURE.DENIED": "capture",
  "PAYMENT.CAPTURE.REFUNDED": "refund",
  "PAYMENT.CAPTURE.REVERSED": "refund",
  "CUSTOMER.DISPUTE.CREATED": "dispute",
  "CUSTOMER.DISPUTE.UPDATED": "dispute",
  "CUSTOMER.DISPUTE.RESOLVED": "dispute",
  "BILLING.SUBSCRIPTION.CREATED": "subscription",
}

let eventCounter = 0
/** A notification body in the shape of PayPal's webhook event (notifications_webhooks_v1 `event`). */
export function paypalEvent(type: string, resource: object, summary = "Test notification"): string {
  eventCounter += 1
  const id = `WH-7Y7254563A4550640-${String(eventCounter).padStart(17, "0")}`
  return JSON.stringify({
    id,
    event_version: "1.0",
    create_time: new Date().toISOString(),
    resource_type: RESOURCE_TYPES[type] ?? "checkout-order",
    resource_version: "2.0",
    event_type: type,
    summary,
    resource,
    links: [
      { href: `${PAYPAL_ORIGIN}/v1/notifications/webhooks-events/${id}`, rel: "self", method: "GET" },
      { href: `${PAYPAL_ORIGIN}/v1/notifications/webhooks-events/${id}/resend`, rel: "resend", method: "POST" },
    ],
  })
}

const money = (value: string, currency_code = "USD") => ({ currency_code, value })
const TIME = "2026-11-23T09:00:00Z"

/** An approved order (CHECKOUT.ORDER.APPROVED's resource), without the payer's details. */
export function approvedOrder(sessionId: string, orderId = "5O190127TN364715T", value = "120.00", currency = "USD"): object {
  return {
    id: orderId,
    intent: "AUTHORIZE",
    status: "APPROVED",
    create_time: TIME,
    update_time: TIME,
    purchase_units: [{ reference_id: "default", custom_id: sessionId, amount: money(value, currency) }],
    links: [
      { href: `${PAYPAL_ORIGIN}/v2/checkout/orders/${orderId}`, rel: "self", method: "GET" },
      { href: `${PAYPAL_ORIGIN}/v2/checkout/orders/${orderId}`, rel: "update", method: "PATCH" },
      { href: `${PAYPAL_ORIGIN}/v2/checkout/orders/${orderId}/authorize`, rel: "authorize", method: "POST" },
    ],
  }
}

export function authorizationResource(sessionId: string, status: string, value = "120.00", id = "0VF52814DK998046A"): object {
  return {
    id,
    status,
    ...(status === "PENDING" ? { status_details: { reason: "PENDING_REVIEW" } } : {}),
    amount: money(value),
    custom_id: sessionId,
    expiration_time: "2026-12-22T09:00:00Z",
    create_time: TIME,
    update_time: TIME,
    links: [
      { href: `${PAYPAL_ORIGIN}/v2/payments/authorizations/${id}`, rel: "self", method: "GET" },
      { href: `${PAYPAL_ORIGIN}/v2/checkout/orders/5O190127TN364715T`, rel: "up", method: "GET" },
    ],
  }
}

export function captureResource(sessionId: string | undefined, status: string, value = "120.00", finalCapture = true, id = "3C679366HH908993F"): object {
  return {
    id,
    status,
    ...(status === "PENDING" ? { status_details: { reason: "PENDING_REVIEW" } } : {}),
    amount: money(value),
    final_capture: finalCapture,
    ...(sessionId ? { custom_id: sessionId } : {}),
    seller_protection: { status: "ELIGIBLE", dispute_categories: ["ITEM_NOT_RECEIVED", "UNAUTHORIZED_TRANSACTION"] },
    create_time: TIME,
    update_time: TIME,
    links: [
      { href: `${PAYPAL_ORIGIN}/v2/payments/captures/${id}`, rel: "self", method: "GET" },
      { href: `${PAYPAL_ORIGIN}/v2/payments/captures/${id}/refund`, rel: "refund", method: "POST" },
      { href: `${PAYPAL_ORIGIN}/v2/payments/authorizations/0VF52814DK998046A`, rel: "up", method: "GET" },
    ],
  }
}

/**
 * A refund (PAYMENT.CAPTURE.REFUNDED's and REVERSED's resource) of capture 3C679366HH908993F.
 * `customId`: what the refund carries (this store's are `<session id>.<Medusa refund id>`);
 * the session id by default, `null` for none (a refund made in PayPal's dashboard may carry none).
 */
export function refundResource(sessionId: string, value = "20.00", id = "1JU08902781691411", customId: string | null = sessionId): object {
  return {
    id,
    status: "COMPLETED",
    amount: money(value),
    ...(customId !== null ? { custom_id: customId } : {}),
    create_time: TIME,
    update_time: TIME,
    links: [
      { href: `${PAYPAL_ORIGIN}/v2/payments/refunds/${id}`, rel: "self", method: "GET" },
      { href: `${PAYPAL_ORIGIN}/v2/payments/captures/3C679366HH908993F`, rel: "up", method: "GET" },
    ],
  }
}

/**
 * A customer dispute of capture 3C679366HH908993F (CUSTOMER.DISPUTE.*'s resource), in the
 * Customer Disputes API's shape (https://developer.paypal.com/docs/api/customer-disputes/v1/#disputes_get).
 * `sessionId` is the capture's custom_id as the disputed transaction's `custom`; undefined
 * when the dispute does not carry it (the session then comes from the capture).
 */
export function disputeResource(sessionId: string | undefined, overrides: Record<string, unknown> = {}): object {
  return {
    dispute_id: "PP-D-27803",
    create_time: TIME,
    update_time: TIME,
    disputed_transactions: [
      {
        seller_transaction_id: "3C679366HH908993F",
        create_time: TIME,
        transaction_status: "COMPLETED",
        gross_amount: money("120.00"),
        ...(sessionId ? { custom: sessionId } : {}),
      },
    ],
    reason: "MERCHANDISE_OR_SERVICE_NOT_RECEIVED",
    status: "WAITING_FOR_SELLER_RESPONSE",
    dispute_amount: money("120.00"),
    seller_response_due_date: "2026-12-04T09:00:00Z",
    dispute_life_cycle_stage: "INQUIRY",
    dispute_channel: "INTERNAL",
    links: [{ href: `${PAYPAL_ORIGIN}/v1/customer/disputes/PP-D-27803`, rel: "self", method: "GET" }],
    ...overrides,
  }
}

/**
 * Every notification case the provider maps, for `sessionId`, with the action and amount
 * Medusa must get. Shared by the conformance suite and the spec validation.
 */
export function paypalWebhookCases(sessionId: string) {
  return [
    { label: "order approved", body: paypalEvent("CHECKOUT.ORDER.APPROVED", approvedOrder(sessionId)), expected: { action: "authorized" as const, amount: 120 } },
    { label: "authorization created", body: paypalEvent("PAYMENT.AUTHORIZATION.CREATED", authorizationResource(sessionId, "CREATED")), expected: { action: "authorized" as const, amount: 120 } },
    { label: "authorization under review", body: paypalEvent("PAYMENT.AUTHORIZATION.CREATED", authorizationResource(sessionId, "PENDING")), expected: { action: "pending_authorization" as const, amount: 120 } },
    { label: "authorization voided", body: paypalEvent("PAYMENT.AUTHORIZATION.VOIDED", authorizationResource(sessionId, "VOIDED")), expected: { action: "canceled" as const, amount: 120 } },
    { label: "final capture completed", body: paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(sessionId, "COMPLETED")), expected: { action: "captured" as const, amount: 120 } },
    { label: "capture pending", body: paypalEvent("PAYMENT.CAPTURE.PENDING", captureResource(sessionId, "PENDING")), expected: { action: "pending" as const, amount: 120 } },
    { label: "capture denied", body: paypalEvent("PAYMENT.CAPTURE.DENIED", captureResource(sessionId, "DECLINED")), expected: { action: "failed" as const, amount: 120 } },
    { label: "capture reversed", body: paypalEvent("PAYMENT.CAPTURE.REVERSED", refundResource(sessionId, "120.00")), expected: { action: "failed" as const, amount: 120 } },
    // Acting on a partial capture would make Medusa capture it a second time.
    { label: "partial capture completed", body: paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(sessionId, "COMPLETED", "60.00", false)), expected: { action: "not_supported" as const } },
    { label: "capture refunded", body: paypalEvent("PAYMENT.CAPTURE.REFUNDED", refundResource(sessionId)), expected: { action: "not_supported" as const } },
    { label: "capture refunded by this store", body: paypalEvent("PAYMENT.CAPTURE.REFUNDED", refundResource(sessionId, "20.00", "1JU08902781691411", `${sessionId}.ref_01CASES`)), expected: { action: "not_supported" as const } },
    // Medusa has no dispute action; readGatewayEvent says what the dispute is.
    { label: "dispute created", body: paypalEvent("CUSTOMER.DISPUTE.CREATED", disputeResource(sessionId)), expected: { action: "not_supported" as const } },
    { label: "another event type", body: paypalEvent("BILLING.SUBSCRIPTION.CREATED", { id: "I-BW452GLLEP1G", status: "APPROVAL_PENDING" }), expected: { action: "not_supported" as const } },
    { label: "a capture this store did not create", body: paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(undefined, "COMPLETED")), expected: { action: "not_supported" as const } },
  ]
}
