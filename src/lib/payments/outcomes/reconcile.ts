/**
 * Reconciliation: asking the gateway about what its events may have missed, and bringing
 * Medusa in line through the same pipeline as the webhooks (`processOutcome`), so a payment
 * is never changed twice whichever of the two sees it first.
 *
 * - A session still pending (or awaiting the shopper) long after checkout whose payment the
 *   gateway reports authorized or captured becomes an order through Medusa's payment
 *   processing, as its notification would have made it.
 * - A payment canceled (voided, expired) at the gateway is canceled in Medusa; a declined one
 *   errors its session.
 * - A refund the gateway lists that Medusa has not recorded is recorded once.
 * - An authorization that lapses soon without a capture is logged (and shown in the admin).
 *
 * Bounded: a batch size and a time budget per run; the sessions checked least recently go
 * first, so a large backlog is worked through over several runs.
 */
import type { HostedLogger } from "../hosted/contract"
import type { ProviderLookup, SessionRecord } from "../hosted/sessions"
import { isSettled } from "../hosted/sessions"
import { messageOf } from "../hosted/settle"
import { hasExternalRefund } from "../external-refunds"
import { redactText } from "../redact"
import { sumOfRecordedAmounts, toBigNumber } from "../money"
import { isLostStoreRefund } from "./refunds-disputes"
import { processOutcome, type EventSource, type OutcomeDependencies, type PaymentOfSession, type ProcessResult } from "./process"
import { AUTHORIZATION_WARNING_MS } from "./view"
import { inspectsPayments, type GatewayOutcome, type GatewayPaymentSnapshot } from "./types"

/** What the gateway said, as the plugin keeps it (`payment_gateway_state`). */
export interface GatewayStateRecord {
  provider_id: string
  session_id: string
  payment_id: string | null
  status: string
  gateway_status: string | null
  currency_code: string | null
  authorized_amount: string | null
  captured_amount: string | null
  refunded_amount: string | null
  authorization_expires_at: string | Date | null
  checked_at: Date
  error: string | null
}

export interface GatewayStateStore {
  /** When each session was last checked (absent when never). */
  lastChecked(sessionIds: string[]): Promise<Map<string, Date>>
  save(state: GatewayStateRecord): Promise<void>
}

export interface ReconcileCandidateQuery {
  /**
   * Sessions of `providerIds` still pending, pending authorization, requiring more or errored,
   * created in [from, to): one page, newest first, `limit` from `offset`.
   */
  staleSessions(providerIds: string[], from: Date, to: Date, limit: number, offset?: number): Promise<string[]>
  /** Sessions of payments of `providerIds` authorized, neither captured nor canceled, created after `from`: one page, newest first. */
  uncapturedPayments(providerIds: string[], from: Date, limit: number, offset?: number): Promise<string[]>
  /** The providers registered in the Payment Module. */
  providerIds(): Promise<string[]>
}

export interface ReconcileDependencies extends OutcomeDependencies {
  providers: ProviderLookup
  states: GatewayStateStore
  candidates: ReconcileCandidateQuery
  /** The gateway's name for log lines. */
  labelOf(providerId: string): string
}

export interface ReconcileOptions {
  /** Sessions per run. @default 50 */
  batchSize?: number
  /** A pending session is asked about once it is this old (ms). @default 15 minutes */
  minAgeMs?: number
  /** Sessions older than this are no longer asked about (ms). @default 30 days */
  maxAgeMs?: number
  /** Stop starting new checks after this long (ms). @default 60 seconds */
  budgetMs?: number
}

export const RECONCILE_DEFAULTS: Required<ReconcileOptions> = {
  batchSize: 50,
  minAgeMs: 15 * 60 * 1000,
  maxAgeMs: 30 * 24 * 60 * 60 * 1000,
  budgetMs: 60 * 1000,
}

