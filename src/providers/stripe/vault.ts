/**
 * Stripe's customers and saved payment methods behind Medusa's account holders: a customer per
 * account holder (created under a key derived from its parameters), cards saved through a
 * SetupIntent the storefront confirms, listed with brand, last four digits and expiry only, and
 * detached only for the account holder they belong to.
 * @see https://docs.stripe.com/payments/save-and-reuse
 */
import type {
  CreateAccountHolderInput,
  CreateAccountHolderOutput,
  DeleteAccountHolderInput,
  DeleteAccountHolderOutput,
  DeletePaymentMethodInput,
  DeletePaymentMethodOutput,
  ListPaymentMethodsInput,
  ListPaymentMethodsOutput,
  RetrieveAccountHolderInput,
  RetrieveAccountHolderOutput,
  SavePaymentMethodInput,
  SavePaymentMethodOutput,
  UpdateAccountHolderInput,
  UpdateAccountHolderOutput,
} from "@medusajs/framework/types"
import { randomUUID } from "node:crypto"
import { GatewayRejectedError, PaymentInputError } from "../../lib/payments/errors"
import { deriveKey } from "../../lib/payments/signatures"
import type { StripeClient } from "./client"
import { buildCustomerParams, buildSetupIntentCreate, idOf, toSavedMethodData } from "./mapping"
import type { StripeOptions } from "./options"

export class StripeVault {
  constructor(
    private readonly client: StripeClient,
    private readonly options: StripeOptions
  ) {}

  async createAccountHolder(input: CreateAccountHolderInput): Promise<CreateAccountHolderOutput> {
    const existing = stringField(input.context.account_holder?.data, "id")
    if (existing) {
      return { id: existing, data: { id: existing } }
    }
    const customer = input.context.customer
    if (!customer) {
      throw new PaymentInputError("Stripe: a customer is needed to create an account holder")
    }
    const params = buildCustomerParams(customer)
    const created = await this.client.call("create the customer", (stripe) =>
      stripe.customers.create(params, {
        // Not Medusa's key (the customer id) alone: Stripe refuses a key reused with other
        // parameters, so a retry after the customer's details changed must be a new key,
        // while the same request retried replays.
        idempotencyKey: deriveKey("stripe:customer", input.context.idempotency_key ?? customer.id, JSON.stringify(params)),
      })
    )
    return { id: created.id, data: { id: created.id } }
  }

  async updateAccountHolder(input: UpdateAccountHolderInput): Promise<UpdateAccountHolderOutput> {
    const id = stringField(input.context.account_holder?.data, "id")
    if (!id) {
      throw new PaymentInputError("Stripe: the account holder has no Stripe customer id")
    }
    const customer = input.context.customer
    if (!customer) {
      return { data: { id } }
    }
    const params = buildCustomerParams(customer)
    await this.client.call("update the customer", (stripe) =>
      stripe.customers.update(id, params, {
        idempotencyKey: deriveKey("stripe:customer-update", input.context.idempotency_key ?? "", id, JSON.stringify(params)),
      })
    )
    return { data: { id } }
  }

  async deleteAccountHolder(input: DeleteAccountHolderInput): Promise<DeleteAccountHolderOutput> {
    const id = stringField(input.context.account_holder?.data as Record<string, unknown> | undefined, "id")
    if (!id) {
      throw new PaymentInputError("Stripe: the account holder has no Stripe customer id")
    }
    try {
      await this.client.call("delete the customer", (stripe) =>
        stripe.customers.del(id, {}, { idempotencyKey: deriveKey("stripe:customer-delete", id) })
      )
    } catch (error) {
      // Deleting what is already gone is done.
      if (!(error instanceof GatewayRejectedError && error.details.code === "resource_missing")) {
        throw error
      }
    }
    return {}
  }

  async retrieveAccountHolder(input: RetrieveAccountHolderInput): Promise<RetrieveAccountHolderOutput> {
    const customer = await this.client.call("retrieve the customer", (stripe) => stripe.customers.retrieve(input.id))
    return { id: customer.id, data: { id: customer.id, deleted: "deleted" in customer && !!customer.deleted } }
  }

  async listPaymentMethods(input: ListPaymentMethodsInput): Promise<ListPaymentMethodsOutput> {
    const customer = stringField(input.context?.account_holder?.data, "id")
    if (!customer) {
      return []
    }
    const methods = await this.client.call("list saved payment methods", (stripe) =>
      stripe.customers.listPaymentMethods(customer, { limit: 100 })
    )
    return methods.data.map((method) => ({ id: method.id, data: toSavedMethodData(method) }))
  }

  /**
   * Saving a card goes through a SetupIntent: the storefront confirms it with its client
   * secret and the card becomes one of the customer's payment methods.
   */
  async savePaymentMethod(input: SavePaymentMethodInput): Promise<SavePaymentMethodOutput> {
    const customer = stringField(input.context?.account_holder?.data, "id")
    if (!customer) {
      throw new PaymentInputError("Stripe: saving a payment method needs the customer's account holder")
    }
    const params = buildSetupIntentCreate(customer, input.data, this.options)
    const setup = await this.client.call("start saving the payment method", (stripe) =>
      stripe.setupIntents.create(params, {
        // Medusa passes no key here and nothing in the input is unique to this request; a
        // SetupIntent moves no money, so a fresh key per call (reused by the SDK's own
        // retries) is enough.
        idempotencyKey: input.context?.idempotency_key ?? `stripe-setup-${randomUUID()}`,
      })
    )
    return { id: setup.id, data: { id: setup.id, client_secret: setup.client_secret, status: setup.status } }
  }

  async deletePaymentMethod(input: DeletePaymentMethodInput): Promise<DeletePaymentMethodOutput> {
    const id = input.data?.id
    if (!id) {
      throw new PaymentInputError("Stripe: the payment method id is missing")
    }
    // Detaching is never done on an id alone: the card must be this account holder's.
    const owner = stringField(input.context?.account_holder?.data, "id")
    if (!owner) {
      throw new PaymentInputError("Stripe: deleting a payment method needs the customer's account holder")
    }
    const method = await this.client.call("retrieve the payment method", (stripe) => stripe.paymentMethods.retrieve(id))
    if (idOf(method.customer) !== owner) {
      throw new PaymentInputError(`Stripe: payment method ${id} does not belong to this customer`)
    }
    await this.client.call("delete the payment method", (stripe) =>
      stripe.paymentMethods.detach(id, {}, { idempotencyKey: deriveKey("stripe:detach", id) })
    )
    return {}
  }
}

function stringField(source: Record<string, unknown> | undefined | null, key: string): string | undefined {
  const value = source?.[key]
  return typeof value === "string" && value.length > 0 ? value : undefined
}
