import { braintreeTestKeys } from "./braintree"
import { stripeTestKeys } from "./stripe"

/**
 * The store's environment for the providers these stand-ins answer for, plus the offline
 * methods: what the load test and the checkout bench register with the stand-ins of fake-gateways.ts (the store reads its providers
 * from the environment, as in production).
 */
export const FAKED_PROVIDERS_ENV: Readonly<Record<string, string>> = Object.freeze({
  STRIPE_API_KEY: stripeTestKeys.apiKey,
  STRIPE_WEBHOOK_SECRET: stripeTestKeys.webhookSecret,
  BRAINTREE_MERCHANT_ID: braintreeTestKeys.merchantId,
  BRAINTREE_PUBLIC_KEY: braintreeTestKeys.publicKey,
  BRAINTREE_PRIVATE_KEY: braintreeTestKeys.privateKey,
  BRAINTREE_MERCHANT_ACCOUNTS: "USD:acme_usd",
  BRAINTREE_VERIFY_CREDENTIALS_AT_BOOT: "false",
  COD_ENABLED: "true",
  BANK_TRANSFER_ACCOUNT_HOLDER: "Acme Store Ltd",
  BANK_TRANSFER_IBAN: "DE89370400440532013000",
  BANK_TRANSFER_BANK_NAME: "Commerzbank",
})
