/**
 * Refunds made at the gateway, outside Medusa (the gateway's dashboard), recorded in Medusa
 * without refunding twice.
 *
 * Medusa records a refund only through its Payment Module, which calls the provider's
 * `refundPayment`. To record a refund that already happened, the plugin first writes it into
 * the payment's `data.external_refunds` as not yet recorded (`noteExternalRefund`), then runs
 * Medusa's refund workflow for exactly that amount; the provider's `refundPayment` finds the
 * entry (`takeExternalRefund`), marks it recorded and returns without calling the gateway.
 * A refund id already in the list is never noted again, so a redelivered event, or the
 * gateway's second event about the same refund, records nothing.
 */
import { compareAmounts, toBigNumber } from "./money"

export interface ExternalRefund {
  /** The gateway's refund id (`re_…`, PayPal's refund id). */
  refund_id: string
  /** Exact decimal string in major units. */
  amount: string
  currency_code: string
  /** When Medusa recorded it (the provider's `refundPayment` took it); `null` while pending. */
  recorded_at: string | null
}

const KEY = "external_refunds"

/**
 * The noted refunds of `data`. An entry not of this shape (no refund id, an amount that is
 * not a decimal string, no `recorded_at`) is left out: it could neither be matched exactly
 * nor be told recorded, and must not make a merchant's refund fail.
 */
export function externalRefundsOf(data: Record<string, unknown> | null | undefined): ExternalRefund[] {
  const list = data?.[KEY]
  return Array.isArray(list) ? (list.filter(isExternalRefund) as ExternalRefund[]) : []
}

function isExternalRefund(entry: unknown): entry is ExternalRefund {
  if (!entry || typeof entry !== "object") return false
  const e = entry as Partial<Record<keyof ExternalRefund, unknown>>
  return (
    typeof e.refund_id === "string" &&
    e.refund_id.length > 0 &&
    typeof e.amount === "string" &&
    /^\d+(\.\d+)?$/.test(e.amount) &&
    (e.recorded_at === null || typeof e.recorded_at === "string")
  )
}

/** Whether the gateway refund is already known (noted, recorded or not). */
export function hasExternalRefund(data: Record<string, unknown> | null | undefined, refundId: string): boolean {
  return externalRefundsOf(data).some((entry) => entry.refund_id === refundId)
}

/** `data` with the gateway's refund noted as not yet recorded (unchanged when already there). */
export function noteExternalRefund(
  data: Record<string, unknown> | null | undefined,
  refund: { refund_id: string; amount: string; currency_code: string }
): Record<string, unknown> {
  const base = { ...(data ?? {}) }
  if (hasExternalRefund(base, refund.refund_id)) return base
  const entry: ExternalRefund = {
    refund_id: refund.refund_id,
    amount: toBigNumber(refund.amount).toFixed(),
    currency_code: refund.currency_code.toLowerCase(),
    recorded_at: null,
  }
  return { ...base, [KEY]: [...externalRefundsOf(base), entry] }
}

/**
 * For a provider's `refundPayment`: the noted, unrecorded external refund of exactly `amount`,
 * and `data` with it marked recorded; `undefined` when there is none (a refund the merchant
 * asks for, which the provider sends to the gateway).
 */
export function takeExternalRefund(
  data: Record<string, unknown> | null | undefined,
  amount: unknown,
  now: Date = new Date(),
  refundId?: string
): { refund: ExternalRefund; data: Record<string, unknown> } | undefined {
  const list = externalRefundsOf(data)
  const index = list.findIndex(
    (entry) =>
      entry.recorded_at === null && compareAmounts(entry.amount, amount as never) === 0 && (refundId === undefined || entry.refund_id === refundId)
  )
  if (index < 0) return undefined
  const refund = { ...list[index], recorded_at: now.toISOString() }
  const next = list.map((entry, i) => (i === index ? refund : entry))
  return { refund, data: { ...(data ?? {}), [KEY]: next } }
}

/** `data` without the noted, unrecorded entry of `refundId` (the refund workflow failed). */
export function forgetExternalRefund(data: Record<string, unknown> | null | undefined, refundId: string): Record<string, unknown> {
  const list = externalRefundsOf(data)
  return { ...(data ?? {}), [KEY]: list.filter((entry) => entry.recorded_at !== null || entry.refund_id !== refundId) }
}

/**
 * The note of the Medusa refund that records a refund made at the gateway: it names the
 * gateway's refund id, which is how the provider tells it from a merchant's refund.
 */
export function externalRefundNote(gateway: string, refundId: string, from: "event" | "payment status"): string {
  return `Refunded at ${gateway} outside Medusa (gateway refund ${refundId}); recorded from the gateway's ${from}`
}

const NOTE_MARK = (refundId: string) => `(gateway refund ${refundId})`

interface RefundService {
  retrieve(id: string, config: object): Promise<{ note?: string | null }>
}

/**
 * For a provider's `refundPayment`: the noted refund that this Medusa refund records, and
 * `data` with it marked recorded.
 *
 * Inside the Payment Module the Medusa refund (committed before the provider is called, its id
 * the idempotency key) is read: only a refund whose note names a noted gateway refund
 * (`externalRefundNote`) takes it, so a merchant's refund of the same amount made meanwhile
 * still goes to the gateway. Outside the module (a direct call, a unit test) the amount
 * alone decides.
 */
export async function takeNotedExternalRefund(
  container: unknown,
  data: Record<string, unknown> | null | undefined,
  amount: unknown,
  medusaRefundId: string | undefined,
  now: Date = new Date()
): Promise<{ refund: ExternalRefund; data: Record<string, unknown> } | undefined> {
  const pending = externalRefundsOf(data).filter((entry) => entry.recorded_at === null)
  if (!pending.length) return undefined
  let service: RefundService | undefined
  try {
    // An awilix cradle throws for a name it does not know.
    const candidate = (container as Record<string, unknown> | undefined)?.refundService as RefundService | undefined
    service = typeof candidate?.retrieve === "function" ? candidate : undefined
  } catch {
    service = undefined
  }
  if (!service || !medusaRefundId) return takeExternalRefund(data, amount, now)
  let note = ""
  try {
    note = (await service.retrieve(medusaRefundId, { select: ["id", "note"] })).note ?? ""
  } catch {
    note = ""
  }
  const named = pending.find((entry) => note.includes(NOTE_MARK(entry.refund_id)))
  return named ? takeExternalRefund(data, amount, now, named.refund_id) : undefined
}
