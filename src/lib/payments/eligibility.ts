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
import { parseOptions, z } from "./options"

/** A three-letter ISO 4217 code, normalised to upper case. */
export const currencyCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{3}$/, { error: "must be a three-letter ISO 4217 currency code" })
  .transform((c) => c.toUpperCase())

/** A two-letter ISO 3166-1 code, normalised to lower case (as Medusa stores countries). */
export const countryCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, { error: "must be a two-letter ISO 3166-1 country code" })
  .transform((c) => c.toLowerCase())

/** An amount in major units, as a number or a decimal string ("500", "499.99"). */
export const majorAmount = z
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

/**
 * The rule that made a provider ineligible: the merchant's currency, country and amount
 * range, or the gateway's own limits (its currencies, its smallest and largest charge);
 * `amount` is an amount the gateway cannot charge at all (ECPay: a fraction of a dollar).
 */
export type EligibilityRule = "currency" | "country" | "min_amount" | "max_amount" | "amount"

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

/**
 * A payment the provider refuses for its rules: a `PaymentInputError` whose `code`
 * (`payment_provider_not_eligible`, what Medusa's error handler answers with) and `rule`
 * match the store routes' refusal.
 */
export class PaymentNotEligibleError extends PaymentInputError {
  readonly rule: EligibilityRule
  constructor(rule: EligibilityRule, reason: string) {
    super(reason)
    this.name = "PaymentNotEligibleError"
    this.code = PAYMENT_NOT_ELIGIBLE_CODE
    this.rule = rule
  }
}

/** The code every eligibility refusal carries, from the store routes and the providers alike. */
export const PAYMENT_NOT_ELIGIBLE_CODE = "payment_provider_not_eligible"

/** Throw a clear `PaymentNotEligibleError` naming the failed rule; nothing is created. */
export function assertEligible(rules: EligibilityRules, input: EligibilityInput, label: string): void {
  assertProviderEligible({ label, rules }, input)
}

/**
 * Judge a provider: the merchant's rules, then what the gateway itself can take. The one
 * evaluation behind the listing route, the session guard and the provider's own
 * `initiatePayment`, so the three never disagree.
 */
export function judgeEligibility(eligibility: ProviderEligibility, input: EligibilityInput): EligibilityResult {
  const result = evaluateEligibility(eligibility.rules, input, eligibility.label)
  if (!result.eligible || !eligibility.gatewayLimits) {
    return result
  }
  return eligibility.gatewayLimits(input, eligibility.label)
}

/** Throw a `PaymentNotEligibleError` when `judgeEligibility` refuses. */
export function assertProviderEligible(eligibility: ProviderEligibility, input: EligibilityInput): void {
  const result = judgeEligibility(eligibility, input)
  if (!result.eligible) {
    throw new PaymentNotEligibleError(result.rule, result.reason)
  }
}

/**
 * The merchant's rules with a gateway's minimum charge per currency (major units): the
 * larger of the two minimums applies, so the reason names the one that refuses.
 */
export function withGatewayMinimums(rules: EligibilityRules, minimums: Readonly<Record<string, string>>): EligibilityRules {
  const merged: Record<string, string> = { ...minimums }
  for (const [currency, merchant] of Object.entries(rules.minAmount ?? {})) {
    const gateway = merged[currency]
    merged[currency] = gateway !== undefined && compareAmounts(gateway, merchant) > 0 ? gateway : merchant
  }
  return { ...rules, minAmount: merged }
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

/** What the store routes need to judge a provider: how it is named, and its rules. */
export interface ProviderEligibility {
  /** How the method is named in reasons ("Cash on delivery"), as its `initiatePayment` names it. */
  label: string
  rules: EligibilityRules
  /**
   * What the gateway itself cannot take, beyond the rules (ECPay: anything but whole New
   * Taiwan dollars; Stripe: an amount over its largest charge): judged after the rules.
   */
  gatewayLimits?: (input: EligibilityInput, label: string) => EligibilityResult
}

/**
 * What a provider class may declare so that the store routes judge it exactly as it judges
 * itself. Both are optional: without `eligibilityOf`, the rules are read from the top level
 * of the provider's options with the shared shape (as Stripe, PayPal and ECPay keep them);
 * without `eligibilityLabel`, the caller's label is used.
 */
export interface EligibilityAwareProvider {
  identifier?: string
  /** The label the provider passes to `assertEligible`. */
  eligibilityLabel?: string
  /** The provider's label and rules for these options, for providers that keep them elsewhere. */
  eligibilityOf?(options: Record<string, unknown> | undefined): ProviderEligibility
}

/**
 * The label and rules of a provider class registered with `options`, normalised by the
 * same zod shape the provider parses them with. Throws a `PaymentConfigError` naming a bad
 * option (the provider's own `validateOptions` would have stopped the app first).
 * @param fallbackLabel the label when the class declares none
 */
export function providerEligibility(
  klass: EligibilityAwareProvider,
  options: Record<string, unknown> | undefined,
  fallbackLabel: string
): ProviderEligibility {
  if (typeof klass.eligibilityOf === "function") {
    return klass.eligibilityOf(options)
  }
  const label = klass.eligibilityLabel ?? fallbackLabel
  return { label, rules: eligibilityRulesFromOptions(options, label) }
}

/** The shared rules from the top level of a provider's options (other options are ignored). */
export function eligibilityRulesFromOptions(options: Record<string, unknown> | undefined, provider: string): EligibilityRules {
  return eligibilityRulesOf(parseOptions(eligibilityOptionsSchema, options ?? {}, provider))
}

/**
 * The eligibility options of a provider from the environment, for its declaration:
 * `<PREFIX>_ALLOWED_CURRENCIES=EUR,USD`, `<PREFIX>_ALLOWED_COUNTRIES=de,at`,
 * `<PREFIX>_MIN_AMOUNT=EUR:5,USD:5`, `<PREFIX>_MAX_AMOUNT=EUR:500`. Unset variables give
 * no option; values are validated with the provider's options, naming the option.
 */
export function eligibilityFromEnv(prefix: string, env: NodeJS.ProcessEnv = process.env): Partial<Record<keyof EligibilityRules, unknown>> {
  const out: Partial<Record<keyof EligibilityRules, unknown>> = {}
  const currencies = splitList(env[`${prefix}_ALLOWED_CURRENCIES`])
  const countries = splitList(env[`${prefix}_ALLOWED_COUNTRIES`])
  const min = amountsByCurrency(env[`${prefix}_MIN_AMOUNT`])
  const max = amountsByCurrency(env[`${prefix}_MAX_AMOUNT`])
  if (currencies) out.allowedCurrencies = currencies
  if (countries) out.allowedCountries = countries
  if (min) out.minAmount = min
  if (max) out.maxAmount = max
  return out
}

function splitList(value: string | undefined): string[] | undefined {
  const items = (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
  return items.length ? items : undefined
}

/** "EUR:500,USD:550" -> { EUR: "500", USD: "550" }; an entry without ":" keeps an empty amount, which validation names. */
export function amountsByCurrency(value: string | undefined): Record<string, string> | undefined {
  const entries = splitList(value)
  if (!entries) return undefined
  const out: Record<string, string> = {}
  for (const entry of entries) {
    const [code, amount] = entry.split(/[:=]/, 2).map((part) => part.trim())
    out[code] = amount ?? ""
  }
  return out
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join("")
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`
}