export interface SessionReconciliation {
  session_id: string
  provider_id: string
  /** checked: the gateway answered; unavailable: it could not be asked; skipped: nothing to ask. */
  status: "checked" | "unavailable" | "skipped"
  detail: string
  snapshot?: GatewayPaymentSnapshot
  results: ProcessResult[]
  authorization_expiring?: boolean
}

export interface ReconcileRun {
  checked: number
  acted_on: number
  unavailable: number
  expiring: number
  /** The time budget ran out before the batch was done. */
  out_of_time: boolean
  sessions: SessionReconciliation[]
}

const SETTLING = new Set(["authorized", "captured"])

/**
 * The outcomes a snapshot implies for a session (and its payment, when Medusa has one).
 * Pure. Event ids are the reconciliation's own, stable per fact (`reconcile:<session>:captured`,
 * `reconcile:refund:<refund id>`), so checking twice records a duplicate, not a second change.
 */
export function outcomesFromSnapshot(
  session: SessionRecord,
  payment: PaymentOfSession | undefined,
  snapshot: GatewayPaymentSnapshot,
  occurredAt: string
): GatewayOutcome[] {
  const outcomes: GatewayOutcome[] = []
  const ref = (fact: string) => ({ event_id: `reconcile:${session.id}:${fact}`, event_type: `reconciliation.${fact}`, occurred_at: occurredAt })
  const settled = isSettled(session) || !!payment
  if (SETTLING.has(snapshot.status) && !settled && snapshot.amount !== undefined) {
    outcomes.push({
      ...ref(snapshot.status),
      kind: snapshot.status as "authorized" | "captured",
      session_id: session.id,
      amount: snapshot.amount,
      currency_code: snapshot.currency_code,
    })
  } else if (snapshot.status === "canceled" && !(payment?.canceled_at) && session.status !== "canceled") {
    outcomes.push({ ...ref("canceled"), kind: "canceled", session_id: session.id, reason: snapshot.reason })
  } else if (snapshot.status === "error" && !settled && session.status !== "error") {
    outcomes.push({ ...ref("failed"), kind: "failed", session_id: session.id, reason: snapshot.reason })
  }
  // A capture the gateway made that Medusa does not record: one whose answer was lost (Medusa
  // deleted its capture when the call failed), or one made in the gateway's dashboard. Recorded
  // for the difference (`recordGatewayCapture`), once per captured total.
  if (payment && !payment.canceled_at && snapshot.captured_amount !== undefined) {
    const captured = toBigNumber(snapshot.captured_amount)
    if (captured.gt(sumOfRecordedAmounts(payment.captures))) {
      outcomes.push({
        ...ref(`captured:${captured.toFixed()}`),
        event_type: "reconciliation.captured",
        kind: "captured",
        session_id: session.id,
        amount: snapshot.amount ?? snapshot.captured_amount,
        currency_code: snapshot.currency_code,
        captured_total: snapshot.captured_amount,
      })
    }
  }
  for (const refund of snapshot.refunds ?? []) {
    if ((refund.made_by_store && !isLostStoreRefund(refund, payment)) || refund.status !== "succeeded") continue
    if (payment && hasExternalRefund(payment.data, refund.refund_id)) continue
    outcomes.push({
      event_id: `reconcile:refund:${refund.refund_id}`,
      event_type: "reconciliation.refund",
      occurred_at: occurredAt,
      kind: "refunded",
      session_id: session.id,
      refund_id: refund.refund_id,
      amount: refund.amount,
      currency_code: refund.currency_code,
      made_by_store: false,
      status: "succeeded",
    })
  }
  return outcomes
}

/**
 * Ask the gateway about one session and bring Medusa in line. Never throws: what fails (the
 * gateway, Medusa's database) is the result's `unavailable` with its reason, redacted.
 */
