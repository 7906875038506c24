import { parseOptions, z } from "../options"
import {
  PaymentNotEligibleError,
  assertEligible,
  assertProviderEligible,
  judgeEligibility,
  withGatewayMinimums,
  eligibilityFromEnv,
  eligibilityOptionsSchema,
  eligibilityOptionsShape,
  evaluateEligibility,
  providerEligibility,
} from "../eligibility"
import { PaymentConfigError, PaymentInputError } from "../errors"

const rules = parseOptions(
  eligibilityOptionsSchema,
  { allowedCurrencies: ["eur", "USD"], allowedCountries: ["DE", "at"], minAmount: { eur: 5 }, maxAmount: { EUR: "500" } },
  "Test"
)

describe("eligibility rules", () => {
  it("normalises codes: currencies upper-case, countries lower-case, amounts as strings", () => {
    expect(rules).toEqual({
      allowedCurrencies: ["EUR", "USD"],
      allowedCountries: ["de", "at"],
      minAmount: { EUR: "5" },
      maxAmount: { EUR: "500" },
    })
  })

  it("accepts what every rule allows", () => {
    expect(evaluateEligibility(rules, { amount: 500, currency_code: "eur", country_code: "DE" }, "Cash on delivery")).toEqual({ eligible: true })
    expect(evaluateEligibility(rules, { amount: "5.00", currency_code: "EUR", country_code: "at" }, "Cash on delivery")).toEqual({ eligible: true })
  })

  it.each([
    [{ amount: 10, currency_code: "gbp", country_code: "de" }, "currency", "Cash on delivery is only available in EUR and USD, not GBP"],
    [{ amount: 10, currency_code: "eur", country_code: "fr" }, "country", "Cash on delivery is only available for delivery to DE and AT, not FR"],
    [{ amount: 4.99, currency_code: "eur", country_code: "de" }, "min_amount", "Cash on delivery is available for orders from 5.00 EUR"],
    [{ amount: "500.01", currency_code: "eur", country_code: "de" }, "max_amount", "Cash on delivery is limited to orders up to 500.00 EUR"],
  ])("refuses %j by its %s rule", (input, rule, reason) => {
    expect(evaluateEligibility(rules, input, "Cash on delivery")).toEqual({ eligible: false, rule, reason })
  })

  it("compares amounts exactly, not as floats", () => {
    const tight = parseOptions(eligibilityOptionsSchema, { maxAmount: { USD: "0.3" } }, "Test")
    expect(evaluateEligibility(tight, { amount: 0.1 + 0.2, currency_code: "usd" }, "X").eligible).toBe(false)
    expect(evaluateEligibility(tight, { amount: "0.30", currency_code: "usd" }, "X").eligible).toBe(true)
  })

  it("leaves the country rule to the caller that knows the country", () => {
    expect(evaluateEligibility(rules, { amount: 10, currency_code: "eur" }, "X")).toEqual({ eligible: true })
  })

  it("has no limits when no rule is set", () => {
    expect(evaluateEligibility({}, { amount: 10 ** 9, currency_code: "jpy", country_code: "jp" }, "X")).toEqual({ eligible: true })
  })

  it("throws the reason as a clear input error", () => {
    expect(() => assertEligible(rules, { amount: 600, currency_code: "eur" }, "Cash on delivery")).toThrow(PaymentInputError)
    expect(() => assertEligible(rules, { amount: 600, currency_code: "eur" }, "Cash on delivery")).toThrow(
      "Cash on delivery is limited to orders up to 500.00 EUR"
    )
  })

  it("names bad rule options at boot", () => {
    const schema = z.object(eligibilityOptionsShape)
    expect(() => parseOptions(schema, { allowedCurrencies: ["EURO"], allowedCountries: ["DEU"], maxAmount: { EUR: "-1" } }, "Test")).toThrow(PaymentConfigError)
    try {
      parseOptions(schema, { allowedCurrencies: ["EURO"], allowedCountries: ["DEU"], maxAmount: { EUR: "-1" } }, "Test")
    } catch (error) {
      expect((error as Error).message).toMatch(/`allowedCurrencies.0`/)
      expect((error as Error).message).toMatch(/`allowedCountries.0`/)
      expect((error as Error).message).toMatch(/`maxAmount.EUR`/)
    }
  })
})

