import { providerModule } from "../../lib/payments/package"
import { eligibilityFromEnv, amountsByCurrency } from "../../lib/payments/eligibility"
import { envFlag, type ProviderDeclaration } from "../../lib/payments/registry"

/** How the collection registers Braintree from the environment (see src/payment-providers.ts). */
export const braintreeDeclaration: ProviderDeclaration = {
  label: "Braintree",
  resolve: providerModule("braintree"),
  id: "braintree",
  identifier: "braintree",
  requiredEnv: ["BRAINTREE_MERCHANT_ID", "BRAINTREE_PUBLIC_KEY", "BRAINTREE_PRIVATE_KEY", "BRAINTREE_MERCHANT_ACCOUNTS"],
  options: (env) => ({
    merchantId: env.BRAINTREE_MERCHANT_ID,
    publicKey: env.BRAINTREE_PUBLIC_KEY,
    privateKey: env.BRAINTREE_PRIVATE_KEY,
    environment: env.BRAINTREE_ENVIRONMENT || undefined,
    // USD:acme_usd,EUR:acme_eur (currency:value pairs, read as the amount lists are)
    merchantAccounts: amountsByCurrency(env.BRAINTREE_MERCHANT_ACCOUNTS) ?? {},
    capture: envFlag(env.BRAINTREE_CAPTURE),
    threeDSecureRequired: envFlag(env.BRAINTREE_THREE_D_SECURE_REQUIRED),
    partialSettlement: envFlag(env.BRAINTREE_PARTIAL_SETTLEMENT),
    descriptor: descriptorFromEnv(env),
    verifyCredentialsAtBoot: envFlag(env.BRAINTREE_VERIFY_CREDENTIALS_AT_BOOT, true),
    apiBaseUrl: env.BRAINTREE_API_BASE_URL || undefined,
    // BRAINTREE_ALLOWED_CURRENCIES, BRAINTREE_ALLOWED_COUNTRIES, BRAINTREE_MIN_AMOUNT, BRAINTREE_MAX_AMOUNT
    ...eligibilityFromEnv("BRAINTREE", env),
  }),
}

/** BRAINTREE_DESCRIPTOR_NAME, _PHONE and _URL; none without a name (the options name a phone or URL alone). */
function descriptorFromEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> | undefined {
  const name = env.BRAINTREE_DESCRIPTOR_NAME || undefined
  const phone = env.BRAINTREE_DESCRIPTOR_PHONE || undefined
  const url = env.BRAINTREE_DESCRIPTOR_URL || undefined
  if (!name && !phone && !url) return undefined
  return { name, phone, url }
}