export async function reconcileSession(
  deps: ReconcileDependencies,
  sessionId: string,
  source: EventSource = "reconciliation"
): Promise<SessionReconciliation> {
  try {
    const result = await reconcileSessionOnce(deps, sessionId, source)
    return { ...result, detail: redactText(result.detail) }
  } catch (error) {
    const detail = redactText(`the check could not be completed: ${messageOf(error)}`)
    deps.logger.warn(`reconciliation: payment session ${sessionId}: ${detail}`)
    // Kept as checked, with the reason, so the session waits its turn like the others
    // instead of going first in every run.
    let providerId = ""
    try {
      const session = await deps.sessions.session(sessionId)
      if (session) {
        providerId = session.provider_id
        const payment = await deps.actions.paymentOfSession(session.id)
        await deps.states.save(stateOf(session, payment, undefined, (deps.now ?? (() => new Date()))(), detail))
      }
    } catch {
      // Nothing more can be kept.
    }
    return { session_id: sessionId, provider_id: providerId, status: "unavailable", detail, results: [] }
  }
}

async function reconcileSessionOnce(
  deps: ReconcileDependencies,
  sessionId: string,
  source: EventSource
): Promise<SessionReconciliation> {
  const now = (deps.now ?? (() => new Date()))()
  const log = (level: keyof HostedLogger, message: string) => deps.logger[level](redactText(`reconciliation: ${message}`))
  const session = await deps.sessions.session(sessionId)
  if (!session) return { session_id: sessionId, provider_id: "", status: "skipped", detail: "no such payment session", results: [] }
  const base = { session_id: session.id, provider_id: session.provider_id }
  let provider: unknown
  try {
    provider = deps.providers(session.provider_id)
  } catch (error) {
    return { ...base, status: "unavailable", detail: `provider unavailable: ${messageOf(error)}`, results: [] }
  }
  if (!inspectsPayments(provider)) {
    return { ...base, status: "skipped", detail: "this provider has no gateway to ask", results: [] }
  }
  const payment = await deps.actions.paymentOfSession(session.id)
  const data = (payment?.data ?? session.data ?? {}) as Record<string, unknown>

  let snapshot: GatewayPaymentSnapshot
  try {
    snapshot = await provider.inspectPayment(data)
  } catch (error) {
    const detail = `the gateway could not be asked: ${messageOf(error)}`
    log("warn", `payment session ${session.id} (${session.provider_id}): ${detail}`)
    await deps.states.save(stateOf(session, payment, undefined, now, detail))
    return { ...base, status: "unavailable", detail, results: [] }
  }

  const label = deps.labelOf(session.provider_id)
  const results: ProcessResult[] = []
  for (const outcome of outcomesFromSnapshot(session, payment, snapshot, now.toISOString())) {
    results.push(await processOutcome(deps, { providerId: session.provider_id, outcome, source, label }))
  }
  const after = results.some((result) => result.outcome === "acted_on") ? await deps.actions.paymentOfSession(session.id) : payment
  await deps.states.save(stateOf(session, after, snapshot, now, null))

  const captured = (after?.captures ?? []).length > 0 || snapshot.status === "captured"
  const expiresAt = snapshot.authorization_expires_at ? new Date(snapshot.authorization_expires_at).getTime() : undefined
  const expiring =
    !!after && !after.canceled_at && !captured && expiresAt !== undefined && expiresAt - now.getTime() <= AUTHORIZATION_WARNING_MS
  if (expiring) {
    log(
      "warn",
      `payment ${after!.id}${after!.order_id ? ` of order ${after!.order_id}` : ""} (${session.provider_id}) is authorized and not captured; ` +
        `the authorization ${expiresAt! <= now.getTime() ? "lapsed" : "lapses"} at ${new Date(expiresAt!).toISOString()}: capture it or cancel it`
    )
  }
  const acted = results.filter((result) => result.outcome === "acted_on").map((result) => result.detail)
  const failed = results.filter((result) => result.retry)
  return {
    ...base,
    status: "checked",
    detail: failed.length
      ? `gateway reports ${snapshot.status}; ${failed.length} change(s) could not be made yet`
      : acted.length
        ? acted.join("; ")
        : `gateway reports ${snapshot.status}; Medusa is in line`,
    snapshot,
    results,
    authorization_expiring: expiring,
  }
}

