/**
 * `medusa-payments-collection/registry`: the collection's providers registered from the
 * environment, for a store that prefers variables (`STRIPE_API_KEY`, `PAYPAL_CLIENT_ID`...)
 * to writing each provider's options in medusa-config.ts:
 *
 * ```ts
 * import { paymentProvidersFromEnv } from "medusa-payments-collection/registry"
 * // ...
 * modules: [{ resolve: "@medusajs/medusa/payment", options: { providers: paymentProvidersFromEnv() } }]
 * ```
 *
 * A provider whose variables are missing is left out with one log line naming them (never
 * their values). Registering providers by hand (`resolve: "medusa-payments-collection/providers/stripe"`)
 * needs none of this.
 */
import { paymentProviders } from "./payment-providers"
import { ProviderRegistration, providersFromEnv } from "./lib/payments/registry"

export { paymentProviders }
export {
  providerId,
  providersFromEnv,
  webhookPath,
  type ProviderDeclaration,
  type ProviderRegistration,
  type RegisteredProvider,
} from "./lib/payments/registry"

/** The Payment Module's `providers` entries for every provider of the collection configured in `env`. */
export function paymentProvidersFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  log?: (line: string) => void
): ProviderRegistration[] {
  return providersFromEnv(paymentProviders, env, log).registrations
}
