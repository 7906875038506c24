import { providersFromEnv } from "../../../lib/payments/registry"
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
})
