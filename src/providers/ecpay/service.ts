import { randomInt } from "node:crypto"
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
  PaymentSessionStatus as PaymentSessionStatusType,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AbstractPaymentProvider, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { requestedCaptureAmount } from "../../lib/payments/captures"
import { ProviderEligibility, assertProviderEligible } from "../../lib/payments/eligibility"
import {
  GatewayRejectedError,
  NotSupportedError,
  PaymentConfigError,
  PaymentInputError,
} from "../../lib/payments/errors"
import { takeNotedExternalRefund } from "../../lib/payments/external-refunds"
import type { HostedPaymentProvider, NotificationVerdict } from "../../lib/payments/hosted/contract"
import type { GatewayPaymentInspector, GatewayPaymentSnapshot, GatewayRefund, PaymentDescription } from "../../lib/payments/outcomes/types"
import { compareAmounts, formatAmount, toBigNumber } from "../../lib/payments/money"
import { redactText } from "../../lib/payments/redact"
import { assertRefundable } from "../../lib/payments/refunds"
import { deriveKey } from "../../lib/payments/signatures"
import { verifyCheckMacValue } from "./checkmac"
import { EcpayClient } from "./client"
import {
  EcpaySessionData,
  buildCheckoutForm,
  ecpayEligibility,
  isCardPayment,
  mapTradeStatus,
  merchantTradeNo,
  newSessionData,
  notificationFields,
  readSessionData,
  toEcpayAmount,
  verifyEcpayNotification,
  withTrade,
} from "./mapping"
import { describeEcpayPayment, markStoreRefunds, refundsOfCreditDetail, toEcpaySnapshot } from "./inspection"
import { EcpayOptions, parseEcpayOptions } from "./options"

type Cradle = Record<string, unknown> & { logger?: Logger }

const BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/**
 * ECPay all-in-one checkout (綠界全方位金流) for Medusa: the payment session holds a signed
 * form that takes the shopper to ECPay's page; ECPay's signed notification, or its
 * QueryTradeInfo answer when the notification is late, settles the payment; card payments
 * are refunded through CreditDetail/DoAction.
 */
