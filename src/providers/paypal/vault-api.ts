/**
 * The vault's calls: saved payment tokens (Payment Method Tokens v3) through the PayPal client,
 * and PayPal's customer id recorded on the Medusa account holder once PayPal minted it. What
 * the answers mean is ./vault.ts.
 * @see https://developer.paypal.com/docs/api/payment-tokens/v3/
 */
import type { InitiatePaymentInput } from "@medusajs/framework/types"
import { GatewayRejectedError, PaymentInputError } from "../../lib/payments/errors"
import { redactText } from "../../lib/payments/redact"
import { deriveKey } from "../../lib/payments/signatures"
import type { PaypalClient, PaypalLogger, PaypalRequest } from "./client"
import { VAULT_NOT_ENABLED } from "./errors"
import type { PaypalOrder, PaypalPaymentToken, PaypalPaymentTokenList, PaypalVaultData } from "./types"
import {
  HOLDER_CUSTOMER_KEY,
  PAYMENT_TOKEN_ID,
  type PaypalPaymentMethod,
  belongsTo,
  customerToRecord,
  holderCustomerIdOf,
  holderIdOf,
  paymentMethodsOf,
  readVaultRequest,
  tokenSource,
} from "./vault"

/** PayPal's page size for the list (its default is 5); the spec caps a list at 10 pages. */
const PAGE_SIZE = 20
const MAX_PAGES = 10

/** The Payment Module's account holder service, as the provider's container holds it. */
/** A Medusa account holder as the Payment Module passes it in a context. */
type Holder = { id?: unknown; data?: Record<string, unknown> | null } | undefined | null

interface AccountHolderService {
  retrieve(id: string, config: object): Promise<{ id: string; external_id?: string; data?: Record<string, unknown> | null }>
  update(data: { id: string; external_id?: string; data?: Record<string, unknown> }): Promise<unknown>
}

export class PaypalVault {
  constructor(
    private readonly client: PaypalClient,
    private readonly logger: PaypalLogger,
    /** The container Medusa builds the provider with (the Payment Module's). */
    private readonly container: unknown
  ) {}

  /**
   * The vault part of a new session, from what the storefront asked: save the method this
   * payment is made with, or pay with a saved one (checked to be this customer's at PayPal).
   * Both need a logged-in customer with an account holder; null when neither is asked.
   */
  async forNewSession(input: Pick<InitiatePaymentInput, "data" | "context">): Promise<PaypalVaultData | null> {
    const request = readVaultRequest(input.data)
    if (!request.save && !request.paymentMethodId) return null
    const holder = input.context?.account_holder as Holder
    const accountHolderId = holderIdOf(holder)
    if (!input.context?.customer || !accountHolderId) {
      throw new PaymentInputError(
        `PayPal: ${request.save ? "saving a payment method" : "paying with a saved payment method"} needs a logged-in customer`
      )
    }
    const customerId = holderCustomerIdOf(holder)
    if (request.save) {
      return { mode: "save", source: request.source, payment_method_id: null, customer_id: customerId, account_holder_id: accountHolderId, status: null }
    }
    const token = await this.ownToken(holder, request.paymentMethodId!)
    if (!token) {
      throw new PaymentInputError(`PayPal: saved payment method ${request.paymentMethodId} is not one of this customer's`)
    }
    const source = tokenSource(token)
    if (!source) {
      throw new PaymentInputError(`PayPal: saved payment method ${token.id} is neither a PayPal account nor a card, which this provider pays with`)
    }
    return { mode: "use", source, payment_method_id: token.id, customer_id: customerId, account_holder_id: accountHolderId, status: null }
  }

  /**
   * After a payment that saved its method: PayPal's customer id, minted at the customer's
   * first save, is recorded on the account holder, so the method is listed and later saves
   * join the same customer. A different customer than the holder's is only logged.
   */
  async afterPayment(vault: PaypalVaultData | null | undefined, order: Pick<PaypalOrder, "id" | "payment_source">): Promise<void> {
    const outcome = customerToRecord(vault, order)
    if (!outcome) return
    if ("conflict" in outcome) {
      this.logger.warn(
        `PayPal: order ${order.id} saved its payment method for PayPal customer ${outcome.conflict}, not the account holder's ${vault!.customer_id}; not recorded`
      )
      return
    }
    await this.recordCustomer(vault!.account_holder_id!, outcome.record)
  }

  /** The holder's saved PayPal accounts and cards, as PayPal holds them now; none before the first save. */
  async paymentMethods(holder: Holder): Promise<PaypalPaymentMethod[]> {
    const customerId = holderCustomerIdOf(holder)
    if (!customerId) return []
    return paymentMethodsOf(await this.listTokens(customerId), customerId)
  }

