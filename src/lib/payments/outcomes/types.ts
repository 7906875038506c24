/**
 * What a gateway's event means for Medusa, in full: Medusa's own webhook contract
 * (`WebhookActionResult`) carries an action, a session id and an amount only, and its
 * subscriber acts on `authorized` and `captured` alone. A provider of the collection also
 * says, for the same verified event, what the other outcomes are (a decline, a payment
 * canceled at the gateway, a refund made in the gateway's dashboard, a dispute), so the
 * plugin can act on them (`processOutcome`).
 *
 * Amounts are exact decimal strings in major units ("19.99"), never floats.
 */

/** Which gateway event this was: for the timeline and to recognise a redelivery. */
export interface GatewayEventRef {
  /** The gateway's id of the event (Stripe `evt_…`, PayPal's event id); unique per gateway account. */
  event_id: string
  /** The gateway's type ("payment_intent.canceled", "PAYMENT.CAPTURE.REFUNDED"). */
  event_type: string
  /** When the gateway says it happened (ISO 8601), when it says. */
  occurred_at?: string
}

export type GatewayOutcome =
  /** Money reserved or taken: Medusa's payment processing authorizes the session and places the order. */
  | (GatewayEventRef & {
      kind: "authorized" | "captured"
      session_id: string
      amount: string
      currency_code: string
      /**
       * For `captured`: all the gateway has captured on the payment so far, when the event
       * says (Stripe's `amount_received`). More than Medusa recorded means a capture made at
       * the gateway (its dashboard), which is recorded in Medusa for the difference.
       */
      captured_total?: string
    })
  /** The gateway is still working on it (processing, under review): nothing to do but wait. */
  | (GatewayEventRef & { kind: "pending"; session_id: string })
  /** The shopper has a step left at the gateway (3-D Secure, a new funding source). */
  | (GatewayEventRef & { kind: "requires_more"; session_id: string })
  /** Declined or failed: the session errors, and the shopper may pay again. */
  | (GatewayEventRef & { kind: "failed"; session_id: string; reason?: string })
  /** Canceled, voided or expired at the gateway: a Medusa payment of it is canceled. */
  | (GatewayEventRef & { kind: "canceled"; session_id: string; reason?: string })
  /**
   * A refund at the gateway. `made_by_store` when the gateway's refund carries the mark this
   * store's own refunds carry (Medusa already records those); otherwise it was made outside
   * Medusa (the gateway's dashboard) and is recorded as a Medusa refund, never sent back.
   */
  | (GatewayEventRef & {
      kind: "refunded"
      session_id: string
      refund_id: string
      amount: string
      currency_code: string
      made_by_store: boolean
      /**
       * The Medusa refund id the store's mark names, when the gateway keeps it. A store's refund
       * whose Medusa refund is gone (the call's answer was lost, so Medusa deleted its refund)
       * has moved money Medusa does not show: it is recorded like one made outside Medusa.
       */
      medusa_refund_id?: string
      status?: "succeeded" | "pending" | "failed" | "canceled"
    })
  /** A dispute or chargeback opened, changed or closed. */
  | (GatewayEventRef & {
      kind: "dispute"
      session_id: string
      dispute_id: string
      status: DisputeStatus
      amount: string
      currency_code: string
      reason?: string
      /** When the merchant's evidence is due (ISO 8601). */
      evidence_due_by?: string
    })
  /** Verified, and nothing for this store to do (another integration's object, an event type not acted on). */
  | (GatewayEventRef & { kind: "ignored"; reason: string; session_id?: string })

export type DisputeStatus = "opened" | "updated" | "won" | "lost" | "closed"

/** What a provider answers about a delivery it was handed. */
export type GatewayEventVerdict =
  /** The delivery is genuine (signature, freshness and merchant checked) and means `outcome`. */
  | { verified: true; outcome: GatewayOutcome }
  /** Forged, tampered, stale, unsigned or unreadable: never acted on; the reason is for the log. */
  | { verified: false; reason: string }

/** The webhook payload Medusa's route hands over (`ProviderWebhookPayload["payload"]`). */
export interface GatewayWebhookPayload {
  data: Record<string, unknown>
  rawData: string | Buffer
  headers: Record<string, unknown>
}

