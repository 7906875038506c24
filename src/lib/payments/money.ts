/**
 * Money: the one place where major units (what Medusa stores and hands a provider)
 * become a gateway's minor units, decimal strings or whole numbers, and back.
 *
 * Medusa passes amounts as `BigNumberInput` (number, numeric string, bignumber.js,
 * Medusa's BigNumber or its raw `{ value, precision }`). Everything here runs on
 * bignumber.js with explicit rounding; nothing multiplies a JavaScript float.
 *
 * A gateway's quirks are `CurrencyRules` passed in by the provider's mapping file,
 * never a branch in this file.
 */
import { BigNumber as MedusaBigNumber } from "@medusajs/framework/utils"
import type { BigNumberInput } from "@medusajs/framework/types"
import BigNumberJS from "bignumber.js"
import { AmountError } from "./errors"

/**
 * ISO 4217 minor-unit exponents of active currencies whose exponent is not 2.
 * Every other three-letter code is 2. Source: ISO 4217 list one (SIX Group).
 */
const ISO_4217_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
})

/** How a gateway departs from ISO 4217 for some currencies. */
export interface CurrencyRules {
  /** The gateway's minor-unit exponent where it differs from ISO 4217 (upper-case codes). */
  exponents?: Readonly<Record<string, number>>
  /**
   * Amounts the gateway accepts must be a multiple of this many of its minor units
   * (Stripe: three-decimal currencies end in 0, ISK and UGX are whole units sent as
   * hundredths). Values are rounded to a multiple as `ConversionOptions.rounding` says.
   */
  steps?: Readonly<Record<string, number>>
}

export interface ConversionOptions {
  /**
   * `round` (default): round to what the gateway can represent (see `rounding`).
   * `exact`: refuse, with an `AmountError`, an amount the gateway cannot represent exactly.
   */
  mode?: "round" | "exact"
  /**
   * How `round` rounds: `half_up` (default) for what a shopper is charged, `down` (toward
   * zero) for refunds, so a refund never returns more than was asked (1.005 KWD at
   * Stripe, which takes 0.010 steps, is 1.000, not 1.010).
   */
  rounding?: "half_up" | "down"
}

const NO_RULES: CurrencyRules = Object.freeze({})

export function normalizeCurrency(currency: string): string {
  const code = String(currency ?? "").trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(code)) {
    throw new AmountError(`"${currency}" is not an ISO 4217 currency code`)
  }
  return code
}

/** The ISO 4217 exponent of a currency (2 unless listed otherwise). */
export function isoExponent(currency: string): number {
  return ISO_4217_EXPONENTS[normalizeCurrency(currency)] ?? 2
}

/** The exponent a gateway uses for a currency, after its rules. */
export function gatewayExponent(currency: string, rules: CurrencyRules = NO_RULES): number {
  const code = normalizeCurrency(currency)
  return rules.exponents?.[code] ?? ISO_4217_EXPONENTS[code] ?? 2
}

/** Any Medusa amount input as an exact bignumber.js value. */
export function toBigNumber(amount: BigNumberInput | BigNumberJS): BigNumberJS {
  if (BigNumberJS.isBigNumber(amount)) {
    return new BigNumberJS(amount)
  }
  let value: BigNumberJS
  if (typeof amount === "string" || typeof amount === "number") {
    // Parsed directly: Medusa's BigNumber keeps strings at 20 significant digits only.
    value = new BigNumberJS(typeof amount === "string" ? amount.trim() : amount)
    if (!value.isFinite()) {
      throw new AmountError(`${describe(amount)} is not a finite amount`)
    }
    return value
  }
  try {
    const medusa = new MedusaBigNumber(amount as BigNumberInput)
    // Prefer the raw string Medusa keeps: `numeric` is a float.
    const raw = medusa.raw?.value
    value = new BigNumberJS(raw !== undefined ? String(raw) : medusa.bigNumber ?? medusa.numeric)
  } catch {
    throw new AmountError(`${describe(amount)} is not an amount`)
  }
  if (!value.isFinite()) {
    throw new AmountError(`${describe(amount)} is not a finite amount`)
  }
  return value
}

/**
 * Major units to the gateway's integer minor units: 10.5 USD -> 1050, 1000 JPY -> 1000,
 * 5.124 KWD -> 5124 (or 5120 with Stripe's step of 10).
 */
