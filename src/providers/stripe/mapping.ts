/**
 * Pure translation between Medusa and Stripe: amounts and currencies, request bodies out,
 * statuses and session data in. What events and answers mean for Medusa is in `outcomes.ts`.
 * No I/O, no clock, no randomness.
 */
import type Stripe from "stripe"
import type {
  BigNumberInput,
  PaymentCustomerDTO,
  PaymentSessionStatus as PaymentSessionStatusType,
} from "@medusajs/framework/types"
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import {
  CurrencyRules,
  formatAmount,
  fromMinorUnits,
  fromMinorUnitsToNumber,
  isoExponent,
  normalizeCurrency,
  toMinorUnits,
} from "../../lib/payments/money"
import { truncateText } from "../../lib/payments/options"
import { PaymentInputError } from "../../lib/payments/errors"
import type { ExternalRefund } from "../../lib/payments/external-refunds"
import {
  EligibilityRules,
  ProviderEligibility,
  eligibilityRulesOf,
  withGatewayMinimums,
} from "../../lib/payments/eligibility"
import { STRIPE_DESCRIPTION_MAX, type StripeOptions } from "./options"

/**
 * Stripe's departures from ISO 4217 (https://docs.stripe.com/currencies):
 * - three-decimal currencies (BHD, JOD, KWD, OMR, TND) are sent in thousandths but must
 *   end in 0 ("5.124 KWD must be rounded to 5120 or 5130"), hence a step of 10;
 * - ISK and UGX (the "Special cases") are zero-decimal in ISO 4217, but "backward
 *   compatibility requires you to represent it as a two-decimal value, where the decimal
 *   amount is always 00. For example, to charge 5 UGX, provide an amount value of 500":
 *   exponent 2 with a step of 100;
 * - MGA is on Stripe's zero-decimal list (two decimals in ISO 4217);
 * - HUF and TWD are charged with two decimals like ISO; only their payouts are whole.
 */
export const STRIPE_CURRENCY_RULES: CurrencyRules = Object.freeze({
  exponents: Object.freeze({ ISK: 2, UGX: 2, MGA: 0 }),
  steps: Object.freeze({ BHD: 10, JOD: 10, KWD: 10, OMR: 10, TND: 10, ISK: 100, UGX: 100 }),
})

/** What the shopper is charged, rounded half-up to what Stripe takes. */
export function toStripeAmount(amount: BigNumberInput, currency: string): number {
  return toMinorUnits(amount, currency, STRIPE_CURRENCY_RULES)
}

/**
 * A refund, rounded toward zero to what Stripe takes, so it never returns more than was
 * asked: 1.005 KWD (Stripe takes 0.010 steps) is 1.000 KWD.
 */
export function toStripeRefundAmount(amount: BigNumberInput, currency: string): number {
  return toMinorUnits(amount, currency, STRIPE_CURRENCY_RULES, { rounding: "down" })
}

/**
 * A capture Medusa is recording: `whole` (the intent's capturable amount) when the amount,
 * rounded as the intent's amount was, is all of it; otherwise the exact amount, refusing
 * one Stripe cannot take (5.125 KWD), so Stripe never captures more or less than Medusa
 * records.
 */
export function toStripeCaptureAmount(amount: BigNumberInput, currency: string, whole: number): number {
  const rounded = toStripeAmount(amount, currency)
  return rounded === whole ? whole : toMinorUnits(amount, currency, STRIPE_CURRENCY_RULES, { mode: "exact" })
}

export function fromStripeAmount(minor: number, currency: string): number {
  return fromMinorUnitsToNumber(minor, currency, STRIPE_CURRENCY_RULES)
}

/**
 * Stripe's minor units as an exact decimal string in major units, for outcomes: 2000 USD ->
 * "20.00", 5120 KWD -> "5.120", 100000 UGX -> "1000" (Stripe's two decimals of UGX are always 00).
 */
export function stripeMajorString(minor: number, currency: string): string {
  const value = fromMinorUnits(minor, currency, STRIPE_CURRENCY_RULES)
  return value.toFixed(Math.max(isoExponent(normalizeCurrency(currency)), value.decimalPlaces() ?? 0))
}

/** Stripe's minor units for people and messages: 150000 ISK -> "1500 ISK". */
export function formatStripeAmount(minor: number, currency: string): string {
  return formatAmount(fromMinorUnits(minor, currency, STRIPE_CURRENCY_RULES), currency)
}