  /** Deletes one of the holder's saved tokens; one PayPal no longer has is deleted already, another customer's is refused. */
  async deletePaymentMethod(holder: Holder, id: unknown, idempotencyKey: string | undefined): Promise<void> {
    if (typeof id !== "string" || !PAYMENT_TOKEN_ID.test(id)) {
      throw new PaymentInputError("PayPal: the payment method to delete has no saved PayPal payment method id")
    }
    const customerId = holderCustomerIdOf(holder)
    const token = customerId ? await this.findToken(id) : undefined
    if (customerId && !token) return
    if (!token || !belongsTo(token, customerId!)) {
      throw new PaymentInputError(`PayPal: saved payment method ${id} is not one of this customer's`)
    }
    await this.deleteToken(id, idempotencyKey ?? deriveKey("paypal:delete-payment-method", customerId, id))
  }

  /** The token, when it is one of the holder's PayPal customer's. */
  private async ownToken(holder: Holder, id: string): Promise<PaypalPaymentToken | undefined> {
    const customerId = holderCustomerIdOf(holder)
    if (!customerId) return undefined
    const token = await this.findToken(id)
    return token && belongsTo(token, customerId) ? token : undefined
  }

  /** Every token PayPal holds for this customer, page by page. */
  async listTokens(customerId: string): Promise<PaypalPaymentToken[]> {
    const tokens: PaypalPaymentToken[] = []
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { body } = await this.call<PaypalPaymentTokenList>({
        method: "GET",
        path: "/v3/vault/payment-tokens",
        query: { customer_id: customerId, page_size: PAGE_SIZE, page, total_required: "true" },
        operation: "list the saved PayPal payment methods",
      })
      tokens.push(...(body?.payment_tokens ?? []))
      const pages = Number(body?.total_pages ?? 1)
      if (!Number.isFinite(pages) || page >= pages || !(body?.payment_tokens ?? []).length) break
    }
    return tokens
  }

  /** One saved token; undefined when PayPal does not know it (deleted, or never this merchant's). */
  async findToken(id: string): Promise<PaypalPaymentToken | undefined> {
    const { status, body } = await this.call<PaypalPaymentToken>({
      method: "GET",
      path: `/v3/vault/payment-tokens/${encodeURIComponent(id)}`,
      operation: "look up the saved PayPal payment method",
      acceptStatuses: [404],
    })
    return status === 404 ? undefined : body
  }

  /** Deletes a saved token; one PayPal no longer has is deleted already. */
  async deleteToken(id: string, idempotencyKey: string): Promise<void> {
    await this.call({
      method: "DELETE",
      path: `/v3/vault/payment-tokens/${encodeURIComponent(id)}`,
      operation: "delete the saved PayPal payment method",
      acceptStatuses: [404],
      movesMoney: false,
      idempotencyKey,
    })
  }

  /**
   * Records PayPal's customer id on the Medusa account holder (its `data.paypal_customer_id`,
   * and its external id), after the customer's first save: PayPal mints customer ids itself,
   * at the first vaulting, so the holder Medusa created before the payment had none. It goes
   * through the Payment Module's account holder service, the module's own internal; the money
   * has moved by then, so a failure is logged with what to fix, not thrown. A holder that
   * already names another PayPal customer is left as it is.
   */
  async recordCustomer(accountHolderId: string, customerId: string): Promise<boolean> {
    const service = this.accountHolderService()
    const where = `PayPal customer ${customerId} for account holder ${accountHolderId}`
    if (!service) {
      this.logger.error?.(`PayPal: ${where} could not be recorded (no account holder service here); the saved method is not listed until it is`)
      return false
    }
    try {
      const holder = await service.retrieve(accountHolderId, { select: ["id", "external_id", "data"] })
      const known = holder.data?.[HOLDER_CUSTOMER_KEY]
      if (known === customerId) return true
      if (typeof known === "string" && known) {
        this.logger.warn(`PayPal: ${where} was not recorded: the holder belongs to PayPal customer ${known}`)
        return false
      }
      await service.update({ id: accountHolderId, external_id: customerId, data: { ...(holder.data ?? {}), [HOLDER_CUSTOMER_KEY]: customerId } })
      return true
    } catch (error) {
      this.logger.error?.(`PayPal: ${where} could not be recorded: ${redactText(error instanceof Error ? error.message : String(error))}`)
      return false
    }
  }

  private accountHolderService(): AccountHolderService | undefined {
    try {
      // An awilix cradle throws for a name it does not know.
      const candidate = (this.container as Record<string, unknown> | undefined)?.accountHolderService as AccountHolderService | undefined
      return typeof candidate?.retrieve === "function" && typeof candidate.update === "function" ? candidate : undefined
    } catch {
      return undefined
    }
  }

  /** A vault call; PayPal forbidding it (403) means the account may not save payment methods. */
  private async call<T>(req: PaypalRequest) {
    try {
      return await this.client.request<T>(req)
    } catch (error) {
      if (error instanceof GatewayRejectedError && error.details.status === 403) {
        throw new GatewayRejectedError(error.details, VAULT_NOT_ENABLED)
      }
      throw error
    }
  }
}
