/**
 * Pure bookkeeping of offline payments: the session data the storefront and the admin
 * read, the status it maps to, and the capture and refund ledger. No I/O, no clock, no
 * randomness; the service calls these and returns what they build.
 */
import type { BigNumberInput, PaymentSessionStatus as PaymentSessionStatusType } from "@medusajs/framework/types"
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { PaymentInputError } from "../../lib/payments/errors"
import {
  CurrencyRules,
  compareAmounts,
  formatAmount,
  normalizeCurrency,
  toBigNumber,
  toDecimalString,
} from "../../lib/payments/money"
import { assertRefundable } from "../../lib/payments/refunds"
import type { BankTransferOptions, CodOptions } from "./options"
import { paymentReference } from "./references"

/**
 * No gateway: amounts are what the shopper pays in cash or transfers, so they follow
 * ISO 4217 minor units exactly (list one, https://www.six-group.com/en/products-services/financial-information/data-standards.html).
 * Nothing departs from it.
 */
export const OFFLINE_CURRENCY_RULES: CurrencyRules = Object.freeze({})

/**
 * Where an offline payment stands. `partially_captured`: the admin recorded part of the
 * money (a transfer that arrived in two parts); more may follow.
 */
export type OfflineStatus = "pending" | "authorized" | "partially_captured" | "captured" | "canceled"

export type OfflineMethod = "cod" | "bank_transfer"

export interface LedgerEntry {
  /** Medusa's capture or refund id (its idempotency key), so a retried step records nothing twice. */
  id: string | null
  /** Major units, with the currency's ISO decimals. */
  amount: string
}

export interface CodInstructions {
  /** What the courier collects, for people: "100.00 EUR". */
  amount: string
  /** The merchant's cash-on-delivery fee in this currency, display only. */
  fee: { amount: string; currency_code: string; display: string } | null
  note: string | null
}

export interface BankTransferInstructions {
  account_holder: string
  /** Compact (no spaces); show it in groups of four. */
  iban: string | null
  account_number: string | null
  bank_code: string | null
  bic: string | null
  bank_name: string
  /** ISO 11649 creditor reference the shopper puts in the transfer's reference field. */
  reference: string
  /** What to transfer, for people: "100.00 EUR". */
  amount: string
  note: string | null
}

/**
 * What an offline provider keeps in the session `data`. It reaches the storefront: the
 * instructions are meant for the shopper, and nothing here is secret.
 */
export interface OfflineSessionData<I = CodInstructions | BankTransferInstructions> extends Record<string, unknown> {
  method: OfflineMethod
  session_id: string | null
  status: OfflineStatus
  /** Major units, with the currency's ISO decimals ("100.00", "1000", "12.340"). */
  amount: string
  currency_code: string
  captured_amount: string
  refunded_amount: string
  captures: LedgerEntry[]
  refunds: LedgerEntry[]
  instructions: I
}

export type CodSessionData = OfflineSessionData<CodInstructions>
export type BankTransferSessionData = OfflineSessionData<BankTransferInstructions>

/** An amount in major units as the exact decimal string kept in `data` ("100.00"). */
export function toOfflineAmount(amount: BigNumberInput, currency: string): string {
  return toDecimalString(amount, currency, OFFLINE_CURRENCY_RULES)
}

/** Same, refusing an amount the currency cannot hold exactly (a refund of 10.005 EUR). */
function exactAmount(amount: BigNumberInput, currency: string): string {
  return toDecimalString(amount, currency, OFFLINE_CURRENCY_RULES, { mode: "exact" })
}

function zero(currency: string): string {
  return toOfflineAmount(0, currency)
}

function base(method: OfflineMethod, sessionId: string | null, amount: BigNumberInput, currency: string) {
  const currency_code = normalizeCurrency(currency)
  return {
    method,
    session_id: sessionId,
    status: "pending" as OfflineStatus,
    amount: toOfflineAmount(amount, currency_code),
    currency_code,
    captured_amount: zero(currency_code),
    refunded_amount: zero(currency_code),
    captures: [] as LedgerEntry[],
    refunds: [] as LedgerEntry[],
  }
}

export function codInstructions(options: CodOptions, amount: string, currency: string): CodInstructions {
  const fee = options.fee?.[currency]
  return {
    amount: formatAmount(amount, currency),
    fee:
      fee === undefined
        ? null
        : { amount: toOfflineAmount(fee, currency), currency_code: currency, display: formatAmount(fee, currency) },
    note: options.instructions ?? null,
  }
}

