/**
 * PayPal's webhook signature, checked locally: PayPal signs
 * `<transmission id>|<transmission time>|<webhook id>|<CRC32 of the raw body>` with
 * SHA256withRSA and names, in `PAYPAL-CERT-URL`, the certificate whose key verifies it.
 * The certificate is only ever fetched over HTTPS from PayPal's own API hosts, so a sender
 * cannot point at a certificate of their own, and it must chain to a trusted root (Node's
 * bundled Mozilla roots), so TLS to PayPal's host is not the only thing vouching for it.
 * @see https://developer.paypal.com/api/rest/webhooks/rest/#link-selfverificationmethod
 *
 * Pure functions (the certificate text, the trust anchors and the clock are passed in); the
 * download lives with the provider's other outbound calls.
 */
import { type KeyObject, X509Certificate, verify as verifySignature } from "node:crypto"
import tls from "node:tls"
import zlib from "node:zlib"
import { headerValue } from "../../lib/payments/webhooks"
import type { PaypalEnvironment } from "./types"

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
  // zlib's own (Node 20.15+, 22.2+) is several times faster than the table below.
  if (zlibCrc32) return zlibCrc32(data) >>> 0
  let crc = 0xffffffff
  for (const byte of data) {
    crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}

const zlibCrc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32

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
  return isPinnedUrl(url, ["https:"], CERT_HOSTS[environment], /^\/v1\/notifications\/certs\/[A-Za-z0-9._-]+$/)
}

/**
 * Whether `url` parses, uses one of `protocols`, is on one of `hosts` (exactly: no other
 * port, no credentials, query or fragment) and its path matches `path`.
 */
