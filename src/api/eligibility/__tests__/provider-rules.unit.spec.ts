import type { ConfigModule } from "@medusajs/framework/types"
import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { eligibilityOfProvider, providerRules } from "../provider-rules"

const account = { accountHolder: "Example Store GmbH", iban: "DE89 3704 0044 0532 0130 00", bankName: "Example Bank" }

/** A provider from another package: no rules of the collection, options of its own. */
class ThirdPartyProvider {
  static identifier = "thing"
}
const thirdParty = ModuleProvider(Modules.PAYMENT, { services: [ThirdPartyProvider as never] })

const none = { allowedCurrencies: undefined, allowedCountries: undefined, minAmount: undefined, maxAmount: undefined }

function config(providers: unknown[], asArray = false): ConfigModule {
  const payment = { resolve: "@medusajs/medusa/payment", key: Modules.PAYMENT, options: { providers } }
  return { modules: asArray ? [payment] : { [Modules.PAYMENT]: payment } } as unknown as ConfigModule
}

describe("provider rules from the Payment Module's config", () => {
  it("reads each offline method's section, a hand-registered Stripe's top-level rules, and nothing for others", async () => {
    const rules = await providerRules(
      config([
        { resolve: "./src/providers/offline", id: "offline", options: { cod: { maxAmount: { eur: 500 } }, bankTransfer: { ...account, allowedCountries: ["DE"] } } },
        { resolve: "./src/providers/stripe", id: "eu", options: { apiKey: "sk_test_fake_conformance", allowedCurrencies: ["eur"] } },
        { resolve: thirdParty, id: "x", options: { allowedCountries: "everywhere" } },
      ])
    )
    expect(Object.fromEntries(rules)).toEqual({
      pp_cod_offline: { label: "Cash on delivery", rules: { ...none, maxAmount: { EUR: "500" } } },
      "pp_bank-transfer_offline": { label: "Bank transfer", rules: { ...none, allowedCountries: ["de"] } },
      // Stripe's minimum charges are part of its rules (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts),
      // and its largest charge a gateway limit.
      pp_stripe_eu: {
        label: "Card payment",
        rules: { ...none, allowedCurrencies: ["EUR"], minAmount: expect.objectContaining({ EUR: "0.50", USD: "0.50", JPY: "50" }) },
        gatewayLimits: expect.any(Function),
      },
      // Options of the same name that mean something else: always eligible, not a crash.
      pp_thing_x: { label: "Thing", rules: {} },
    })
  })

  it("registers a method's own entry point under the same provider id", async () => {
    const rules = await providerRules(
      config([{ resolve: "./src/providers/offline/cod", id: "offline", options: { cod: { allowedCurrencies: ["EUR"] } } }], true)
    )
    expect([...rules.keys()]).toEqual(["pp_cod_offline"])
    expect(rules.get("pp_cod_offline")!.rules.allowedCurrencies).toEqual(["EUR"])
  })

  it("treats a provider it does not know (the system provider) as having no rules", async () => {
    const rules = await providerRules(config([]))
    expect(eligibilityOfProvider(rules, "pp_system_default")).toEqual({ label: "System", rules: {} })
    expect(eligibilityOfProvider(rules, "pp_bank-transfer_other")).toEqual({ label: "Bank Transfer", rules: {} })
  })

  it("reads the config once", async () => {
    const same = config([{ resolve: "./src/providers/offline/cod", id: "offline", options: {} }])
    expect(await providerRules(same)).toBe(await providerRules(same))
  })
})
