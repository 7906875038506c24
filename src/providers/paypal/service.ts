import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  BigNumberInput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  CreateAccountHolderInput,
  CreateAccountHolderOutput,
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
  RetrievePaymentInput,
  RetrievePaymentOutput,
  SavePaymentMethodInput,
  SavePaymentMethodOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { AbstractPaymentProvider, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import BigNumberJS from "bignumber.js"
import {
  GatewayRejectedError,
  NotSupportedError,
  PaymentInputError,
} from "../../lib/payments/errors"
import { requestedCaptureAmount } from "../../lib/payments/captures"
import { externalRefundsOf, takeNotedExternalRefund } from "../../lib/payments/external-refunds"
import type {
  GatewayEventSource,
  GatewayEventVerdict,
  GatewayPaymentInspector,
  GatewayPaymentSnapshot,
  GatewayWebhookPayload,
  PaymentDescription,
} from "../../lib/payments/outcomes/types"
import { ProviderEligibility, assertProviderEligible } from "../../lib/payments/eligibility"
import { formatAmount } from "../../lib/payments/money"
import { redactText } from "../../lib/payments/redact"
import { assertRefundable } from "../../lib/payments/refunds"
import { deriveKey } from "../../lib/payments/signatures"
import { rawBodyOf } from "../../lib/payments/webhooks"
import { PaypalClient, verifyCredentials } from "./client"
import { declineStatus, describeIssue } from "./errors"
import { mapWebhookEvent, readPaypalEvent } from "./events"
import { describePaypalPayment, toPaypalSnapshot } from "./inspection"
import {
  buildAmountPatch,
  buildOrderRequest,
  honorPeriodElapsed,
  isCapturable,
  mapPaymentStatus,
  paypalEligibility,
  refundCustomId,
  toAuthorizationData,
  toCaptureData,
  toRefundData,
  toSessionData,
  withTotals,
} from "./mapping"
import { paypalDecimal, toPaypalCaptureAmount, toPaypalMoney, toPaypalRefundMoney } from "./money"
import { PaypalOptions, parsePaypalOptions } from "./options"
import { allocateRefund, capturedTotal, refundableTotal, refundedTotal } from "./refunds"
import type {
  PaypalAuthorization,
  PaypalCapture,
  PaypalOrder,
  PaypalOrderStatus,
  PaypalRefund,
  PaypalSessionData,
  PaypalWebhookEvent,
} from "./types"
import { HOLDER_CUSTOMER_KEY, savedPaymentSource } from "./vault"
import { PaypalVault } from "./vault-api"
import { PaypalNotificationVerifier } from "./verifier"
import { isFresh, transmissionOf } from "./webhook"

type Cradle = Record<string, unknown> & { logger?: Logger }

const LABEL = "PayPal"

/** Order states whose amount the store may still change: the buyer has not approved yet. */
const AMOUNT_EDITABLE = new Set<PaypalOrderStatus>(["CREATED", "PAYER_ACTION_REQUIRED", "SAVED"])

/** Order states in which the buyer has not approved yet. */
const AWAITING_BUYER = new Set<PaypalOrderStatus>(["CREATED", "PAYER_ACTION_REQUIRED", "SAVED"])


/**
 * PayPal Checkout (Orders v2) for Medusa: the storefront shows PayPal's buttons with the
 * order id (or redirects to the approval link), the buyer approves at PayPal, and the
 * cart's completion authorizes the order (or captures it with `intent: capture`); the
 * admin captures, reauthorizing first past PayPal's honor period, and refunds in parts.
 * Notifications are verified before anything is done with them.
 */
class PaypalProviderService
  extends AbstractPaymentProvider<PaypalOptions>
  implements GatewayEventSource, Required<GatewayPaymentInspector>
{
  static override identifier = "paypal"
  /** How the store routes and `initiatePayment` name the method in eligibility reasons. */
  static eligibilityLabel = LABEL

  /**
   * Runs at boot: a bad option stops the app with a message naming it, and (unless
   * `verifyCredentialsAtBoot` is false) PayPal is asked for a token so credentials of the
   * wrong environment are caught before the first shopper meets them.
   */
  static override async validateOptions(options: Record<string, unknown>): Promise<void> {
    const parsed = parsePaypalOptions(options)
    if (parsed.verifyCredentialsAtBoot) {
      await verifyCredentials(parsed, console)
    }
  }

  /** PayPal's rules for the store routes: the shared options, limited to PayPal's currencies. */
  static eligibilityOf(options: Record<string, unknown> | undefined): ProviderEligibility {
    return paypalEligibility(parsePaypalOptions(options), LABEL)
  }

  protected readonly options_: PaypalOptions
  protected readonly logger_: Logger | Console
  protected readonly client_: PaypalClient
  protected readonly verifier_: PaypalNotificationVerifier
  protected readonly vault_: PaypalVault

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    const parsed = parsePaypalOptions(options)
    super(cradle, parsed)
    this.options_ = parsed
    this.logger_ = cradle.logger ?? console
    this.client_ = new PaypalClient(parsed, this.logger_)
    this.verifier_ = new PaypalNotificationVerifier(parsed, this.client_)
    this.vault_ = new PaypalVault(this.client_, this.logger_, cradle)
  }

  // ---- Medusa lifecycle, in the interface's order -------------------------------------

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = stringField(input.data, "session_id")
    if (!sessionId) {
      throw new PaymentInputError("PayPal: the payment session id is missing from the session data")
    }
    // The currency and amount rules; the country is judged where the cart is visible.
    assertProviderEligible(this.eligibility(), input)
    const vault = await this.vault_.forNewSession(input)
    const body = buildOrderRequest(
      {
        amount: input.amount,
        currency_code: input.currency_code,
        session_id: sessionId,
        data: input.data,
        vault: vault ? { mode: vault.mode, source: vault.source, customer_id: vault.customer_id } : undefined,
      },
      this.options_
    )
    assertPositive((body.purchase_units as Array<{ amount: { value: string; currency_code: string } }>)[0].amount)
    const { body: order } = await this.client_.request<PaypalOrder>({
      method: "POST",
      path: "/v2/checkout/orders",
      operation: "create the PayPal order",
      body,
      // An order moves no money until the buyer approves it and the store authorizes.
      movesMoney: false,
      idempotencyKey: input.context?.idempotency_key ?? deriveKey("paypal:initiate", sessionId),
    })
    // A new order waits for the buyer's approval at PayPal (or, paid with a saved method, for
    // the cart's completion).
    return { id: order.id, status: PaymentSessionStatus.PENDING, data: toSessionData(order, { session_id: sessionId, vault }) }
  }

  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const data = this.sessionData(input.data)
    const money = toPaypalMoney(input.amount, input.currency_code)
    if (money.value === data.amount && money.currency_code === data.currency_code) {
      return { status: this.statusOf(data), data }
    }
    assertProviderEligible(this.eligibility(), input)
    assertPositive(money)
    if (money.currency_code !== data.currency_code) {
      throw new PaymentInputError(
        `PayPal: order ${data.id} is in ${data.currency_code} and cannot change to ${money.currency_code}; start a new payment session`
      )
    }
    // The buyer approves an amount: once approved it is not changed behind their back
    // (PayPal itself would accept a patch), and the session asks for a new approval instead.
    const order = await this.getOrder(data.id, "look up the PayPal order before changing its amount")
    if (!AMOUNT_EDITABLE.has(order.status) || data.canceled) {
      throw new PaymentInputError(
        `PayPal: the amount of order ${data.id} cannot change once the buyer approved it (${order.status}); ` +
          `start a new payment session so the buyer approves the new amount`
      )
    }
    const seq = data.update_seq + 1
    await this.client_.request({
      method: "PATCH",
      path: `/v2/checkout/orders/${encodeURIComponent(data.id)}`,
      operation: "change the PayPal order amount",
      body: buildAmountPatch(money),
      movesMoney: false,
      // Derived from the session, the order and the n-th update (and Medusa's key, should
      // it pass one, which would be the same for every update): a retried step replays and
      // a later change back is a new request.
      idempotencyKey: deriveKey(
        "paypal:update",
        input.context?.idempotency_key ?? "",
        data.session_id,
        data.id,
        seq,
        money.value,
        money.currency_code
      ),
    })
    const unit = order.purchase_units?.[0] ?? {}
    const next = toSessionData({ ...order, purchase_units: [{ ...unit, amount: money }] }, { ...data, update_seq: seq })
    return { status: this.statusOf(next), data: next }
  }

  /**
   * Medusa deletes a session when the cart changes and creates another. An order nobody
   * authorized reserves no money and expires at PayPal; an authorization is voided so no
   * money stays reserved for an abandoned session.
   */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const raw = input.data as Partial<PaypalSessionData> | undefined
    if (!raw?.id || !raw.authorization) {
      return { data: input.data }
    }
    const data = this.sessionData(input.data)
    const authorization = data.authorization!
    if (authorization.status === "CAPTURED" || authorization.status === "PARTIALLY_CAPTURED") {
      this.logger_.error(
        `PayPal: order ${data.id} was already captured when its session was deleted; refund it from PayPal if no order uses it`
      )
      return { data: input.data }
    }
    if (authorization.status !== "CREATED" && authorization.status !== "PENDING") {
      return { data: input.data }
    }
    const voided = await this.voidAuthorization(authorization.id, deriveKey("paypal:delete", authorization.id))
    return { data: withTotals({ ...data, authorization: toAuthorizationData(voided, authorization, data.currency_code) }) }
  }

  /**
   * Called when the cart completes (or when a verified CHECKOUT.ORDER.APPROVED arrives):
   * an approved order is authorized (or captured with `intent: capture`); an order the
   * buyer has not approved yet is `requires_more`; a decline is a status, not a crash.
   */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const data = this.sessionData(input.data)
    if (data.canceled) {
      return { status: PaymentSessionStatus.CANCELED, data }
    }
    let order = await this.getOrder(data.id, "look up the PayPal order")
    this.assertSameSession(order, data)
    // Paid with a saved method, the order was never shown to the buyer: it is authorized (or
    // captured) from CREATED with the saved token as its payment source.
    const saved = data.vault?.mode === "use" && data.vault.payment_method_id ? data.vault : undefined
    if (order.status === "APPROVED" || (saved && order.status === "CREATED")) {
      // Medusa passes the session id here as it does to initiatePayment: PayPal-Request-Id
      // is namespaced per operation so the create cannot be replayed in its place.
      // After a decline the buyer tries again with another funding source: a new key, so
      // PayPal does not answer with the stored decline.
      const attempt = data.declined_attempts > 0 ? `-${data.declined_attempts + 1}` : ""
      const key = `${input.context?.idempotency_key ?? data.session_id ?? data.id}-${data.intent === "CAPTURE" ? "capture" : "authorize"}${attempt}`
      try {
        order = (
          await this.client_.request<PaypalOrder>({
            method: "POST",
            path: `/v2/checkout/orders/${encodeURIComponent(data.id)}/${data.intent === "CAPTURE" ? "capture" : "authorize"}`,
            operation: data.intent === "CAPTURE" ? "capture the PayPal order" : "authorize the PayPal order",
            body: saved ? { payment_source: savedPaymentSource(saved.source, saved.payment_method_id!) } : {},
            idempotencyKey: key,
          })
        ).body
      } catch (error) {
        const issue = error instanceof GatewayRejectedError ? error.details.code : undefined
        const status = issue ? declineStatus(issue) : undefined
        if (status) {
          // The reason without personal data, for the storefront to show.
          const decline = { issue: issue!, description: describeIssue(issue, issue!) }
          return { status, data: { ...toSessionData(order, data), decline, declined_attempts: data.declined_attempts + 1 } }
        }
        if (issue === "ORDER_NOT_APPROVED") {
          return { status: PaymentSessionStatus.REQUIRES_MORE, data: toSessionData(order, data) }
        }
        if (issue === "ORDER_ALREADY_AUTHORIZED" || issue === "ORDER_ALREADY_CAPTURED") {
          order = await this.getOrder(data.id, "look up the PayPal order")
        } else {
          throw error
        }
      }
    }
    let next = toSessionData(order, { ...data, decline: null })
    await this.vault_.afterPayment(data.vault, order)
    if (next.authorization && !next.authorization.authorized_at) {
      // The honor period runs from here.
      next = { ...next, authorization: { ...next.authorization, authorized_at: new Date().toISOString() } }
    }
    if (AWAITING_BUYER.has(next.status)) {
      return { status: PaymentSessionStatus.REQUIRES_MORE, data: next }
    }
    return { status: this.statusOf(next), data: next }
  }

  /**
   * Captures from the authorization the amount Medusa is capturing, reauthorizing first when
   * PayPal's three-day honor period has passed. A capture PayPal already holds (made in its
   * dashboard, or one whose answer was lost) is recorded rather than repeated.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const known = this.sessionData(input.data)
    const order = await this.getOrder(known.id, "look up the PayPal order before capturing")
    let data = toSessionData(order, known)
    const currency = data.currency_code
    const requested = await this.requestedCaptureAmount(input.context?.idempotency_key, data)
    const heldAtPaypal = capturedTotal(data.captures, currency)
    const recorded = capturedTotal(known.captures, currency)
    const unrecorded = heldAtPaypal.minus(recorded)
    if (unrecorded.gt(0) && (requested === undefined || unrecorded.gte(requested))) {
      this.logger_.info?.(
        `PayPal: ${formatAmount(unrecorded, currency)} of order ${data.id} was already captured at PayPal; recorded without a new capture`
      )
      return { data }
    }
    if (unrecorded.gt(0)) {
      this.logger_.info?.(
        `PayPal: ${formatAmount(unrecorded, currency)} of order ${data.id} was already captured at PayPal; counted in this capture`
      )
    }
    const authorization = data.authorization
    if (data.intent === "CAPTURE" || !authorization) {
      throw new PaymentInputError(
        data.intent === "CAPTURE"
          ? `PayPal: order ${data.id} was captured when the cart completed (intent capture); nothing is left to capture`
          : `PayPal: order ${data.id} has no authorization to capture (${data.status})`
      )
    }
    if (!isCapturable(authorization.status)) {
      throw new PaymentInputError(`PayPal: authorization ${authorization.id} is ${authorization.status} and cannot be captured`)
    }
    const remaining = new BigNumberJS(authorization.amount).minus(heldAtPaypal)
    const amount = requested ? requested.minus(BigNumberJS.max(unrecorded, 0)) : remaining
    if (amount.lte(0) || amount.gt(remaining)) {
      throw new PaymentInputError(
        `PayPal: cannot capture ${formatAmount(amount, currency)} of order ${data.id}: ` +
          `${formatAmount(BigNumberJS.max(remaining, 0), currency)} of the authorization remains`
      )
    }
    const key = input.context?.idempotency_key ?? deriveKey("paypal:capture", authorization.id, heldAtPaypal.toFixed(), amount.toFixed())
    let authorizationId = authorization.id
    if (honorPeriodElapsed(authorization, new Date()) && !authorization.reauthorized_from && heldAtPaypal.isZero()) {
      const renewed = await this.reauthorize(data, `${key}-reauthorize`)
      if (renewed) {
        data = renewed
        authorizationId = renewed.authorization!.id
      }
    }
    const { body: capture } = await this.client_.request<PaypalCapture>({
      method: "POST",
      path: `/v2/payments/authorizations/${encodeURIComponent(authorizationId)}/capture`,
      operation: "capture the PayPal payment",
      body: {
        amount: toPaypalMoney(amount, currency),
        // The last capture closes the authorization; an earlier one leaves the rest open.
        final_capture: amount.eq(remaining),
      },
      idempotencyKey: key,
    })
    if (capture.status === "DECLINED" || capture.status === "FAILED") {
      throw new GatewayRejectedError(
        { gateway: LABEL, operation: "capture the PayPal payment", code: capture.status },
        `PayPal ${capture.status === "DECLINED" ? "declined" : "failed"} capture ${capture.id}`
      )
    }
    const captures = [...data.captures.filter((c) => c.id !== capture.id), toCaptureData(capture, currency)]
    const capturedNow = capturedTotal(captures, currency)
    const authorizationAfter = data.authorization
      ? { ...data.authorization, status: capturedNow.gte(data.authorization.amount) || capture.final_capture ? ("CAPTURED" as const) : ("PARTIALLY_CAPTURED" as const) }
      : null
    return { data: withTotals({ ...data, status: "COMPLETED", authorization: authorizationAfter, captures }) }
  }

  /**
   * Refunds from the captures, never more than captured (refused before PayPal is called).
   * A refund made at PayPal that the plugin noted in the data to record in Medusa is
   * recorded without calling PayPal; one PayPal already holds otherwise (made in its
   * dashboard and recorded by the admin, or one whose answer was lost) is recorded rather
   * than made again. Each refund made here carries `<session id>.<Medusa refund id>` in its
   * `custom_id`, so its notification is known as this store's own.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const known = this.sessionData(input.data)
    const currency = known.currency_code
    const external = await takeNotedExternalRefund(this.container, known, input.amount, input.context?.idempotency_key)
    if (external) {
      // Made at PayPal already: recorded as it is; the money has moved.
      const { refund_id, amount: noted } = external.refund
      const refunds = known.refunds.some((r) => r.id === refund_id)
        ? known.refunds
        : [
            ...known.refunds,
            {
              id: refund_id,
              // Known when the payment has one capture; PayPal's next order lookup says otherwise.
              capture_id: known.captures.length === 1 ? known.captures[0].id : null,
              status: "COMPLETED" as const,
              amount: paypalDecimal(new BigNumberJS(noted), currency),
            },
          ]
      return { data: withTotals({ ...known, external_refunds: externalRefundsOf(external.data), refunds }) }
    }
    // Toward zero: a refund never returns more than was asked.
    const amount = new BigNumberJS(toPaypalRefundMoney(input.amount, currency).value)
    const refunded = refundedTotal(known.refunds, currency)
    assertRefundable({
      gateway: LABEL,
      reference: `order ${known.id}`,
      requested: amount,
      captured: refundableTotal(known),
      refunded,
      format: (value) => formatAmount(value, currency),
    })
    const data = toSessionData(await this.getOrder(known.id, "look up the PayPal order before refunding"), known)
    const unrecorded = BigNumberJS.max(refundedTotal(data.refunds, currency).minus(refunded), 0)
    if (unrecorded.gte(amount)) {
      this.logger_.info?.(
        `PayPal: ${formatAmount(unrecorded, currency)} of order ${data.id} was already refunded at PayPal; recorded without a new refund`
      )
      return { data }
    }
    const toRefund = amount.minus(unrecorded)
    const key = input.context?.idempotency_key ?? deriveKey("paypal:refund", data.id, refunded.toFixed(), amount.toFixed())
    const customId = refundCustomId(data.session_id, input.context?.idempotency_key)
    let refunds = data.refunds
    // One Medusa refund may span several PayPal captures (partial captures): each part is
    // refunded from its own capture under its own key.
    for (const [index, part] of allocateRefund(data, toRefund).entries()) {
      const { body: refund } = await this.client_.request<PaypalRefund>({
        method: "POST",
        path: `/v2/payments/captures/${encodeURIComponent(part.capture_id)}/refund`,
        operation: "refund the PayPal payment",
        body: {
          amount: toPaypalMoney(part.amount, currency),
          ...(customId ? { custom_id: customId } : {}),
        },
        idempotencyKey: index === 0 ? key : `${key}-${part.capture_id}`,
      })
      if (refund.status === "FAILED" || refund.status === "CANCELLED") {
        if (index > 0) {
          this.logger_.error(
            `PayPal: refund of order ${data.id} stopped after ${index} part(s); refunds ${refunds.map((r) => r.id).join(", ")} were made`
          )
        }
        throw new GatewayRejectedError(
          { gateway: LABEL, operation: "refund the PayPal payment", code: refund.status },
          `refund ${refund.id} ${refund.status.toLowerCase()}`
        )
      }
      refunds = [...refunds.filter((r) => r.id !== refund.id), toRefundData(refund, part.capture_id, currency)]
    }
    return { data: withTotals({ ...data, refunds }) }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const data = this.sessionData(input.data)
    const order = await this.getOrder(data.id, "look up the PayPal order")
    return { data: toSessionData(order, data) }
  }

  /**
   * Voids the authorization. Before the store authorized, PayPal holds nothing for the
   * session: it is marked canceled without a call (and never authorized later).
   */
  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const raw = input.data as Partial<PaypalSessionData> | undefined
    if (!raw?.id) {
      return { data: input.data }
    }
    const data = this.sessionData(input.data)
    const authorization = data.authorization
    if (!authorization) {
      if (capturedTotal(data.captures, data.currency_code).gt(0)) {
        throw new PaymentInputError(`PayPal: order ${data.id} is already captured and cannot be canceled; refund it instead`)
      }
      return { data: { ...data, canceled: true } }
    }
    if (authorization.status === "VOIDED") {
      return { data }
    }
    if (authorization.status === "CAPTURED") {
      throw new PaymentInputError(`PayPal: order ${data.id} is already captured and cannot be canceled; refund it instead`)
    }
    const voided = await this.voidAuthorization(
      authorization.id,
      input.context?.idempotency_key ?? deriveKey("paypal:cancel", authorization.id)
    )
    return { data: withTotals({ ...data, authorization: toAuthorizationData(voided, authorization, data.currency_code) }) }
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const data = this.sessionData(input.data)
    const order = await this.getOrder(data.id, "look up the PayPal order")
    const next = toSessionData(order, data)
    return { status: this.statusOf(next), data: next }
  }

  /**
   * Every notification is verified (the signature over the raw body, within the time
   * tolerance) before its body is read; one that fails is logged and answered
   * `not_supported`, never turned into an action.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const verified = await this.verifiedEvent(payload)
    if (!verified.ok) {
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const mapped = mapWebhookEvent(verified.event)
    if (mapped.note) {
      this.logger_.info?.(`PayPal: ${redactText(mapped.note)}; not acted on`)
    }
    return mapped.result
  }

  /**
   * The whole outcome of a notification, verified as `getWebhookActionAndData` verifies it
   * (the same method): refunds, reversals and disputes too. One that names no session (a
   * refund made in PayPal's dashboard, a dispute) gets it from its capture, looked up at
   * PayPal; PayPal being unreachable is no verdict: the error is thrown and the delivery is
   * processed again later.
   */
  async readGatewayEvent(payload: GatewayWebhookPayload): Promise<GatewayEventVerdict> {
    const verified = await this.verifiedEvent(payload)
    if (!verified.ok) {
      return { verified: false, reason: verified.reason }
    }
    const reading = readPaypalEvent(verified.event)
    if ("captureId" in reading) {
      return { verified: true, outcome: reading.outcome(await this.sessionOfCapture(reading.captureId)) }
    }
    return { verified: true, outcome: reading.outcome }
  }

  // ---- Saved payment methods (PayPal's vault) -----------------------------------------------

  /**
   * PayPal has no customer to create up front: it mints its customer id at the customer's
   * first save (an order with `store_in_vault`) and answers it then, when the provider records
   * it on this holder (`data.paypal_customer_id`, and the external id). Until then the holder's
   * external id is the Medusa customer's id. Nothing is called at PayPal.
   * @see https://developer.paypal.com/docs/checkout/save-payment-methods/during-purchase/orders-api/paypal/
   */
  async createAccountHolder(input: CreateAccountHolderInput): Promise<CreateAccountHolderOutput> {
    const customer = input.context?.customer
    if (!customer?.id) {
      throw new PaymentInputError("PayPal: an account holder needs the Medusa customer it belongs to")
    }
    return { id: customer.id, data: { [HOLDER_CUSTOMER_KEY]: null } }
  }

  /**
   * The customer's saved PayPal accounts and cards, as PayPal holds them now (a token deleted
   * at PayPal is gone from the list): the tokens of the holder's PayPal customer only, each
   * checked to belong to it. None before the customer's first save.
   */
  async listPaymentMethods(input: ListPaymentMethodsInput): Promise<ListPaymentMethodsOutput> {
    return this.vault_.paymentMethods(input.context?.account_holder)
  }

  /**
   * Not outside a purchase: PayPal's Vault v3 saves a PayPal account from a setup token the
   * buyer approved, but its published spec (Payment Method Tokens 3.1, `token_id_request.type`)
   * makes a payment token from a `BILLING_AGREEMENT` only, not from a `SETUP_TOKEN`, and a
   * billing agreement id sent by a storefront would attach whoever's agreement it names. A
   * PayPal account or card is saved while paying (`save_payment_method: true`).
   */
  async savePaymentMethod(_input: SavePaymentMethodInput): Promise<SavePaymentMethodOutput> {
    throw new NotSupportedError(
      LABEL,
      "Saving a PayPal account outside a purchase",
      "PayPal's Vault v3 spec makes a payment token from a billing agreement only, not from an approved setup token; " +
        "save it while paying instead (session data `save_payment_method: true`)"
    )
  }

  /**
   * Deletes one of the customer's saved tokens at PayPal. A token PayPal no longer has is
   * deleted already; another customer's is refused.
   */
  async deletePaymentMethod(input: DeletePaymentMethodInput): Promise<DeletePaymentMethodOutput> {
    await this.vault_.deletePaymentMethod(input.context?.account_holder, input.data?.id, input.context?.idempotency_key)
    return {}
  }

  // ---- The admin's view and the reconciliation ------------------------------------------

  /**
   * What PayPal is asked for a Medusa amount, as `initiatePayment` sends it (HUF, JPY and TWD
   * in whole units): the plugin's event processing knows an event for that amount is about
   * the session's payment.
   */
  chargedAmount(amount: string, currency: string): string {
    return toPaypalMoney(amount, currency).value
  }

  /**
   * How the admin names the payment and finds it in PayPal's account: its transaction (the
   * authorization, or the capture of an order captured at once) with a link to its page in
   * the environment's activity, or the order before anything was paid. Pure.
   */
  describePayment(data: Record<string, unknown>): PaymentDescription {
    return describePaypalPayment(data, { label: LABEL, environment: this.options_.environment })
  }

  /**
   * One read-only look at PayPal: the order, which carries its authorizations, captures and
   * refunds. PayPal being unreachable is thrown as it is, never a status.
   */
  async inspectPayment(data: Record<string, unknown>): Promise<GatewayPaymentSnapshot> {
    const known = this.sessionData(data)
    return toPaypalSnapshot(await this.getOrder(known.id, "look up the PayPal order"), known)
  }

  // ---- Helpers ---------------------------------------------------------------------------

  /**
   * The one verification of a notification, for `getWebhookActionAndData` and
   * `readGatewayEvent` alike: a webhook id configured, the PAYPAL-* headers, the
   * transmission time within the tolerance, the signature (locally or by PayPal), then the
   * verified raw body parsed. Logged once when refused.
   */
  protected async verifiedEvent(
    payload: GatewayWebhookPayload | ProviderWebhookPayload["payload"]
  ): Promise<{ ok: true; event: PaypalWebhookEvent } | { ok: false; reason: string }> {
    const refused = (reason: string): { ok: false; reason: string } => {
      this.logger_.warn(`PayPal: ignored a notification: ${redactText(reason)}`)
      return { ok: false, reason }
    }
    const webhookId = this.options_.webhookId
    if (!webhookId) {
      return refused("`webhookId` is not configured, so no notification can be verified")
    }
    const raw = rawBodyOf(payload.rawData)
    if (!raw?.length) {
      return refused("it has no body")
    }
    const headers = transmissionOf(payload.headers as Record<string, unknown> | undefined)
    if (!headers.ok) {
      return refused(headers.reason)
    }
    const transmission = headers.transmission
    if (!isFresh(transmission.time, this.options_.webhookToleranceSeconds, new Date())) {
      return refused(`its transmission time ${JSON.stringify(transmission.time.slice(0, 40))} is outside the ${this.options_.webhookToleranceSeconds}s tolerance`)
    }
    const verified = await this.verifier_.verify(transmission, webhookId, raw)
    if (!verified.ok) {
      return refused(`its signature did not verify: ${verified.reason}`)
    }
    try {
      return { ok: true, event: JSON.parse(raw.toString("utf8")) as PaypalWebhookEvent }
    } catch {
      return refused("its verified body is not JSON")
    }
  }

  /**
   * The Medusa session of a capture (its `custom_id`, which PayPal copies from the order),
   * for a notification that names the capture only; undefined when PayPal has no such
   * capture for this account.
   */
  protected async sessionOfCapture(id: string): Promise<string | undefined> {
    try {
      const { body } = await this.client_.request<PaypalCapture>({
        method: "GET",
        path: `/v2/payments/captures/${encodeURIComponent(id)}`,
        operation: "look up the PayPal capture",
      })
      return typeof body?.custom_id === "string" ? body.custom_id : undefined
    } catch (error) {
      if (error instanceof GatewayRejectedError && (error.details.status === 404 || error.details.code === "RESOURCE_NOT_FOUND")) {
        return undefined
      }
      throw error
    }
  }

  protected eligibility(): ProviderEligibility {
    return paypalEligibility(this.options_, LABEL)
  }

  protected async getOrder(id: string, operation: string): Promise<PaypalOrder> {
    const { body } = await this.client_.request<PaypalOrder>({
      method: "GET",
      path: `/v2/checkout/orders/${encodeURIComponent(id)}`,
      operation,
    })
    return body
  }

  protected async voidAuthorization(id: string, idempotencyKey: string): Promise<PaypalAuthorization> {
    try {
      const response = await this.client_.request<PaypalAuthorization | undefined>({
        method: "POST",
        path: `/v2/payments/authorizations/${encodeURIComponent(id)}/void`,
        operation: "void the PayPal authorization",
        idempotencyKey,
      })
      // 200 with the authorization, or 204 when PayPal answers minimally.
      return response.body && typeof response.body === "object" ? response.body : { id, status: "VOIDED" }
    } catch (error) {
      // Voided already (a retried step, the dashboard): done.
      if (error instanceof GatewayRejectedError && error.details.code === "PREVIOUSLY_VOIDED") {
        return { id, status: "VOIDED" }
      }
      throw error
    }
  }

  /**
   * A new authorization for what remains, past the honor period. When PayPal does not allow
   * it for this authorization, the original (valid for 29 days) is captured as it is.
   */
  protected async reauthorize(data: PaypalSessionData, idempotencyKey: string): Promise<PaypalSessionData | undefined> {
    const authorization = data.authorization!
    try {
      const { body } = await this.client_.request<PaypalAuthorization>({
        method: "POST",
        path: `/v2/payments/authorizations/${encodeURIComponent(authorization.id)}/reauthorize`,
        operation: "reauthorize the PayPal payment",
        body: { amount: toPaypalMoney(authorization.amount, data.currency_code) },
        idempotencyKey,
      })
      return withTotals({
        ...data,
        authorization: {
          ...toAuthorizationData(body, null, data.currency_code),
          authorized_at: new Date().toISOString(),
          reauthorized_from: authorization.id,
        },
      })
    } catch (error) {
      if (error instanceof GatewayRejectedError && error.details.code === "REAUTHORIZATION_NOT_SUPPORTED") {
        this.logger_.warn(`PayPal: authorization ${authorization.id} cannot be reauthorized; capturing it past its honor period`)
        return undefined
      }
      throw error
    }
  }

  /**
   * The amount of the capture Medusa is recording: `CapturePaymentInput` carries no amount,
   * but its idempotency key is the capture's id and the capture is already saved, so the
   * Payment Module's capture service tells it. Without it, the rest of the authorization.
   */
  protected async requestedCaptureAmount(captureId: string | undefined, data: PaypalSessionData): Promise<BigNumberJS | undefined> {
    const requested = await requestedCaptureAmount(this.container, captureId)
    if (!requested) return undefined
    // All of what remains when it rounds to that, as the order's amount was rounded;
    // otherwise exact (a partial capture PayPal cannot take is refused, not rounded).
    const whole = data.authorization
      ? new BigNumberJS(data.authorization.amount).minus(capturedTotal(data.captures, data.currency_code))
      : new BigNumberJS(data.amount)
    const amount = toPaypalCaptureAmount(requested, data.currency_code, whole)
    return amount.gt(0) ? amount : undefined
  }

  protected statusOf(data: PaypalSessionData) {
    return mapPaymentStatus(data)
  }

  /** The session data this provider wrote, or a clear error when it is not there. */
  protected sessionData(data: Record<string, unknown> | undefined): PaypalSessionData {
    if (!data || typeof data.id !== "string" || !/^[A-Z0-9]{1,36}$/.test(data.id)) {
      throw new PaymentInputError("PayPal: the payment session holds no PayPal order id")
    }
    const d = data as Partial<PaypalSessionData>
    return withTotals({
      ...d,
      id: data.id,
      status: d.status ?? "CREATED",
      intent: d.intent === "CAPTURE" ? "CAPTURE" : "AUTHORIZE",
      amount: String(d.amount ?? "0"),
      currency_code: String(d.currency_code ?? ""),
      approve_url: d.approve_url ?? null,
      session_id: d.session_id ?? null,
      authorization: d.authorization ?? null,
      captures: Array.isArray(d.captures) ? d.captures : [],
      refunds: Array.isArray(d.refunds) ? d.refunds : [],
      amount_captured: "0",
      amount_refunded: "0",
      decline: d.decline ?? null,
      canceled: d.canceled === true,
      declined_attempts: Number(d.declined_attempts ?? 0),
      update_seq: Number(d.update_seq ?? 0),
      vault: d.vault ?? null,
    } as PaypalSessionData)
  }

  /** An order whose custom_id names another session, or another amount, is not this session's payment. */
  protected assertSameSession(order: PaypalOrder, data: PaypalSessionData): void {
    const unit = order.purchase_units?.[0]
    if (data.session_id && unit?.custom_id && unit.custom_id !== data.session_id) {
      throw new PaymentInputError(`PayPal: order ${order.id} belongs to another payment session`)
    }
    const amount = unit?.amount
    if (amount && (amount.value !== data.amount || amount.currency_code !== data.currency_code)) {
      throw new PaymentInputError(
        `PayPal: order ${order.id} is for ${amount.value} ${amount.currency_code}, not the session's ${data.amount} ${data.currency_code}`
      )
    }
  }
}

function assertPositive(money: { value: string; currency_code: string }): void {
  if (!new BigNumberJS(money.value).gt(0)) {
    throw new PaymentInputError(`PayPal: an amount must be greater than zero, not ${money.value} ${money.currency_code}`)
  }
}

function stringField(source: Record<string, unknown> | undefined | null, key: string): string | undefined {
  const value = source?.[key]
  return typeof value === "string" && value.length > 0 ? value : undefined
}

export default PaypalProviderService
