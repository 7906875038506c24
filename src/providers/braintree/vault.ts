/**
 * Braintree's vault behind Medusa's account holders and saved payment methods: a Medusa
 * customer is a Braintree customer (whose id is the Medusa customer id, so creating it again
 * finds the first one instead of a duplicate), a nonce from the storefront becomes a vaulted
 * payment method (verified first), and a method is listed and deleted only through the
 * customer it belongs to.
 * @see https://developer.paypal.com/braintree/docs/guides/customers/node
 * @see https://developer.paypal.com/braintree/docs/reference/request/payment-method/create/node
 */
import { GatewayRejectedError, PaymentInputError } from "../../lib/payments/errors"
import { BraintreeClient } from "./client"
import type { BraintreeCustomer, BraintreePaymentMethod } from "./types"

/** Braintree's validation code for a customer id already taken: a first attempt created it. */
const CUSTOMER_ID_TAKEN = "91609"

/** A customer id Braintree takes: letters, digits, `-` and `_`, at most 36. */
const CUSTOMER_ID = /^[A-Za-z0-9_-]{1,36}$/

export interface CustomerDetails {
  id: string
  email?: string | null
  first_name?: string | null
  last_name?: string | null
  company_name?: string | null
}

function customerFields(customer: CustomerDetails): Record<string, string> {
  const fields: Record<string, string> = {}
  if (customer.email) fields.email = customer.email
  if (customer.first_name) fields.firstName = customer.first_name
  if (customer.last_name) fields.lastName = customer.last_name
  if (customer.company_name) fields.company = customer.company_name
  return fields
}

export class BraintreeVault {
  constructor(private readonly client: BraintreeClient) {}

  /** The Braintree customer of a Medusa customer, created once. */
  async createCustomer(customer: CustomerDetails): Promise<BraintreeCustomer> {
    if (!CUSTOMER_ID.test(customer.id)) {
      throw new PaymentInputError(`Braintree: the customer id must be letters, digits, - and _ (at most 36) to be a Braintree customer id`)
    }
    try {
      const created = await this.client.validated<BraintreeCustomer>("create the customer", "customer", (gateway) =>
        gateway.customer.create({ id: customer.id, ...customerFields(customer) })
      )
      if (created.ok) return created.value
    } catch (error) {
      if (!(error instanceof GatewayRejectedError && error.details.code === CUSTOMER_ID_TAKEN)) throw error
    }
    // Made by an earlier attempt whose answer was lost: the same customer.
    return this.findCustomer(customer.id)
  }

  findCustomer(id: string): Promise<BraintreeCustomer> {
    return this.client.call("look up the customer", (gateway) => gateway.customer.find(id) as Promise<unknown>) as Promise<BraintreeCustomer>
  }

  async updateCustomer(customer: CustomerDetails): Promise<BraintreeCustomer> {
    const updated = await this.client.validated<BraintreeCustomer>("update the customer", "customer", (gateway) =>
      gateway.customer.update(customer.id, customerFields(customer))
    )
    if (!updated.ok) throw new GatewayRejectedError({ gateway: "Braintree", operation: "update the customer" }, "the update was declined")
    return updated.value
  }

  /** Deletes the customer and every method vaulted for it; one already gone is fine. */
  async deleteCustomer(id: string): Promise<void> {
    try {
      await this.client.call("delete the customer", (gateway) => gateway.customer.delete(id) as Promise<unknown>)
    } catch (error) {
      if (!(error instanceof GatewayRejectedError && error.details.status === 404)) throw error
    }
  }

  /** The customer's vaulted methods as Braintree lists them now (one deleted in the Control Panel is gone). */
  async listMethods(customerId: string): Promise<BraintreePaymentMethod[]> {
    const customer = await this.findCustomer(customerId)
    return customer.paymentMethods ?? [...(customer.creditCards ?? []), ...(customer.paypalAccounts ?? [])]
  }

