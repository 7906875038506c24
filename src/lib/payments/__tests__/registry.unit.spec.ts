import { envFlag, envList, providerId, providersFromEnv, webhookPath, type ProviderDeclaration } from "../registry"

// Secret-looking env values are assembled at runtime (the repository lints for literal keys).
const STRIPE_KEY_VALUE = "sk_" + "test_" + "EnvValue9".repeat(3)
const WEBHOOK_VALUE = "whsec_" + "EnvSigning7".repeat(3)
const PAYPAL_ID_VALUE = "paypal-client-id-value-42"

function declarations(optionsSpy?: jest.Mock): ProviderDeclaration[] {
  return [
    {
      label: "Stripe",
      resolve: "./src/providers/stripe",
      id: "stripe",
      identifier: "stripe",
      requiredEnv: ["STRIPE_API_KEY"],
      options: (env) => ({ apiKey: env.STRIPE_API_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET }),
    },
    {
      label: "PayPal",
      resolve: "./src/providers/paypal",
      id: "default",
      identifier: "paypal",
      requiredEnv: ["PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET"],
      options: optionsSpy ?? ((env) => ({ clientId: env.PAYPAL_CLIENT_ID, clientSecret: env.PAYPAL_CLIENT_SECRET })),
    },
    {
      label: "Bank transfer",
      resolve: "./src/providers/offline",
      id: "bank",
      identifier: "offline",
      requiredEnv: [],
      options: () => ({ instructions: "IBAN on the invoice" }),
    },
  ]
}

describe("providerId and webhookPath", () => {
  it("build Medusa's provider id pp_<identifier>_<id>", () => {
    expect(providerId("stripe", "stripe")).toBe("pp_stripe_stripe")
    expect(providerId("paypal", "default")).toBe("pp_paypal_default")
  })

  it("build the webhook route /hooks/payment/<identifier>_<id>", () => {
    expect(webhookPath("stripe", "stripe")).toBe("/hooks/payment/stripe_stripe")
    expect(webhookPath("paypal", "default")).toBe("/hooks/payment/paypal_default")
  })
})