describe("eligibility rules of a provider", () => {
  it("reads the rules from the environment with a provider's prefix", () => {
    expect(
      eligibilityFromEnv("COD", {
        COD_ALLOWED_CURRENCIES: "EUR, usd",
        COD_ALLOWED_COUNTRIES: "de,at",
        COD_MIN_AMOUNT: "EUR:5",
        COD_MAX_AMOUNT: "EUR=500, USD:550.50",
        STRIPE_MAX_AMOUNT: "EUR:1",
      })
    ).toEqual({
      allowedCurrencies: ["EUR", "usd"],
      allowedCountries: ["de", "at"],
      minAmount: { EUR: "5" },
      maxAmount: { EUR: "500", USD: "550.50" },
    })
    expect(eligibilityFromEnv("COD", {})).toEqual({})
  })

  it("reads a provider's top-level options with the shared shape, named by its declared label", () => {
    const klass = { identifier: "card", eligibilityLabel: "Card payment" }
    expect(providerEligibility(klass, { apiKey: "x", maxAmount: { eur: 300 } }, "Card")).toEqual({
      label: "Card payment",
      rules: { allowedCurrencies: undefined, allowedCountries: undefined, minAmount: undefined, maxAmount: { EUR: "300" } },
    })
    expect(providerEligibility({ identifier: "card" }, undefined, "Card").label).toBe("Card")
  })

  it("lets a provider that keeps its rules elsewhere say what they are", () => {
    const klass = { eligibilityOf: (options: Record<string, unknown> | undefined) => ({ label: "Cash", rules: { allowedCountries: [String(options?.country)] } }) }
    expect(providerEligibility(klass, { country: "de" }, "ignored")).toEqual({ label: "Cash", rules: { allowedCountries: ["de"] } })
  })

  it("names a bad rule in a provider's options", () => {
    expect(() => providerEligibility({}, { allowedCountries: ["DEU"] }, "Thing")).toThrow(/Thing payment provider options are invalid: `allowedCountries.0`/)
  })
})

describe("a provider's own limits beside the merchant's rules", () => {
  const gateway = {
    label: "TestPay",
    rules: withGatewayMinimums(rules, { EUR: "10", USD: "1" }),
    gatewayLimits: (input: { amount: unknown }, label: string) =>
      String(input.amount).includes(".")
        ? ({ eligible: false, rule: "amount", reason: `${label} takes whole amounts only` } as const)
        : ({ eligible: true } as const),
  }

  it("keeps the larger of the merchant's and the gateway's minimum per currency", () => {
    expect(gateway.rules.minAmount).toEqual({ EUR: "10", USD: "1" })
    expect(withGatewayMinimums(rules, { EUR: "0.50" }).minAmount).toEqual({ EUR: "5" })
    expect(withGatewayMinimums({}, { EUR: "0.50" }).minAmount).toEqual({ EUR: "0.50" })
  })

  it("judges the rules first, then what the gateway cannot take", () => {
    expect(judgeEligibility(gateway, { amount: 8, currency_code: "EUR" })).toEqual({
      eligible: false,
      rule: "min_amount",
      reason: "TestPay is available for orders from 10.00 EUR",
    })
    expect(judgeEligibility(gateway, { amount: "20.5", currency_code: "EUR" })).toEqual({
      eligible: false,
      rule: "amount",
      reason: "TestPay takes whole amounts only",
    })
    expect(judgeEligibility(gateway, { amount: 20, currency_code: "EUR" })).toEqual({ eligible: true })
  })

  it("refuses with the rule and the store routes' code, as a PaymentInputError", () => {
    let error: unknown
    try {
      assertProviderEligible(gateway, { amount: "20.5", currency_code: "EUR" })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(PaymentNotEligibleError)
    expect(error).toBeInstanceOf(PaymentInputError)
    expect(error).toEqual(expect.objectContaining({ rule: "amount", code: "payment_provider_not_eligible", type: "invalid_data", message: "TestPay takes whole amounts only" }))
  })
})
