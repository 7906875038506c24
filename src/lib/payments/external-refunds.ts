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

/**
 * The gateway refund a Medusa refund's note names, when the note is one `externalRefundNote`
 * wrote (the whole note, so a merchant's own words that mention a gateway refund are not).
 */
const NAMED = /^Refunded at .+ outside Medusa \(gateway refund ([^()\s]+)\); recorded from the gateway's (?:event|payment status)$/

/** The gateway refund that a Medusa refund's note says it records, if any. */
export function gatewayRefundOfNote(note: string | null | undefined): string | undefined {
  return NAMED.exec(note ?? "")?.[1]
}

/** Whether one of `refunds` (a payment's Medusa refunds, with their notes) records the gateway refund. */
export function recordsGatewayRefund(refunds: Array<{ note?: string | null }>, refundId: string): boolean {
  return refunds.some((refund) => gatewayRefundOfNote(refund.note) === refundId)
}

interface RefundRecord {
  id: string
  note?: string | null
  payment_id?: string | null
  created_at?: string | Date | null
}

interface RefundService {
  retrieve(id: string, config: object): Promise<RefundRecord>
  list?(filters: object, config: object): Promise<RefundRecord[]>
}

/** A refund that records money already moved at the gateway, which cannot be recorded now. */
export class ExternalRefundNotRecordedError extends Error {
  constructor(message: string) {
    super(`${message}; nothing was sent to the gateway`)
    this.name = "ExternalRefundNotRecordedError"
  }
}

function isNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error)
  return /was not found|not_found/i.test(message) || (error as { type?: string } | null)?.type === "not_found"
}


/**
 * For a provider's `refundPayment`: the noted refund that this Medusa refund records, and
 * `data` with it marked recorded; `undefined` for a merchant's refund, which the provider
 * sends to the gateway.
 *
 * Inside the Payment Module the Medusa refund (created before the provider is called, its id
 * the idempotency key, deleted again when the provider throws) is read. A refund whose note
 * names a gateway refund (`externalRefundNote`) records money that has already moved, so it
 * never reaches the gateway: it takes that noted entry, or, when it cannot (the entry is
 * recorded already, by this refund's twin in another process or an earlier Medusa refund of
 * the payment; the entry is gone because the data was written over; the amount differs), it
 * throws `ExternalRefundNotRecordedError` and Medusa deletes the refund. A note that cannot be
 * read throws too: which kind of refund it is cannot be told. A merchant's refund of the same
 * amount made meanwhile still goes to the gateway. Outside the module (a direct call, a unit
 * test) the amount alone decides.
 */
export async function takeNotedExternalRefund(
  container: unknown,
  data: Record<string, unknown> | null | undefined,
  amount: unknown,
  medusaRefundId: string | undefined,
  now: Date = new Date()
): Promise<{ refund: ExternalRefund; data: Record<string, unknown> } | undefined> {
  let service: RefundService | undefined
  try {
    // An awilix cradle throws for a name it does not know.
    const candidate = (container as Record<string, unknown> | undefined)?.refundService as RefundService | undefined
    service = typeof candidate?.retrieve === "function" ? candidate : undefined
  } catch {
    service = undefined
  }
  if (!service || !medusaRefundId) {
    return externalRefundsOf(data).some((entry) => entry.recorded_at === null) ? takeExternalRefund(data, amount, now) : undefined
  }
  let record: RefundRecord | undefined
  try {
    record = await service.retrieve(medusaRefundId, { select: ["id", "note", "payment_id", "created_at"] })
  } catch (error) {
    // Not found (outside the Payment Module's refund, which creates the refund before it
    // calls the provider): a merchant's refund, unless a noted refund of that amount waits,
    // which it might be meant to record. That cannot be told, so nothing is sent.
    if (isNotFound(error)) {
      if (!takeExternalRefund(data, amount, now)) return undefined
      throw new ExternalRefundNotRecordedError(
        `Medusa refund ${medusaRefundId} was not found, and a refund already made at the gateway of that amount is waiting to be recorded`
      )
    }
    throw new ExternalRefundNotRecordedError(
      `could not read Medusa refund ${medusaRefundId} to tell a refund already made at the gateway from a merchant's (${error instanceof Error ? error.message : String(error)})`
    )
  }
  const named = gatewayRefundOfNote(record?.note)
  if (!named) return undefined

  const entry = externalRefundsOf(data).find((e) => e.refund_id === named)
  if (!entry) {
    throw new ExternalRefundNotRecordedError(
      `gateway refund ${named}, which Medusa refund ${medusaRefundId} records, is not noted in the payment's data (it changed meanwhile); the gateway's next delivery or status check notes it again`
    )
  }
  if (entry.recorded_at !== null) {
    throw new ExternalRefundNotRecordedError(`gateway refund ${named} is already recorded in Medusa; Medusa refund ${medusaRefundId} does not record it again`)
  }
  if (compareAmounts(entry.amount, amount as never) !== 0) {
    throw new ExternalRefundNotRecordedError(
      `the ${toBigNumber(amount as never).toFixed()} of Medusa refund ${medusaRefundId} differs from the ${entry.amount} of gateway refund ${named}`
    )
  }
  // Another Medusa refund of the payment naming the same gateway refund (two processes noted
  // it at once): both are refused, and the gateway's next delivery records it alone. (Which
  // came first cannot be told across processes: their clocks differ.)
  if (record?.payment_id && typeof service.list === "function") {
    const twin = (await service.list({ payment_id: record.payment_id }, { select: ["id", "note"] })).find(
      (other) => other.id !== medusaRefundId && gatewayRefundOfNote(other.note) === named
    )
    if (twin) {
      throw new ExternalRefundNotRecordedError(`gateway refund ${named} is recorded in Medusa by refund ${twin.id} too; not recorded twice`)
    }
  }
  return takeExternalRefund(data, amount, now, named)
}