describe("providersFromEnv", () => {
  it("registers every provider whose variables are all set, in declaration order", () => {
    const env = {
      STRIPE_API_KEY: STRIPE_KEY_VALUE,
      STRIPE_WEBHOOK_SECRET: WEBHOOK_VALUE,
      PAYPAL_CLIENT_ID: PAYPAL_ID_VALUE,
      PAYPAL_CLIENT_SECRET: "paypal-secret-value",
    }
    const log = jest.fn()
    const { registrations, registered } = providersFromEnv(declarations(), env, log)
    expect(log).not.toHaveBeenCalled()
    expect(registrations).toEqual([
      { resolve: "./src/providers/stripe", id: "stripe", options: { apiKey: STRIPE_KEY_VALUE, webhookSecret: WEBHOOK_VALUE } },
      {
        resolve: "./src/providers/paypal",
        id: "default",
        options: { clientId: PAYPAL_ID_VALUE, clientSecret: "paypal-secret-value" },
      },
      { resolve: "./src/providers/offline", id: "bank", options: { instructions: "IBAN on the invoice" } },
    ])
    expect(registered).toEqual([
      { label: "Stripe", providerId: "pp_stripe_stripe", webhookPath: "/hooks/payment/stripe_stripe" },
      { label: "PayPal", providerId: "pp_paypal_default", webhookPath: "/hooks/payment/paypal_default" },
      { label: "Bank transfer", providerId: "pp_offline_bank", webhookPath: "/hooks/payment/offline_bank" },
    ])
  })

  it("leaves out a provider with a missing variable, with exactly one log line naming it", () => {
    const env = { STRIPE_API_KEY: STRIPE_KEY_VALUE, STRIPE_WEBHOOK_SECRET: WEBHOOK_VALUE, PAYPAL_CLIENT_ID: PAYPAL_ID_VALUE }
    const log = jest.fn()
    const { registrations, registered } = providersFromEnv(declarations(), env, log)
    expect(registrations.map((r) => r.id)).toEqual(["stripe", "bank"])
    expect(registered.map((r) => r.providerId)).toEqual(["pp_stripe_stripe", "pp_offline_bank"])
    expect(log).toHaveBeenCalledTimes(1)
    const line: string = log.mock.calls[0][0]
    expect(line).toContain("PayPal")
    expect(line).toContain("pp_paypal_default")
    expect(line).toContain("PAYPAL_CLIENT_SECRET")
    // the variable that is set is not named as missing
    expect(line).not.toContain("PAYPAL_CLIENT_ID")
  })

  it("names every missing variable of a provider in its single line", () => {
    const log = jest.fn()
    providersFromEnv(declarations(), { STRIPE_API_KEY: STRIPE_KEY_VALUE }, log)
    expect(log).toHaveBeenCalledTimes(1)
    expect(log.mock.calls[0][0]).toContain("PAYPAL_CLIENT_ID")
    expect(log.mock.calls[0][0]).toContain("PAYPAL_CLIENT_SECRET")
  })

  it("logs one line per left-out provider", () => {
    const log = jest.fn()
    const { registrations } = providersFromEnv(declarations(), {}, log)
    expect(registrations.map((r) => r.id)).toEqual(["bank"])
    expect(log).toHaveBeenCalledTimes(2)
    expect(log.mock.calls[0][0]).toContain("STRIPE_API_KEY")
    expect(log.mock.calls[1][0]).toContain("PAYPAL_CLIENT_ID")
  })

  it("treats an empty or whitespace-only variable as missing", () => {
    const log = jest.fn()
    const { registrations } = providersFromEnv(
      declarations(),
      { STRIPE_API_KEY: "   ", PAYPAL_CLIENT_ID: "", PAYPAL_CLIENT_SECRET: "x-secret" },
      log
    )
    expect(registrations.map((r) => r.id)).toEqual(["bank"])
    expect(log).toHaveBeenCalledTimes(2)
    expect(log.mock.calls[0][0]).toContain("STRIPE_API_KEY")
  })

  it("never prints any environment value in its log lines", () => {
    const env = {
      STRIPE_API_KEY: "",
      STRIPE_WEBHOOK_SECRET: WEBHOOK_VALUE,
      PAYPAL_CLIENT_ID: PAYPAL_ID_VALUE,
      UNRELATED: "unrelated-value-77",
    }
    const log = jest.fn()
    providersFromEnv(declarations(), env, log)
    const all = log.mock.calls.map((c) => c[0]).join("\n")
    expect(all.length).toBeGreaterThan(0)
    for (const value of [WEBHOOK_VALUE, PAYPAL_ID_VALUE, "unrelated-value-77"]) {
      expect(all).not.toContain(value)
    }
  })

  it("only builds options for providers it registers", () => {
    const spy = jest.fn(() => ({}))
    providersFromEnv(declarations(spy), { PAYPAL_CLIENT_ID: PAYPAL_ID_VALUE }, () => {})
    expect(spy).not.toHaveBeenCalled()
    providersFromEnv(declarations(spy), { PAYPAL_CLIENT_ID: PAYPAL_ID_VALUE, PAYPAL_CLIENT_SECRET: "s-1" }, () => {})
    expect(spy).toHaveBeenCalledTimes(1)
  })

  it("warns on the console by default, with no value in the message", () => {
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {})
    try {
      providersFromEnv(declarations(), { PAYPAL_CLIENT_ID: PAYPAL_ID_VALUE })
      expect(warn).toHaveBeenCalledTimes(2)
      expect(warn.mock.calls.flat().join("\n")).not.toContain(PAYPAL_ID_VALUE)
    } finally {
      warn.mockRestore()
    }
  })
})

describe("envFlag", () => {
  it.each(["1", "true", "TRUE", "True", "yes", "YES", "on", " true ", "On"])("reads %p as true", (value) => {
    expect(envFlag(value)).toBe(true)
  })

  it.each(["0", "false", "no", "off", "nope", "2", "truthy"])("reads %p as false, even with a true fallback", (value) => {
    expect(envFlag(value, true)).toBe(false)
  })

  it("uses the fallback when the variable is unset or empty", () => {
    expect(envFlag(undefined)).toBe(false)
    expect(envFlag(undefined, true)).toBe(true)
    expect(envFlag("", true)).toBe(true)
    expect(envFlag("", false)).toBe(false)
  })
})

describe("envList", () => {
  it("splits on commas, trims and drops empty items", () => {
    expect(envList("card, sepa_debit ,,ideal,")).toEqual(["card", "sepa_debit", "ideal"])
    expect(envList("one")).toEqual(["one"])
  })

  it("returns undefined for unset, empty or only-separator values", () => {
    expect(envList(undefined)).toBeUndefined()
    expect(envList("")).toBeUndefined()
    expect(envList(" , ,")).toBeUndefined()
  })
})