/**
 * Stripe's minimum charge per currency, in major units, from "Minimum and maximum charge
 * amounts" (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts): what
 * Stripe refuses below (`amount_too_small`) when the charge is in the account's settlement
 * currency. A charge Stripe converts must meet the settlement currency's minimum after
 * conversion, which is not known here; a currency not listed has no minimum but one of
 * Stripe's units.
 */
export const STRIPE_MINIMUM_CHARGES: Readonly<Record<string, string>> = Object.freeze({
  USD: "0.50", AED: "2.00", ARS: "0.50", AUD: "0.50", BGN: "1.00", BRL: "0.50", CAD: "0.50",
  CHF: "0.50", COP: "0.50", CZK: "15.00", DKK: "2.50", EUR: "0.50", GBP: "0.30", HKD: "4.00",
  HUF: "175.00", IDR: "0.50", ILS: "0.50", INR: "0.50", JPY: "50", KRW: "50", MXN: "10",
  MYR: "2.00", NOK: "3.00", NZD: "0.50", PHP: "0.50", PLN: "2.00", RON: "2.00", RUB: "0.50",
  SEK: "3.00", SGD: "0.50", THB: "10", ZAR: "0.50",
})

/**
 * The largest `amount` Stripe takes, in its minor units: "12 digits for most card payments"
 * (same page); other methods take fewer (8 digits for most), which Stripe then refuses.
 */
export const STRIPE_MAXIMUM_MINOR = 999_999_999_999

/**
 * Stripe's eligibility: the merchant's rules with Stripe's minimum charges, then what no
 * Stripe charge can be (less than one of its units, more than 12 digits). Judged by the
 * store routes and by `initiatePayment` alike.
 */
export function stripeEligibility(options: Partial<EligibilityRules>, label: string): ProviderEligibility {
  return {
    label,
    rules: withGatewayMinimums(eligibilityRulesOf(options), STRIPE_MINIMUM_CHARGES),
    gatewayLimits: (input, name) => {
      const code = normalizeCurrency(input.currency_code)
      const step = STRIPE_CURRENCY_RULES.steps?.[code] ?? 1
      const minor = toStripeAmount(input.amount, code)
      if (minor < step) {
        return { eligible: false, rule: "min_amount", reason: `${name} is available for orders from ${formatStripeAmount(step, code)}` }
      }
      const largest = Math.floor(STRIPE_MAXIMUM_MINOR / step) * step
      if (minor > largest) {
        return { eligible: false, rule: "max_amount", reason: `${name} is limited to orders up to ${formatStripeAmount(largest, code)}` }
      }
      return { eligible: true }
    },
  }
}

/** Stripe wants lower-case ISO codes. */
export function toStripeCurrency(currency: string): string {
  return normalizeCurrency(currency).toLowerCase()
}

/** Stripe's wire objects the provider reads, by the collection's names. */
export type StripePaymentIntent = Stripe.PaymentIntent
export type StripeIntentStatus = Stripe.PaymentIntent.Status
export type StripeEvent = Stripe.Event
export type StripeRefund = Stripe.Refund
export type StripeDispute = Stripe.Dispute

/**
 * What the collection keeps in the payment session's `data`. It reaches the storefront,
 * so it holds ids, amounts and the client secret the storefront confirms with; never
 * the whole intent (which carries names, e-mails, addresses and card details).
 */
export interface StripeSessionData extends Record<string, unknown> {
  /** PaymentIntent id (pi_...). */
  id: string
  /** For Stripe.js `confirmPayment` on the storefront. */
  client_secret: string | null
  status: Stripe.PaymentIntent.Status
  /** In Stripe's minor units. */
  amount: number
  amount_capturable: number
  amount_received: number
  currency: string
  capture_method: Stripe.PaymentIntent.CaptureMethod
  customer: string | null
  payment_method: string | null
  latest_charge: string | null
  /** Why the last attempt failed, without personal data: a decline is a status, not a crash. */
  last_payment_error: { code: string | null; decline_code: string | null; message: string | null } | null
  /** The Medusa payment session id the intent belongs to. */
  session_id: string | null
  /**
   * What Medusa has recorded as captured through this provider, in minor units. Stripe
   * captures an intent once; a capture Stripe already made (in its dashboard) can then be
   * recorded in Medusa in parts, up to what Stripe received.
   */
  amount_captured_recorded?: number
  /** Sum of refunds made through the collection (and made at Stripe and recorded in Medusa), in minor units. */
  amount_refunded: number
  refunds: Array<{ id: string; amount: number; status: string | null }>
  /**
   * Refunds made at Stripe outside Medusa (the dashboard), noted by the plugin to be
   * recorded in Medusa without refunding again (`lib/payments/external-refunds.ts`).
   */
  external_refunds?: ExternalRefund[]
  /** Bumped on every in-place update; part of the derived idempotency key. */
  update_seq: number
  /** Set when the answer of the last mutating call was indeterminate. */
  indeterminate?: string
}

