/**
 * The hosted-payment contract: what a hosted gateway's provider, the notification pipeline
 * and the routes agree on. The redirect form the storefront renders, the gateway's form body
 * as flat fields, what a verified notification means (`NotificationVerdict`), the methods a
 * hosted gateway's provider adds to Medusa's (`HostedPaymentProvider`) and what the pipeline
 * tells the route to answer (`NotificationOutcome`).
 *
 * Providers import this file only: it loads nothing of Medusa at run time (type imports
 * only), and certainly not Medusa's workflow layer.
 */
import type { GetPaymentStatusInput, GetPaymentStatusOutput } from "@medusajs/framework/types"
import type BigNumberJS from "bignumber.js"

// ---- The redirect ----------------------------------------------------------------------

/**
 * An auto-submitting form the storefront renders (`<form method action>` with one hidden
 * input per field, submitted on load). It is session data, so it reaches the browser:
 * it carries the gateway's public fields and signature, never a key.
 */
export interface RedirectForm {
  method: "POST"
  action: string
  /** Accept-charset the gateway expects. */
  charset: "UTF-8"
  fields: Record<string, string>
}

/** A redirect form from its fields; empty and undefined fields are left out. */
export function redirectForm(action: string, fields: Record<string, string | number | undefined | null>): RedirectForm {
  if (!/^https?:\/\//.test(action)) {
    throw new Error(`A redirect form needs an absolute http(s) action URL, not ${JSON.stringify(action)}`)
  }
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === "") continue
    out[name] = String(value)
  }
  return { method: "POST", action, charset: "UTF-8", fields: out }
}

/**
 * A gateway's `application/x-www-form-urlencoded` body as flat fields. A field named
 * twice, or a body that is not a form, is refused (`undefined`): a signature is computed
 * over one value per name.
 */
export function parseFormBody(raw: Buffer | string | undefined | null): Record<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined
  const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : String(raw)
  if (!text.trim() || /^\s*[[{]/.test(text)) return undefined
  const out: Record<string, string> = {}
  for (const [name, value] of new URLSearchParams(text)) {
    if (!name || Object.prototype.hasOwnProperty.call(out, name)) return undefined
    out[name] = value
  }
  return Object.keys(out).length ? out : undefined
}

// ---- What a hosted gateway's provider implements --------------------------------------------

/**
 * A verified notification's meaning. Only `paid` can lead to an order, and only after the
 * pipeline's session checks (`notifications.ts`).
 */
export type NotificationVerdict =
  | {
      kind: "paid"
      /** `authorized` (money reserved, the admin captures) or `captured` (settled). */
      action: "authorized" | "captured"
      session_id: string
      /** The gateway's order number for this attempt, echoed in the signed notification. */
      reference: string
      /** Major units. */
      amount: BigNumberJS
      currency_code: string
    }
  | {
      /** Signed, but a payment attempt that failed: nothing to pay. */
      kind: "failed"
      session_id?: string
      reference?: string
      amount?: BigNumberJS
      reason: string
    }
  | {
      /** Signed and well-formed, but nothing to act on (a test payment in production...). */
      kind: "ignored"
      session_id?: string
      reference?: string
      reason: string
    }
  | {
      /**
       * Signed, but older than the freshness window: not trusted on its own (it could be a
       * replay), not dropped either (it could be a late retry): the session is settled by
       * asking the gateway instead.
       */
      kind: "stale"
      session_id: string
      reference: string
      reason: string
    }
  | {
      /** Not from the gateway, or not for this merchant: never acted on. */
      kind: "rejected"
      reason: string
    }

/** The hosted-page side of a provider, beside Medusa's `AbstractPaymentProvider` methods. */
export interface HostedPaymentProvider {
  /** Verify a notification's signature, merchant and freshness, and say what it means. */
  verifyNotification(fields: Record<string, string>): NotificationVerdict
  /** The gateway order number of the attempt a session holds (to match notifications). */
  referenceOf(sessionData: Record<string, unknown> | undefined | null): string | undefined
  getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput>
}

export function isHostedPaymentProvider(value: unknown): value is HostedPaymentProvider {
  const candidate = value as Partial<HostedPaymentProvider> | undefined
  return (
    !!candidate &&
    typeof candidate.verifyNotification === "function" &&
    typeof candidate.referenceOf === "function" &&
    typeof candidate.getPaymentStatus === "function"
  )
}

// ---- What the route answers -------------------------------------------------------------------

export type NotificationOutcome =
  /** Acknowledge: the gateway may stop sending it. */
  | { acknowledge: true; result: "processed" | "duplicate" | "ignored"; detail: string; session_id?: string; order_id?: string }
  /** Do not acknowledge: the gateway should send it again later (or it was not genuine). */
  | { acknowledge: false; result: "rejected" | "retry"; detail: string; session_id?: string }

export interface HostedLogger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}
