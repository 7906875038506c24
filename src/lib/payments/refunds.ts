/**
 * The refund guard every provider applies before it refunds (or records a refund): never
 * nothing, never from a payment that holds no money, never more than what remains. One
 * wording for all of them, so the admin reads the same sentence whichever method was used.
 */
import type BigNumberJS from "bignumber.js"
import type { BigNumberInput } from "@medusajs/framework/types"
import { PaymentInputError } from "./errors"
import { toBigNumber } from "./money"

/** How the money a refund comes out of is named: card payments are captured, ECPay orders paid, cash received. */
export type SettledWord = "captured" | "paid" | "received"

export interface RefundRequest {
  /** How the message starts: the gateway or the method ("Stripe", "Cash on delivery"). */
  gateway: string
  /** What is refunded, for the message ("payment pi_123", "order 2M0...K"); none when the session is the only one in view. */
  reference?: string
  /** The refund asked for, in the provider's own units (already rounded as the gateway takes it). */
  requested: BigNumberInput | BigNumberJS
  /** What the refund can come out of, in the same units. */
  captured: BigNumberInput | BigNumberJS
  /** What was refunded already, in the same units. */
  refunded: BigNumberInput | BigNumberJS
  /** The provider's units for people: "40.00 EUR". */
  format: (amount: BigNumberJS) => string
  /** @default "captured" */
  settled?: SettledWord
}

/**
 * Throws a `PaymentInputError` when the refund cannot be made: a zero or negative amount,
 * nothing captured yet, or more than what remains (captured minus refunded). The messages:
 * - "Stripe: a refund amount must be greater than zero"
 * - "Stripe: payment pi_1 has nothing captured to refund" ("ECPay: order X has no payment to refund";
 *   without a reference: "Cash on delivery: nothing was received yet, so there is nothing to refund")
 * - "Stripe: cannot refund 60.01 USD of payment pi_1: only 60.00 USD of the 100.00 USD captured remains"
 * Returns what remains refundable after this refund.
 */
export function assertRefundable(input: RefundRequest): BigNumberJS {
  const settled = input.settled ?? "captured"
  const requested = toBigNumber(input.requested)
  const captured = toBigNumber(input.captured)
  const refunded = toBigNumber(input.refunded)
  const prefix = `${input.gateway}: `
  if (!requested.isGreaterThan(0)) {
    throw new PaymentInputError(`${prefix}a refund amount must be greater than zero`)
  }
  if (!captured.isGreaterThan(0)) {
    throw new PaymentInputError(prefix + nothingToRefund(settled, input.reference))
  }
  const remaining = captured.minus(refunded)
  if (requested.isGreaterThan(remaining)) {
    // Never "only -5.00 EUR remains": refunds recorded beyond the captures (a hand-edited
    // session) leave nothing.
    const left = remaining.isNegative() ? toBigNumber(0) : remaining
    throw new PaymentInputError(
      `${prefix}cannot refund ${input.format(requested)}${input.reference ? ` of ${input.reference}` : ""}: ` +
        `only ${input.format(left)} of the ${input.format(captured)} ${settled} remains`
    )
  }
  return remaining.minus(requested)
}

function nothingToRefund(settled: SettledWord, reference: string | undefined): string {
  if (!reference) return `nothing was ${settled} yet, so there is nothing to refund`
  return settled === "paid" ? `${reference} has no payment to refund` : `${reference} has nothing ${settled} to refund`
}
