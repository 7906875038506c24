/**
 * Braintree's transaction calls, each safe to make again: Braintree takes no idempotency
 * key, so before a sale, a partial settlement or a refund is tried again the first
 * attempt is looked up by the `orderId` it carried (the session id, the capture id, the
 * refund id) and adopted when it exists; nothing that moves money is ever sent twice blind.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/search/node
 */
import BigNumberJS from "bignumber.js"
import { GatewayRejectedError, GatewayUnavailableError, PaymentInputError } from "../../lib/payments/errors"
import { BraintreeClient, isUnreachable, type Validated } from "./client"
import { fromBraintreeAmount, type RefundTarget } from "./mapping"
import type { BraintreeSessionData, BraintreeTransaction } from "./types"

/** Braintree's validation code for a nonce used already: the first attempt consumed it. */
export const NONCE_ALREADY_USED = "91564"

interface PartialSettlementApi {
  submitForPartialSettlement(id: string, amount: string, options: { orderId: string }): Promise<unknown>
}

export class BraintreeTransactions {
  constructor(private readonly client: BraintreeClient) {}

  find(id: string, operation = "look up the transaction"): Promise<BraintreeTransaction> {
    return this.client.call(operation, (gateway) => gateway.transaction.find(id) as Promise<unknown>) as Promise<BraintreeTransaction>
  }

  /** What earlier attempts created with `orderId`, of `type` ("sale" or "credit"). */
  async created(orderId: string, type: "sale" | "credit", operation: string): Promise<BraintreeTransaction[]> {
    const found = await this.client.searchByOrderId(orderId, operation)
    return found.filter((t) => t.type === type)
  }

  /**
   * `transaction.sale`, never twice: a sale with a saved method (which Braintree would
   * charge again) first looks for one with the session's `orderId`; a sale whose answer was
   * lost, or whose nonce Braintree says was used, is looked up and adopted. A sale that is
   * still unknown after one lookup is indeterminate, and said so.
   */
  async sale(request: Record<string, unknown>, orderId: string, byToken: boolean): Promise<Validated<BraintreeTransaction>> {
    if (byToken) {
      const earlier = await this.created(orderId, "sale", "look for an earlier sale of the session")
      if (earlier.length) return adopt(earlier[0])
    }
    try {
      return await this.client.validated<BraintreeTransaction>("create the sale", "transaction", (gateway) => gateway.transaction.sale(request as never), { movesMoney: true })
    } catch (error) {
      const reused = error instanceof GatewayRejectedError && error.details.code === NONCE_ALREADY_USED
      if (!isUnreachable(error) && !reused) throw error
      const earlier = await this.created(orderId, "sale", "look up the sale whose answer was lost")
      if (earlier.length) return adopt(earlier[0])
      if (reused) throw error
      // The first attempt made nothing: the nonce is unused, and one more try is safe.
      return this.client.validated<BraintreeTransaction>("create the sale", "transaction", (gateway) => gateway.transaction.sale(request as never), { movesMoney: true })
    }
  }

  /**
   * What a refund comes out of: the sale, or its partial settlements, each as Braintree has it
   * now, with what the session refunded of each; and those listing a refund the session does
   * not know (an attempt whose answer was lost), for which the refund looks first.
   */
  async refundSources(data: Pick<BraintreeSessionData, "currency_code" | "transaction_id" | "settlements" | "refunds">): Promise<{ list: RefundTarget[]; unknownRefunds: Set<string> }> {
    const currency = data.currency_code
    if (!data.transaction_id) throw new PaymentInputError("Braintree: the payment session has no Braintree transaction yet")
    const sources = data.settlements.length
      ? await Promise.all(data.settlements.map((s) => this.find(s.transaction_id)))
      : [await this.find(data.transaction_id)]
    const known = new Set(data.refunds.map((r) => r.transaction_id))
    const unknownRefunds = new Set(sources.filter((t) => (t.refundIds ?? []).some((id) => !known.has(id))).map((t) => t.id))
    const list = sources.map((t) => ({
      transaction_id: t.id,
      status: t.status,
      amount: fromBraintreeAmount(t.amount, currency),
      refunded: data.refunds
        .filter((r) => r.refunds === t.id && r.status !== "failed")
        .reduce((sum, r) => sum.plus(r.amount), new BigNumberJS(0)),
    }))
    return { list, unknownRefunds }
  }

  /** Submit an authorization for settlement (all of it, or less and release the rest). */
  submitForSettlement(id: string, amount: string): Promise<Validated<BraintreeTransaction>> {
    return this.client.validated("submit the transaction for settlement", "transaction", (gateway) => gateway.transaction.submitForSettlement(id, amount), { movesMoney: true })
  }

  /** One of several settlements of an authorization, marked with the Medusa capture id, never made twice. */
  async submitForPartialSettlement(id: string, amount: string, captureId: string, lookFirst: boolean): Promise<Validated<BraintreeTransaction>> {
    const attempt = () =>
      this.client.validated<BraintreeTransaction>("submit part of the transaction for settlement", "transaction", (gateway) => {
        // The SDK takes options here (its `orderId` among them); its typings leave them out.
        const api: PartialSettlementApi = gateway.transaction
        return api.submitForPartialSettlement(id, amount, { orderId: captureId })
      }, { movesMoney: true })
    return this.retriedByLookup(attempt, captureId, "sale", lookFirst)
  }

  void(id: string): Promise<Validated<BraintreeTransaction>> {
    return this.client.validated("void the transaction", "transaction", (gateway) => gateway.transaction.void(id), { movesMoney: true })
  }

  /**
   * A refund marked with the Medusa refund id (its `orderId`), never made twice.
   * `lookFirst` when the transaction lists a refund the session does not know (an attempt
   * whose answer was lost).
   */
  refund(id: string, amount: string, refundId: string | undefined, lookFirst: boolean): Promise<Validated<BraintreeTransaction>> {
    const attempt = () =>
      this.client.validated<BraintreeTransaction>("refund the transaction", "transaction", (gateway) =>
        gateway.transaction.refund(id, { amount, ...(refundId ? { orderId: refundId } : {}) } as never), { movesMoney: true })
    if (!refundId) return attempt()
    return this.retriedByLookup(attempt, refundId, "credit", lookFirst)
  }

  /**
   * Make `attempt` (after looking for an earlier one, when one may exist); if Braintree could
   * not be reached, look for what it made under `orderId`
   * and adopt it, or else say the outcome is unknown (the reconciliation settles it).
   */
  private async retriedByLookup(
    attempt: () => Promise<Validated<BraintreeTransaction>>,
    orderId: string,
    type: "sale" | "credit",
    lookFirst: boolean
  ): Promise<Validated<BraintreeTransaction>> {
    if (lookFirst) {
      const earlier = await this.created(orderId, type, "look for an earlier attempt")
      if (earlier.length) return adopt(earlier[0])
    }
    try {
      return await attempt()
    } catch (error) {
      if (!isUnreachable(error)) throw error
      const made = await this.created(orderId, type, "look up the attempt whose answer was lost").catch(() => [])
      if (made.length) return adopt(made[0])
      throw new GatewayUnavailableError({ gateway: "Braintree", operation: error.details.operation }, "no answer, and nothing found under its id yet", { indeterminate: true })
    }
  }
}

function adopt(transaction: BraintreeTransaction): Validated<BraintreeTransaction> {
  return ["processor_declined", "gateway_rejected", "failed"].includes(transaction.status) ? { ok: false, declined: transaction } : { ok: true, value: transaction }
}
