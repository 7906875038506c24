/**
 * The capture and refund ledger of a PayPal session: what was captured, what was
 * refunded, what a refund may still take and from which capture. Pure; the session data
 * (src/providers/paypal/types.ts) is the ledger.
 */
import BigNumberJS from "bignumber.js"
import { PaymentInputError } from "../../lib/payments/errors"
import { paypalSum } from "./money"
import type { PaypalCaptureData, PaypalRefundData, PaypalSessionData } from "./types"

/** A capture that holds money (or will): not declined, not failed. */
function holdsMoney(capture: Pick<PaypalCaptureData, "status">): boolean {
  return capture.status !== "DECLINED" && capture.status !== "FAILED"
}

/** A refund that returned money (or will): not failed, not cancelled. */
function returnsMoney(refund: Pick<PaypalRefundData, "status">): boolean {
  return refund.status !== "FAILED" && refund.status !== "CANCELLED"
}

/** Captures that hold money (or will): what a later capture or a refund counts on. */
export function capturedTotal(captures: PaypalCaptureData[], currency: string): BigNumberJS {
  return new BigNumberJS(paypalSum(captures.filter(holdsMoney).map((c) => c.amount), currency))
}

/** Refunds that did not fail. */
export function refundedTotal(refunds: PaypalRefundData[], currency: string): BigNumberJS {
  return new BigNumberJS(paypalSum(refunds.filter(returnsMoney).map((r) => r.amount), currency))
}

/** What the settled captures hold (a pending capture cannot be refunded yet). */
export function refundableTotal(data: Pick<PaypalSessionData, "captures" | "currency_code">): BigNumberJS {
  return capturedTotal(
    data.captures.filter((c) => c.status !== "PENDING"),
    data.currency_code
  )
}

/** What a refund may take from each settled capture, oldest first. */
export function refundableByCapture(data: PaypalSessionData): Array<{ capture_id: string; refundable: BigNumberJS }> {
  return data.captures
    .filter((c) => c.status === "COMPLETED" || c.status === "PARTIALLY_REFUNDED" || c.status === "REFUNDED")
    .map((capture) => {
      const refunded = data.refunds
        .filter((r) => r.capture_id === capture.id && returnsMoney(r))
        .reduce((acc, r) => acc.plus(r.amount), new BigNumberJS(0))
      return { capture_id: capture.id, refundable: BigNumberJS.max(new BigNumberJS(capture.amount).minus(refunded), 0) }
    })
}

/** Split a refund over the captures that still hold money, oldest first. */
export function allocateRefund(data: PaypalSessionData, amount: BigNumberJS): Array<{ capture_id: string; amount: BigNumberJS }> {
  const out: Array<{ capture_id: string; amount: BigNumberJS }> = []
  let left = amount
  for (const { capture_id, refundable } of refundableByCapture(data)) {
    if (left.lte(0)) break
    if (refundable.lte(0)) continue
    const take = BigNumberJS.min(left, refundable)
    out.push({ capture_id, amount: take })
    left = left.minus(take)
  }
  if (left.gt(0)) {
    throw new PaymentInputError(`PayPal: the captures of order ${data.id} cannot cover a refund of ${amount.toFixed()} ${data.currency_code}`)
  }
  return out
}
