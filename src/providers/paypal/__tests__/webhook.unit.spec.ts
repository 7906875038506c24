import { spawnSync } from "node:child_process"
import { X509Certificate } from "node:crypto"
import nock from "nock"
import path from "node:path"
import tls from "node:tls"
import zlib from "node:zlib"
import { capturingLogger } from "../../../../integration-tests/harness/loggers"
import {
  NOT_PAYPAL_CERT,
  NOT_PAYPAL_KEY,
  PAYPAL_CERT_URL,
  SELF_SIGNED_PAYPAL_CERT,
  SELF_SIGNED_PAYPAL_KEY,
  TEST_BAD_CHAINS,
  TEST_INTERMEDIATE_CERT,
  TEST_ISSUER_URL,
  TEST_LEAF_CERT,
  TEST_LEAF_FOREIGN_ISSUER_URL_CERT,
  TEST_ROOT_CERT,
  TEST_ROOT_CERT_PATH,
  TEST_SIGNING_CERT,
  paypalEvent,
  paypalTestKeys,
  paypalTestOptions,
  serveTestCertificate,
  serveTestIssuer,
  signPaypal,
  captureResource,
} from "../../../../integration-tests/harness/paypal"
import type { PaypalClient } from "../client"
import { parsePaypalOptions } from "../options"
import PaypalProviderService from "../service"
import { PaypalNotificationVerifier } from "../verifier"
import {
  crc32,
  isCaIssuerUrl,
  isFresh,
  isPaypalCertUrl,
  issuerCertificatePem,
  signedMessage,
  transmissionOf,
  verifyCertificateChain,
  verifySignatureWith,
  verifyWithCertificate,
} from "../webhook"

const SESSION = "payses_01WEBHOOKUNIT0000000000"

// Each test serves its own certificates.
beforeEach(() => nock.cleanAll())
afterAll(() => nock.cleanAll())

describe("PayPal's CRC32 of the body", () => {
  it("is the standard CRC-32 (as zlib computes it), unsigned and in decimal in the signed string", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926)
    expect(crc32(Buffer.alloc(0))).toBe(0)
    const body = Buffer.from(paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(SESSION, "COMPLETED")))
    const zlibCrc = (zlib as unknown as { crc32?: (data: Buffer) => number }).crc32
    if (zlibCrc) {
      expect(crc32(body)).toBe(zlibCrc(body))
    }
    expect(signedMessage({ id: "t-1", time: "2026-11-23T09:00:00Z" }, "WH1", Buffer.from("123456789"))).toBe("t-1|2026-11-23T09:00:00Z|WH1|3421780262")
  })
})

describe("PayPal certificate URLs", () => {
  it.each([
    ["https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77", "sandbox", true],
    ["https://api-m.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77", "sandbox", true],
    ["https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77", "live", true],
    // The other environment's host.
    ["https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77", "sandbox", false],
    ["https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77", "live", false],
    // Not PayPal's, or not only PayPal's.
    ["https://evil.example/v1/notifications/certs/CERT-1", "sandbox", false],
    ["https://api.sandbox.paypal.com.evil.example/v1/notifications/certs/CERT-1", "sandbox", false],
    ["https://evil.example@api.sandbox.paypal.com/v1/notifications/certs/CERT-1", "sandbox", false],
    ["http://api.sandbox.paypal.com/v1/notifications/certs/CERT-1", "sandbox", false],
    ["https://api.sandbox.paypal.com:8443/v1/notifications/certs/CERT-1", "sandbox", false],
    ["https://api.sandbox.paypal.com/v1/notifications/certs/CERT-1?redirect=https://evil.example", "sandbox", false],
    ["https://api.sandbox.paypal.com/v1/notifications/certs/../../oauth2/token", "sandbox", false],
    ["https://api.sandbox.paypal.com/v2/checkout/orders/1", "sandbox", false],
    ["not a url", "sandbox", false],
  ])("%s in %s: %p", (url, environment, accepted) => {
    expect(isPaypalCertUrl(url, environment as "sandbox" | "live")).toBe(accepted)
  })
})

