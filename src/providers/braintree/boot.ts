/**
 * The boot-time check (`validateOptions`): Braintree is asked for each configured merchant
 * account, which proves the keys, the environment and the merchant id, and that each account
 * exists, is active and settles the currency it is configured for. A problem stops the boot
 * with a sentence naming it, never a key; an unreachable Braintree is only logged (the first
 * payment checks again).
 * @see https://developer.paypal.com/braintree/docs/reference/request/merchant-account/find/node
 */
import { GatewayRejectedError, PaymentConfigError } from "../../lib/payments/errors"
import { redactText } from "../../lib/payments/redact"
import { BraintreeClient } from "./client"
import type { BraintreeOptions } from "./options"

interface MerchantAccount {
  id: string
  status?: string
  currencyIsoCode?: string
}

export async function verifyMerchantAccounts(options: BraintreeOptions, logger: { warn(message: string): void }): Promise<void> {
  const client = new BraintreeClient({ ...options, timeoutMs: Math.min(options.timeoutMs, 10_000) }, { info: () => {}, warn: () => {} })
  const problems: string[] = []
  for (const [currency, id] of Object.entries(options.merchantAccounts)) {
    let account: MerchantAccount
    try {
      account = (await client.call("look up the merchant account", (gateway) => gateway.merchantAccount.find(id) as Promise<unknown>)) as MerchantAccount
    } catch (error) {
      if (error instanceof GatewayRejectedError && error.details.status === 401) {
        throw new PaymentConfigError(
          `Braintree payment provider options are invalid: Braintree refused the API keys for merchant ${options.merchantId} ` +
            `(check \`merchantId\`, \`publicKey\`, \`privateKey\` and that they are ${options.environment} keys)`
        )
      }
      if (error instanceof GatewayRejectedError && error.details.status === 404) {
        problems.push(`\`merchantAccounts.${currency}\`: Braintree has no merchant account "${id}" for merchant ${options.merchantId}`)
        continue
      }
      if (error instanceof GatewayRejectedError) {
        throw new PaymentConfigError(`Braintree payment provider options could not be checked: ${error.message}`)
      }
      logger.warn(
        `[payments] Braintree could not be reached to check its merchant accounts at boot; they will be checked on the first payment ` +
          `(${redactText(error instanceof Error ? error.message : String(error))})`
      )
      return
    }
    if (account.currencyIsoCode && account.currencyIsoCode.toUpperCase() !== currency) {
      problems.push(`\`merchantAccounts.${currency}\`: merchant account "${id}" settles ${account.currencyIsoCode.toUpperCase()}, not ${currency}`)
    }
    if (account.status && account.status !== "active") {
      problems.push(`\`merchantAccounts.${currency}\`: merchant account "${id}" is ${account.status}, not active`)
    }
  }
  if (problems.length) throw new PaymentConfigError(`Braintree payment provider options are invalid: ${problems.join("; ")}`)
}
