import { providerModule } from "../../lib/payments/package"
import { eligibilityFromEnv } from "../../lib/payments/eligibility"
import { envFlag, envList, type ProviderDeclaration } from "../../lib/payments/registry"

/** How the collection registers Stripe from the environment (see src/payment-providers.ts). */
export const stripeDeclaration: ProviderDeclaration = {
  label: "Stripe",
  resolve: providerModule("stripe"),
  id: "stripe",
  identifier: "stripe",
  // Without a signing secret no webhook verifies, so production needs both.
  requiredEnv: (env) =>
    env.NODE_ENV === "production" ? ["STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"] : ["STRIPE_API_KEY"],
  options: (env) => ({
    apiKey: env.STRIPE_API_KEY,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
    capture: envFlag(env.STRIPE_CAPTURE),
    automaticPaymentMethods: envFlag(env.STRIPE_AUTOMATIC_PAYMENT_METHODS),
    paymentDescription: env.STRIPE_PAYMENT_DESCRIPTION || undefined,
    asyncPaymentMethodTypes: envList(env.STRIPE_ASYNC_PAYMENT_METHOD_TYPES),
    apiBaseUrl: env.STRIPE_API_BASE_URL || undefined,
    // STRIPE_ALLOWED_CURRENCIES, STRIPE_ALLOWED_COUNTRIES, STRIPE_MIN_AMOUNT, STRIPE_MAX_AMOUNT
    ...eligibilityFromEnv("STRIPE", env),
  }),
}