class EcpayProviderService
  extends AbstractPaymentProvider<EcpayOptions>
  implements HostedPaymentProvider, Required<GatewayPaymentInspector>
{
  static override identifier = "ecpay"
  /** How eligibility refusals name this method, here and in the store routes. */
  static eligibilityLabel = "ECPay"
  /** How the admin names its payments: ECPay's name with the one Taiwanese merchants know it by. */
  static paymentLabel = "ECPay (綠界)"

  /** Runs at boot: a bad option stops the app with a message naming it. */
  static override validateOptions(options: Record<string, unknown>): void {
    parseEcpayOptions(options)
  }

  /** The merchant's rules within ECPay's own (TWD, whole dollars), for the store routes. */
  static eligibilityOf(options: Record<string, unknown> | undefined): ProviderEligibility {
    return ecpayEligibility(parseEcpayOptions(options), EcpayProviderService.eligibilityLabel)
  }

  protected readonly options_: EcpayOptions
  protected readonly logger_: Logger | Console
  protected readonly client_: EcpayClient

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    const parsed = parseEcpayOptions(options)
    super(cradle, parsed)
    this.options_ = parsed
    this.logger_ = cradle.logger ?? console
    this.client_ = new EcpayClient(parsed, this.logger_)
  }

  // ---- Medusa lifecycle, in the interface's order -------------------------------------

  /** Builds the signed form locally: nothing is sent to ECPay until the shopper submits it. */
  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = typeof input.data?.session_id === "string" ? input.data.session_id : undefined
    if (!sessionId) {
      throw new PaymentInputError("ECPay: the payment session id is missing from the session data")
    }
    assertProviderEligible(ecpayEligibility(this.options_, EcpayProviderService.eligibilityLabel), input)
    const amount = toEcpayAmount(input.amount, input.currency_code)
    const now = Date.now()
    const tradeNo = merchantTradeNo(this.options_.tradeNoPrefix, now, randomBase36(12))
    const form = buildCheckoutForm(
      {
        sessionId,
        merchantTradeNo: tradeNo,
        amount,
        epochMs: now,
        notificationUrl: this.notificationUrl(),
        action: `${this.client_.origin}/Cashier/AioCheckOut/V5`,
      },
      this.options_
    )
    return {
      id: tradeNo,
      status: PaymentSessionStatus.PENDING,
      data: newSessionData({ sessionId, merchantTradeNo: tradeNo, amount, environment: this.options_.environment, form }),
    }
  }

  /**
   * The signed form fixes the amount, and ECPay refuses an order number twice: a new amount
   * is a new payment session (Medusa itself replaces sessions when a cart changes).
   */
  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    assertProviderEligible(ecpayEligibility(this.options_, EcpayProviderService.eligibilityLabel), input)
    const data = readSessionData(input.data)
    const amount = toEcpayAmount(input.amount, input.currency_code)
    if (amount === data.amount) {
      return { status: this.statusOfData(data), data }
    }
    throw new NotSupportedError(
      "ECPay",
      "Changing the amount of a payment",
      `the form sent to ECPay is signed for ${data.amount} TWD; start a new payment session for ${amount} TWD`
    )
  }

  /**
   * ECPay's all-in-one checkout has no call to withdraw an unpaid order: the session is
   * marked void so that it is never authorized, even if the shopper still pays its form.
   */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    if (!input.data?.merchant_trade_no) {
      return { data: input.data }
    }
    return { data: { ...input.data, voided: true } }
  }

  /**
   * Asks ECPay (QueryTradeInfo), as ECPay tells merchants to on every payment result: the
   * session's data is never trusted to say a payment was made.
   */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const data = readSessionData(input.data)
    if (data.voided) {
      return { status: PaymentSessionStatus.CANCELED, data }
    }
    return this.currentStatus(data, input.context?.idempotency_key)
  }

  /**
   * A no-op when ECPay already settled the payment (every method but cards closed by the
   * admin). With `capture: "manual"`, closes a paid card payment (`DoAction` `C`), whole.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const data = readSessionData(input.data)
    if (data.trade_status !== "1") {
      throw new PaymentInputError(`ECPay: order ${data.merchant_trade_no} is not paid, so there is nothing to capture`)
    }
    if (this.options_.capture === "automatic" || !isCardPayment(data.payment_type) || data.closed) {
      return { data }
    }
    await this.refusePartialCapture(input.context?.idempotency_key, data)
    const key = input.context?.idempotency_key ?? deriveKey("ecpay:capture", data.merchant_trade_no)
    await this.doAction("close the card payment", data, "C", data.amount, key)
    return { data: { ...data, closed: true } }
  }

  /**
   * Card payments only, through CreditDetail/DoAction `R` (退刷), in parts if need be. Other
   * methods (ATM, convenience store, WebATM...) have no refund API at ECPay.
   * @see https://developers.ecpay.com.tw/?p=9242
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = readSessionData(input.data)
    const key = input.context?.idempotency_key ?? deriveKey("ecpay:refund", data.merchant_trade_no, data.amount_refunded, String(input.amount))
    if (data.refunds.some((r) => r.key === key)) {
      // The same refund again (a retried workflow step): it was made once.
      return { data }
    }
    const external = await takeNotedExternalRefund(this.container, data, input.amount, input.context?.idempotency_key)
    if (external) {
      // Made in ECPay's back office already (the plugin noted it): recorded, not sent again.
      const { refund_id, amount: noted } = external.refund
      const amount = toBigNumber(noted).toNumber()
      const known = data.refunds.some((r) => r.refund_id === refund_id)
      return {
        data: {
          ...external.data,
          amount_refunded: known ? data.amount_refunded : data.amount_refunded + amount,
          refunds: known ? data.refunds : [...data.refunds, { key, amount, refund_id }],
        },
      }
    }
    const requested = toBigNumber(input.amount)
    assertRefundable({
      gateway: "ECPay",
      reference: `order ${data.merchant_trade_no}`,
      requested,
      // Only a paid order that has ECPay's trade number holds money to refund.
      captured: data.trade_status === "1" && data.trade_no ? data.amount : 0,
      refunded: data.amount_refunded,
      format: (amount) => formatAmount(amount, "TWD"),
      settled: "paid",
    })
    if (!isCardPayment(data.payment_type)) {
      throw new NotSupportedError(
        "ECPay",
        `Refunding a ${data.payment_type ?? "non-card"} payment`,
        "ECPay refunds card payments only through its API; refund the shopper outside the gateway " +
          "(for example by bank transfer) and keep the proof"
      )
    }
    if (!requested.isInteger()) {
      throw new PaymentInputError(`ECPay: refunds are in whole New Taiwan dollars; ${requested.toFixed()} TWD cannot be refunded`)
    }
    const amount = requested.toNumber()
    await this.doAction("refund the card payment", data, "R", amount, key)
    return {
      data: {
        ...data,
        amount_refunded: data.amount_refunded + amount,
        refunds: [...data.refunds, { key, amount }],
      },
    }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const data = readSessionData(input.data)
    const { data: updated } = await this.currentStatus(data)
    return { data: updated }
  }

  /**
   * Before payment: the session is void, nothing is sent. A card payment authorized but not
   * closed (`capture: "manual"`): released at ECPay (`DoAction` `N`, 放棄). A settled payment
   * cannot be canceled; refund it.
   */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = readSessionData(input.data)
    if (data.trade_status !== "1") {
      return { data: { ...data, voided: true } }
    }
    if (this.options_.capture === "manual" && isCardPayment(data.payment_type) && !data.closed) {
      const key = input.context?.idempotency_key ?? deriveKey("ecpay:cancel", data.merchant_trade_no)
      await this.doAction("release the card authorization", data, "N", data.amount, key)
      return { data: { ...data, voided: true } }
    }
    throw new PaymentInputError(
      `ECPay: order ${data.merchant_trade_no} is already paid and settled and cannot be canceled; refund it instead`
    )
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const data = readSessionData(input.data)
    if (data.voided) {
      return { status: PaymentSessionStatus.CANCELED, data }
    }
    return this.currentStatus(data)
  }

  /**
   * For Medusa's generic webhook route and subscriber. ECPay needs the answer `1|OK`, which
   * that route cannot give: point ECPay at `/hooks/ecpay/<id>` instead (see the README).
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const fields = notificationFields(payload?.data, payload?.rawData)
    if (!fields) {
      this.logger_.warn("ECPay: a notification that is not a form was ignored")
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const verdict = this.verifyNotification(fields)
    switch (verdict.kind) {
      case "paid":
        return {
          action: verdict.action === "authorized" ? PaymentActions.AUTHORIZED : PaymentActions.SUCCESSFUL,
          data: { session_id: verdict.session_id, amount: verdict.amount.toNumber() },
        }
      case "failed":
        return verdict.session_id && verdict.amount
          ? { action: PaymentActions.FAILED, data: { session_id: verdict.session_id, amount: verdict.amount.toNumber() } }
          : { action: PaymentActions.NOT_SUPPORTED }
      case "rejected":
        this.logger_.warn(redactText(`ECPay: rejected a notification: ${verdict.reason}`))
        return { action: PaymentActions.NOT_SUPPORTED }
      case "stale":
      case "ignored":
        this.logger_.info?.(redactText(`ECPay: notification not acted on: ${verdict.reason}`))
        return { action: PaymentActions.NOT_SUPPORTED }
      default: {
        const unknown: never = verdict
        throw new Error(`Unknown notification verdict ${JSON.stringify(unknown)}`)
      }
    }
  }

  // ---- The admin's view and the reconciliation ------------------------------------------

  /**
   * How the admin names the payment: its MerchantTradeNo and ECPay's back office of the
   * environment it was made in (ECPay has no link to one trade). Pure.
   */
  describePayment(data: Record<string, unknown>): PaymentDescription {
    return describeEcpayPayment(data, { label: EcpayProviderService.paymentLabel, environment: this.options_.environment })
  }

  /**
   * One read-only look at ECPay: QueryTradeInfo (verified, as for every status), then, for a
   * paid card payment, the refunds of ECPay's card detail query when they can be listed
   * (production, with `creditCheckCode`); otherwise the refunds are unknown, not none. ECPay
   * being unreachable, or refusing, is thrown as it is.
   */
  async inspectPayment(sessionData: Record<string, unknown>): Promise<GatewayPaymentSnapshot> {
    const data = readSessionData(sessionData)
    const trade = await this.queryTrade(data)
    const current = withTrade(data, trade)
    let refunds: GatewayRefund[] | undefined = []
    if (trade.TradeStatus === "1" && isCardPayment(current.payment_type)) {
      refunds = this.canListRefunds() ? markStoreRefunds(await this.listGatewayRefunds(current), current) : undefined
    }
    return toEcpaySnapshot(current, trade, this.options_.capture, refunds)
  }

  // ---- Reconciliation --------------------------------------------------------------------

  /**
   * The refunds ECPay lists for a card payment (made in ECPay's back office or through this
   * provider), for the reconciliation job: `CreditDetail/QueryTrade/V2`, which ECPay offers
   * in production only and which needs the merchant's check code (`creditCheckCode`). A
   * payment that is not a paid card payment has none to list. Amounts in major units.
   * @see https://developers.ecpay.com.tw/?p=2894
   */
  async listGatewayRefunds(sessionData: Record<string, unknown>): Promise<Array<{ refund_id: string; amount: string; currency_code: string }>> {
    const data = readSessionData(sessionData)
    if (this.options_.environment !== "production") {
      throw new NotSupportedError(
        "ECPay",
        "Listing a card payment's refunds",
        "ECPay's card detail query (CreditDetail/QueryTrade/V2) exists in production only"
      )
    }
    if (!this.options_.creditCheckCode) {
      throw new PaymentConfigError(
        "ECPay payment provider options are incomplete: `creditCheckCode` (商家檢查碼, in the back office under 信用卡收單 → 信用卡授權資訊) " +
          "is needed to list a card payment's refunds"
      )
    }
    if (data.trade_status !== "1" || !data.trade_no || !isCardPayment(data.payment_type)) {
      return []
    }
    const stored = typeof data.credit_refund_id === "string" && /^\d+$/.test(data.credit_refund_id) ? data.credit_refund_id : undefined
    const creditRefundId = stored ?? withTrade(data, await this.queryTrade(data)).credit_refund_id
    if (!creditRefundId) {
      throw new GatewayRejectedError(
        { gateway: "ECPay", operation: "list the card payment's refunds" },
        `ECPay's answer for order ${data.merchant_trade_no} gives no card authorization number (gwsr)`
      )
    }
    const operation = "list the card payment's refunds"
    const timestamp = Math.floor(Date.now() / 1000)
    const answer = await this.client_.queryJson(
      operation,
      "/CreditDetail/QueryTrade/V2",
      {
        MerchantID: this.options_.merchantId,
        CreditRefundId: creditRefundId,
        CreditAmount: String(data.amount),
        CreditCheckCode: this.options_.creditCheckCode,
      },
      deriveKey("ecpay:credit-detail", data.merchant_trade_no, timestamp)
    )
    const read = refundsOfCreditDetail(answer, data, creditRefundId)
    if ("refused" in read) {
      throw new GatewayRejectedError({ gateway: "ECPay", operation, code: read.refused }, describeCreditDetailRefusal(read.refused))
    }
    if ("mismatch" in read) {
      throw new PaymentInputError(read.mismatch)
    }
    return read.refunds
  }

  // ---- Hosted payment page (src/lib/payments/hosted.ts) ---------------------------------

  verifyNotification(fields: Record<string, string>): NotificationVerdict {
    return verifyEcpayNotification(fields, {
      merchantId: this.options_.merchantId,
      hashKey: this.options_.hashKey,
      hashIv: this.options_.hashIv,
      environment: this.options_.environment,
      capture: this.options_.capture,
      toleranceSeconds: this.options_.notificationToleranceSeconds,
      nowMs: Date.now(),
    })
  }

  referenceOf(sessionData: Record<string, unknown> | undefined | null): string | undefined {
    const value = sessionData?.merchant_trade_no
    return typeof value === "string" ? value : undefined
  }

  // ---- Helpers ---------------------------------------------------------------------------

  /** ECPay's card detail query answers in production, with the merchant's check code only. */
  protected canListRefunds(): boolean {
    return this.options_.environment === "production" && !!this.options_.creditCheckCode
  }

  protected notificationUrl(): string {
    return this.options_.notificationUrl ?? `${this.options_.publicUrl}/hooks/ecpay/ecpay`
  }

  /** What the data already says, without asking ECPay (for an unchanged update). */
  protected statusOfData(data: EcpaySessionData): PaymentSessionStatusType {
    if (data.voided) return PaymentSessionStatus.CANCELED
    return data.trade_status ? mapTradeStatus(data.trade_status, data.payment_type, this.options_.capture) : PaymentSessionStatus.PENDING
  }

  /** QueryTradeInfo, verified and checked against the session, as a Medusa status. */
  protected async currentStatus(
    data: EcpaySessionData,
    idempotencyKey?: string
  ): Promise<{ status: PaymentSessionStatusType; data: EcpaySessionData }> {
    const trade = await this.queryTrade(data, idempotencyKey)
    const status = mapTradeStatus(trade.TradeStatus, trade.PaymentType, this.options_.capture)
    return { status, data: withTrade(data, trade) }
  }

  /**
   * QueryTradeInfo/V5 for the session's order. A paid answer counts only when its
   * CheckMacValue verifies and its merchant, order number and amount are the session's.
   * @see https://developers.ecpay.com.tw/?p=2890
   */
  protected async queryTrade(data: EcpaySessionData, idempotencyKey?: string): Promise<Record<string, string>> {
    const timestamp = Math.floor(Date.now() / 1000)
    const answer = await this.client_.post("look up the payment", "/Cashier/QueryTradeInfo/V5", {
      MerchantID: this.options_.merchantId,
      MerchantTradeNo: data.merchant_trade_no,
      TimeStamp: String(timestamp),
    }, { idempotencyKey: idempotencyKey ?? deriveKey("ecpay:query", data.merchant_trade_no, timestamp), retry: true })

    const signed = verifyCheckMacValue(answer, this.options_.hashKey, this.options_.hashIv)
    const status = answer.TradeStatus
    if (!signed) {
      // ECPay signs its answers; an unsigned one can only ever leave a payment unpaid.
      if (status === "0" || status === "10200047") {
        return { TradeStatus: status }
      }
      throw new GatewayRejectedError(
        { gateway: "ECPay", operation: "look up the payment", code: status },
        "the answer's CheckMacValue did not verify, so it was not trusted"
      )
    }
    if (answer.MerchantID && answer.MerchantID !== this.options_.merchantId) {
      throw new GatewayRejectedError({ gateway: "ECPay", operation: "look up the payment" }, "the answer is for another merchant")
    }
    if (answer.MerchantTradeNo && answer.MerchantTradeNo !== data.merchant_trade_no) {
      throw new GatewayRejectedError({ gateway: "ECPay", operation: "look up the payment" }, "the answer is for another order")
    }
    if (status === "1" && String(answer.TradeAmt) !== String(data.amount)) {
      this.logger_.error(
        `ECPay: order ${data.merchant_trade_no} was paid ${answer.TradeAmt} TWD, not the session's ${data.amount} TWD; ` +
          `it is not authorized: check it in the ECPay back office`
      )
      throw new PaymentInputError(
        `ECPay: order ${data.merchant_trade_no} was paid ${answer.TradeAmt} TWD, not ${data.amount} TWD; it cannot be accepted`
      )
    }
    return answer
  }

  /**
   * CreditDetail/DoAction: C (close), R (refund), E (cancel a close), N (release). Never
   * retried: ECPay has no idempotency key, and a network failure leaves the outcome unknown
   * (reported as such, to be checked in the ECPay back office).
   * @see https://developers.ecpay.com.tw/?p=9242
   */
  protected async doAction(
    operation: string,
    data: EcpaySessionData,
    action: "C" | "R" | "E" | "N",
    amount: number,
    key: string
  ): Promise<Record<string, string>> {
    if (!data.trade_no) {
      throw new PaymentInputError(`ECPay: order ${data.merchant_trade_no} has no ECPay trade number yet`)
    }
    const answer = await this.client_.post(operation, "/CreditDetail/DoAction", {
      MerchantID: this.options_.merchantId,
      MerchantTradeNo: data.merchant_trade_no,
      TradeNo: data.trade_no,
      Action: action,
      TotalAmount: String(amount),
    }, { idempotencyKey: key, retry: false })
    if (answer.RtnCode !== "1") {
      throw new GatewayRejectedError(
        { gateway: "ECPay", operation, code: answer.RtnCode },
        `${answer.RtnMsg || "refused"}` +
          (action === "R" ? "; a card payment not closed yet is released (not refunded) in the ECPay back office" : "")
      )
    }
    return answer
  }

  /**
   * ECPay closes a card payment whole. Medusa records a partial capture in the admin before
   * calling the provider; its capture id is the idempotency key, so the Payment Module's
   * capture service says how much the admin captured. A partial capture is refused rather
   * than closed whole (which would take more money than Medusa records).
   */
  protected async refusePartialCapture(captureId: string | undefined, data: EcpaySessionData): Promise<void> {
    const captured = await requestedCaptureAmount(this.container, captureId)
    if (!captured) return
    if (compareAmounts(captured, data.amount) < 0) {
      throw new NotSupportedError(
        "ECPay",
        "A partial capture",
        `ECPay closes a card payment whole (${data.amount} TWD); capture the whole amount and refund the difference`
      )
    }
  }
}

/** The card detail query's `RtnMsg` in words (https://developers.ecpay.com.tw/?p=2894). */
function describeCreditDetailRefusal(message: string): string {
  switch (message) {
    case "error_Stop":
      return "ECPay knows no such merchant, or the merchant's contract has expired"
    case "error_nopay":
      return "ECPay has no such card authorization"
    case "error":
      return "ECPay found an error in the query or could not check it"
    default:
      return "ECPay refused the query"
  }
}

/** Random base-36 characters from the OS's secure source. */
function randomBase36(length: number): string {
  let out = ""
  for (let i = 0; i < length; i++) out += BASE36[randomInt(36)]
  return out
}

export default EcpayProviderService