export function toSessionData(
  intent: Stripe.PaymentIntent,
  previous: Partial<StripeSessionData> = {}
): StripeSessionData {
  const error = intent.last_payment_error
  return {
    id: intent.id,
    client_secret: intent.client_secret ?? previous.client_secret ?? null,
    status: intent.status,
    amount: intent.amount,
    amount_capturable: intent.amount_capturable ?? 0,
    amount_received: intent.amount_received ?? 0,
    currency: intent.currency,
    capture_method: intent.capture_method,
    customer: idOf(intent.customer),
    payment_method: idOf(intent.payment_method),
    latest_charge: idOf(intent.latest_charge),
    last_payment_error: error
      ? { code: error.code ?? null, decline_code: error.decline_code ?? null, message: error.message ?? null }
      : null,
    session_id: intent.metadata?.session_id ?? previous.session_id ?? null,
    ...(previous.amount_captured_recorded !== undefined ? { amount_captured_recorded: previous.amount_captured_recorded } : {}),
    amount_refunded: previous.amount_refunded ?? 0,
    refunds: previous.refunds ?? [],
    // Kept through every call: the plugin reads it to record a gateway refund once.
    ...(previous.external_refunds !== undefined ? { external_refunds: previous.external_refunds } : {}),
    update_seq: previous.update_seq ?? 0,
  }
}

export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null
  return typeof value === "string" ? value : value.id
}

/**
 * PaymentIntent status -> Medusa session status, exhaustively.
 * @see https://docs.stripe.com/payments/paymentintents/lifecycle
 */
export interface IntentStatusInput {
  status: Stripe.PaymentIntent.Status
  last_payment_error?: unknown
  payment_method_types?: string[]
  payment_method?: Stripe.PaymentIntent["payment_method"]
}

export function mapIntentStatus(
  intent: IntentStatusInput,
  asyncPaymentMethodTypes: readonly string[] = []
): PaymentSessionStatusType {
  const status = intent.status
  switch (status) {
    case "requires_payment_method":
      // After a decline Stripe puts the intent back here with the reason attached.
      return intent.last_payment_error ? PaymentSessionStatus.ERROR : PaymentSessionStatus.PENDING
    case "requires_confirmation":
      return PaymentSessionStatus.PENDING
    case "requires_action":
      return PaymentSessionStatus.REQUIRES_MORE
    case "processing":
      return isAsync(intent, asyncPaymentMethodTypes)
        ? PaymentSessionStatus.PENDING_AUTHORIZATION
        : PaymentSessionStatus.PENDING
    case "requires_capture":
      return PaymentSessionStatus.AUTHORIZED
    case "succeeded":
      return PaymentSessionStatus.CAPTURED
    case "canceled":
      return PaymentSessionStatus.CANCELED
    default:
      // The SDK types statuses as an open union: a status Stripe adds later is an error
      // to see, never a silent "pending".
      throw new Error(`Unknown Stripe PaymentIntent status: ${JSON.stringify(status)}`)
  }
}

export function isAsync(intent: IntentStatusInput, asyncTypes: readonly string[]): boolean {
  if (!asyncTypes.length) return false
  const method = intent.payment_method
  if (method && typeof method === "object") {
    return asyncTypes.includes(method.type)
  }
  // Without the expanded method, an intent limited to async types is async.
  const types = intent.payment_method_types ?? []
  return types.length > 0 && types.every((t) => asyncTypes.includes(t))
}

