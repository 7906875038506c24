/**
 * The intent's refunds at Stripe, read for the admin's view and before every refund, so that a
 * refund Stripe made whose answer was lost is never made a second time under Medusa's new
 * refund id (a new Idempotency-Key).
 * @see https://docs.stripe.com/api/refunds/list
 */
import type { Logger } from "@medusajs/framework/types"
import { externalRefundsOf } from "../../lib/payments/external-refunds"
import { PaymentInputError } from "../../lib/payments/errors"
import { redactText } from "../../lib/payments/redact"
import type { StripeClient } from "./client"
import type { StripeRefund, StripeSessionData } from "./mapping"
import { isStoreRefund, markOf, refundsUnknownToSession, unrecordedRefundsMessage } from "./outcomes"

export class StripeRefunds {
  constructor(
    private readonly client: StripeClient,
    /** The container Medusa builds the provider with (the Payment Module's). */
    private readonly container: unknown,
    private readonly logger: Pick<Logger, "warn"> | Console
  ) {}

  async list(intentId: string, operation: string): Promise<StripeRefund[]> {
    return this.client.call(operation, (stripe) =>
      stripe.refunds.list({ payment_intent: intentId, limit: 100 }).autoPagingToArray({ limit: 1000 })
    )
  }

  /**
   * Before a refund is sent: the refunds Stripe holds for the intent that the session does not
   * record. Each one is money already returned that Medusa does not show, most often a refund
   * whose answer was lost (Medusa deleted its refund, and the admin's refund again would be a
   * new Idempotency-Key, so a second refund), or one made in Stripe's dashboard not recorded
   * yet. A refund carrying the store's mark of a Medusa refund that exists (made meanwhile by
   * another call, whose data this call has not seen) is Medusa's already, as is one made before
   * refunds carried that mark. Anything else is
   * refused with a `PaymentInputError` naming it, and nothing is sent: Stripe's refund event
   * or the reconciliation records it through Medusa's refund of a gateway refund (one path,
   * deduplicated by the refund id), after which it is no longer counted here.
   *
   * Returns the refund to record instead of refunding when it carries this very Medusa
   * refund's mark and amount; `undefined` when the refund may be sent. Stripe being
   * unreachable for the look is thrown as it is (no money was moved; the refund can be made again).
   */
  async lookBeforeRefunding(data: StripeSessionData, amount: number, medusaRefundId: string | undefined): Promise<StripeRefund | undefined> {
    const listed = await this.list(data.id, "look at the payment's refunds before refunding")
    const { unknown, total } = refundsUnknownToSession(data, listed)
    const own = medusaRefundId ? unknown.find((r) => markOf(r) === medusaRefundId) : undefined
    if (own && own.amount === amount && unknown.length === 1 && total <= (data.amount_refunded ?? 0) + own.amount) {
      return own
    }
    const marks = [...new Set(unknown.map(markOf).filter((m): m is string => !!m && m !== medusaRefundId))]
    const existing = await this.existingMedusaRefunds(marks)
    const accounted = unknown.filter((r) => {
      const mark = markOf(r)
      // Made before the provider marked refunds with the Medusa refund id (the session id
      // only): taken for Medusa's, as the webhook pipeline and the reconciliation take it, which
      // could never record it otherwise.
      if (!mark) return isStoreRefund(r)
      return mark !== medusaRefundId && !!existing?.has(mark)
    })
    const unaccounted = unknown.filter((r) => !accounted.includes(r))
    const recorded = (data.amount_refunded ?? 0) + accounted.reduce((sum, r) => sum + r.amount, 0)
    if (unaccounted.length === 0 && total <= recorded) {
      return undefined
    }
    throw new PaymentInputError(
      unrecordedRefundsMessage({
        intentId: data.id,
        currency: data.currency,
        refunds: unaccounted,
        goneMarks: existing ? new Set(marks.filter((m) => !existing.has(m))) : undefined,
        noted: new Set(externalRefundsOf(data).filter((e) => e.recorded_at === null).map((e) => e.refund_id)),
        total,
        recorded,
      })
    )
  }

  /**
   * Which of these Medusa refunds exist, read from the Payment Module's refund service the
   * provider is registered in; `undefined` when that cannot be read (a direct call, outside
   * the module), so no marked refund is taken for one Medusa has.
   */
  private async existingMedusaRefunds(ids: string[]): Promise<Set<string> | undefined> {
    if (!ids.length) return new Set()
    let service: { list(filters: object, config: object): Promise<Array<{ id: string }>> } | undefined
    try {
      // An awilix cradle throws for a name it does not know.
      const candidate = (this.container as Record<string, unknown> | undefined)?.refundService as typeof service
      service = typeof candidate?.list === "function" ? candidate : undefined
    } catch {
      service = undefined
    }
    if (!service) return undefined
    try {
      return new Set((await service.list({ id: ids }, { select: ["id"] })).map((r) => r.id))
    } catch (error) {
      this.logger.warn(`Stripe: could not read Medusa refunds ${ids.join(", ")} to tell them from refunds Medusa lost: ${redactText(messageOf(error))}`)
      return undefined
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
