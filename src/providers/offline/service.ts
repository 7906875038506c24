import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  BigNumberInput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  Logger,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AbstractPaymentProvider, PaymentActions } from "@medusajs/framework/utils"
import { requestedCaptureAmount } from "../../lib/payments/captures"
import {
  EligibilityRules,
  ProviderEligibility,
  assertEligible,
  eligibilityRulesOf,
} from "../../lib/payments/eligibility"
import { PaymentInputError } from "../../lib/payments/errors"
import type { PaymentDescription } from "../../lib/payments/outcomes/types"
import {
  METHOD_LABELS,
  OfflineMethod,
  OfflineSessionData,
  authorize,
  cancel,
  changeAmount,
  mapOfflineStatus,
  newBankTransferSession,
  newCodSession,
  readSessionData,
  recordCapture,
  recordRefund,
  toOfflineAmount,
} from "./mapping"
import { BankTransferOptions, CodOptions, parseBankTransferOptions, parseCodOptions } from "./options"

type Cradle = Record<string, unknown> & { logger?: Logger }

/**
 * What cash on delivery and bank transfer share: no gateway, no network. The session is
 * authorized at cart completion so the order is placed; the admin's capture records that
 * the money arrived; refunds are recorded for the admin and never exceed what arrived.
 * Everything the methods know lives in the session's own `data`.
 */
abstract class OfflineProviderService<O extends EligibilityRules> extends AbstractPaymentProvider<O> {
  /**
   * Medusa's "authorized" moves no money here: the session is authorized so the order is
   * placed, and the shopper still has to pay. The return page's status route reads this
   * (`authorizationReservesFunds` in `lib/payments/hosted.ts`) to answer `awaiting_payment`,
   * not `authorized`, until the admin records the money.
   */
  static readonly authorizationReservesFunds = false

  protected abstract readonly method: OfflineMethod
  protected readonly options_: O
  protected readonly logger_: Logger | Console

  protected constructor(cradle: Cradle, options: O) {
    super(cradle, options)
    this.options_ = options
    this.logger_ = cradle.logger ?? console
  }

  /** The session data for a new payment. */
  protected abstract open(sessionId: string, amount: BigNumberInput, currency: string): OfflineSessionData

  protected get label(): string {
    return METHOD_LABELS[this.method]
  }

