import { providerModule } from "../../lib/payments/package"
import { amountsByCurrency, eligibilityFromEnv } from "../../lib/payments/eligibility"
import { envFlag, type ProviderDeclaration } from "../../lib/payments/registry"

/*
 * How the collection registers the offline methods from the environment (see
 * src/payment-providers.ts). Each method has its own entry point so that a store that only
 * sets one up registers only that one; both use the id `offline`, so the provider ids are
 * the same as with the whole module registered by hand: `pp_cod_offline` and
 * `pp_bank-transfer_offline`.
 */

/** Cash on delivery needs no credentials: it is offered once `COD_ENABLED=true`. */
export const codDeclaration: ProviderDeclaration = {
  label: "Cash on delivery",
  resolve: providerModule("offline/cod"),
  id: "offline",
  identifier: "cod",
  requiredEnv: [],
  // A set-but-false COD_ENABLED does not register it.
  enabled: (env) => envFlag(env.COD_ENABLED),
  enableHint: "COD_ENABLED=true",
  options: (env) => ({
    cod: {
      fee: amountsByCurrency(env.COD_FEE),
      instructions: env.COD_INSTRUCTIONS || undefined,
      ...eligibilityFromEnv("COD", env),
    },
  }),
}

/** Bank transfer needs the receiving account: holder, bank, and IBAN or account number. */
export const bankTransferDeclaration: ProviderDeclaration = {
  label: "Bank transfer",
  resolve: providerModule("offline/bank-transfer"),
  id: "offline",
  identifier: "bank-transfer",
  requiredEnv: (env) => [
    "BANK_TRANSFER_ACCOUNT_HOLDER",
    env.BANK_TRANSFER_ACCOUNT_NUMBER ? "BANK_TRANSFER_ACCOUNT_NUMBER" : "BANK_TRANSFER_IBAN",
    "BANK_TRANSFER_BANK_NAME",
  ],
  options: (env) => ({
    bankTransfer: {
      accountHolder: env.BANK_TRANSFER_ACCOUNT_HOLDER,
      iban: env.BANK_TRANSFER_IBAN || undefined,
      accountNumber: env.BANK_TRANSFER_ACCOUNT_NUMBER || undefined,
      bankCode: env.BANK_TRANSFER_BANK_CODE || undefined,
      bic: env.BANK_TRANSFER_BIC || undefined,
      bankName: env.BANK_TRANSFER_BANK_NAME,
      instructions: env.BANK_TRANSFER_INSTRUCTIONS || undefined,
      ...eligibilityFromEnv("BANK_TRANSFER", env),
    },
  }),
}
