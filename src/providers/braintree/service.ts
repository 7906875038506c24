import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  CreateAccountHolderInput,
  CreateAccountHolderOutput,
  DeleteAccountHolderInput,
  DeleteAccountHolderOutput,
  DeletePaymentInput,
  DeletePaymentMethodInput,
  DeletePaymentMethodOutput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  ListPaymentMethodsInput,
  ListPaymentMethodsOutput,
  Logger,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrieveAccountHolderInput,
  RetrieveAccountHolderOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  SavePaymentMethodInput,
  SavePaymentMethodOutput,
  UpdateAccountHolderInput,
  UpdateAccountHolderOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AbstractPaymentProvider, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import BigNumberJS from "bignumber.js"
import { requestedCaptureAmount } from "../../lib/payments/captures"
import { ProviderEligibility, assertProviderEligible } from "../../lib/payments/eligibility"
import { NotSupportedError, PaymentInputError } from "../../lib/payments/errors"
import type {
  GatewayEventSource,
  GatewayEventVerdict,
  GatewayPaymentInspector,
  GatewayPaymentSnapshot,
  GatewayWebhookPayload,
  PaymentDescription,
} from "../../lib/payments/outcomes/types"
import { assertRefundable } from "../../lib/payments/refunds"
import { redactText } from "../../lib/payments/redact"
import { rawBodyOf } from "../../lib/payments/webhooks"
import { BraintreeClient, type Validated } from "./client"
import { mapWebhookEvent, readBraintreeNotification } from "./events"
import { describeBraintreePayment, toBraintreeSnapshot } from "./inspection"
import {
  braintreeDecimal,
  braintreeEligibility,
  buildSale,
  formatBraintreeAmount,
  fromBraintreeAmount,
  merchantAccountFor,
  newSessionData,
  planRefund,
  sessionStatus,
  SUBMITTED,
  toBraintreeAmount,
  toBraintreeCaptureAmount,
  toBraintreeRefundAmount,
  toRefundData,
  toSavedMethod,
  VOIDABLE,
  withRefund,
  withSettlement,
  withTransaction,
  type RefundTarget,
} from "./mapping"
import { BraintreeOptions, parseBraintreeOptions } from "./options"
import { verifyMerchantAccounts } from "./boot"
import { BraintreeTransactions } from "./transactions"
import type { BraintreeSessionData, BraintreeTransaction } from "./types"
import { BraintreeVault, accountHolderId } from "./vault"
import { notificationFields, verifyBraintreeNotification, type VerifiedNotification } from "./webhook"

type Cradle = Record<string, unknown> & { logger?: Logger }
type SessionData = BraintreeSessionData & { braintree_customer_id?: string | null }

const LABEL = "Braintree"

/**
 * Braintree for Medusa (the official SDK): the storefront collects the card or PayPal account
 * with Drop-in or Hosted Fields (a client token from the plugin's store route) and hands the
 * nonce to the payment session; the cart's completion runs the sale (authorized, or submitted
 * for settlement with `capture`), the admin captures, voids or refunds by the transaction's
 * settlement state. A logged-in customer's methods are vaulted at Braintree.
 */