describe("PayPal transmission headers and time", () => {
  it("names the PAYPAL-* headers that are missing", () => {
    expect(transmissionOf({ "PAYPAL-TRANSMISSION-ID": "x" })).toEqual({
      ok: false,
      reason: "unsigned: missing PAYPAL-* header(s) time, certUrl, authAlgo, signature",
    })
    const headers = signPaypal("{}")
    expect(transmissionOf(headers)).toEqual({ ok: true, transmission: expect.objectContaining({ certUrl: PAYPAL_CERT_URL, authAlgo: "SHA256withRSA" }) })
  })

  it("accepts a transmission time within the tolerance only, and only as an ISO date-time", () => {
    const now = new Date("2026-11-23T09:05:00Z")
    expect(isFresh("2026-11-23T09:00:00Z", 300, now)).toBe(true)
    expect(isFresh("2026-11-23T08:59:59Z", 300, now)).toBe(false)
    expect(isFresh("2026-11-23T09:10:01Z", 300, now)).toBe(false)
    expect(isFresh("Mon, 23 Nov 2026 09:00:00 GMT", 300, now)).toBe(false)
    expect(isFresh("", 300, now)).toBe(false)
  })
})

describe("PayPal signature verification with the certificate", () => {
  const body = paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(SESSION, "COMPLETED"))
  const verify = (
    headers: Record<string, string>,
    options: { body?: string; pem?: string; webhookId?: string; now?: Date; environment?: "sandbox" | "live"; roots?: string[] } = {}
  ) => {
    const parsed = transmissionOf(headers)
    if (!parsed.ok) throw new Error(parsed.reason)
    return verifyWithCertificate(
      parsed.transmission,
      options.webhookId ?? paypalTestKeys.webhookId,
      Buffer.from(options.body ?? body),
      options.pem ?? TEST_SIGNING_CERT,
      options.environment ?? "sandbox",
      options.now ?? new Date(),
      // `roots: undefined` leaves the trust anchors to the function: Node's bundled roots.
      "roots" in options ? options.roots : [TEST_ROOT_CERT]
    )
  }

  it("accepts a notification signed with the certificate's key", () => {
    expect(verify(signPaypal(body))).toEqual({ ok: true })
  })

  it("refuses a body changed after signing (an amount raised)", () => {
    const tampered = body.replace('"value":"120.00"', '"value":"1200.00"')
    expect(tampered).not.toBe(body)
    expect(verify(signPaypal(body), { body: tampered })).toEqual({ ok: false, reason: "the signature does not match the body" })
  })

  it("refuses a notification signed for another webhook (another store's PayPal app)", () => {
    expect(verify(signPaypal(body, { webhookId: "8PT597110X687430L" }))).toEqual({ ok: false, reason: "the signature does not match the body" })
  })

  it("refuses a signature made with a key that is not the certificate's", () => {
    expect(verify(signPaypal(body, { secret: "forged" }))).toEqual({ ok: false, reason: "the signature does not match the body" })
  })

  it("refuses a certificate that is not issued to PayPal even when the signature matches it", () => {
    expect(verify(signPaypal(body, { privateKey: NOT_PAYPAL_KEY }), { pem: NOT_PAYPAL_CERT })).toEqual({
      ok: false,
      reason: "the certificate is not issued to messageverificationcerts.sandbox.paypal.com",
    })
  })

  it("refuses the sandbox certificate for the live environment", () => {
    expect(verify(signPaypal(body), { environment: "live" })).toEqual({ ok: false, reason: "the certificate is not issued to messageverificationcerts.paypal.com" })
  })

  it("refuses a certificate outside its validity", () => {
    expect(verify(signPaypal(body), { now: new Date("2200-01-01T00:00:00Z") })).toEqual({ ok: false, reason: "the certificate is not valid now" })
  })

  it("refuses another algorithm, an unreadable certificate and an empty signature", () => {
    expect(verify({ ...signPaypal(body), "paypal-auth-algo": "SHA1withRSA" })).toEqual({ ok: false, reason: 'unsupported PAYPAL-AUTH-ALGO "SHA1withRSA"' })
    expect(verify(signPaypal(body), { pem: "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----" })).toEqual({
      ok: false,
      reason: "the certificate PayPal served could not be read",
    })
    expect(verify({ ...signPaypal(body), "paypal-transmission-sig": "====" })).toEqual({ ok: false, reason: "the signature is empty" })
  })
})

