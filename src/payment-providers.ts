/**
 * The collection: every provider and how it is registered from the environment. Each
 * provider's folder holds its own `declaration.ts` (label, env variables, options);
 * `medusa-config.ts` registers those whose variables are set. The README's provider table
 * mirrors this list.
 */
import type { ProviderDeclaration } from "./lib/payments/registry"
import { stripeDeclaration } from "./providers/stripe/declaration"
import { bankTransferDeclaration, codDeclaration } from "./providers/offline/declaration"
import { ecpayDeclaration } from "./providers/ecpay/declaration"
import { paypalDeclaration } from "./providers/paypal/declaration"
import { braintreeDeclaration } from "./providers/braintree/declaration"

export const paymentProviders: ProviderDeclaration[] = [
  stripeDeclaration,
  codDeclaration,
  bankTransferDeclaration,
  ecpayDeclaration,
  paypalDeclaration,
  braintreeDeclaration,
]