class BraintreeProviderService
  extends AbstractPaymentProvider<BraintreeOptions>
  implements GatewayEventSource, Required<GatewayPaymentInspector>
{
  static override identifier = "braintree"
  /** How eligibility refusals name this method, here and in the store routes. */
  static eligibilityLabel = LABEL

  /**
   * Runs at boot: a bad option stops the app with a message naming it, and (unless
   * `verifyCredentialsAtBoot` is false) Braintree is asked for each merchant account, so
   * wrong keys or an account of another currency are caught before the first shopper.
   */
  static override async validateOptions(options: Record<string, unknown>): Promise<void> {
    const parsed = parseBraintreeOptions(options)
    if (parsed.verifyCredentialsAtBoot) await verifyMerchantAccounts(parsed, console)
  }

  /** The merchant's rules and Braintree's own limits, for the store routes. */
  static eligibilityOf(options: Record<string, unknown> | undefined): ProviderEligibility {
    return braintreeEligibility(parseBraintreeOptions(options), LABEL)
  }

  protected readonly options_: BraintreeOptions
  protected readonly logger_: Logger | Console
  protected readonly client_: BraintreeClient
  protected readonly transactions_: BraintreeTransactions
  protected readonly vault_: BraintreeVault

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    const parsed = parseBraintreeOptions(options)
    super(cradle, parsed)
    this.options_ = parsed
    this.logger_ = cradle.logger ?? console
    this.client_ = new BraintreeClient(parsed, this.logger_)
    this.transactions_ = new BraintreeTransactions(this.client_)
    this.vault_ = new BraintreeVault(this.client_)
  }

  // ---- Medusa lifecycle, in the interface's order -------------------------------------

  /**
   * Keeps the amount, the currency's merchant account and what the storefront handed over
   * (the nonce, device data, a saved method); the transaction is created at authorization.
   */
  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = typeof input.data?.session_id === "string" ? input.data.session_id : undefined
    if (!sessionId) throw new PaymentInputError(`${LABEL}: the payment session id is missing from the session data`)
    assertProviderEligible(braintreeEligibility(this.options_, LABEL), input)
    const customerId = accountHolderId(input.context?.account_holder)
    const data = newSessionData({
      session_id: sessionId,
      amount: input.amount,
      currency_code: input.currency_code,
      merchant_account_id: merchantAccountFor(this.options_, input.currency_code),
      storefront: input.data,
      braintree_customer_id: customerId,
    })
    if (data.payment_method_token && !customerId) {
      throw new PaymentInputError(`${LABEL}: a saved payment method can only be used by the logged-in customer it belongs to`)
    }
    return { id: sessionId, status: PaymentSessionStatus.PENDING, data: { ...data } }
  }

  /** Before the sale nothing exists at Braintree: the new amount is kept. A transaction's amount cannot change. */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const data = this.sessionData(input.data)
    const amount = toBraintreeAmount(input.amount, data.currency_code)
    if (amount === data.amount) return { status: sessionStatus(data), data: { ...data } }
    if (data.transaction_id) {
      throw new NotSupportedError(LABEL, "Changing the amount of an authorized transaction", "start a new payment session")
    }
    assertProviderEligible(braintreeEligibility(this.options_, LABEL), input)
    return { status: sessionStatus(data), data: { ...data, amount } }
  }

  /** Medusa deletes a session when the cart changes: an authorization made for it is voided. */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    if (typeof input.data?.transaction_id !== "string") return { data: input.data }
    return { data: { ...(await this.voided(this.sessionData(input.data))) } }
  }

  /** The sale, with the nonce or the customer's saved method; a decline is a status with the processor's answer. */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const data = this.sessionData(input.data)
    if (data.transaction_id) {
      const current = withTransaction(data, await this.transactions_.find(data.transaction_id))
      return { status: sessionStatus(current), data: { ...current } }
    }
    if (!data.payment_method_nonce && !data.payment_method_token) {
      // The shopper has not given a card yet: Drop-in or Hosted Fields give the nonce.
      return { status: PaymentSessionStatus.REQUIRES_MORE, data: { ...data, next_action: null } }
    }
    if (data.payment_method_token) await this.assertOwnMethod(data)
    const result = await this.transactions_.sale(buildSale(data, this.options_), data.session_id, !data.payment_method_nonce)
    const next = withTransaction(data, result.ok ? result.value : result.declined)
    return { status: sessionStatus(next), data: { ...next } }
  }

  /**
   * Submits the authorization for settlement with the admin's amount: all of it, or (with
   * `partialSettlement`) a part, as often as the authorization holds. An authorization
   * submitted already (`capture`, a retry) is not submitted again.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const data = this.sessionData(input.data)
    const id = this.transactionOf(data)
    const transaction = await this.transactions_.find(id)
    const current = withTransaction(data, transaction)
    const authorized = fromBraintreeAmount(transaction.amount, data.currency_code)
    const requested = (await requestedCaptureAmount(this.container, input.context?.idempotency_key)) ?? authorized.minus(current.amount_captured)
    const amount = toBraintreeCaptureAmount(requested.toFixed(), data.currency_code)
    // After a first partial settlement the parent is `settlement_pending`, and Braintree takes
    // further partial settlements from it ("a status of authorized or settlement_pending"):
    // https://developer.paypal.com/braintree/docs/reference/request/transaction/submit-for-partial-settlement/node
    const settledInParts = current.settlements.length > 0 || (transaction.partialSettlementTransactionIds ?? []).length > 0
    const whole = new BigNumberJS(amount).isEqualTo(authorized) && !settledInParts
    if (SUBMITTED.has(transaction.status) && !settledInParts) return { data: { ...current } }
    if (transaction.status !== "authorized" && !(settledInParts && transaction.status === "settlement_pending")) {
      throw new PaymentInputError(`${LABEL}: transaction ${id} is ${transaction.status.replace(/_/g, " ")} and cannot be captured`)
    }
    if (whole) {
      const settled = await this.transactions_.submitForSettlement(id, amount)
      return { data: { ...withTransaction(current, this.accepted(settled, "capture")) } }
    }
    if (!this.options_.partialSettlement) {
      throw new PaymentInputError(
        `${LABEL}: capturing ${formatBraintreeAmount(amount, data.currency_code)} of the ${formatBraintreeAmount(authorized, data.currency_code)} authorized needs ` +
          `partial settlement, which Braintree enables per merchant account (then set \`partialSettlement: true\`); capture the whole amount instead`
      )
    }
    const captureId = input.context?.idempotency_key ?? null
    const known = new Set(current.settlements.map((s) => s.transaction_id))
    const unknown = (transaction.partialSettlementTransactionIds ?? []).some((child) => !known.has(child))
    const settlement = await this.transactions_.submitForPartialSettlement(id, amount, captureId ?? `${id}-${current.settlements.length + 1}`, unknown)
    return { data: { ...withSettlement(current, this.accepted(settlement, "capture"), captureId) } }
  }

  /**
   * Refunds a settled (or settling) transaction in parts, several times; before settlement,
   * Braintree can only void: the whole remaining amount voids it, a part is refused with what
   * to do. Never the whole authorization voided for a partial refund.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    let data = this.sessionData(input.data)
    const currency = data.currency_code
    const amount = toBraintreeRefundAmount(input.amount, currency)
    assertRefundable({
      gateway: LABEL,
      reference: `transaction ${data.transaction_id ?? "(none)"}`,
      requested: amount,
      captured: data.amount_captured,
      refunded: data.amount_refunded,
      format: (value) => formatBraintreeAmount(value, currency),
    })
    const targets = await this.transactions_.refundSources(data)
    const refundId = input.context?.idempotency_key
    for (const step of planRefund(targets.list, new BigNumberJS(amount), currency)) {
      const value = braintreeDecimal(step.amount, currency)
      if (step.kind === "void") {
        const voided = this.accepted(await this.transactions_.void(step.transaction_id), "void")
        data = withRefund(data, { transaction_id: voided.id, refunds: voided.id, amount: value, status: "voided", medusa_refund_id: refundId ?? null })
        if (voided.id === data.transaction_id) data = { ...data, status: "voided" }
        continue
      }
      const lookFirst = targets.unknownRefunds.has(step.transaction_id)
      const refund = this.accepted(await this.transactions_.refund(step.transaction_id, value, refundId, lookFirst), "refund")
      data = withRefund(data, toRefundData(refund, currency))
    }
    return { data: { ...data } }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const data = this.sessionData(input.data)
    if (!data.transaction_id) return { data: { ...data } }
    return { data: { ...withTransaction(data, await this.transactions_.find(data.transaction_id)) } }
  }

  /** Voids the authorization (or a submission not settled yet); before the sale nothing exists to void. */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = this.sessionData(input.data)
    if (!data.transaction_id) return { data: { ...data, status: "voided", payment_method_nonce: null } }
    return { data: { ...(await this.voided(data)) } }
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const data = this.sessionData(input.data)
    if (!data.transaction_id) return { status: sessionStatus(data), data: { ...data } }
    const current = withTransaction(data, await this.transactions_.find(data.transaction_id))
    return { status: sessionStatus(current), data: { ...current } }
  }

  /** Medusa's action of a verified notification; a forged, stale or unsigned one is `not_supported`. */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const verified = await this.verifiedNotification(payload)
    return verified.ok ? mapWebhookEvent(readBraintreeNotification(verified.notification)) : { action: PaymentActions.NOT_SUPPORTED }
  }

  // ---- Account holders and saved payment methods (Braintree's vault) ---------------------

  /** The customer's Braintree customer, whose id is the Medusa customer id (created once). */
  async createAccountHolder(input: CreateAccountHolderInput): Promise<CreateAccountHolderOutput> {
    const existing = accountHolderId(input.context?.account_holder)
    if (existing) return { id: existing, data: { id: existing } }
    const customer = input.context?.customer
    if (!customer?.id) throw new PaymentInputError(`${LABEL}: an account holder needs the Medusa customer`)
    const created = await this.vault_.createCustomer(customer)
    return { id: created.id, data: { id: created.id } }
  }

  async updateAccountHolder(input: UpdateAccountHolderInput): Promise<UpdateAccountHolderOutput> {
    const id = accountHolderId(input.context?.account_holder)
    const customer = input.context?.customer
    if (!id || !customer) return {}
    const updated = await this.vault_.updateCustomer({ ...customer, id })
    return { data: { id: updated.id } }
  }

  async deleteAccountHolder(input: DeleteAccountHolderInput): Promise<DeleteAccountHolderOutput> {
    const id = accountHolderId(input.context?.account_holder)
    if (id) await this.vault_.deleteCustomer(id)
    return {}
  }

  async retrieveAccountHolder(input: RetrieveAccountHolderInput): Promise<RetrieveAccountHolderOutput> {
    const customer = await this.vault_.findCustomer(input.id)
    return { id: customer.id, data: { id: customer.id } }
  }

  /** The customer's methods as Braintree lists them now: one deleted in the Control Panel is not offered. */
  async listPaymentMethods(input: ListPaymentMethodsInput): Promise<ListPaymentMethodsOutput> {
    const id = accountHolderId(input.context?.account_holder)
    if (!id) return []
    return (await this.vault_.listMethods(id)).map(toSavedMethod)
  }

  /** Vaults the storefront's nonce (`data.payment_method_nonce`) for the customer, verifying a card first. */
  async savePaymentMethod(input: SavePaymentMethodInput): Promise<SavePaymentMethodOutput> {
    const id = accountHolderId(input.context?.account_holder)
    if (!id) throw new PaymentInputError(`${LABEL}: saving a payment method needs the customer's account holder`)
    const nonce = typeof input.data?.payment_method_nonce === "string" ? input.data.payment_method_nonce : undefined
    if (!nonce) throw new PaymentInputError(`${LABEL}: saving a payment method needs \`payment_method_nonce\` from Drop-in or Hosted Fields`)
    const currency = typeof input.data?.currency_code === "string" ? input.data.currency_code : undefined
    const method = await this.vault_.saveMethod(id, nonce, {
      makeDefault: input.data?.make_default === true,
      merchantAccountId: currency ? merchantAccountFor(this.options_, currency) : undefined,
    })
    return toSavedMethod(method)
  }

  /** Deletes one of the customer's methods at Braintree (refused for another customer's). */
  async deletePaymentMethod(input: DeletePaymentMethodInput): Promise<DeletePaymentMethodOutput> {
    const id = accountHolderId(input.context?.account_holder)
    const token = typeof input.data?.id === "string" ? input.data.id : undefined
    if (!id || !token) throw new PaymentInputError(`${LABEL}: deleting a payment method needs the customer's account holder and the method's id`)
    await this.vault_.deleteMethod(id, token)
    return {}
  }

  /** For the plugin's client-token route: Drop-in's token, scoped to the customer when there is one. */
  async createClientToken(input: { customer_id?: string | null; currency_code?: string | null }): Promise<string> {
    return this.vault_.clientToken({
      customerId: input.customer_id ?? null,
      merchantAccountId: input.currency_code ? merchantAccountFor(this.options_, input.currency_code) : undefined,
    })
  }

  // ---- The plugin's webhook outcomes, the admin's view and the reconciliation ------------

  /** The whole outcome of a delivery, verified as `getWebhookActionAndData` verifies it (the same method). */
  async readGatewayEvent(payload: GatewayWebhookPayload): Promise<GatewayEventVerdict> {
    const verified = await this.verifiedNotification(payload)
    return verified.ok ? { verified: true, outcome: readBraintreeNotification(verified.notification) } : { verified: false, reason: verified.reason }
  }

  /** The transaction's name, id and page in the Control Panel, from its data alone (pure). */
  describePayment(data: Record<string, unknown>): PaymentDescription {
    return describeBraintreePayment(data, { label: LABEL, environment: this.options_.environment, merchantId: this.options_.merchantId })
  }

  /** One read-only look: the sale, its partial settlements and its refunds. */
  async inspectPayment(data: Record<string, unknown>): Promise<GatewayPaymentSnapshot> {
    const session = this.sessionData(data)
    const sale = await this.transactions_.find(this.transactionOf(session))
    const settlements = await Promise.all((sale.partialSettlementTransactionIds ?? []).map((id) => this.transactions_.find(id)))
    const refundIds = [sale, ...settlements].flatMap((t) => t.refundIds ?? [])
    const refunds = await Promise.all(refundIds.map((id) => this.transactions_.find(id, "look up the refund")))
    return toBraintreeSnapshot(sale, settlements, refunds)
  }

  // ---- Helpers ---------------------------------------------------------------------------

  /** The one verification of a delivery, for `getWebhookActionAndData` and `readGatewayEvent` alike. */
  protected async verifiedNotification(payload: GatewayWebhookPayload | ProviderWebhookPayload["payload"]): Promise<VerifiedNotification> {
    const fields = notificationFields(rawBodyOf(payload.rawData), payload.data as Record<string, unknown> | undefined)
    const verified = await verifyBraintreeNotification(this.client_.gateway, fields, this.options_.webhookToleranceSeconds, Date.now())
    if (!verified.ok) this.logger_.warn(`${LABEL}: rejected a notification: ${redactText(verified.reason)}`)
    return verified
  }

  protected async voided(data: SessionData): Promise<SessionData> {
    const id = this.transactionOf(data)
    const transaction = await this.transactions_.find(id)
    if (transaction.status === "voided" || !VOIDABLE.has(transaction.status)) return withTransaction(data, transaction)
    return withTransaction(data, this.accepted(await this.transactions_.void(id), "void"))
  }

  /** A saved method charged without a nonce must be the session's customer's own. */
  protected async assertOwnMethod(data: SessionData): Promise<void> {
    const owner = await this.vault_.ownerOf(data.payment_method_token!)
    if (!owner || owner !== data.braintree_customer_id) {
      throw new PaymentInputError(`${LABEL}: the saved payment method is not one of this customer's`)
    }
  }

  /** The transaction of an answer, or a clear error when Braintree declined the operation. */
  protected accepted(result: Validated<BraintreeTransaction>, what: string): BraintreeTransaction {
    if (result.ok) return result.value
    const t = result.declined
    const response = t.processorResponseCode ? `: processor response ${t.processorResponseCode}${t.processorResponseText ? ` (${t.processorResponseText})` : ""}` : ""
    throw new PaymentInputError(`${LABEL}: the ${what} was declined (${t.status.replace(/_/g, " ")})${response}`)
  }

  protected transactionOf(data: SessionData): string {
    if (!data.transaction_id) throw new PaymentInputError(`${LABEL}: the payment session has no Braintree transaction yet`)
    return data.transaction_id
  }

  /** The session data this provider wrote, or a clear error when it is not there. */
  protected sessionData(data: Record<string, unknown> | undefined): SessionData {
    const d = (data ?? {}) as Partial<SessionData>
    if (typeof d.session_id !== "string" || typeof d.currency_code !== "string" || typeof d.amount !== "string") {
      throw new PaymentInputError(`${LABEL}: the payment session holds no ${LABEL} payment data`)
    }
    return {
      ...newSessionData({ session_id: d.session_id, amount: d.amount, currency_code: d.currency_code, merchant_account_id: d.merchant_account_id ?? "", storefront: {} }),
      ...d,
      settlements: Array.isArray(d.settlements) ? d.settlements : [],
      refunds: Array.isArray(d.refunds) ? d.refunds : [],
    } as SessionData
  }
}


export default BraintreeProviderService
