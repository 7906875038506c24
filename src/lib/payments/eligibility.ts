/**
 * Eligibility rules shared by every provider of the collection (Magento's country,
 * currency and order-total validators; Vendure's eligibility checkers): a provider can be
 * limited to some currencies, to some shipping countries and to an amount range per
 * currency. One evaluation serves `initiatePayment` (which sees the amount and currency)
 * and the store routes (which see the cart and its addresses).
 */
import type { BigNumberInput } from "@medusajs/framework/types"
import { PaymentInputError } from "./errors"
import { compareAmounts, formatAmount, normalizeCurrency, toBigNumber } from "./money"
import { z } from "./options"

const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, { error: "must be a three-letter ISO 4217 currency code" })
  .transform((c) => c.toUpperCase())

const countryCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, { error: "must be a two-letter ISO 3166-1 country code" })
  .transform((c) => c.toLowerCase())

/** An amount in major units, as a number or a decimal string ("500", "499.99"). */
const majorAmount = z
  .union([z.number(), z.string().trim()])
  .refine((v) => /^\d+(\.\d+)?$/.test(String(v)) && Number.isFinite(Number(v)), {
    error: "must be a non-negative amount in major units, e.g. 500 or \"499.99\"",
  })
  .transform((v) => String(v))

/**
 * The eligibility options every provider accepts, merged into its own options schema with
 * `.extend(eligibilityOptionsShape)`.
 */
export const eligibilityOptionsShape = {
  /**
   * Currencies the method is offered in (ISO 4217). Unset: every currency.
   * @example ["EUR", "USD"]
   */
  allowedCurrencies: z.array(currencyCode).min(1).optional(),
  /**
   * Countries of the shipping address (falling back to the billing address) the method is
   * offered to (ISO 3166-1 alpha-2). Unset: every country.
   * @example ["de", "at"]
   */
  allowedCountries: z.array(countryCode).min(1).optional(),
  /**
   * Smallest order amount per currency, in major units.
   * @example { "EUR": 5 }
   */
  minAmount: z.record(currencyCode, majorAmount).optional(),
  /**
   * Largest order amount per currency, in major units.
   * @example { "EUR": 500 }
   */
  maxAmount: z.record(currencyCode, majorAmount).optional(),
}

export const eligibilityOptionsSchema = z.object(eligibilityOptionsShape)

export type EligibilityRules = z.infer<typeof eligibilityOptionsSchema>

export type EligibilityRule = "currency" | "country" | "min_amount" | "max_amount"

export interface EligibilityInput {
  amount: BigNumberInput
  currency_code: string
  /** The shipping country, or the billing one when the cart ships nowhere. Unknown: undefined. */
  country_code?: string | null
}

export type EligibilityResult =
  | { eligible: true }
  | { eligible: false; rule: EligibilityRule; reason: string }

/**
 * Evaluate `rules` for a payment. A rule that needs the country passes when the country is
 * not known yet (`initiatePayment` never sees the cart); the store routes pass it.
 * @param label how the method is named in reasons ("cash on delivery")
 */
export function evaluateEligibility(
  rules: EligibilityRules,
  input: EligibilityInput,
  label: string
): EligibilityResult {
  const currency = normalizeCurrency(input.currency_code)
  if (rules.allowedCurrencies && !rules.allowedCurrencies.includes(currency)) {
    return {
      eligible: false,
      rule: "currency",
      reason: `${label} is only available in ${list(rules.allowedCurrencies)}, not ${currency}`,
    }
  }
  const country = input.country_code ? input.country_code.toLowerCase() : undefined
  if (rules.allowedCountries && country && !rules.allowedCountries.includes(country)) {
    return {
      eligible: false,
      rule: "country",
      reason: `${label} is only available for delivery to ${list(rules.allowedCountries.map((c) => c.toUpperCase()))}, not ${country.toUpperCase()}`,
    }
  }
  const amount = toBigNumber(input.amount)
  const min = rules.minAmount?.[currency]
  if (min !== undefined && compareAmounts(amount, min) < 0) {
    return {
      eligible: false,
      rule: "min_amount",
      reason: `${label} is available for orders from ${formatAmount(min, currency)}`,
    }
  }
  const max = rules.maxAmount?.[currency]
  if (max !== undefined && compareAmounts(amount, max) > 0) {
    return {
      eligible: false,
      rule: "max_amount",
      reason: `${label} is limited to orders up to ${formatAmount(max, currency)}`,
    }
  }
  return { eligible: true }
}

/** Throw a clear `PaymentInputError` naming the failed rule; nothing is created. */
export function assertEligible(rules: EligibilityRules, input: EligibilityInput, label: string): void {
  const result = evaluateEligibility(rules, input, label)
  if (!result.eligible) {
    throw new PaymentInputError(result.reason)
  }
}

/** Pick the eligibility rules out of a provider's parsed options. */
export function eligibilityRulesOf(options: Partial<EligibilityRules> | undefined): EligibilityRules {
  return {
    allowedCurrencies: options?.allowedCurrencies,
    allowedCountries: options?.allowedCountries,
    minAmount: options?.minAmount,
    maxAmount: options?.maxAmount,
  }
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join("")
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`
}
