/**
 * PayPal's webhook signature, checked locally: PayPal signs
 * `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the raw body>` with
 * SHA256withRSA and names, in `PAYPAL-CERT-URL`, the certificate whose key verifies it.
 * The certificate is only ever fetched over HTTPS from PayPal's own API hosts, so a sender
 * cannot point at a certificate of their own.
 * @see https://developer.paypal.com/api/rest/webhooks/rest/#link-selfverificationmethod
 *
 * Pure functions (the certificate text and the clock are passed in); the download lives
 * with the provider's other outbound calls.
 */
import { X509Certificate, verify as verifySignature } from "node:crypto"
import type { PaypalEnvironment } from "./options"

export interface PaypalTransmission {
  id: string
  time: string
  certUrl: string
  authAlgo: string
  signature: string
}

/** The `PAYPAL-*` headers of a notification, or what is missing. */
export function transmissionOf(
  headers: Record<string, unknown> | undefined
): { ok: true; transmission: PaypalTransmission } | { ok: false; reason: string } {
  const get = (name: string) => headerValue(headers, name)
  const fields = {
    id: get("paypal-transmission-id"),
    time: get("paypal-transmission-time"),
    certUrl: get("paypal-cert-url"),
    authAlgo: get("paypal-auth-algo"),
    signature: get("paypal-transmission-sig"),
  }
  const missing = Object.entries(fields)
    .filter(([, v]) => !v)
    .map(([k]) => k)
  if (missing.length) {
    return { ok: false, reason: `unsigned: missing PAYPAL-* header(s) ${missing.join(", ")}` }
  }
  return { ok: true, transmission: fields as PaypalTransmission }
}

/** CRC-32 (IEEE 802.3, as zlib computes it) of the raw body, unsigned. */
export function crc32(data: Buffer): number {
  let crc = 0xffffffff
  for (const byte of data) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}

const CRC_TABLE = (() => {
  const table = new Array<number>(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    }
    table[n] = c >>> 0
  }
  return table
})()

/** The string PayPal signs for a notification. */
export function signedMessage(transmission: Pick<PaypalTransmission, "id" | "time">, webhookId: string, rawBody: Buffer): string {
  return `${transmission.id}|${transmission.time}|${webhookId}|${crc32(rawBody)}`
}

/** PayPal's certificate hosts per environment (its REST API hosts, current and legacy). */
const CERT_HOSTS: Readonly<Record<PaypalEnvironment, readonly string[]>> = Object.freeze({
  live: Object.freeze(["api.paypal.com", "api-m.paypal.com"]),
  sandbox: Object.freeze(["api.sandbox.paypal.com", "api-m.sandbox.paypal.com"]),
})

/**
 * A certificate URL the provider may download: https, a PayPal API host of the configured
 * environment, the notifications certificate path, nothing else (no port, credentials,
 * query or fragment).
 */
export function isPaypalCertUrl(url: string, environment: PaypalEnvironment): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (
    parsed.protocol === "https:" &&
    CERT_HOSTS[environment].includes(parsed.hostname) &&
    parsed.port === "" &&
    !parsed.username &&
    !parsed.password &&
    !parsed.search &&
    !parsed.hash &&
    /^\/v1\/notifications\/certs\/[A-Za-z0-9._-]+$/.test(parsed.pathname)
  )
}

/**
 * The names PayPal's signing certificate is issued to. PayPal's own SDKs checked this
 * subject; the sandbox certificate carries the sandbox name.
 */
const CERT_NAMES: Readonly<Record<PaypalEnvironment, readonly string[]>> = Object.freeze({
  live: Object.freeze(["messageverificationcerts.paypal.com"]),
  sandbox: Object.freeze(["messageverificationcerts.sandbox.paypal.com", "messageverificationcerts.paypal.com"]),
})

/** Whether a transmission time is within `toleranceSeconds` of now. */
export function isFresh(time: string, toleranceSeconds: number, now: Date): boolean {
  // Only an ISO 8601 date-time with a zone: Date.parse accepts far more than PayPal sends.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(time)) {
    return false
  }
  const at = Date.parse(time)
  return Number.isFinite(at) && Math.abs(now.getTime() - at) <= toleranceSeconds * 1000
}

export type VerifyResult = { ok: true } | { ok: false; reason: string }

/**
 * Verify a notification's signature with PayPal's certificate (PEM, leaf first), issued to
 * PayPal's signing name and valid now.
 */
export function verifyWithCertificate(
  transmission: PaypalTransmission,
  webhookId: string,
  rawBody: Buffer,
  certificatePem: string,
  environment: PaypalEnvironment,
  now: Date
): VerifyResult {
  if (transmission.authAlgo !== "SHA256withRSA") {
    return { ok: false, reason: `unsupported PAYPAL-AUTH-ALGO ${JSON.stringify(transmission.authAlgo.slice(0, 40))}` }
  }
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(certificatePem)
  } catch {
    return { ok: false, reason: "the certificate PayPal served could not be read" }
  }
  const names = CERT_NAMES[environment]
  const issuedToPaypal = certificate.subject
    .split("\n")
    .some((rdn) => names.some((name) => rdn === `CN=${name}`))
  if (!issuedToPaypal) {
    return { ok: false, reason: `the certificate is not issued to ${names[0]}` }
  }
  if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
    return { ok: false, reason: "the certificate is not valid now" }
  }
  const signature = Buffer.from(transmission.signature, "base64")
  if (!signature.length) {
    return { ok: false, reason: "the signature is empty" }
  }
  let valid = false
  try {
    valid = verifySignature("sha256", Buffer.from(signedMessage(transmission, webhookId, rawBody)), certificate.publicKey, signature)
  } catch {
    valid = false
  }
  return valid ? { ok: true } : { ok: false, reason: "the signature does not match the body" }
}

export function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1]
  const value = Array.isArray(found) ? found[0] : found
  return typeof value === "string" && value.trim() ? value.trim() : undefined
}

/** The raw body as Medusa's webhook route hands it over (a Buffer, or its JSON form). */
export function rawBodyOf(raw: unknown): Buffer | undefined {
  if (Buffer.isBuffer(raw)) return raw
  if (typeof raw === "string") return Buffer.from(raw, "utf8")
  if (raw && typeof raw === "object" && (raw as { type?: string }).type === "Buffer" && Array.isArray((raw as { data?: unknown }).data)) {
    return Buffer.from((raw as { data: number[] }).data)
  }
  return undefined
}
