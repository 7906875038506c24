import { PaymentConfigError } from "../../../lib/payments/errors"
import {
  TEST_BAD_CHAINS,
  TEST_INTERMEDIATE_CERT,
  TEST_LEAF_CERT,
  TEST_ROOT_CERT,
} from "../../../../integration-tests/harness/paypal"
import { parsePaypalOptions } from "../options"

const base = { clientId: "test-client-id", clientSecret: "test-client-secret", webhookId: "4JH86294D6297924G" }

const failure = (raw: unknown, env?: string) => {
  try {
    parsePaypalOptions(raw, env)
  } catch (error) {
    return error as Error
  }
  throw new Error("the options were accepted")
}

describe("PayPal's webhookCertificateRoots option", () => {
  it("is left unset by default: the provider then trusts Node's bundled roots", () => {
    expect(parsePaypalOptions(base, "test").webhookCertificateRoots).toBeUndefined()
  })

  it("takes CA certificates, each string holding one or several (a PEM bundle)", () => {
    const options = parsePaypalOptions({ ...base, webhookCertificateRoots: [TEST_ROOT_CERT, TEST_INTERMEDIATE_CERT + TEST_BAD_CHAINS.untrustedRoot] }, "test")
    expect(options.webhookCertificateRoots).toEqual([TEST_ROOT_CERT.trim(), TEST_INTERMEDIATE_CERT.trim(), TEST_BAD_CHAINS.untrustedRoot.trim()])
  })

  it("is refused in production, naming the option and not its value", () => {
    const error = failure({ ...base, webhookCertificateRoots: [TEST_ROOT_CERT] }, "production")
    expect(error).toBeInstanceOf(PaymentConfigError)
    expect(error.message).toBe(
      "PayPal payment provider options are invalid: `webhookCertificateRoots`: is for tests only and is refused in production, " +
        "where PayPal's webhook certificate must chain to Node's bundled Mozilla roots"
    )
    // Without it, the same production options pass.
    expect(parsePaypalOptions(base, "production").webhookCertificateRoots).toBeUndefined()
  })

  it("refuses a certificate that is not a CA's, text that is no certificate, and an empty list", () => {
    expect(failure({ ...base, webhookCertificateRoots: [TEST_LEAF_CERT] }, "test").message).toBe(
      'PayPal payment provider options are invalid: `webhookCertificateRoots.0`: "messageverificationcerts.sandbox.paypal.com" is not a CA certificate'
    )
    // In a bundle too: the intermediate is a CA, the certificate a public CA issues to anyone is not.
    expect(failure({ ...base, webhookCertificateRoots: [TEST_ROOT_CERT, TEST_BAD_CHAINS.leafUnderNotCa] }, "test").message).toBe(
      "PayPal payment provider options are invalid: " +
        '`webhookCertificateRoots.1`: "messageverificationcerts.sandbox.paypal.com" is not a CA certificate; ' +
        '`webhookCertificateRoots.1`: "shop.attacker.example" is not a CA certificate'
    )
    expect(failure({ ...base, webhookCertificateRoots: ["-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----"] }, "test").message).toBe(
      "PayPal payment provider options are invalid: `webhookCertificateRoots.0`: is not a readable PEM certificate"
    )
    expect(failure({ ...base, webhookCertificateRoots: ["/path/to/roots.pem"] }, "test").message).toBe(
      "PayPal payment provider options are invalid: `webhookCertificateRoots.0`: holds no PEM certificate"
    )
    expect(failure({ ...base, webhookCertificateRoots: [] }, "test").message).toBe(
      "PayPal payment provider options are invalid: `webhookCertificateRoots`: must hold at least one certificate"
    )
    expect(failure({ ...base, webhookCertificateRoots: TEST_ROOT_CERT }, "test").message).toBe(
      "PayPal payment provider options are invalid: `webhookCertificateRoots`: must be a list of PEM certificates"
    )
  })
})

// Orders v2 (checkout_orders_v2.json, experience_context): `brand_name` is 1 to 127
// characters. PayPal refuses a longer one on every order; the option is refused at boot.
describe("PayPal's free-text options", () => {
  it("refuses a brandName longer than PayPal's 127 characters, naming it and not its value", () => {
    const error = failure({ ...base, brandName: "Espresso & Co ".repeat(10) }, "test")
    expect(error).toBeInstanceOf(PaymentConfigError)
    expect(error.message).toMatch(/`brandName`: must be at most 127 characters \(PayPal's limit for brand_name\)/)
    expect(error.message).not.toContain("Espresso")
    expect(parsePaypalOptions({ ...base, brandName: "b".repeat(127) }, "test").brandName).toHaveLength(127)
  })
})
