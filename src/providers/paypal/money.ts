/**
 * PayPal's money: its currencies, its precision per currency (rounding half-up for what is
 * charged, toward zero for refunds, exact for partial captures) and its amount object.
 * Pure; every PayPal amount goes through here.
 */
import type { BigNumberInput } from "@medusajs/framework/types"
import BigNumberJS from "bignumber.js"
import { PaymentInputError } from "../../lib/payments/errors"
import {
  ConversionOptions,
  CurrencyRules,
  fromDecimalString,
  gatewayExponent,
  normalizeCurrency,
  toBigNumber,
  toDecimalString,
} from "../../lib/payments/money"
import type { PaypalMoney } from "./types"

/**
 * PayPal's currencies and their departures from ISO 4217
 * (https://developer.paypal.com/docs/api/reference/currency-codes/): HUF, JPY and TWD "do
 * not support decimals. If you pass a decimal amount, an error occurs." JPY is already
 * zero-decimal in ISO 4217; HUF and TWD have two there.
 */
export const PAYPAL_CURRENCY_RULES: CurrencyRules = Object.freeze({
  exponents: Object.freeze({ HUF: 0, JPY: 0, TWD: 0 }),
})

/**
 * The currencies the PayPal REST API accepts (same page). BRL, CNY and MYR work for
 * in-country PayPal accounts only. No three-decimal currency (KWD, BHD...) is among them.
 */
export const PAYPAL_CURRENCIES: readonly string[] = Object.freeze([
  "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "ILS", "JPY",
  "MXN", "MYR", "NOK", "NZD", "PHP", "PLN", "RUB", "SEK", "SGD", "THB", "TWD", "USD",
])

/** A PayPal-supported currency code, upper-case, or a clear refusal. */
export function toPaypalCurrency(currency: string): string {
  const code = normalizeCurrency(currency)
  if (!PAYPAL_CURRENCIES.includes(code)) {
    throw new PaymentInputError(
      `PayPal does not accept payments in ${code}; its currencies are ${PAYPAL_CURRENCIES.join(", ")}`
    )
  }
  return code
}

/**
 * Major units as PayPal's amount object, with exactly PayPal's decimals: 10.5 USD ->
 * "10.50", 1500 HUF -> "1500". Rounded half-up to what PayPal can take, as the collection
 * does for every gateway (Medusa's totals can carry more decimals than the currency, e.g.
 * after tax): 13.0781 USD -> "13.08", 1500.5 HUF -> "1501".
 */
export function toPaypalMoney(
  amount: BigNumberInput | BigNumberJS,
  currency: string,
  options: ConversionOptions = {}
): PaypalMoney {
  const code = toPaypalCurrency(currency)
  const value = toDecimalString(toBigNumber(amount).toFixed(), code, PAYPAL_CURRENCY_RULES, options)
  return { currency_code: code, value }
}

/**
 * A refund in PayPal's precision, rounded toward zero so it never returns more than was
 * asked: 10.005 USD -> "10.00", 100.9 HUF -> "100".
 */
export function toPaypalRefundMoney(amount: BigNumberInput | BigNumberJS, currency: string): PaypalMoney {
  return toPaypalMoney(amount, currency, { rounding: "down" })
}

/**
 * A capture Medusa is recording: `whole` (what remains of the authorization) when the
 * amount, rounded as the order's amount was, is all of it; otherwise the exact amount,
 * refusing one PayPal cannot take (100.5 HUF), so PayPal never captures more or less than
 * Medusa records.
 */
export function toPaypalCaptureAmount(amount: BigNumberInput | BigNumberJS, currency: string, whole: BigNumberJS): BigNumberJS {
  const rounded = new BigNumberJS(toPaypalMoney(amount, currency).value)
  if (rounded.eq(whole)) return whole
  return new BigNumberJS(toPaypalMoney(amount, currency, { mode: "exact" }).value)
}

/** PayPal's amount object back to major units, checked against PayPal's decimals. */
export function fromPaypalMoney(money: PaypalMoney): BigNumberJS {
  return fromDecimalString(money.value, money.currency_code, PAYPAL_CURRENCY_RULES)
}

/** A decimal string in PayPal's precision for `currency` ("0.00", "0"); as is while the currency is unknown. */
export function paypalDecimal(amount: BigNumberJS, currency: string): string {
  return /^[A-Za-z]{3}$/.test(currency) ? amount.toFixed(gatewayExponent(currency, PAYPAL_CURRENCY_RULES)) : amount.toFixed()
}

/** The sum of PayPal decimal strings, in PayPal's precision for `currency`. */
export function paypalSum(values: Array<string | undefined>, currency: string): string {
  const total = values.reduce((acc, v) => acc.plus(v ?? "0"), new BigNumberJS(0))
  return paypalDecimal(total, currency)
}