export function toMinorUnits(
  amount: BigNumberInput,
  currency: string,
  rules: CurrencyRules = NO_RULES,
  options: ConversionOptions = {}
): number {
  const code = normalizeCurrency(currency)
  const major = toBigNumber(amount)
  const exponent = gatewayExponent(code, rules)
  const step = rules.steps?.[code] ?? 1
  const scaled = major.shiftedBy(exponent)
  const mode = options.rounding === "down" ? BigNumberJS.ROUND_DOWN : BigNumberJS.ROUND_HALF_UP
  // Without a step, rounded as it is: a division (even by 1) first rounds to bignumber.js's
  // 20 decimal places, and costs two thirds of the conversion (measured by `npm run bench`).
  const rounded = step === 1 ? scaled.integerValue(mode) : scaled.dividedBy(step).integerValue(mode).multipliedBy(step)
  if (options.mode === "exact" && !rounded.isEqualTo(scaled)) {
    const unit = new BigNumberJS(step).shiftedBy(-exponent).toFixed()
    throw new AmountError(
      `${major.toFixed()} ${code} cannot be charged exactly: the gateway accepts multiples of ${unit} ${code}`
    )
  }
  if (!rounded.abs().isLessThanOrEqualTo(Number.MAX_SAFE_INTEGER)) {
    throw new AmountError(`${major.toFixed()} ${code} is too large for the gateway`)
  }
  return rounded.toNumber()
}

/** The gateway's integer minor units back to major units, exactly: 1050 USD -> "10.5". */
export function fromMinorUnits(
  minor: number | string | bigint,
  currency: string,
  rules: CurrencyRules = NO_RULES
): BigNumberJS {
  const code = normalizeCurrency(currency)
  const value = new BigNumberJS(typeof minor === "bigint" ? minor.toString() : minor)
  if (!value.isInteger()) {
    throw new AmountError(`${String(minor)} is not a whole number of ${code} minor units`)
  }
  return value.shiftedBy(-gatewayExponent(code, rules))
}

/** Major units back out as a plain JavaScript number for Medusa (`WebhookActionData.amount`). */
export function fromMinorUnitsToNumber(
  minor: number | string | bigint,
  currency: string,
  rules: CurrencyRules = NO_RULES
): number {
  return fromMinorUnits(minor, currency, rules).toNumber()
}

/**
 * Major units as the decimal string a gateway such as PayPal expects, with exactly
 * the gateway's number of decimals: 10.5 USD -> "10.50", 1000 JPY -> "1000".
 */
export function toDecimalString(
  amount: BigNumberInput,
  currency: string,
  rules: CurrencyRules = NO_RULES,
  options: ConversionOptions = {}
): string {
  const code = normalizeCurrency(currency)
  const minor = toMinorUnits(amount, code, rules, options)
  return fromMinorUnits(minor, code, rules).toFixed(gatewayExponent(code, rules))
}

/** A gateway's decimal string ("10.50") back to major units, checked against its exponent. */
export function fromDecimalString(
  value: string,
  currency: string,
  rules: CurrencyRules = NO_RULES
): BigNumberJS {
  const code = normalizeCurrency(currency)
  if (!/^-?\d+(\.\d+)?$/.test(String(value).trim())) {
    throw new AmountError(`"${value}" is not a decimal amount`)
  }
  const parsed = new BigNumberJS(value)
  if ((parsed.decimalPlaces() ?? 0) > gatewayExponent(code, rules)) {
    throw new AmountError(`"${value}" has more decimals than ${code} allows`)
  }
  return parsed
}

/** A Medusa record's amount exactly: its `raw_amount` when it has one (a BigNumber's raw value), else `amount`. */
export function recordedAmount(record: { amount: unknown; raw_amount?: unknown }): BigNumberJS {
  return toBigNumber((record.raw_amount ?? record.amount) as never)
}

/** The exact sum of Medusa records' amounts (a payment's captures or refunds), in major units. */
export function sumOfRecordedAmounts(records: ReadonlyArray<{ amount: unknown; raw_amount?: unknown }> | null | undefined): BigNumberJS {
  return (records ?? []).reduce((total, record) => total.plus(recordedAmount(record)), toBigNumber(0))
}

/** Compare two amounts exactly in major units. */
export function compareAmounts(a: BigNumberInput | BigNumberJS, b: BigNumberInput | BigNumberJS): -1 | 0 | 1 {
  const result = toBigNumber(a).comparedTo(toBigNumber(b))
  return (result ?? 0) as -1 | 0 | 1
}

/** Format for humans and error messages: "500.00 EUR", "1000 JPY". */
export function formatAmount(amount: BigNumberInput | BigNumberJS, currency: string): string {
  const code = normalizeCurrency(currency)
  return `${toBigNumber(amount).toFixed(isoExponent(code), BigNumberJS.ROUND_HALF_UP)} ${code}`
}

function describe(amount: unknown): string {
  try {
    return JSON.stringify(amount)
  } catch {
    return String(amount)
  }
}
