import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { PaymentConfigError } from "../../../lib/payments/errors"
import { providersFromEnv } from "../../../lib/payments/registry"
import { TEST_BAD_CHAINS, TEST_ROOT_CERT, TEST_ROOT_CERT_PATH } from "../../../../integration-tests/harness/paypal"
import { parsePaypalOptions } from "../options"
import { paypalDeclaration } from "../declaration"

describe("PayPal's registration from the environment", () => {
  const register = (env: NodeJS.ProcessEnv) => {
    const lines: string[] = []
    const result = providersFromEnv([paypalDeclaration], env, (line) => lines.push(line))
    return { ...result, lines }
  }

  it("is left out without credentials, naming the variables and not their values", () => {
    const { registrations, lines } = register({ PAYPAL_CLIENT_ID: "id-only" })
    expect(registrations).toEqual([])
    expect(lines).toEqual(["[payments] PayPal (pp_paypal_paypal) is not registered: set PAYPAL_CLIENT_SECRET in the environment to enable it"])
  })

  it("needs the webhook id too in production", () => {
    const { registrations, lines } = register({ NODE_ENV: "production", PAYPAL_CLIENT_ID: "id", PAYPAL_CLIENT_SECRET: "secret" })
    expect(registrations).toEqual([])
    expect(lines[0]).toMatch(/set PAYPAL_WEBHOOK_ID/)
  })

  it("turns the variables into options the provider accepts, at /hooks/payment/paypal_paypal", () => {
    const { registrations, registered } = register({
      PAYPAL_CLIENT_ID: "test-client-id",
      PAYPAL_CLIENT_SECRET: "test-client-secret",
      PAYPAL_ENVIRONMENT: "live",
      PAYPAL_WEBHOOK_ID: "4JH86294D6297924G",
      PAYPAL_INTENT: "capture",
      PAYPAL_VERIFY_CREDENTIALS_AT_BOOT: "false",
      PAYPAL_ALLOWED_CURRENCIES: "EUR,USD",
      PAYPAL_MAX_AMOUNT: "EUR:500",
    })
    expect(registered).toEqual([{ label: "PayPal", providerId: "pp_paypal_paypal", webhookPath: "/hooks/payment/paypal_paypal" }])
    const options = parsePaypalOptions(registrations[0].options)
    expect(options).toEqual(
      expect.objectContaining({
        environment: "live",
        intent: "capture",
        webhookId: "4JH86294D6297924G",
        verifyCredentialsAtBoot: false,
        allowedCurrencies: ["EUR", "USD"],
        maxAmount: { EUR: "500" },
        userAction: "PAY_NOW",
      })
    )
  })

  describe("PAYPAL_WEBHOOK_CERTIFICATE_ROOTS", () => {
    const credentials = { PAYPAL_CLIENT_ID: "test-client-id", PAYPAL_CLIENT_SECRET: "test-client-secret" }

    it("is unset by default: the provider trusts Node's bundled roots", () => {
      const { registrations } = register(credentials)
      expect(registrations[0].options.webhookCertificateRoots).toBeUndefined()
      expect(parsePaypalOptions(registrations[0].options, "test").webhookCertificateRoots).toBeUndefined()
    })

    it("reads the PEM file it names into webhookCertificateRoots, every certificate of it", () => {
      const { registrations } = register({ ...credentials, PAYPAL_WEBHOOK_CERTIFICATE_ROOTS: TEST_ROOT_CERT_PATH })
      expect(registrations[0].options.webhookCertificateRoots).toEqual([TEST_ROOT_CERT])
      expect(parsePaypalOptions(registrations[0].options, "test").webhookCertificateRoots).toEqual([TEST_ROOT_CERT.trim()])

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "paypal-roots-"))
      try {
        const bundle = path.join(dir, "roots.pem")
        fs.writeFileSync(bundle, TEST_ROOT_CERT + TEST_BAD_CHAINS.untrustedRoot)
        const { registrations: fromBundle } = register({ ...credentials, PAYPAL_WEBHOOK_CERTIFICATE_ROOTS: bundle })
        expect(parsePaypalOptions(fromBundle[0].options, "test").webhookCertificateRoots).toEqual([TEST_ROOT_CERT.trim(), TEST_BAD_CHAINS.untrustedRoot.trim()])
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    })

    it("stops the boot with the variable's name when the file cannot be read", () => {
      const attempt = () => register({ ...credentials, PAYPAL_WEBHOOK_CERTIFICATE_ROOTS: path.join(os.tmpdir(), "no-such-paypal-roots.pem") })
      expect(attempt).toThrow(PaymentConfigError)
      expect(attempt).toThrow("PayPal: PAYPAL_WEBHOOK_CERTIFICATE_ROOTS names a file that cannot be read (ENOENT)")
    })

    it("is refused in production by the options", () => {
      const { registrations } = register({
        ...credentials,
        NODE_ENV: "production",
        PAYPAL_WEBHOOK_ID: "4JH86294D6297924G",
        PAYPAL_WEBHOOK_CERTIFICATE_ROOTS: TEST_ROOT_CERT_PATH,
      })
      expect(() => parsePaypalOptions(registrations[0].options, "production")).toThrow(
        /^PayPal payment provider options are invalid: `webhookCertificateRoots`: is for tests only and is refused in production/
      )
    })
  })
})
