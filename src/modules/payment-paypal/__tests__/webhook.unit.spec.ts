import zlib from "node:zlib"
import {
  NOT_PAYPAL_CERT,
  NOT_PAYPAL_KEY,
  PAYPAL_CERT_URL,
  TEST_SIGNING_CERT,
  paypalEvent,
  paypalTestKeys,
  signPaypal,
  captureResource,
} from "../../../../integration-tests/harness/paypal"
import { crc32, isFresh, isPaypalCertUrl, signedMessage, transmissionOf, verifyWithCertificate } from "../webhook"

const SESSION = "payses_01WEBHOOKUNIT0000000000"

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
  const verify = (headers: Record<string, string>, options: { body?: string; pem?: string; webhookId?: string; now?: Date; environment?: "sandbox" | "live" } = {}) => {
    const parsed = transmissionOf(headers)
    if (!parsed.ok) throw new Error(parsed.reason)
    return verifyWithCertificate(
      parsed.transmission,
      options.webhookId ?? paypalTestKeys.webhookId,
      Buffer.from(options.body ?? body),
      options.pem ?? TEST_SIGNING_CERT,
      options.environment ?? "sandbox",
      options.now ?? new Date()
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