  // ---- Medusa lifecycle, in the interface's order -------------------------------------

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = typeof input.data?.session_id === "string" ? input.data.session_id : undefined
    if (!sessionId) {
      throw new PaymentInputError(`${this.label}: the payment session id is missing from the session data`)
    }
    // The currency and amount rules; the country is judged where the cart is visible.
    assertEligible(eligibilityRulesOf(this.options_), input, this.label)
    const data = this.open(sessionId, input.amount, input.currency_code)
    return { id: this.externalId(data), status: mapOfflineStatus(data.status), data }
  }

  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const data = this.sessionData(input.data)
    if (
      data.currency_code === String(input.currency_code).toUpperCase() &&
      data.amount === toOfflineAmount(input.amount, data.currency_code)
    ) {
      return { status: mapOfflineStatus(data.status), data }
    }
    assertEligible(eligibilityRulesOf(this.options_), input, this.label)
    const next = changeAmount(data, input.amount, input.currency_code)
    return { status: mapOfflineStatus(next.status), data: next }
  }

  /** Nothing was reserved anywhere, so an abandoned session needs no clean-up. */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    return { data: input.data }
  }

  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const data = authorize(this.sessionData(input.data))
    return { status: mapOfflineStatus(data.status), data }
  }

  /** The admin marks the money as received (the courier's cash, the transfer on the statement). */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const data = this.sessionData(input.data)
    const captureId = input.context?.idempotency_key ?? null
    const requested = await this.requestedCaptureAmount(captureId)
    const next = recordCapture(data, captureId, requested)
    if (next !== data) {
      this.logger_.info(
        `${this.label}: recorded ${next.captures[next.captures.length - 1].amount} ${next.currency_code} as received ` +
          `for payment session ${next.session_id ?? "(unknown)"}`
      )
    }
    return { data: next }
  }

  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = this.sessionData(input.data)
    const next = recordRefund(data, input.context?.idempotency_key ?? null, input.amount)
    return { data: next }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    return { data: this.sessionData(input.data) }
  }

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    return { data: cancel(this.sessionData(input.data)) }
  }

  /** From the session's own data: there is no one else to ask. */
  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const data = this.sessionData(input.data)
    return { status: mapOfflineStatus(data.status), data }
  }

  /** Nobody sends notifications about cash or transfers: the admin records them. */
  async getWebhookActionAndData(_payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    return { action: PaymentActions.NOT_SUPPORTED }
  }

  // ---- The admin's view -------------------------------------------------------------------

  /**
   * How the admin names the payment (`GatewayPaymentInspector`): the method's own name and,
   * for a bank transfer, the payment reference the transfer carries. Nothing to inspect:
   * there is no gateway, the merchant records what arrived.
   */
  describePayment(data: Record<string, unknown>): PaymentDescription {
    const description: PaymentDescription = { label: this.label, gateway: "offline" }
    const instructions = (data?.instructions ?? undefined) as { reference?: unknown } | undefined
    if (typeof instructions?.reference === "string") {
      description.reference = { label: "Payment reference", value: instructions.reference }
    }
    return description
  }

  // ---- Helpers ---------------------------------------------------------------------------

  protected sessionData(data: Record<string, unknown> | undefined): OfflineSessionData {
    return readSessionData(data, this.method)
  }

  protected externalId(data: OfflineSessionData): string {
    return String(data.session_id)
  }

  /**
   * The amount of the capture Medusa is recording, so a partial capture in the admin (a
   * transfer that arrived in parts) records that amount. `CapturePaymentInput` carries no
   * amount, but its idempotency key is the capture's id and the capture is already
   * committed, so the Payment Module's capture service tells it. Without it (a direct
   * call), the outstanding rest is recorded.
   */
  protected async requestedCaptureAmount(captureId: string | null): Promise<BigNumberInput | undefined> {
    return (await requestedCaptureAmount(this.container, captureId))?.toFixed()
  }
}

/**
 * Cash on delivery: the courier collects the money on delivery. The session shows the
 * amount due and the merchant's cash-on-delivery fee, if any.
 */
export class CodProviderService extends OfflineProviderService<CodOptions> {
  static override identifier = "cod"
  static eligibilityLabel = METHOD_LABELS.cod

  static override validateOptions(options: Record<string, unknown>): void {
    parseCodOptions(options)
  }

  /** The rules of the `cod` section, for the store routes. */
  static eligibilityOf(options: Record<string, unknown> | undefined): ProviderEligibility {
    return { label: METHOD_LABELS.cod, rules: eligibilityRulesOf(parseCodOptions(options)) }
  }

  protected readonly method = "cod" as const

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    super(cradle, parseCodOptions(options))
  }

  protected open(sessionId: string, amount: BigNumberInput, currency: string): OfflineSessionData {
    return newCodSession(this.options_, sessionId, amount, currency)
  }
}

/**
 * Bank transfer: the shopper transfers the amount to the merchant's account with a
 * payment reference unique to the order; the session carries the instructions.
 */
export class BankTransferProviderService extends OfflineProviderService<BankTransferOptions> {
  static override identifier = "bank-transfer"
  static eligibilityLabel = METHOD_LABELS.bank_transfer

  static override validateOptions(options: Record<string, unknown>): void {
    parseBankTransferOptions(options)
  }

  /** The rules of the `bankTransfer` section, for the store routes. */
  static eligibilityOf(options: Record<string, unknown> | undefined): ProviderEligibility {
    return { label: METHOD_LABELS.bank_transfer, rules: eligibilityRulesOf(parseBankTransferOptions(options)) }
  }

  protected readonly method = "bank_transfer" as const

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    super(cradle, parseBankTransferOptions(options))
  }

  protected open(sessionId: string, amount: BigNumberInput, currency: string): OfflineSessionData {
    return newBankTransferSession(this.options_, sessionId, amount, currency)
  }

  /** The payment reference: what the merchant finds on the bank statement. */
  protected override externalId(data: OfflineSessionData): string {
    const reference = (data.instructions as { reference?: unknown }).reference
    return typeof reference === "string" ? reference : String(data.session_id)
  }
}
