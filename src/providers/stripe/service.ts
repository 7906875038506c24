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
import { AbstractPaymentProvider, PaymentActions } from "@medusajs/framework/utils"
import { GatewayRejectedError, PaymentInputError } from "../../lib/payments/errors"
import { takeNotedExternalRefund } from "../../lib/payments/external-refunds"
import type {
  GatewayEventSource,
  GatewayEventVerdict,
  GatewayPaymentInspector,
  GatewayPaymentSnapshot,
  GatewayWebhookPayload,
  PaymentDescription,
} from "../../lib/payments/outcomes/types"
import { redactText } from "../../lib/payments/redact"
import { ProviderEligibility, assertProviderEligible } from "../../lib/payments/eligibility"
import { deriveKey } from "../../lib/payments/signatures"
import { requestedCaptureAmount } from "../../lib/payments/captures"
import { assertRefundable } from "../../lib/payments/refunds"
import { headerValue, rawBodyOf } from "../../lib/payments/webhooks"
import { StripeClient, declinedIntent, unexpectedStateIntent } from "./client"
import {
  IntentStatusInput,
  StripeEvent,
  StripeIntentStatus,
  StripePaymentIntent,
  StripeSessionData,
  buildIntentCreate,
  confirmParams,
  confirmsOnServer,
  formatStripeAmount,
  mapIntentStatus,
  stripeEligibility,
  stripeMajorString,
  toSessionData,
  toStripeAmount,
  toStripeCaptureAmount,
  toStripeCurrency,
  toStripeRefundAmount,
} from "./mapping"
import {
  MEDUSA_REFUND_ID,
  describeStripePayment,
  mapWebhookEvent,
  readStripeEvent,
  stripeMode,
  toStripeSnapshot,
} from "./outcomes"
import { StripeOptions, parseStripeOptions } from "./options"
import { StripeRefunds } from "./refunds"
import { StripeVault } from "./vault"
import { verifyStripeEvent } from "./webhook"

type Cradle = Record<string, unknown> & { logger?: Logger }

/** Intent states in which Stripe accepts an amount change. */
const UPDATABLE = new Set<StripeIntentStatus>([
  "requires_payment_method",
  "requires_confirmation",
  "requires_action",
])

/**
 * Stripe PaymentIntents for Medusa: card and wallet payments confirmed on the storefront
 * with the client secret, authorized then captured (or captured at once), refunded in
 * parts, with verified webhooks and saved cards.
 */