/** Parameters the storefront may set on the intent through the session's `data`. */
export interface StripeStorefrontData {
  /**
   * Save the card for later (`off_session` for merchant-initiated, `on_session` otherwise).
   * Only for a logged-in customer (an account holder): a guest has no Stripe customer to keep it.
   */
  setup_future_usage?: "on_session" | "off_session"
  /** The shopper's "save my card" box: `setup_future_usage: "off_session"` unless that is given. */
  save_payment_method?: boolean
  /**
   * A payment method for this payment (pm_...): one of the customer's saved cards, or one
   * Stripe.js created. The provider confirms the intent with it when the cart is completed.
   */
  payment_method?: string
  /**
   * The customer is not at the checkout: a merchant's own workflow charges their saved card
   * (an order edit, a charge after delivery). Needs the customer and `payment_method`; the
   * plugin's store guard refuses it from a storefront, where the shopper is present.
   */
  off_session?: boolean
  /** Overrides the configured description. */
  payment_description?: string
  /** Restricts the methods offered (`allowed_payment_method_types`); ignored when automatic payment methods are on. */
  payment_method_types?: string[]
}

export function storefrontData(data: Record<string, unknown> | undefined): StripeStorefrontData {
  const out: StripeStorefrontData = {}
  if (!data) return out
  if (data.setup_future_usage === "on_session" || data.setup_future_usage === "off_session") {
    out.setup_future_usage = data.setup_future_usage
  }
  if (data.save_payment_method === true) {
    out.save_payment_method = true
  }
  if (typeof data.payment_method === "string" && /^(pm|card|src)_[A-Za-z0-9]+$/.test(data.payment_method)) {
    out.payment_method = data.payment_method
  }
  if (data.off_session === true) {
    out.off_session = true
  }
  if (typeof data.payment_description === "string" && data.payment_description.trim()) {
    out.payment_description = truncateText(data.payment_description.trim(), STRIPE_DESCRIPTION_MAX)
  }
  if (Array.isArray(data.payment_method_types) && data.payment_method_types.every((t) => typeof t === "string")) {
    out.payment_method_types = data.payment_method_types as string[]
  }
  return out
}

export interface IntentCreateInput {
  amount: BigNumberInput
  currency_code: string
  session_id: string
  customer?: string | null
  data?: Record<string, unknown>
}

export function buildIntentCreate(input: IntentCreateInput, options: StripeOptions): Stripe.PaymentIntentCreateParams {
  const extra = storefrontData(input.data)
  const params: Stripe.PaymentIntentCreateParams = {
    amount: toStripeAmount(input.amount, input.currency_code),
    currency: toStripeCurrency(input.currency_code),
    capture_method: options.capture ? "automatic" : "manual",
    metadata: { session_id: input.session_id },
  }
  const description = extra.payment_description ?? options.paymentDescription
  if (description) params.description = description
  if (input.customer) params.customer = input.customer
  // Saved to the account holder's Stripe customer: "If you provide a Customer with the
  // PaymentIntent, you can use this parameter to attach the payment method to the Customer
  // after the PaymentIntent is confirmed". A guest has none, so nothing is saved for a guest.
  // https://docs.stripe.com/api/payment_intents/create#create_payment_intent-setup_future_usage
  const future = extra.setup_future_usage ?? (extra.save_payment_method ? "off_session" : undefined)
  if (input.customer && future) params.setup_future_usage = future
  if (extra.payment_method) params.payment_method = extra.payment_method
  if (extra.off_session) {
    if (!input.customer || !extra.payment_method) {
      throw new PaymentInputError("Stripe: an off-session payment needs the customer's account holder and one of their saved payment methods")
    }
    // Read back when the provider confirms the intent (`confirmParams`).
    params.metadata = { ...params.metadata, off_session: "true" }
  }
  // No `return_url`, even when the storefront sends one: Stripe accepts it "only with
  // confirm=true" and answers 400 otherwise. The intent is confirmed by Stripe.js on the
  // storefront, which passes its own return URL to `confirmPayment`, or, with a payment
  // method given here, by the provider when the cart is completed (`confirmsOnServer`).
  // https://docs.stripe.com/api/payment_intents/create#create_payment_intent-return_url
  // Since API version 2026-10-28 the list of allowed methods is `allowed_payment_method_types`.
  if (extra.payment_method_types?.length && !options.automaticPaymentMethods) {
    params.allowed_payment_method_types = extra.payment_method_types
  } else if (options.automaticPaymentMethods) {
    // With a payment method chosen already, the provider confirms on the server, where no
    // return URL is known: Stripe then needs `allow_redirects: "never"` ("If you do not want
    // to accept redirect-based payment methods, set ... allow_redirects to never"). A saved
    // card's 3D Secure is no redirect: it comes back as `requires_action` for Stripe.js.
    // https://docs.stripe.com/api/payment_intents/create#create_payment_intent-automatic_payment_methods-allow_redirects
    params.automatic_payment_methods = extra.payment_method ? { enabled: true, allow_redirects: "never" } : { enabled: true }
  }
  if (!params.allowed_payment_method_types && options.paymentMethodConfiguration) {
    params.payment_method_configuration = options.paymentMethodConfiguration
  }
  return params
}

