/**
 * Client tokens for a gateway's own card form (Braintree's Drop-in and Hosted Fields): from
 * the provider (`createClientToken`), scoped to the logged-in customer's account holder at
 * that provider when there is one, so the form lists that customer's saved methods and no
 * one else's. A guest's token is scoped to nobody.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { paymentProviderOf } from "../lib/payments/hosted/sessions"

interface ClientTokenProvider {
  createClientToken(input: { customer_id?: string | null; currency_code?: string | null }): Promise<string>
}

function isClientTokenProvider(value: unknown): value is ClientTokenProvider {
  return !!value && typeof (value as Partial<ClientTokenProvider>).createClientToken === "function"
}

export async function clientTokenFor(container: MedusaContainer, providerId: string, customerId: string | null, currencyCode: string | null): Promise<string> {
  const payment = container.resolve(Modules.PAYMENT)
  const [registered] = await payment.listPaymentProviders({ id: providerId })
  let provider: unknown
  try {
    provider = registered?.is_enabled ? paymentProviderOf(container, providerId) : undefined
  } catch {
    provider = undefined
  }
  if (!provider) throw new MedusaError(MedusaError.Types.NOT_FOUND, `Payment provider ${providerId} was not found`)
  if (!isClientTokenProvider(provider)) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `Payment provider ${providerId} does not use client tokens`)
  }
  const gatewayCustomer = customerId ? await accountHolderOf(container, customerId, providerId) : null
  return provider.createClientToken({ customer_id: gatewayCustomer, currency_code: currencyCode })
}

/** The gateway's id of the customer's account holder at the provider, if the customer has one. */
async function accountHolderOf(container: MedusaContainer, customerId: string, providerId: string): Promise<string | null> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY) as unknown as { graph(config: Record<string, unknown>): Promise<{ data: any[] }> }
  const { data } = await query.graph({ entity: "customer", fields: ["id", "account_holders.*"], filters: { id: customerId } })
  const holder = (data[0]?.account_holders ?? []).find((h: { provider_id?: string } | null) => h?.provider_id === providerId)
  const id = holder?.data?.id ?? holder?.external_id
  return typeof id === "string" && id ? id : null
}