function isPinnedUrl(url: string, protocols: readonly string[], hosts: readonly string[], path: RegExp): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (
    protocols.includes(parsed.protocol) &&
    hosts.includes(parsed.hostname) &&
    parsed.port === "" &&
    !parsed.username &&
    !parsed.password &&
    !parsed.search &&
    !parsed.hash &&
    path.test(parsed.pathname)
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

export type VerifyResult =
  | { ok: true }
  | {
      ok: false
      reason: string
      /**
       * The chain stops at a certificate whose issuer was not served, and that certificate
       * names where its issuer can be downloaded (Authority Information Access, "CA
       * Issuers", RFC 5280 4.2.2.1): the caller may fetch it from there, when
       * `isCaIssuerUrl` allows, and verify again with it appended.
       */
      issuerUrl?: string
    }

/**
 * The hosts an issuer certificate is downloaded from: DigiCert's, PayPal's certificate
 * authority. Whatever is downloaded must still chain to a trusted root (a forged
 * intermediate cannot), so the list only keeps a forged leaf from sending the store's server
 * to any other address.
 */
const CA_ISSUER_HOSTS: readonly string[] = Object.freeze(["cacerts.digicert.com"])

/** A "CA Issuers" URL the provider may download from: http(s), a listed host, no port, credentials or query. */
export function isCaIssuerUrl(url: string): boolean {
  // Plain http too: CAs publish their certificates over http, and what is downloaded is
  // checked by its signatures, not by the transport.
  return isPinnedUrl(url, ["http:", "https:"], CA_ISSUER_HOSTS, /^\/[A-Za-z0-9._-]+\.(crt|cer|pem)$/)
}

/** A downloaded issuer certificate (DER, as CAs publish them, or PEM) as PEM, or undefined. */
export function issuerCertificatePem(body: Buffer): string | undefined {
  try {
    const text = body.toString("latin1")
    return new X509Certificate(text.includes("-----BEGIN CERTIFICATE-----") ? text : body).toString()
  } catch {
    return undefined
  }
}

/** The first "CA Issuers" URI a certificate names (Node prints them as `CA Issuers - URI:...`). */
function caIssuersUrlOf(certificate: X509Certificate): string | undefined {
  const match = /^CA Issuers - URI:(\S+)$/m.exec(certificate.infoAccess ?? "")
  return match?.[1]
}

/**
 * PayPal's signing certificate, its chain verified: its key, and the span in which that
 * verdict holds (every certificate on the path, the trust anchor included, valid), so the
 * verifier can reuse it for the next notifications signed with the same certificate instead
 * of parsing and walking the chain again. Made by `verifyCertificateChain` only.
 */
export interface VerifiedCertificate {
  readonly publicKey: KeyObject
  /** Epoch ms: the latest `notBefore` on the path. */
  readonly validFrom: number
  /** Epoch ms: the earliest `notAfter` on the path. */
  readonly validTo: number
}

/** Whether a verified certificate's verdict holds at `now` (every certificate on its path valid). */
export function isVerifiedAt(certificate: VerifiedCertificate, now: Date): boolean {
  const at = now.getTime()
  return at >= certificate.validFrom && at <= certificate.validTo
}

/**
 * Verify a notification's signature with PayPal's certificate, issued to PayPal's signing
 * name, valid now, and chained through the certificates served with it to one of `roots`:
 * `verifyCertificateChain` then `verifySignatureWith`.
 *
 * @param certificatePem what PayPal serves at the certificate URL: the leaf first, then its
 *   intermediates, perhaps the root
 * @param roots the trust anchors (PEM). Left out: Node's bundled Mozilla roots
 *   (`tls.rootCertificates`), never the system store nor `NODE_EXTRA_CA_CERTS`, which a
 *   TLS-intercepting proxy's CA is added to.
 */
export function verifyWithCertificate(
  transmission: PaypalTransmission,
  webhookId: string,
  rawBody: Buffer,
  certificatePem: string,
  environment: PaypalEnvironment,
  now: Date,
  roots: readonly string[] = tls.rootCertificates
): VerifyResult {
  const algorithm = algorithmProblem(transmission)
  if (algorithm) {
    return algorithm
  }
  const chain = verifyCertificateChain(certificatePem, environment, now, roots)
  return chain.ok ? verifySignatureWith(transmission, webhookId, rawBody, chain.certificate, now) : chain
}

/** A refusal when the transmission is signed with anything but SHA256withRSA (PayPal's one algorithm). */
export function algorithmProblem(transmission: PaypalTransmission): { ok: false; reason: string } | undefined {
  return transmission.authAlgo === "SHA256withRSA"
    ? undefined
    : { ok: false, reason: `unsupported PAYPAL-AUTH-ALGO ${JSON.stringify(transmission.authAlgo.slice(0, 40))}` }
}

/**
 * PayPal's certificate (the first of `certificatePem`): issued to PayPal's signing name for
 * `environment`, valid at `now`, and chained through the other certificates served with it
 * to one of `roots` (see `checkChain`). The verdict on the certificate alone: the
 * notification's signature is `verifySignatureWith`'s.
 */
export function verifyCertificateChain(
  certificatePem: string,
  environment: PaypalEnvironment,
  now: Date,
  roots: readonly string[] = tls.rootCertificates
): { ok: true; certificate: VerifiedCertificate } | Extract<VerifyResult, { ok: false }> {
  const blocks = pemCertificates(certificatePem)
  if (blocks.length > MAX_SERVED_CERTIFICATES) {
    return { ok: false, reason: `the certificate PayPal served holds more than ${MAX_SERVED_CERTIFICATES} certificates` }
  }
  const served = readCertificates(blocks)
  if (!served) {
    return { ok: false, reason: "the certificate PayPal served could not be read" }
  }
  const [certificate] = served
  const names = CERT_NAMES[environment]
  const issuedToPaypal = certificate.subject
    .split("\n")
    .some((rdn) => names.some((name) => rdn === `CN=${name}`))
  if (!issuedToPaypal) {
    return { ok: false, reason: `the certificate is not issued to ${names[0]}` }
  }
  if (!isValidAt(certificate, now)) {
    return { ok: false, reason: "the certificate is not valid now" }
  }
  const chain = checkChain(served, trustAnchors(roots), now)
  if (!chain.ok) {
    return chain
  }
  const path = chain.path
  return {
    ok: true,
    certificate: Object.freeze({
      publicKey: certificate.publicKey,
      validFrom: Math.max(...path.map((c) => Date.parse(c.validFrom))),
      validTo: Math.min(...path.map((c) => Date.parse(c.validTo))),
    }),
  }
}

/**
 * The notification's SHA256withRSA signature over PayPal's signed string, checked with a
 * certificate `verifyCertificateChain` verified, whose verdict must still hold at `now`.
 */
export function verifySignatureWith(
  transmission: PaypalTransmission,
  webhookId: string,
  rawBody: Buffer,
  certificate: VerifiedCertificate,
  now: Date
): VerifyResult {
  const algorithm = algorithmProblem(transmission)
  if (algorithm) {
    return algorithm
  }
  if (!isVerifiedAt(certificate, now)) {
    return { ok: false, reason: "the certificate or its chain is not valid now" }
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

/** At most this many certificates are read from what PayPal serves (its chain has two or three). */
const MAX_SERVED_CERTIFICATES = 8

/** The PEM certificate blocks of a text (a bundle holds several), in their order. */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []
}

/**
 * Why a PEM cannot be a trust anchor: unreadable, or not a CA certificate. Undefined when it
 * can. Used to refuse a configured root at boot.
 */
export function trustAnchorProblem(pem: string): string | undefined {
  let certificate: X509Certificate
  try {
    certificate = new X509Certificate(pem)
  } catch {
    return "is not a readable PEM certificate"
  }
  return certificate.ca ? undefined : `${nameOf(certificate)} is not a CA certificate`
}

function readCertificates(blocks: readonly string[]): X509Certificate[] | undefined {
  if (!blocks.length) return undefined
  try {
    return blocks.map((block) => new X509Certificate(block))
  } catch {
    return undefined
  }
}

/** Parsed once per list: the bundled roots are about 140 certificates. */
const anchorsCache = new WeakMap<readonly string[], readonly X509Certificate[]>()

/** The CA certificates among `roots`; anything else could not vouch for a certificate. */
function trustAnchors(roots: readonly string[]): readonly X509Certificate[] {
  let anchors = anchorsCache.get(roots)
  if (!anchors) {
    anchors = roots.flatMap((pem) => {
      try {
        const certificate = new X509Certificate(pem)
        return certificate.ca ? [certificate] : []
      } catch {
        return []
      }
    })
    anchorsCache.set(roots, anchors)
  }
  return anchors
}

/**
 * Build the path from the leaf (`served[0]`) up through the other served certificates to a
 * trust anchor, checking each link as a PKIX validator would where Node exposes it:
 * - the issuer's subject is the certificate's issuer name, its key made the certificate's
 *   signature (`verify`), and OpenSSL's `X509_check_issued` agrees (`checkIssued`: names,
 *   authority key id, and the issuer's key usage allowing certificate signing);
 * - every issuer is a CA (`ca`: basic constraints CA:TRUE and, when it has a key usage,
 *   keyCertSign);
 * - every certificate on the path, the anchor included, is valid at `now`.
 * The leaf is never its own anchor: a self-signed certificate proves only that whoever
 * served it made it. Not checked, as Node does not expose them: path-length constraints,
 * name constraints, policies, revocation. Returns the path, the leaf first and the anchor last.
 */
function checkChain(
  served: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: Date
): { ok: true; path: readonly X509Certificate[] } | Extract<VerifyResult, { ok: false }> {
  const [leaf] = served
  if (leaf.subject === leaf.issuer) {
    return { ok: false, reason: "the certificate is self-signed: PayPal's signing certificate is issued by a certificate authority" }
  }
  const unused = served.slice(1)
  const path = [leaf]
  let current = leaf
  // Each served certificate is used once, so the walk ends.
  for (;;) {
    const issuingAnchors = anchors.filter((root) => issues(root, current))
    if (issuingAnchors.length) {
      // A root renewed under the same name and key may sit next to its expired self.
      const anchor = issuingAnchors.find((root) => isValidAt(root, now))
      return anchor
        ? { ok: true, path: [...path, anchor] }
        : { ok: false, reason: `the root ${nameOf(issuingAnchors[0])} is not valid now` }
    }
    if (current !== leaf && current.subject === current.issuer) {
      return { ok: false, reason: `the certificate chain ends at the root ${nameOf(current)}, which is not trusted` }
    }
    const named = unused.filter((candidate) => candidate.subject === current.issuer)
    if (!named.length) {
      const issuerUrl = caIssuersUrlOf(current)
      return {
        ok: false,
        reason: `the certificate chain does not lead to a trusted root: the issuer of ${nameOf(current)} (${issuerNameOf(current)}) is neither served nor trusted`,
        ...(issuerUrl ? { issuerUrl } : {}),
      }
    }
    const issuer = named.find((candidate) => signedBy(current, candidate))
    if (!issuer) {
      return {
        ok: false,
        reason: `the certificate ${nameOf(current)} is not signed by the certificate ${nameOf(named[0])} the chain serves as its issuer`,
      }
    }
    if (!issuer.ca) {
      return {
        ok: false,
        reason:
          `the certificate ${nameOf(issuer)} that issued ${nameOf(current)} is not a certificate authority ` +
          "(its basic constraints or key usage do not allow issuing certificates)",
      }
    }
    if (!current.checkIssued(issuer)) {
      return { ok: false, reason: `the certificate ${nameOf(current)} does not name ${nameOf(issuer)} as its issuer by key identifier` }
    }
    if (!isValidAt(issuer, now)) {
      return { ok: false, reason: `the certificate ${nameOf(issuer)} in the chain is not valid now` }
    }
    unused.splice(unused.indexOf(issuer), 1)
    path.push(issuer)
    current = issuer
  }
}

/** Whether trust anchor `root` issued `certificate` (names, key id, key usage, signature). */
function issues(root: X509Certificate, certificate: X509Certificate): boolean {
  return root.subject === certificate.issuer && certificate.checkIssued(root) && signedBy(certificate, root)
}

function signedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.verify(issuer.publicKey)
  } catch {
    return false
  }
}

function isValidAt(certificate: X509Certificate, now: Date): boolean {
  return now >= new Date(certificate.validFrom) && now <= new Date(certificate.validTo)
}

/** A certificate's common name (else its whole subject), quoted and cut short for a log line. */
function nameOf(certificate: X509Certificate): string {
  return quotedName(certificate.subject)
}

function issuerNameOf(certificate: X509Certificate): string {
  return quotedName(certificate.issuer)
}

function quotedName(distinguishedName: string): string {
  const cn = distinguishedName
    .split("\n")
    .filter((rdn) => rdn.startsWith("CN="))
    .pop()
  return JSON.stringify((cn ? cn.slice(3) : distinguishedName.replace(/\n/g, ", ")).slice(0, 80))
}
