/**
 * A logged-in customer's saved payment methods at one provider, for the store routes under
 * `/store/customers/me/payment-methods`, generic over every provider of the collection.
 * Medusa 2.21 has the Payment Module's calls (`listPaymentMethods`, `createPaymentMethods`,
 * `deletePaymentMethods`, `createAccountHolder`) but no store route over them.
 *
 * The customer's account holder at the provider (the gateway's customer) is the one Medusa's
 * own checkout links to the customer (`createPaymentSessionsWorkflow`): found through the
 * customer <-> account holder link, created through the Payment Module and linked the same
 * way when there is none, so a card saved here is the one offered at checkout and back.
 * Nothing about the methods is stored in Medusa: every listing asks the gateway, so a method
 * removed at the gateway (its dashboard) is not listed.
 */
import type { IPaymentProvider, MedusaContainer, PaymentCustomerDTO } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { paymentProviderOf } from "../lib/payments/hosted/sessions"

/** A saved method as the store routes answer it: what the provider says the storefront may show. */
export interface SavedPaymentMethod {
  id: string
  provider_id: string
  data: Record<string, unknown>
}

interface AccountHolderRecord {
  id: string
  provider_id: string
  external_id?: string
  data: Record<string, unknown>
}

interface CustomerRecord extends Omit<PaymentCustomerDTO, "billing_address"> {
  addresses?: Array<Record<string, unknown> & { is_default_billing?: boolean }> | null
  account_holders?: Array<AccountHolderRecord | null> | null
}

/** What a provider needs to keep payment methods (the optional part of Medusa's provider contract). */
const VAULT_METHODS = ["createAccountHolder", "listPaymentMethods", "savePaymentMethod", "deletePaymentMethod"] as const

/** How long a second request for the same customer waits while the first creates the account holder, in seconds. */
const ACCOUNT_HOLDER_LOCK_TIMEOUT_SECONDS = 30

/**
 * The provider, registered, enabled and able to keep payment methods; a clear refusal
 * otherwise: 404 for a provider the store does not have, 400 for one without a vault.
 */