export function bankTransferInstructions(
  options: BankTransferOptions,
  sessionId: string,
  amount: string,
  currency: string
): BankTransferInstructions {
  return {
    account_holder: options.accountHolder,
    iban: options.iban ?? null,
    account_number: options.accountNumber ?? null,
    bank_code: options.bankCode ?? null,
    bic: options.bic ?? null,
    bank_name: options.bankName,
    reference: paymentReference(sessionId),
    amount: formatAmount(amount, currency),
    note: options.instructions ?? null,
  }
}

export function newCodSession(options: CodOptions, sessionId: string, amount: BigNumberInput, currency: string): CodSessionData {
  const data = base("cod", sessionId, amount, currency)
  return { ...data, instructions: codInstructions(options, data.amount, data.currency_code) }
}

export function newBankTransferSession(
  options: BankTransferOptions,
  sessionId: string,
  amount: BigNumberInput,
  currency: string
): BankTransferSessionData {
  const data = base("bank_transfer", sessionId, amount, currency)
  return { ...data, instructions: bankTransferInstructions(options, sessionId, data.amount, data.currency_code) }
}

/**
 * Offline status -> Medusa session status, exhaustively. A partly received payment stays
 * authorized: the rest may still arrive.
 */
export function mapOfflineStatus(status: OfflineStatus): PaymentSessionStatusType {
  switch (status) {
    case "pending":
      return PaymentSessionStatus.PENDING
    case "authorized":
    case "partially_captured":
      return PaymentSessionStatus.AUTHORIZED
    case "captured":
      return PaymentSessionStatus.CAPTURED
    case "canceled":
      return PaymentSessionStatus.CANCELED
    default:
      return assertNever(status)
  }
}

function assertNever(status: never): never {
  throw new Error(`Unknown offline payment status: ${JSON.stringify(status)}`)
}

/** Authorization: nothing to ask anyone; the order is placed and the money comes later. */
export function authorize<D extends OfflineSessionData>(data: D): D {
  switch (data.status) {
    case "pending":
      return { ...data, status: "authorized" }
    case "authorized":
    case "partially_captured":
    case "captured":
      return data
    case "canceled":
      throw new PaymentInputError(`${labelOf(data)}: this payment was canceled and cannot be authorized`)
    default:
      return assertNever(data.status)
  }
}

/**
 * The admin records that money arrived. `requested` is the amount of Medusa's capture
 * (undefined: the rest of the amount). A capture already recorded under `captureId` is
 * not recorded again.
 */
export function recordCapture<D extends OfflineSessionData>(data: D, captureId: string | null, requested?: BigNumberInput): D {
  if (captureId && data.captures.some((c) => c.id === captureId)) {
    return data
  }
  const currency = data.currency_code
  switch (data.status) {
    case "authorized":
    case "partially_captured":
      break
    case "pending":
      throw new PaymentInputError(`${labelOf(data)}: the payment is not authorized yet; nothing can be marked as received`)
    case "captured":
      throw new PaymentInputError(
        `${labelOf(data)}: the payment was already received in full (${formatAmount(data.captured_amount, currency)})`
      )
    case "canceled":
      throw new PaymentInputError(`${labelOf(data)}: the payment was canceled; nothing can be marked as received`)
    default:
      return assertNever(data.status)
  }
  const remaining = toBigNumber(data.amount).minus(toBigNumber(data.captured_amount))
  const amount = requested === undefined ? toOfflineAmount(remaining.toFixed(), currency) : exactAmount(requested, currency)
  if (compareAmounts(amount, 0) <= 0) {
    throw new PaymentInputError(`${labelOf(data)}: a received amount must be greater than zero`)
  }
  if (compareAmounts(amount, remaining) > 0) {
    throw new PaymentInputError(
      `${labelOf(data)}: cannot record ${formatAmount(amount, currency)} as received: only ` +
        `${formatAmount(remaining, currency)} of ${formatAmount(data.amount, currency)} is outstanding`
    )
  }
  const captured = toOfflineAmount(toBigNumber(data.captured_amount).plus(toBigNumber(amount)).toFixed(), currency)
  return {
    ...data,
    status: compareAmounts(captured, data.amount) >= 0 ? "captured" : "partially_captured",
    captured_amount: captured,
    captures: [...data.captures, { id: captureId, amount }],
  }
}

