import { providerModule } from "../../lib/payments/package"
import fs from "node:fs"
import { eligibilityFromEnv } from "../../lib/payments/eligibility"
import { PaymentConfigError } from "../../lib/payments/errors"
import { envFlag, type ProviderDeclaration } from "../../lib/payments/registry"

/** How the collection registers PayPal from the environment (see src/payment-providers.ts). */
export const paypalDeclaration: ProviderDeclaration = {
  label: "PayPal",
  resolve: providerModule("paypal"),
  id: "paypal",
  identifier: "paypal",
  // Without a webhook id no notification verifies, so production needs all three.
  requiredEnv: (env) =>
    env.NODE_ENV === "production"
      ? ["PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET", "PAYPAL_WEBHOOK_ID"]
      : ["PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET"],
  options: (env) => ({
    clientId: env.PAYPAL_CLIENT_ID,
    clientSecret: env.PAYPAL_CLIENT_SECRET,
    environment: env.PAYPAL_ENVIRONMENT || undefined,
    webhookId: env.PAYPAL_WEBHOOK_ID || undefined,
    intent: env.PAYPAL_INTENT || undefined,
    brandName: env.PAYPAL_BRAND_NAME || undefined,
    landingPage: env.PAYPAL_LANDING_PAGE || undefined,
    userAction: env.PAYPAL_USER_ACTION || undefined,
    shippingPreference: env.PAYPAL_SHIPPING_PREFERENCE || undefined,
    locale: env.PAYPAL_LOCALE || undefined,
    returnUrl: env.PAYPAL_RETURN_URL || undefined,
    cancelUrl: env.PAYPAL_CANCEL_URL || undefined,
    webhookVerification: env.PAYPAL_WEBHOOK_VERIFICATION || undefined,
    verifyCredentialsAtBoot: envFlag(env.PAYPAL_VERIFY_CREDENTIALS_AT_BOOT, true),
    apiBaseUrl: env.PAYPAL_API_BASE_URL || undefined,
    webhookCertificateRoots: certificateRootsFromFile(env.PAYPAL_WEBHOOK_CERTIFICATE_ROOTS),
    ...eligibilityFromEnv("PAYPAL", env),
  }),
}

/**
 * `PAYPAL_WEBHOOK_CERTIFICATE_ROOTS`: the path of a PEM file (tests only; the options refuse
 * it in production) whose certificates replace Node's bundled roots for PayPal's webhook
 * certificate. The file may hold several; the options split and check them.
 */
function certificateRootsFromFile(file: string | undefined): string[] | undefined {
  if (!file?.trim()) return undefined
  try {
    return [fs.readFileSync(file.trim(), "utf8")]
  } catch (error) {
    throw new PaymentConfigError(
      `PayPal: PAYPAL_WEBHOOK_CERTIFICATE_ROOTS names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`
    )
  }
}