class StripeProviderService
  extends AbstractPaymentProvider<StripeOptions>
  implements GatewayEventSource, Required<GatewayPaymentInspector>
{
  static override identifier = "stripe"
  /** How eligibility refusals name this method, here and in the store routes. */
  static eligibilityLabel = "Card payment"

  /** Runs at boot: a bad option stops the app with a message naming it. */
  static override validateOptions(options: Record<string, unknown>): void {
    parseStripeOptions(options)
  }

  /** The merchant's rules and Stripe's own limits, for the store routes (as `initiatePayment` judges). */
  static eligibilityOf(options: Record<string, unknown> | undefined): ProviderEligibility {
    return stripeEligibility(parseStripeOptions(options), StripeProviderService.eligibilityLabel)
  }

  protected readonly options_: StripeOptions
  protected readonly eligibility_: ProviderEligibility
  protected readonly client_: StripeClient
  protected readonly logger_: Logger | Console
  protected readonly vault_: StripeVault
  protected readonly refunds_: StripeRefunds

  constructor(cradle: Cradle, options: Record<string, unknown>) {
    const parsed = parseStripeOptions(options)
    super(cradle, parsed)
    this.options_ = parsed
    this.eligibility_ = stripeEligibility(parsed, StripeProviderService.eligibilityLabel)
    this.logger_ = cradle.logger ?? console
    this.client_ = new StripeClient(parsed, this.logger_)
    this.vault_ = new StripeVault(this.client_, parsed)
    this.refunds_ = new StripeRefunds(this.client_, cradle, this.logger_)
  }

  // ---- Medusa lifecycle, in the interface's order -------------------------------------

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const sessionId = stringField(input.data, "session_id")
    if (!sessionId) {
      throw new PaymentInputError("Stripe: the payment session id is missing from the session data")
    }
    // The currency and amount rules; the country is judged where the cart is visible.
    assertProviderEligible(this.eligibility_, input)
    const params = buildIntentCreate(
      {
        amount: input.amount,
        currency_code: input.currency_code,
        session_id: sessionId,
        customer: stringField(input.context?.account_holder?.data, "id"),
        data: input.data,
      },
      this.options_
    )
    const intent = await this.client_.call("create the payment", (stripe) =>
      stripe.paymentIntents.create(params, {
        idempotencyKey: input.context?.idempotency_key ?? deriveKey("stripe:initiate", sessionId),
      })
    )
    return {
      id: intent.id,
      status: this.statusOf(intent),
      data: toSessionData(intent, { session_id: sessionId }),
    }
  }

  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const data = this.sessionData(input.data)
    const amount = toStripeAmount(input.amount, input.currency_code)
    const currency = toStripeCurrency(input.currency_code)
    if (amount === data.amount && currency === data.currency) {
      return { status: this.statusOf(data), data }
    }
    assertProviderEligible(this.eligibility_, input)
    if (!UPDATABLE.has(data.status)) {
      throw new PaymentInputError(
        `Stripe: the amount of payment ${data.id} cannot change once it is ${data.status}; ` +
          `start a new payment session instead`
      )
    }
    const seq = (data.update_seq ?? 0) + 1
    // Derived from the session, the intent and the n-th update (and Medusa's key, should it
    // pass one, which would be the same for every update), so a retried step replays
    // instead of applying twice, while a later update to a previous amount is a new request.
    const key =
      deriveKey("stripe:update", input.context?.idempotency_key ?? "", data.session_id, data.id, seq, amount, currency)
    const intent = await this.client_.call("change the payment amount", (stripe) =>
      stripe.paymentIntents.update(data.id, { amount, currency }, { idempotencyKey: key })
    )
    return { status: this.statusOf(intent), data: toSessionData(intent, { ...data, update_seq: seq }) }
  }

  /**
   * Medusa deletes a session when the cart changes and creates another, so the abandoned
   * intent is canceled here: no intent is left open to be confirmed later.
   */
  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    const data = input.data as Partial<StripeSessionData> | undefined
    if (!data?.id) {
      return { data: input.data }
    }
    const intent = await this.cancelIntent(data.id, deriveKey("stripe:delete", data.id), "cancel the abandoned payment")
    if (intent.status === "succeeded") {
      this.logger_.error(
        `Stripe: payment ${intent.id} was already captured when its session was deleted; ` +
          `refund it from the Stripe dashboard if no order uses it`
      )
    }
    return { data: toSessionData(intent, data) }
  }

  /**
   * Reads the intent as Stripe.js left it. An intent the storefront gave a payment method (a
   * saved card) and did not confirm is confirmed here, when the shopper completes the cart
   * (`confirmsOnServer`): a decline is the session's error status, a card that needs 3D
   * Secure is `requires_more`, for Stripe.js's `handleNextAction` with the client secret.
   */
  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    const data = this.sessionData(input.data)
    let intent = await this.retrieveIntent(data.id)
    this.assertSameSession(intent, data)
    if (confirmsOnServer(intent)) {
      intent = await this.confirmIntent(intent, input.context?.idempotency_key)
    }
    return { status: this.statusOf(intent), data: toSessionData(intent, data) }
  }

  /**
   * Captures what Medusa is recording: `amount_to_capture` for a partial capture, the whole
   * intent otherwise. Stripe captures an intent once and releases the rest, and a capture
   * made in Stripe's dashboard is only recorded in Medusa when it covers what is asked, so
   * Medusa never books money Stripe did not take.
   */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    const data = this.sessionData(input.data)
    const currency = data.currency
    const show = (minor: number) => formatStripeAmount(minor, currency)
    const unrecorded = data.amount_received - recordedCapture(data)
    const capturable = data.amount_capturable || data.amount
    const requested = await this.requestedCaptureAmount(
      input.context?.idempotency_key,
      currency,
      data.status === "succeeded" ? unrecorded : capturable
    )
    if (data.status === "succeeded") {
      // Captured at Stripe already: what Stripe received and Medusa has not recorded yet
      // may be recorded (a dashboard capture recorded in parts); nothing beyond it can be.
      const asked = requested ?? unrecorded
      if (asked > 0 && asked <= unrecorded) {
        return { data: { ...data, amount_captured_recorded: recordedCapture(data) + asked } }
      }
      throw new PaymentInputError(
        `Stripe: payment ${data.id} was already captured (${show(data.amount_received)}); ` +
          `Stripe captures a payment once and released the rest`
      )
    }
    if (requested !== undefined && requested > capturable) {
      throw new PaymentInputError(
        `Stripe: cannot capture ${show(requested)} of payment ${data.id}: ${show(capturable)} is authorized`
      )
    }
    const asked = requested ?? capturable
    const key = input.context?.idempotency_key ?? deriveKey("stripe:capture", data.id)
    let intent: StripePaymentIntent
    try {
      intent = await this.client_.call("capture the payment", (stripe) =>
        stripe.paymentIntents.capture(
          data.id,
          requested !== undefined && requested < capturable ? { amount_to_capture: requested } : {},
          { idempotencyKey: key }
        ),
        { movesMoney: true }
      )
    } catch (error) {
      // Captured already (in the dashboard, by a retried step): recorded only when what
      // Stripe received covers what Medusa is recording.
      const current = unexpectedStateIntent(error)
      if (current?.status !== "succeeded") {
        throw error
      }
      const received = current.amount_received ?? 0
      if (received < asked) {
        throw new PaymentInputError(
          `Stripe: Stripe already captured ${show(received)} of payment ${data.id}, not the ${show(asked)} being captured; ` +
            `Stripe captures a payment once, so record at most ${show(received)}`
        )
      }
      if (received > asked) {
        this.logger_.info(
          `Stripe: payment ${data.id} was captured at Stripe for ${show(received)}; ${show(asked)} is recorded now, the rest can be recorded with another capture`
        )
      }
      intent = current
    }
    return { data: toSessionData(intent, { ...data, amount_captured_recorded: recordedCapture(data) + asked }) }
  }

  /**
   * Refunds at Stripe, never more than was captured. A refund already made at Stripe (in its
   * dashboard) that the plugin noted in the data to record in Medusa is recorded without
   * calling Stripe. Every refund made here carries the Medusa refund id in its metadata, so
   * its webhook is known as this store's own (`made_by_store`).
   *
   * Before refunding, the intent's refunds at Stripe are read (`refunds.ts`, `lookBeforeRefunding`): Medusa
   * deletes its refund when the call throws, so after an answer that was lost the admin's next
   * refund has a new id, hence a new Idempotency-Key, and Stripe would refund a second time.
   */
  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = this.sessionData(input.data)
    // Toward zero: a refund never returns more than was asked.
    const amount = toStripeRefundAmount(input.amount, data.currency)
    const refunded = data.amount_refunded ?? 0
    const external = await takeNotedExternalRefund(this.container, data, input.amount, input.context?.idempotency_key)
    if (external) {
      // Made at Stripe already: recorded as it is, even past what this data says was
      // captured, since the money has moved.
      const known = (data.refunds ?? []).some((r) => r.id === external.refund.refund_id)
      return {
        data: {
          ...external.data,
          amount_refunded: known ? refunded : refunded + amount,
          refunds: known ? data.refunds : [...(data.refunds ?? []), { id: external.refund.refund_id, amount, status: null }],
        },
      }
    }
    assertRefundable({
      gateway: "Stripe",
      reference: `payment ${data.id}`,
      requested: amount,
      captured: data.amount_received ?? 0,
      refunded,
      format: (minor) => formatStripeAmount(minor.toNumber(), data.currency),
    })
    const medusaRefundId = input.context?.idempotency_key
    const earlier = await this.refunds_.lookBeforeRefunding(data, amount, medusaRefundId)
    if (earlier) {
      // Stripe made this very refund (its mark is this Medusa refund's id) and the answer never
      // reached the data: recorded as Stripe holds it, without asking Stripe again (a key
      // older than 24 hours would no longer be replayed, https://docs.stripe.com/api/idempotent_requests).
      return {
        data: {
          ...data,
          amount_refunded: refunded + earlier.amount,
          refunds: [...(data.refunds ?? []), { id: earlier.id, amount: earlier.amount, status: earlier.status ?? null }],
        },
      }
    }
    const metadata: Record<string, string> = {
      ...(data.session_id ? { session_id: data.session_id } : {}),
      ...(medusaRefundId ? { [MEDUSA_REFUND_ID]: medusaRefundId } : {}),
    }
    const refund = await this.client_.call("refund the payment", (stripe) =>
      stripe.refunds.create(
        { payment_intent: data.id, amount, metadata: Object.keys(metadata).length ? metadata : undefined },
        { idempotencyKey: medusaRefundId ?? deriveKey("stripe:refund", data.id, refunded, amount) }
      ),
      { movesMoney: true }
    )
    if (refund.status === "failed" || refund.status === "canceled") {
      throw new GatewayRejectedError(
        { gateway: "Stripe", operation: "refund the payment", code: refund.failure_reason ?? undefined },
        `refund ${refund.id} ${refund.status}`
      )
    }
    return {
      data: {
        ...data,
        amount_refunded: refunded + amount,
        refunds: [...(data.refunds ?? []), { id: refund.id, amount: refund.amount, status: refund.status ?? null }],
      },
    }
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const data = this.sessionData(input.data)
    const intent = await this.retrieveIntent(data.id)
    return { data: toSessionData(intent, data) }
  }

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const data = input.data as Partial<StripeSessionData> | undefined
    if (!data?.id) {
      return { data: input.data }
    }
    const intent = await this.cancelIntent(
      data.id,
      input.context?.idempotency_key ?? deriveKey("stripe:cancel", data.id),
      "cancel the payment"
    )
    if (intent.status === "succeeded") {
      throw new PaymentInputError(
        `Stripe: payment ${intent.id} is already captured and cannot be canceled; refund it instead`
      )
    }
    return { data: toSessionData(intent, data) }
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const data = this.sessionData(input.data)
    const intent = await this.retrieveIntent(data.id)
    return { status: this.statusOf(intent), data: toSessionData(intent, data) }
  }

  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const verified = this.verifiedEvent(payload)
    if (!verified.ok) {
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    return mapWebhookEvent(verified.event, this.options_.asyncPaymentMethodTypes)
  }

  /**
   * The whole outcome of a delivery, verified as `getWebhookActionAndData` verifies it (the
   * same method): refunds and disputes too, which name a PaymentIntent only, so the intent
   * is looked up for its Medusa session. Stripe being unreachable for that lookup is no
   * verdict: the error is thrown and the delivery is processed again later.
   */
  async readGatewayEvent(payload: GatewayWebhookPayload): Promise<GatewayEventVerdict> {
    const verified = this.verifiedEvent(payload)
    if (!verified.ok) {
      return { verified: false, reason: verified.reason }
    }
    const reading = readStripeEvent(verified.event)
    if ("paymentIntent" in reading) {
      return { verified: true, outcome: reading.outcome(await this.sessionOfIntent(reading.paymentIntent)) }
    }
    return { verified: true, outcome: reading.outcome }
  }

  // ---- Account holders and saved payment methods (vault.ts) -----------------------------

  createAccountHolder(input: CreateAccountHolderInput): Promise<CreateAccountHolderOutput> {
    return this.vault_.createAccountHolder(input)
  }

  updateAccountHolder(input: UpdateAccountHolderInput): Promise<UpdateAccountHolderOutput> {
    return this.vault_.updateAccountHolder(input)
  }

  deleteAccountHolder(input: DeleteAccountHolderInput): Promise<DeleteAccountHolderOutput> {
    return this.vault_.deleteAccountHolder(input)
  }

  retrieveAccountHolder(input: RetrieveAccountHolderInput): Promise<RetrieveAccountHolderOutput> {
    return this.vault_.retrieveAccountHolder(input)
  }

  listPaymentMethods(input: ListPaymentMethodsInput): Promise<ListPaymentMethodsOutput> {
    return this.vault_.listPaymentMethods(input)
  }

  /** Saving a card goes through a SetupIntent the storefront confirms with its client secret. */
  savePaymentMethod(input: SavePaymentMethodInput): Promise<SavePaymentMethodOutput> {
    return this.vault_.savePaymentMethod(input)
  }

  /** Detaches a card, only the account holder's own. */
  deletePaymentMethod(input: DeletePaymentMethodInput): Promise<DeletePaymentMethodOutput> {
    return this.vault_.deletePaymentMethod(input)
  }

  // ---- The admin's view and the reconciliation ------------------------------------------

  /**
   * What Stripe charges for a Medusa amount, as `initiatePayment` sends it: 5.125 KWD is 5.130
   * (Stripe takes three-decimal currencies in steps of ten); 1000 UGX stays 1000. The plugin's
   * event processing knows an event for that amount is about the session's payment.
   */
  chargedAmount(amount: string, currency: string): string {
    return stripeMajorString(toStripeAmount(amount, currency), currency)
  }

  /**
   * How the admin names the payment (the method's name, as eligibility reasons name it, with
   * Stripe's), its PaymentIntent and the dashboard's page of it, in the mode of the API key.
   * Pure: the session data and the options only.
   */
  describePayment(data: Record<string, unknown>): PaymentDescription {
    return describeStripePayment(data, {
      label: `${StripeProviderService.eligibilityLabel} (Stripe)`,
      mode: stripeMode(this.options_.apiKey),
    })
  }

  /**
   * One read-only look at Stripe: the PaymentIntent with its latest charge (what was
   * refunded, until when the authorization can be captured), then that charge's refunds when
   * it was captured. Stripe being unreachable is thrown as it is, never a status.
   */
  async inspectPayment(data: Record<string, unknown>): Promise<GatewayPaymentSnapshot> {
    const session = this.sessionData(data)
    const intent = await this.client_.call("look up the payment", (stripe) =>
      stripe.paymentIntents.retrieve(session.id, { expand: ["latest_charge"] })
    )
    const charge = typeof intent.latest_charge === "object" ? intent.latest_charge : null
    const refunds = charge?.captured ? await this.refunds_.list(intent.id, "list the payment's refunds") : []
    return toStripeSnapshot(intent, refunds, this.options_.asyncPaymentMethodTypes)
  }

  // ---- Helpers ---------------------------------------------------------------------------

  /**
   * The one verification of a webhook delivery, for `getWebhookActionAndData` and
   * `readGatewayEvent` alike: the `Stripe-Signature` over the raw body, with the signing
   * secret, within the tolerance. Forged, tampered, stale or unsigned: never acted on,
   * never a crash, logged once.
   */
  protected verifiedEvent(payload: GatewayWebhookPayload | ProviderWebhookPayload["payload"]): { ok: true; event: StripeEvent } | { ok: false; reason: string } {
    const secret = this.options_.webhookSecret
    if (!secret) {
      this.logger_.warn("Stripe: a webhook arrived but `webhookSecret` is not configured; it was ignored")
      return { ok: false, reason: "`webhookSecret` is not configured, so no webhook can be verified" }
    }
    try {
      const event = verifyStripeEvent(
        rawBodyOf(payload.rawData) ?? "",
        headerValue(payload.headers as Record<string, unknown>, "stripe-signature"),
        secret,
        this.options_.webhookToleranceSeconds
      )
      return { ok: true, event }
    } catch (error) {
      const reason = `its signature did not verify: ${redactText(messageOf(error))}`
      this.logger_.warn(`Stripe: rejected a webhook whose signature did not verify: ${redactText(messageOf(error))}`)
      return { ok: false, reason }
    }
  }

  /**
   * The Medusa session of a PaymentIntent (its `metadata.session_id`), for an event that
   * names the intent only; undefined when the intent is another integration's or Stripe no
   * longer has it.
   */
  protected async sessionOfIntent(id: string): Promise<string | undefined> {
    try {
      const intent = await this.retrieveIntent(id)
      return intent.metadata?.session_id || undefined
    } catch (error) {
      if (error instanceof GatewayRejectedError && error.details.code === "resource_missing") {
        return undefined
      }
      throw error
    }
  }

  /** Every refund of the PaymentIntent at Stripe (https://docs.stripe.com/api/refunds/list), read-only. */
  protected async retrieveIntent(id: string): Promise<StripePaymentIntent> {
    return this.client_.call("look up the payment", (stripe) => stripe.paymentIntents.retrieve(id))
  }

  /** Confirms an intent with the payment method it holds; a declined card is the intent as Stripe left it. */
  protected async confirmIntent(intent: StripePaymentIntent, medusaKey: string | undefined): Promise<StripePaymentIntent> {
    const id = intent.id
    try {
      return await this.client_.call(
        "confirm the payment with the chosen payment method",
        (stripe) =>
          // Not Medusa's key (the session id) alone: Stripe's keys are per account, and the
          // session id already created this intent.
          stripe.paymentIntents.confirm(id, confirmParams(intent), { idempotencyKey: deriveKey("stripe:confirm", medusaKey ?? "", id) }),
        { movesMoney: true }
      )
    } catch (error) {
      const declined = declinedIntent(error)
      if (declined) {
        return declined
      }
      throw error
    }
  }

  protected async cancelIntent(id: string, idempotencyKey: string, operation: string): Promise<StripePaymentIntent> {
    try {
      return await this.client_.call(operation, (stripe) => stripe.paymentIntents.cancel(id, {}, { idempotencyKey }))
    } catch (error) {
      // Canceled or captured already: report the intent as it is rather than fail.
      const current = unexpectedStateIntent(error)
      if (current && (current.status === "canceled" || current.status === "succeeded")) {
        return current
      }
      throw error
    }
  }

  /**
   * The amount of the capture Medusa is recording, in Stripe's units, or `undefined` when
   * it cannot be known (a direct call). `whole` when it is all of what can be captured
   * (rounded as the intent's amount was); otherwise exact: an amount Stripe cannot take
   * (5.125 KWD, in steps of 0.010) is refused, so Stripe never captures more or less than
   * Medusa records.
   */
  protected async requestedCaptureAmount(captureId: string | undefined, currency: string, whole: number): Promise<number | undefined> {
    const requested = await requestedCaptureAmount(this.container, captureId)
    if (!requested) return undefined
    const amount = toStripeCaptureAmount(requested.toFixed(), currency, whole)
    return amount > 0 ? amount : undefined
  }

  protected statusOf(intent: IntentStatusInput) {
    return mapIntentStatus(intent, this.options_.asyncPaymentMethodTypes)
  }

  /** The session data this provider wrote, or a clear error when it is not there. */
  protected sessionData(data: Record<string, unknown> | undefined): StripeSessionData {
    if (!data || typeof data.id !== "string" || !data.id.startsWith("pi_")) {
      throw new PaymentInputError("Stripe: the payment session holds no PaymentIntent id")
    }
    return {
      ...(data as Partial<StripeSessionData>),
      id: data.id,
      status: (data.status as StripeIntentStatus) ?? "requires_payment_method",
      amount: Number(data.amount ?? 0),
      amount_capturable: Number(data.amount_capturable ?? 0),
      amount_received: Number(data.amount_received ?? 0),
      amount_refunded: Number(data.amount_refunded ?? 0),
      currency: String(data.currency ?? ""),
      refunds: Array.isArray(data.refunds) ? (data.refunds as StripeSessionData["refunds"]) : [],
      update_seq: Number(data.update_seq ?? 0),
    } as StripeSessionData
  }

  /** An intent whose metadata names another session is not this session's payment. */
  protected assertSameSession(intent: StripePaymentIntent, data: StripeSessionData): void {
    const expected = data.session_id
    const actual = intent.metadata?.session_id
    if (expected && actual && expected !== actual) {
      throw new PaymentInputError(`Stripe: payment ${intent.id} belongs to another payment session`)
    }
    if (expected && intent.amount !== data.amount && data.amount > 0 && intent.status === "requires_capture") {
      throw new PaymentInputError(
        `Stripe: payment ${intent.id} was authorized for ${formatStripeAmount(intent.amount, intent.currency)}, ` +
          `not the session's ${formatStripeAmount(data.amount, data.currency)}`
      )
    }
  }
}

/** What Medusa recorded as captured; a session from before this was tracked counts all Stripe received. */
function recordedCapture(data: StripeSessionData): number {
  return data.amount_captured_recorded ?? data.amount_received
}

function stringField(source: Record<string, unknown> | undefined | null, key: string): string | undefined {
  const value = source?.[key]
  return typeof value === "string" && value.length > 0 ? value : undefined
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export default StripeProviderService
