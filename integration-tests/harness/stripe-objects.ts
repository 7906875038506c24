/**
 * Stripe objects for webhook events in HTTP tests, in the shape Stripe documents (stripe-mock's
 * `fixtures3.json` refund and dispute resources, API 2026-10), with the fields a test sets.
 */
import type Stripe from "stripe"

/** A refund made at Stripe (the dashboard's carries no Medusa mark; the store's carries `medusa_refund_id`). */
export function stripeRefund(over: Partial<Stripe.Refund> & { id: string; amount: number; payment_intent: string }): Stripe.Refund {
  return {
    object: "refund",
    balance_transaction: null,
    charge: "ch_3QfxHttpOutcomeCh1",
    created: 1764590400,
    currency: "usd",
    destination_details: { card: { type: "refund" }, type: "card" },
    metadata: {},
    reason: "requested_by_customer",
    receipt_number: null,
    source_transfer_reversal: null,
    status: "succeeded",
    transfer_reversal: null,
    ...over,
  } as unknown as Stripe.Refund
}

/** A dispute (chargeback) on a charge of the PaymentIntent. */
export function stripeDispute(over: Partial<Stripe.Dispute> & { id: string; amount: number; payment_intent: string }): Stripe.Dispute {
  return {
    object: "dispute",
    balance_transactions: [],
    charge: "ch_3QfxHttpOutcomeCh1",
    created: 1764590400,
    currency: "usd",
    evidence_details: { due_by: 1765411199, has_evidence: false, past_due: false, submission_count: 0 },
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_method_details: { card: { brand: "visa", case_type: "chargeback", network_reason_code: "10.4" }, type: "card" },
    reason: "fraudulent",
    status: "needs_response",
    ...over,
  } as unknown as Stripe.Dispute
}
