/**
 * One evaluation of the eligibility rules for the store: the listing route
 * (`GET /store/carts/:id/payment-providers`) and the guard on Medusa's payment-session
 * route both read the cart here and judge every provider with the same function, so what
 * the storefront is shown is what checkout does.
 */
import type { BigNumberInput, ConfigModule, Logger, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { EligibilityRule, judgeEligibility } from "../../lib/payments/eligibility"
import { eligibilityOfProvider, providerRules } from "./provider-rules"

/** What the rules are judged on: the cart's total, currency and delivery country. */
export interface CheckoutFacts {
  cart_id: string | null
  amount: BigNumberInput
  currency_code: string
  /** Shipping country, else billing country; null when the cart has neither yet. */
  country_code: string | null
  /** Providers enabled in the cart's region (null when there is no cart to tell). */
  region_provider_ids: string[] | null
}

export interface ProviderVerdict {
  id: string
  label: string
  is_eligible: boolean
  /** The rule that failed: currency, country, min_amount, max_amount or amount. */
  rule: EligibilityRule | null
  /** Why not, for the shopper ("Cash on delivery is limited to orders up to 500.00 EUR"). */
  reason: string | null
}

type Scope = Pick<MedusaContainer, "resolve">

interface CartRow {
  id: string
  currency_code: string
  total?: BigNumberInput
  raw_total?: BigNumberInput
  shipping_address?: { country_code?: string | null } | null
  billing_address?: { country_code?: string | null } | null
  region?: { payment_providers?: Array<{ id: string; is_enabled?: boolean } | null> | null } | null
}

const CART_FIELDS = [
  "id",
  "currency_code",
  "total",
  "raw_total",
  "shipping_address.country_code",
  "billing_address.country_code",
  "region.payment_providers.id",
  "region.payment_providers.is_enabled",
]

/** The facts of a cart, or undefined when no cart has this id. */
export async function cartFacts(scope: Scope, cartId: string): Promise<CheckoutFacts | undefined> {
  const query = scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "cart", fields: CART_FIELDS, filters: { id: cartId } })
  const cart = data[0] as CartRow | undefined
  if (!cart) {
    return undefined
  }
  return {
    cart_id: cart.id,
    amount: (cart.raw_total ?? cart.total ?? 0) as BigNumberInput,
    currency_code: cart.currency_code,
    country_code: cart.shipping_address?.country_code || cart.billing_address?.country_code || null,
    region_provider_ids: (cart.region?.payment_providers ?? [])
      .filter((p): p is { id: string; is_enabled?: boolean } => !!p && p.is_enabled !== false)
      .map((p) => p.id)
      .sort(),
  }
}

/**
 * The facts behind a payment collection: its cart's when it belongs to one, otherwise
 * (an order's collection) its own amount and currency, without a country.
 */
export async function paymentCollectionFacts(scope: Scope, collectionId: string): Promise<CheckoutFacts | undefined> {
  const query = scope.resolve(ContainerRegistrationKeys.QUERY)
  const { data: links } = await query.graph({
    entity: "cart_payment_collection",
    fields: ["cart_id"],
    filters: { payment_collection_id: collectionId },
  })
  const cartId = (links[0] as { cart_id?: string } | undefined)?.cart_id
  if (cartId) {
    const facts = await cartFacts(scope, cartId)
    if (facts) return facts
  }
  const { data } = await query.graph({
    entity: "payment_collection",
    fields: ["id", "amount", "raw_amount", "currency_code"],
    filters: { id: collectionId },
  })
  const collection = data[0] as { amount?: unknown; raw_amount?: unknown; currency_code: string } | undefined
  if (!collection) {
    return undefined
  }
  return {
    cart_id: null,
    amount: (collection.raw_amount ?? collection.amount ?? 0) as BigNumberInput,
    currency_code: collection.currency_code,
    country_code: null,
    region_provider_ids: null,
  }
}

/** Judge one provider for these facts. The same call serves the listing and the guard. */
export async function judgeProvider(scope: Scope, providerId: string, facts: CheckoutFacts): Promise<ProviderVerdict> {
  const config = scope.resolve<ConfigModule>(ContainerRegistrationKeys.CONFIG_MODULE)
  const logger = safeLogger(scope)
  const eligibility = eligibilityOfProvider(await providerRules(config, logger), providerId)
  const { label } = eligibility
  // The merchant's rules and the gateway's own limits, exactly as the provider judges itself.
  const result = judgeEligibility(eligibility, {
    amount: facts.amount,
    currency_code: facts.currency_code,
    country_code: facts.country_code,
  })
  return result.eligible
    ? { id: providerId, label, is_eligible: true, rule: null, reason: null }
    : { id: providerId, label, is_eligible: false, rule: result.rule, reason: result.reason }
}

/** Every provider enabled in the cart's region, judged. */
export async function judgeCart(scope: Scope, cartId: string): Promise<ProviderVerdict[]> {
  const facts = await cartFacts(scope, cartId)
  if (!facts) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Cart with id '${cartId}' was not found`)
  }
  const verdicts: ProviderVerdict[] = []
  for (const providerId of facts.region_provider_ids ?? []) {
    verdicts.push(await judgeProvider(scope, providerId, facts))
  }
  return verdicts
}

function safeLogger(scope: Scope): Logger | undefined {
  try {
    return scope.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  } catch {
    return undefined
  }
}
