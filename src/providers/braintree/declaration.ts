import { providerModule } from "../../lib/payments/package"
import { eligibilityFromEnv } from "../../lib/payments/eligibility"
import type { ProviderDeclaration } from "../../lib/payments/registry"

/** How the collection registers Braintree from the environment (add it to src/payment-providers.ts). */
export const braintreeDeclaration: ProviderDeclaration = {
  label: "Braintree",
  resolve: providerModule("braintree"),
  id: "braintree",
  identifier: "braintree",
  requiredEnv: ["BRAINTREE_API_KEY"],
  options: (env) => ({
    apiKey: env.BRAINTREE_API_KEY,
    environment: env.BRAINTREE_ENVIRONMENT || undefined,
    webhookSecret: env.BRAINTREE_WEBHOOK_SECRET || undefined,
    apiBaseUrl: env.BRAINTREE_API_BASE_URL || undefined,
    // BRAINTREE_ALLOWED_CURRENCIES, BRAINTREE_ALLOWED_COUNTRIES, BRAINTREE_MIN_AMOUNT, BRAINTREE_MAX_AMOUNT
    ...eligibilityFromEnv("BRAINTREE", env),
  }),
}