function stateOf(
  session: SessionRecord,
  payment: PaymentOfSession | undefined,
  snapshot: GatewayPaymentSnapshot | undefined,
  now: Date,
  error: string | null
): GatewayStateRecord {
  return {
    provider_id: session.provider_id,
    session_id: session.id,
    payment_id: payment?.id ?? null,
    status: snapshot?.status ?? "unknown",
    gateway_status: snapshot?.gateway_status ?? null,
    currency_code: snapshot?.currency_code ?? null,
    authorized_amount: snapshot?.amount ?? null,
    captured_amount: snapshot?.captured_amount ?? null,
    refunded_amount: snapshot?.refunded_amount ?? null,
    authorization_expires_at: snapshot?.authorization_expires_at ?? null,
    checked_at: now,
    error: error ? redactText(error).slice(0, 500) : null,
  }
}

/** How many pages of candidates one run reads at most (a page is three batches). */
const MAX_CANDIDATE_PAGES = 20

/** One scheduled run: the stale sessions and uncaptured authorizations, oldest check first. */
export async function reconcilePayments(deps: ReconcileDependencies, options: ReconcileOptions = {}): Promise<ReconcileRun> {
  const settings = { ...RECONCILE_DEFAULTS, ...options }
  const clock = deps.now ?? (() => new Date())
  const started = clock().getTime()
  const run: ReconcileRun = { checked: 0, acted_on: 0, unavailable: 0, expiring: 0, out_of_time: false, sessions: [] }

  const providerIds: string[] = []
  for (const id of await deps.candidates.providerIds()) {
    try {
      if (inspectsPayments(deps.providers(id))) providerIds.push(id)
    } catch {
      // A provider that cannot be loaded is not asked about.
    }
  }
  if (!providerIds.length) return run

  const now = new Date(started)
  const page = Math.max(settings.batchSize * 3, settings.batchSize)
  const from = new Date(started - settings.maxAgeMs)
  // Every candidate (newest first, page by page, at most MAX_CANDIDATE_PAGES pages), then the
  // batch: never checked first, then the least recently checked. Each run takes the ones
  // waited longest, so however many abandoned checkouts are pending, every session's turn
  // comes, and a new one (a paid cart whose webhook was lost) goes first.
  const seen = new Set<string>()
  const checkedAt = new Map<string, Date>()
  for (let offset = 0, pages = 0; pages < MAX_CANDIDATE_PAGES; offset += page, pages++) {
    const [stale, uncaptured] = await Promise.all([
      deps.candidates.staleSessions(providerIds, from, new Date(started - settings.minAgeMs), page, offset),
      deps.candidates.uncapturedPayments(providerIds, from, page, offset),
    ])
    const fresh = [...stale, ...uncaptured].filter((id) => !seen.has(id))
    fresh.forEach((id) => seen.add(id))
    for (const [id, at] of await deps.states.lastChecked(fresh)) checkedAt.set(id, at)
    if (stale.length < page && uncaptured.length < page) break
  }
  const due = [...seen]
    .filter((id) => {
      const last = checkedAt.get(id)
      return !last || now.getTime() - last.getTime() >= settings.minAgeMs
    })
    .sort((a, b) => (checkedAt.get(a)?.getTime() ?? 0) - (checkedAt.get(b)?.getTime() ?? 0))
    .slice(0, settings.batchSize)

  for (const id of due) {
    if (clock().getTime() - started >= settings.budgetMs) {
      run.out_of_time = true
      break
    }
    const result = await reconcileSession(deps, id)
    run.sessions.push(result)
    if (result.status === "checked") run.checked++
    if (result.status === "unavailable") run.unavailable++
    if (result.authorization_expiring) run.expiring++
    run.acted_on += result.results.filter((r) => r.outcome === "acted_on").length
  }
  return run
}