describe("PayPal's certificate chain", () => {
  const body = paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(SESSION, "COMPLETED"))
  const verify = (pem: string, options: { key?: string; roots?: string[]; now?: Date } = {}) => {
    const parsed = transmissionOf(signPaypal(body, { privateKey: options.key, serveCertificate: false }))
    if (!parsed.ok) throw new Error(parsed.reason)
    return verifyWithCertificate(
      parsed.transmission,
      paypalTestKeys.webhookId,
      Buffer.from(body),
      pem,
      "sandbox",
      options.now ?? new Date(),
      "roots" in options ? options.roots : [TEST_ROOT_CERT]
    )
  }

  // PayPal's self-verification: "download the certificate from the paypal-cert-url ... and
  // verify the certificate chain" before checking the signature with its key
  // (https://developer.paypal.com/api/rest/webhooks/rest/#link-selfverificationmethod). Its
  // SDKs do it: PayPal-Java-SDK's SSLUtil.validateCertificateChain checks the served chain
  // against a trusted root, each certificate's validity and the CN; PayPal-Python-SDK's
  // WebhookEvent._verify_certificate_chain does the same with an OpenSSL store. Anyone can make
  // a certificate with PayPal's name; only a CA can make one that chains to a root.
  it("refuses a self-signed certificate carrying PayPal's sandbox name, even when the signature matches it", () => {
    const refused = { ok: false, reason: "the certificate is self-signed: PayPal's signing certificate is issued by a certificate authority" }
    expect(verify(SELF_SIGNED_PAYPAL_CERT, { key: SELF_SIGNED_PAYPAL_KEY })).toEqual(refused)
    // Not even when it is listed among the trusted roots: the leaf is never its own anchor.
    expect(verify(SELF_SIGNED_PAYPAL_CERT, { key: SELF_SIGNED_PAYPAL_KEY, roots: [SELF_SIGNED_PAYPAL_CERT] })).toEqual(refused)
  })

  it("accepts a leaf issued by an intermediate that a trusted root issued (leaf and intermediate served)", () => {
    expect(TEST_SIGNING_CERT).toBe(TEST_LEAF_CERT + TEST_INTERMEDIATE_CERT)
    expect(verify(TEST_LEAF_CERT + TEST_INTERMEDIATE_CERT)).toEqual({ ok: true })
  })

  it("accepts a served chain that includes the trusted root itself", () => {
    expect(verify(TEST_LEAF_CERT + TEST_INTERMEDIATE_CERT + TEST_ROOT_CERT)).toEqual({ ok: true })
  })

  it("refuses a chain that leads to a root nobody trusts", () => {
    expect(verify(TEST_SIGNING_CERT, { roots: [TEST_BAD_CHAINS.untrustedRoot] })).toEqual({
      ok: false,
      reason: 'the certificate chain does not lead to a trusted root: the issuer of "TEST-ONLY Intermediate CA" ("TEST-ONLY Root CA") is neither served nor trusted',
    })
    // Serving the root as well does not make it trusted.
    expect(verify(TEST_SIGNING_CERT + TEST_ROOT_CERT, { roots: [TEST_BAD_CHAINS.untrustedRoot] })).toEqual({
      ok: false,
      reason: 'the certificate chain ends at the root "TEST-ONLY Root CA", which is not trusted',
    })
  })

  it("refuses a leaf signed by a certificate that is not a CA (a certificate a public CA issued to anyone)", () => {
    expect(verify(TEST_BAD_CHAINS.leafUnderNotCa)).toEqual({
      ok: false,
      reason: 'the certificate "shop.attacker.example" that issued "messageverificationcerts.sandbox.paypal.com" is not a certificate authority (its basic constraints or key usage do not allow issuing certificates)',
    })
  })

  it("refuses a leaf signed by a CA whose key usage does not allow signing certificates", () => {
    expect(verify(TEST_BAD_CHAINS.leafUnderNoCertSign)).toEqual({
      ok: false,
      reason: 'the certificate "TEST-ONLY Intermediate CA without keyCertSign" that issued "messageverificationcerts.sandbox.paypal.com" is not a certificate authority (its basic constraints or key usage do not allow issuing certificates)',
    })
  })

  it("refuses a chain whose intermediate has expired", () => {
    expect(verify(TEST_BAD_CHAINS.leafUnderExpiredIntermediate)).toEqual({
      ok: false,
      reason: 'the certificate "TEST-ONLY Expired Intermediate CA" in the chain is not valid now',
    })
  })

  it("refuses a leaf that names the served intermediate as its issuer but was signed by another key", () => {
    expect(verify(TEST_BAD_CHAINS.leafSignedByImpostor)).toEqual({
      ok: false,
      reason: 'the certificate "messageverificationcerts.sandbox.paypal.com" is not signed by the certificate "TEST-ONLY Intermediate CA" the chain serves as its issuer',
    })
  })

  it("refuses a chain with an intermediate left out, saying where the certificate says its issuer is", () => {
    expect(verify(TEST_LEAF_CERT)).toEqual({
      ok: false,
      reason:
        'the certificate chain does not lead to a trusted root: the issuer of "messageverificationcerts.sandbox.paypal.com" ("TEST-ONLY Intermediate CA") is neither served nor trusted',
      issuerUrl: TEST_ISSUER_URL,
    })
  })

  it("downloads issuers from DigiCert's host only, over plain http(s) URLs of a certificate file", () => {
    expect(isCaIssuerUrl("http://cacerts.digicert.com/DigiCertGlobalG2TLSRSASHA2562020CA1-1.crt")).toBe(true)
    expect(isCaIssuerUrl("https://cacerts.digicert.com/DigiCertSHA2HighAssuranceServerCA.crt")).toBe(true)
    for (const url of [
      "http://169.254.169.254/latest/meta-data/TEST-ONLY-IntermediateCA.crt",
      "http://cacerts.digicert.com.attacker.example/ca.crt",
      "http://cacerts.digicert.com:8080/ca.crt",
      "http://user@cacerts.digicert.com/ca.crt",
      "http://cacerts.digicert.com/ca.crt?x=1",
      "http://cacerts.digicert.com/nested/ca.crt",
      "file:///etc/passwd",
      "not a url",
    ]) {
      expect(isCaIssuerUrl(url)).toBe(false)
    }
  })

  it("reads a downloaded issuer as DER (as CAs publish them) or PEM, and nothing else", () => {
    const der = new X509Certificate(TEST_INTERMEDIATE_CERT).raw
    expect(new X509Certificate(issuerCertificatePem(der)!).fingerprint256).toBe(new X509Certificate(TEST_INTERMEDIATE_CERT).fingerprint256)
    expect(issuerCertificatePem(Buffer.from(TEST_INTERMEDIATE_CERT))).toBeDefined()
    expect(issuerCertificatePem(Buffer.from("<html>not found</html>"))).toBeUndefined()
  })

  it("refuses a chain whose trusted root has expired", () => {
    expect(verify(TEST_BAD_CHAINS.leafUnderExpiredRoot, { roots: [TEST_BAD_CHAINS.expiredRoot] })).toEqual({
      ok: false,
      reason: 'the root "TEST-ONLY Expired Root CA" is not valid now',
    })
  })

  it("refuses a served text with more certificates than a chain needs", () => {
    expect(verify(TEST_SIGNING_CERT + TEST_INTERMEDIATE_CERT.repeat(7))).toEqual({
      ok: false,
      reason: "the certificate PayPal served holds more than 8 certificates",
    })
    // Extra copies within the limit are harmless: each served certificate is used once.
    expect(verify(TEST_SIGNING_CERT + TEST_INTERMEDIATE_CERT.repeat(2))).toEqual({ ok: true })
  })

  it("without configured roots trusts Node's bundled Mozilla roots only, so the test chain is refused", () => {
    expect(tls.rootCertificates.length).toBeGreaterThan(50)
    expect(verify(TEST_SIGNING_CERT, { roots: undefined })).toEqual({
      ok: false,
      reason: 'the certificate chain does not lead to a trusted root: the issuer of "TEST-ONLY Intermediate CA" ("TEST-ONLY Root CA") is neither served nor trusted',
    })
  })

  it("does not count a CA added with NODE_EXTRA_CA_CERTS (it trusts PayPal's chain to no proxy's or system CA)", () => {
    // A fresh Node process where the test root is an extra CA, as a TLS-intercepting proxy's CA
    // would be (Node warns on stderr when it cannot load the file).
    const root = path.resolve(__dirname, "..", "..", "..", "..")
    const script = `
      const { verifyWithCertificate, transmissionOf } = require("./src/providers/paypal/webhook")
      const { signPaypal, paypalTestKeys, TEST_SIGNING_CERT } = require("./integration-tests/harness/paypal")
      const body = "{}"
      const { transmission } = transmissionOf(signPaypal(body, { serveCertificate: false }))
      const result = verifyWithCertificate(transmission, paypalTestKeys.webhookId, Buffer.from(body), TEST_SIGNING_CERT, "sandbox", new Date(), undefined)
      process.stdout.write(JSON.stringify(result))
    `
    const child = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: root,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: TEST_ROOT_CERT_PATH, NODE_OPTIONS: "" },
      encoding: "utf8",
      timeout: 60_000,
    })
    expect(child.stderr).toBe("")
    expect(JSON.parse(child.stdout)).toEqual({
      ok: false,
      reason: 'the certificate chain does not lead to a trusted root: the issuer of "TEST-ONLY Intermediate CA" ("TEST-ONLY Root CA") is neither served nor trusted',
    })
  })

  // PayPal's docs do not say whether the certificate URL serves the intermediate too; a TLS
  // client completes a chain from the certificate's "CA Issuers" access (RFC 5280 4.2.2.1),
  // and DigiCert's leaves name it. The download counts only if it chains to a trusted root.
  it("completes a chain whose intermediate was not served from the leaf's issuer URL, once, and verifies the notification", async () => {
    const { logger } = capturingLogger()
    const service = new PaypalProviderService({ logger }, paypalTestOptions)
    serveTestCertificate(TEST_LEAF_CERT)
    const issuer = serveTestIssuer()
    const notification = () => ({ data: JSON.parse(body), rawData: Buffer.from(body), headers: signPaypal(body, { serveCertificate: false }) })
    await expect(service.getWebhookActionAndData(notification())).resolves.toEqual(
      expect.objectContaining({ action: "captured", data: expect.objectContaining({ session_id: SESSION }) })
    )
    await expect(service.getWebhookActionAndData(notification())).resolves.toEqual(expect.objectContaining({ action: "captured" }))
    expect(issuer.downloads()).toBe(1)
  })

  it("never downloads an issuer from an address off DigiCert's host that a forged leaf names", async () => {
    const { logger, lines } = capturingLogger()
    const service = new PaypalProviderService({ logger }, paypalTestOptions)
    serveTestCertificate(TEST_LEAF_FOREIGN_ISSUER_URL_CERT)
    nock.disableNetConnect()
    const headers = signPaypal(body, { serveCertificate: false })
    await expect(service.getWebhookActionAndData({ data: JSON.parse(body), rawData: Buffer.from(body), headers })).resolves.toEqual({ action: "not_supported" })
    nock.enableNetConnect()
    expect(lines.join("\n")).toMatch(/neither served nor trusted \(its issuer's address is not one the provider downloads from\)/)
  })

  it("refuses the certificate served at the URL, leaf and chain, when the provider has no roots configured", async () => {
    const { logger, lines } = capturingLogger()
    const service = new PaypalProviderService({ logger }, { ...paypalTestOptions, webhookCertificateRoots: undefined })
    const headers = signPaypal(body)
    await expect(service.getWebhookActionAndData({ data: JSON.parse(body), rawData: Buffer.from(body), headers })).resolves.toEqual({ action: "not_supported" })
    expect(lines.join("\n")).toMatch(/its signature did not verify: the certificate chain does not lead to a trusted root/)
  })
})