export async function assertVaultProvider(container: MedusaContainer, providerId: string): Promise<void> {
  const payment = container.resolve(Modules.PAYMENT)
  const [registered] = await payment.listPaymentProviders({ id: providerId })
  const instance = registered?.is_enabled ? (paymentProviderOf(container, providerId) as Record<string, unknown> | undefined) : undefined
  if (!instance) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Payment provider ${providerId} was not found`)
  }
  const missing = VAULT_METHODS.filter((name) => typeof instance[name] !== "function")
  if (missing.length) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `Payment provider ${providerId} does not keep saved payment methods`)
  }
}

/** The customer's saved methods at the provider, live from the gateway; none without an account holder there. */
export async function listSavedPaymentMethods(
  container: MedusaContainer,
  customerId: string,
  providerId: string
): Promise<SavedPaymentMethod[]> {
  await assertVaultProvider(container, providerId)
  const customer = await customerOf(container, customerId)
  const holder = holderAt(customer, providerId)
  if (!holder) {
    return []
  }
  return listAt(container, customer, holder, providerId)
}

/**
 * Saves a payment method for the customer at the provider (Stripe: starts a SetupIntent the
 * storefront confirms; a vault that takes a token saves it at once), with the customer's
 * account holder there, created and linked first when there is none.
 */
export async function savePaymentMethod(
  container: MedusaContainer,
  customerId: string,
  providerId: string,
  data: Record<string, unknown>
): Promise<SavedPaymentMethod> {
  await assertVaultProvider(container, providerId)
  const { customer, holder } = await ensureAccountHolder(container, customerId, providerId)
  const saved = await vaultOf(container, providerId).savePaymentMethod({
    data,
    context: { account_holder: holder as never, customer: paymentCustomer(customer) },
  })
  return { id: saved.id, provider_id: providerId, data: (saved.data ?? {}) as Record<string, unknown> }
}

/**
 * Deletes one of the customer's saved methods at the provider. Only a method the gateway
 * lists for this customer's account holder is deleted: any other id is "not found" and the
 * gateway is asked to delete nothing (it is only asked for the customer's own list).
 */
export async function deleteSavedPaymentMethod(
  container: MedusaContainer,
  customerId: string,
  providerId: string,
  methodId: string
): Promise<void> {
  await assertVaultProvider(container, providerId)
  const customer = await customerOf(container, customerId)
  const holder = holderAt(customer, providerId)
  const own = holder ? await listAt(container, customer, holder, providerId) : []
  if (!own.some((method) => method.id === methodId)) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, `Payment method ${methodId} was not found`)
  }
  await vaultOf(container, providerId).deletePaymentMethod({
    data: { id: methodId },
    context: { account_holder: holder as never, customer: paymentCustomer(customer) },
  })
}

/**
 * The provider's own vault calls, which the Payment Module's `createPaymentMethods` and
 * `deletePaymentMethods` only pass on: through the module (`promiseAll` with
 * `aggregateErrors`) a provider's refusal (a card the issuer declines at verification, a
 * method that cannot be saved) becomes a plain `Error` and the store answers 500 "An unknown
 * error occurred."; called here, its 400 and its reason reach the storefront, and an
 * unreachable gateway stays what it is.
 */
function vaultOf(container: MedusaContainer, providerId: string): Required<Pick<IPaymentProvider, "savePaymentMethod" | "deletePaymentMethod">> {
  // assertVaultProvider checked both methods exist.
  return paymentProviderOf(container, providerId) as Required<Pick<IPaymentProvider, "savePaymentMethod" | "deletePaymentMethod">>
}

// ---- The account holder ---------------------------------------------------------------------

/**
 * The customer's account holder at the provider, as `createPaymentSessionsWorkflow` makes
 * it: the linked one, or one the Payment Module creates (the provider creates the gateway's
 * customer), then linked to the customer. Under a lock per customer and provider, so two
 * requests at once do not create two gateway customers.
 */
async function ensureAccountHolder(
  container: MedusaContainer,
  customerId: string,
  providerId: string
): Promise<{ customer: CustomerRecord; holder: AccountHolderRecord }> {
  const locking = container.resolve(Modules.LOCKING)
  return locking.execute(
    `payments-collection:account-holder:${customerId}:${providerId}`,
    async () => {
      const customer = await customerOf(container, customerId)
      const existing = holderAt(customer, providerId)
      if (existing) {
        return { customer, holder: existing }
      }
      const payment = container.resolve(Modules.PAYMENT)
      const created = (await payment.createAccountHolder({
        provider_id: providerId,
        context: { customer: paymentCustomer(customer) },
      })) as AccountHolderRecord | undefined
      if (!created?.id) {
        throw new MedusaError(MedusaError.Types.INVALID_DATA, `Payment provider ${providerId} does not keep saved payment methods`)
      }
      const link = container.resolve(ContainerRegistrationKeys.LINK)
      await link.create({
        [Modules.CUSTOMER]: { customer_id: customer.id },
        [Modules.PAYMENT]: { account_holder_id: created.id },
      })
      return { customer, holder: created }
    },
    { timeout: ACCOUNT_HOLDER_LOCK_TIMEOUT_SECONDS }
  )
}

async function listAt(
  container: MedusaContainer,
  customer: CustomerRecord,
  holder: AccountHolderRecord,
  providerId: string
): Promise<SavedPaymentMethod[]> {
  const payment = container.resolve(Modules.PAYMENT)
  const methods = await payment.listPaymentMethods({
    provider_id: providerId,
    context: { account_holder: holder as never, customer: paymentCustomer(customer) },
  })
  return methods.map((method) => ({ id: method.id, provider_id: providerId, data: (method.data ?? {}) as Record<string, unknown> }))
}

/** The fields `createPaymentSessionsWorkflow` reads of the customer, with its account holders. */
const CUSTOMER_FIELDS = [
  "id",
  "email",
  "company_name",
  "first_name",
  "last_name",
  "phone",
  "addresses.*",
  "account_holders.*",
  "metadata",
]

async function customerOf(container: MedusaContainer, customerId: string): Promise<CustomerRecord> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "customer", fields: CUSTOMER_FIELDS, filters: { id: customerId } })
  const customer = data[0] as CustomerRecord | undefined
  if (!customer) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, "Customer was not found")
  }
  return customer
}

function holderAt(customer: CustomerRecord, providerId: string): AccountHolderRecord | undefined {
  return (customer.account_holders ?? []).find((holder): holder is AccountHolderRecord => holder?.provider_id === providerId)
}

/** The customer as the provider gets it at checkout: its billing address the default one, else the first. */
function paymentCustomer(customer: CustomerRecord): PaymentCustomerDTO {
  const { account_holders: _holders, addresses, ...rest } = customer
  const billing = addresses?.find((address) => address.is_default_billing) ?? addresses?.[0]
  return { ...rest, ...(billing ? { billing_address: billing as PaymentCustomerDTO["billing_address"] } : {}) } as PaymentCustomerDTO
}