/**
 * What a provider of the collection implements beside Medusa's `getWebhookActionAndData`:
 * the same verification (one method of the provider serves both), with the whole outcome,
 * refunds and disputes included, where Medusa's method answers only the two actions Medusa
 * acts on. The plugin's webhook route and subscriber use this one.
 */
export interface GatewayEventSource {
  readGatewayEvent(payload: GatewayWebhookPayload): Promise<GatewayEventVerdict>
}

export function isGatewayEventSource(value: unknown): value is GatewayEventSource {
  return !!value && typeof (value as Partial<GatewayEventSource>).readGatewayEvent === "function"
}

// ---- What a provider says about a payment, for the admin and the reconciliation ------------

/** How the admin names a payment of this provider and finds it at the gateway. Pure: no I/O. */
export interface PaymentDescription {
  /** The provider's own name, as a merchant recognises it ("Card payment (Stripe)", "Bank transfer"). */
  label: string
  /** The gateway ("stripe", "paypal", "ecpay", "offline"). */
  gateway: string
  /** The gateway's reference of the payment, and what the gateway calls it. */
  reference?: { label: string; value: string }
  /** A link into the gateway's dashboard for this payment (test or live, as the keys are). */
  dashboard_url?: string
  /** Test (sandbox) or live, when the provider can tell. */
  mode?: "test" | "live"
}

/** A refund as the gateway lists it for a payment. */
export interface GatewayRefund {
  refund_id: string
  amount: string
  currency_code: string
  /** Carries this store's mark (Medusa made it). */
  made_by_store: boolean
  /** The Medusa refund id of the mark, when the gateway keeps it (see the `refunded` outcome). */
  medusa_refund_id?: string
  status: "succeeded" | "pending" | "failed" | "canceled"
}

/** What the gateway says about a payment now (`inspectPayment`). Amounts are exact decimal strings. */
export interface GatewayPaymentSnapshot {
  /** As a Medusa payment session status: pending, requires_more, authorized, captured, canceled, error. */
  status: string
  /** The gateway's own word ("requires_capture", "COMPLETED", "TradeStatus 1"). */
  gateway_status?: string
  currency_code: string
  /** The amount reserved or charged. */
  amount?: string
  captured_amount?: string
  refunded_amount?: string
  /** Refunds the gateway lists for the payment; `undefined` when it cannot list them. */
  refunds?: GatewayRefund[]
  /** When an uncaptured authorization lapses at the gateway (ISO 8601). */
  authorization_expires_at?: string
  /**
   * When the gateway stops guaranteeing the authorized funds although the authorization is
   * still valid (ISO 8601): PayPal honors them for 3 days of its 29; a capture after that may
   * fail, and the provider reauthorizes first. Informational: the reconciliation warns on
   * `authorization_expires_at`. Absent for gateways without such a period.
   */
  honor_period_ends_at?: string
  /** Why a decline or cancellation happened, when the gateway says (no personal data). */
  reason?: string
}

/**
 * What a provider of the collection implements for the admin and the reconciliation job.
 * `describePayment` is pure; `inspectPayment` asks the gateway (one read, never a write).
 */
export interface GatewayPaymentInspector {
  describePayment(data: Record<string, unknown>): PaymentDescription
  inspectPayment?(data: Record<string, unknown>): Promise<GatewayPaymentSnapshot>
}

export function describesPayments(value: unknown): value is GatewayPaymentInspector {
  return !!value && typeof (value as Partial<GatewayPaymentInspector>).describePayment === "function"
}

export function inspectsPayments(value: unknown): value is Required<GatewayPaymentInspector> {
  return describesPayments(value) && typeof (value as GatewayPaymentInspector).inspectPayment === "function"
}

/**
 * What a provider implements when the gateway charges an amount other than Medusa's exact one:
 * the amount the gateway takes for `amount` (Stripe's three-decimal currencies in steps of
 * 0.010, PayPal's whole HUF, JPY and TWD), as an exact decimal string in major units. An event
 * reporting that amount is about the session's payment, not a different one.
 */
export interface GatewayChargedAmount {
  chargedAmount(amount: string, currency: string): string
}

export function chargesRoundedAmounts(value: unknown): value is GatewayChargedAmount {
  return !!value && typeof (value as Partial<GatewayChargedAmount>).chargedAmount === "function"
}