// The verifier keeps, per certificate URL, the certificate whose chain it verified (so the next
// notification skips reading and walking the chain); that verdict must never outlive its chain
// nor stand for other bytes.
describe("PayPal's verified certificate chain, reused", () => {
  const body = paypalEvent("PAYMENT.CAPTURE.COMPLETED", captureResource(SESSION, "COMPLETED"))
  const OTHER_CERT_URL = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-0ther-testonly"
  const setUp = (start: string) => {
    let now = new Date(start)
    const served = new Map<string, string>([[PAYPAL_CERT_URL, TEST_SIGNING_CERT]])
    const downloads: string[] = []
    const client = {
      downloadCertificate: async (url: string) => {
        downloads.push(url)
        const pem = served.get(url)
        if (!pem) throw new Error(`no certificate at ${url}`)
        return pem
      },
      downloadIssuerCertificate: async (url: string) => {
        throw new Error(`no issuer download expected (${url})`)
      },
    } as unknown as PaypalClient
    const verifier = new PaypalNotificationVerifier(parsePaypalOptions(paypalTestOptions), client, () => now)
    const verify = (options: { body?: string; signed?: string; certUrl?: string; key?: string; secret?: string } = {}) => {
      const parsed = transmissionOf(
        signPaypal(options.signed ?? options.body ?? body, { serveCertificate: false, certUrl: options.certUrl, privateKey: options.key, secret: options.secret })
      )
      if (!parsed.ok) throw new Error(parsed.reason)
      return verifier.verify(parsed.transmission, paypalTestKeys.webhookId, Buffer.from(options.body ?? body))
    }
    return { verify, served, downloads, setNow: (at: string) => (now = new Date(at)) }
  }

  it("still checks each notification's signature against its body with a chain verified before", async () => {
    const { verify } = setUp("2026-12-01T12:00:00Z")
    await expect(verify()).resolves.toEqual({ ok: true })
    await expect(verify({ body: body.replace('"value":"120.00"', '"value":"1200.00"'), signed: body })).resolves.toEqual({
      ok: false,
      reason: "the signature does not match the body",
    })
    await expect(verify({ secret: "a forger's key" })).resolves.toEqual({ ok: false, reason: "the signature does not match the body" })
    await expect(verify()).resolves.toEqual({ ok: true })
  })

  it("verifies the chain again when the certificate URL serves other bytes (a forged chain with the same key after the download expired)", async () => {
    const { verify, served, downloads, setNow } = setUp("2026-12-01T12:00:00Z")
    await expect(verify()).resolves.toEqual({ ok: true })
    // The leaf carries PayPal's sandbox name and the test leaf's key: only its chain is wrong.
    served.set(PAYPAL_CERT_URL, TEST_BAD_CHAINS.leafSignedByImpostor)
    setNow("2026-12-02T12:00:01Z")
    await expect(verify()).resolves.toEqual({
      ok: false,
      reason: 'the certificate "messageverificationcerts.sandbox.paypal.com" is not signed by the certificate "TEST-ONLY Intermediate CA" the chain serves as its issuer',
    })
    expect(downloads).toEqual([PAYPAL_CERT_URL, PAYPAL_CERT_URL])
    // And the refusal is not kept either: PayPal serving its chain again is accepted.
    served.set(PAYPAL_CERT_URL, TEST_SIGNING_CERT)
    setNow("2026-12-03T12:00:02Z")
    await expect(verify()).resolves.toEqual({ ok: true })
  })

  it("never lends a chain verified for one certificate URL to another URL's certificate", async () => {
    const { verify, served } = setUp("2026-12-01T12:00:00Z")
    await expect(verify()).resolves.toEqual({ ok: true })
    served.set(OTHER_CERT_URL, TEST_BAD_CHAINS.leafUnderNotCa)
    await expect(verify({ certUrl: OTHER_CERT_URL })).resolves.toEqual(expect.objectContaining({ ok: false, reason: expect.stringMatching(/is not a certificate authority/) }))
    served.set(OTHER_CERT_URL, SELF_SIGNED_PAYPAL_CERT)
    await expect(verify({ certUrl: "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-self-signed-testonly", key: SELF_SIGNED_PAYPAL_KEY })).resolves.toEqual(
      expect.objectContaining({ ok: false })
    )
    await expect(verify()).resolves.toEqual({ ok: true })
  })

  it("refuses once a certificate on the verified path expires, though the downloaded certificate is still fresh", async () => {
    // The TEST-ONLY leaf, intermediate and root are valid until 2120-01-01T00:00:00Z.
    const { verify, downloads, setNow } = setUp("2119-12-31T23:30:00Z")
    await expect(verify()).resolves.toEqual({ ok: true })
    setNow("2119-12-31T23:59:59Z")
    await expect(verify()).resolves.toEqual({ ok: true })
    setNow("2120-01-01T00:00:01Z")
    await expect(verify()).resolves.toEqual({ ok: false, reason: "the certificate is not valid now" })
    expect(downloads).toHaveLength(1)
  })

  it("refuses a verified certificate outside the span of its chain (verifySignatureWith)", () => {
    const chain = verifyCertificateChain(TEST_SIGNING_CERT, "sandbox", new Date("2026-12-01T12:00:00Z"), [TEST_ROOT_CERT])
    if (!chain.ok) throw new Error(chain.reason)
    expect(new Date(chain.certificate.validFrom).toISOString()).toBe("2020-01-01T00:00:00.000Z")
    expect(new Date(chain.certificate.validTo).toISOString()).toBe("2120-01-01T00:00:00.000Z")
    const parsed = transmissionOf(signPaypal(body, { serveCertificate: false }))
    if (!parsed.ok) throw new Error(parsed.reason)
    const check = (at: string) => verifySignatureWith(parsed.transmission, paypalTestKeys.webhookId, Buffer.from(body), chain.certificate, new Date(at))
    expect(check("2026-12-01T12:00:00Z")).toEqual({ ok: true })
    expect(check("2120-01-01T00:00:01Z")).toEqual({ ok: false, reason: "the certificate or its chain is not valid now" })
    expect(check("2019-12-31T23:59:59Z")).toEqual({ ok: false, reason: "the certificate or its chain is not valid now" })
    // The span is the narrowest on the path: an intermediate that expired in 2001 ends it.
    const expired = verifyCertificateChain(TEST_BAD_CHAINS.leafUnderExpiredIntermediate, "sandbox", new Date("2026-12-01T12:00:00Z"), [TEST_ROOT_CERT])
    expect(expired).toEqual(expect.objectContaining({ ok: false, reason: expect.stringMatching(/is not valid now/) }))
  })
})