/**
 * A refund the merchant pays back (in cash or by transfer), recorded for the admin. Never
 * more than what was received; a refund already recorded under `refundId` is not
 * recorded again.
 */
export function recordRefund<D extends OfflineSessionData>(data: D, refundId: string | null, requested: BigNumberInput): D {
  if (refundId && data.refunds.some((r) => r.id === refundId)) {
    return data
  }
  const currency = data.currency_code
  const amount = exactAmount(requested, currency)
  assertRefundable({
    gateway: labelOf(data),
    requested: amount,
    captured: data.captured_amount,
    refunded: data.refunded_amount,
    format: (value) => formatAmount(value, currency),
    settled: "received",
  })
  return {
    ...data,
    refunded_amount: toOfflineAmount(toBigNumber(data.refunded_amount).plus(toBigNumber(amount)).toFixed(), currency),
    refunds: [...data.refunds, { id: refundId, amount }],
  }
}

/** Cancel before the money arrived. Money already received is refunded, not canceled. */
export function cancel<D extends OfflineSessionData>(data: D): D {
  switch (data.status) {
    case "pending":
    case "authorized":
    case "canceled":
      return { ...data, status: "canceled" }
    case "partially_captured":
    case "captured":
      throw new PaymentInputError(
        `${labelOf(data)}: ${formatAmount(data.captured_amount, data.currency_code)} was already received; ` +
          `refund it instead of canceling`
      )
    default:
      return assertNever(data.status)
  }
}

/** A new amount for an open session (the cart changed); the instructions follow it. */
export function changeAmount<D extends OfflineSessionData>(data: D, amount: BigNumberInput, currency: string): D {
  const currency_code = normalizeCurrency(currency)
  if (data.status !== "pending") {
    throw new PaymentInputError(
      `${labelOf(data)}: the amount cannot change once the payment is ${data.status}; start a new payment session instead`
    )
  }
  if (currency_code !== data.currency_code) {
    throw new PaymentInputError(`${labelOf(data)}: the currency of a payment session cannot change; start a new payment session instead`)
  }
  const next = toOfflineAmount(amount, currency_code)
  return {
    ...data,
    amount: next,
    instructions: { ...data.instructions, amount: formatAmount(next, currency_code) },
  }
}

export const METHOD_LABELS: Readonly<Record<OfflineMethod, string>> = Object.freeze({
  cod: "Cash on delivery",
  bank_transfer: "Bank transfer",
})

function labelOf(data: OfflineSessionData): string {
  return METHOD_LABELS[data.method] ?? "Offline payment"
}

const STATUSES: readonly OfflineStatus[] = ["pending", "authorized", "partially_captured", "captured", "canceled"]

/**
 * The session data an offline provider wrote, checked: what Medusa hands back is ours,
 * but a hand-edited or foreign payment must fail clearly rather than be booked wrongly.
 */
export function readSessionData(raw: Record<string, unknown> | undefined, method: OfflineMethod): OfflineSessionData {
  const label = METHOD_LABELS[method]
  if (!raw || raw.method !== method) {
    throw new PaymentInputError(`${label}: the payment session holds no ${label.toLowerCase()} payment`)
  }
  if (!STATUSES.includes(raw.status as OfflineStatus)) {
    throw new Error(`Unknown offline payment status: ${JSON.stringify(raw.status)}`)
  }
  const currency = normalizeCurrency(String(raw.currency_code ?? ""))
  const ledger = (value: unknown): LedgerEntry[] =>
    Array.isArray(value)
      ? value.map((entry) => ({
          id: typeof entry?.id === "string" ? entry.id : null,
          amount: toOfflineAmount(String(entry?.amount ?? "0"), currency),
        }))
      : []
  return {
    ...(raw as Partial<OfflineSessionData>),
    method,
    session_id: typeof raw.session_id === "string" ? raw.session_id : null,
    status: raw.status as OfflineStatus,
    amount: toOfflineAmount(String(raw.amount ?? "0"), currency),
    currency_code: currency,
    captured_amount: toOfflineAmount(String(raw.captured_amount ?? "0"), currency),
    refunded_amount: toOfflineAmount(String(raw.refunded_amount ?? "0"), currency),
    captures: ledger(raw.captures),
    refunds: ledger(raw.refunds),
    instructions: (raw.instructions ?? {}) as OfflineSessionData["instructions"],
  }
}