  /**
   * Vault a nonce for the customer, verifying a card with its issuer first: a card the issuer
   * refuses is not saved, and the error says why (the processor's response, nothing of the card).
   */
  async saveMethod(customerId: string, nonce: string, options: { makeDefault?: boolean; merchantAccountId?: string }): Promise<BraintreePaymentMethod> {
    const result = (await this.client.call("save the payment method", (gateway) =>
      gateway.paymentMethod.create({
        customerId,
        paymentMethodNonce: nonce,
        options: { verifyCard: true, ...(options.makeDefault ? { makeDefault: true } : {}), ...(options.merchantAccountId ? { verificationMerchantAccountId: options.merchantAccountId } : {}) },
      } as never) as Promise<unknown>
    )) as { success?: boolean; paymentMethod?: BraintreePaymentMethod; verification?: { status?: string; processorResponseCode?: string; processorResponseText?: string }; message?: string; errors?: { deepErrors?: () => Array<{ code?: string; message?: string }> } }
    if (result?.success && result.paymentMethod?.token) return result.paymentMethod
    const verification = result?.verification
    if (verification?.status) {
      throw new PaymentInputError(
        `Braintree: the card was not saved: its verification was ${verification.status.replace(/_/g, " ")}` +
          (verification.processorResponseCode ? ` (processor response ${verification.processorResponseCode}${verification.processorResponseText ? ` ${verification.processorResponseText}` : ""})` : "")
      )
    }
    const first = result?.errors?.deepErrors?.()[0]
    throw new GatewayRejectedError({ gateway: "Braintree", operation: "save the payment method", code: first?.code, status: 422 }, first?.message ?? result?.message ?? "the method was not saved")
  }

  /** The customer a vaulted method belongs to, or undefined when Braintree has no such method. */
  async ownerOf(token: string): Promise<string | undefined> {
    try {
      const method = (await this.client.call("look up the payment method", (gateway) => gateway.paymentMethod.find(token) as Promise<unknown>)) as BraintreePaymentMethod
      return method.customerId
    } catch (error) {
      if (error instanceof GatewayRejectedError && error.details.status === 404) return undefined
      throw error
    }
  }

  /** Delete a method of `customerId`'s; one of another customer's is refused, one already gone is fine. */
  async deleteMethod(customerId: string, token: string): Promise<void> {
    const owner = await this.ownerOf(token)
    if (owner === undefined) return
    if (owner !== customerId) throw new PaymentInputError("Braintree: that payment method is not one of this customer's")
    try {
      await this.client.call("delete the payment method", (gateway) => gateway.paymentMethod.delete(token) as Promise<unknown>)
    } catch (error) {
      if (!(error instanceof GatewayRejectedError && error.details.status === 404)) throw error
    }
  }

  /**
   * A client token for Drop-in or Hosted Fields: scoped to the customer (so Drop-in offers
   * their saved methods and can vault new ones) when there is one, and to the merchant
   * account of the cart's currency.
   * @see https://developer.paypal.com/braintree/docs/reference/request/client-token/generate/node
   */
  async clientToken(options: { customerId?: string | null; merchantAccountId?: string }): Promise<string> {
    const result = await this.client.validated<string>("create a client token", "clientToken", (gateway) =>
      gateway.clientToken.generate({
        ...(options.customerId ? { customerId: options.customerId } : {}),
        ...(options.merchantAccountId ? { merchantAccountId: options.merchantAccountId } : {}),
      })
    )
    if (!result.ok) throw new GatewayRejectedError({ gateway: "Braintree", operation: "create a client token" }, "no token was given")
    return result.value
  }
}

/** Braintree's customer id of a Medusa account holder. */
export function accountHolderId(holder: unknown): string | null {
  const h = holder as { external_id?: unknown; data?: { id?: unknown } } | null | undefined
  const id = h?.data?.id ?? h?.external_id
  return typeof id === "string" && id ? id : null
}