/**
 * Whether the provider confirms the intent itself when Medusa authorizes the session (at
 * cart completion): it waits for confirmation with a payment method already set, which only
 * happens when the storefront chose one (a saved card) and Stripe.js did not confirm it.
 * Stripe's "charge a saved payment method" confirms on the server with the customer and the
 * payment method; the shopper is completing the checkout, so it is an on-session payment
 * (no `off_session`, which tells Stripe "the customer isn't in your checkout flow" and asks
 * the issuer for exemptions from authentication).
 * https://docs.stripe.com/payments/save-during-payment#charge-saved-payment-method
 * https://docs.stripe.com/api/payment_intents/confirm
 */
export function confirmsOnServer(intent: Pick<Stripe.PaymentIntent, "status" | "payment_method">): boolean {
  return intent.status === "requires_confirmation" && !!idOf(intent.payment_method)
}

/**
 * How the provider confirms an intent on the server: `off_session: true` for one a merchant's
 * workflow made while the customer is away ("the customer isn't in your checkout flow during
 * this payment attempt"; Stripe may then need the customer back, `authentication_required`,
 * which is a decline); nothing for a shopper at the checkout.
 * https://docs.stripe.com/api/payment_intents/confirm#confirm_payment_intent-off_session
 */
export function confirmParams(intent: Pick<Stripe.PaymentIntent, "metadata">): Stripe.PaymentIntentConfirmParams {
  return intent.metadata?.off_session === "true" ? { off_session: true } : {}
}

/** Customer fields Stripe keeps, from Medusa's customer. */
export function buildCustomerParams(customer: PaymentCustomerDTO): Stripe.CustomerCreateParams {
  const name =
    customer.company_name || [customer.first_name, customer.last_name].filter(Boolean).join(" ").trim() || undefined
  const address = customer.billing_address
  const params: Stripe.CustomerCreateParams = {
    email: customer.email,
    metadata: { medusa_customer_id: customer.id },
  }
  if (name) params.name = name
  if (customer.phone) params.phone = customer.phone
  if (address) {
    params.address = {
      line1: address.address_1 ?? undefined,
      line2: address.address_2 ?? undefined,
      city: address.city ?? undefined,
      state: address.province ?? undefined,
      postal_code: address.postal_code ?? undefined,
      country: address.country_code ? address.country_code.toUpperCase() : undefined,
    }
  }
  return params
}

/**
 * The SetupIntent that saves a card: the methods the storefront names, or Stripe's
 * automatic ones when the store uses them; `off_session` unless the storefront asks for
 * `on_session`.
 */
export function buildSetupIntentCreate(
  customer: string,
  data: Record<string, unknown> | undefined,
  options: Pick<StripeOptions, "automaticPaymentMethods">
): Stripe.SetupIntentCreateParams {
  const types = data?.payment_method_types
  const params: Stripe.SetupIntentCreateParams = {
    customer,
    usage: data?.usage === "on_session" ? "on_session" : "off_session",
  }
  if (Array.isArray(types) && types.every((t) => typeof t === "string")) {
    params.allowed_payment_method_types = types as string[]
  } else if (options.automaticPaymentMethods) {
    params.automatic_payment_methods = { enabled: true }
  }
  return params
}

/** What the storefront may see of a saved payment method: brand, last 4, expiry; no billing details. */
export function toSavedMethodData(method: Stripe.PaymentMethod): Record<string, unknown> {
  return {
    id: method.id,
    type: method.type,
    card: method.card
      ? {
          brand: method.card.brand,
          last4: method.card.last4,
          exp_month: method.card.exp_month,
          exp_year: method.card.exp_year,
          wallet: method.card.wallet?.type ?? null,
        }
      : null,
    created: method.created,
  }
}
