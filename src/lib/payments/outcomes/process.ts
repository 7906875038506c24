/**
 * Acting on a verified gateway outcome, once: the outcomes Medusa's own webhook subscriber
 * drops (a decline, a cancellation at the gateway, a refund made in the gateway's dashboard,
 * a dispute), and, on the plugin's own webhook route, the payments that settle a cart.
 *
 * Each gateway event is recorded in a ledger keyed by the gateway's event id, and processed
 * under a lock keyed by the payment session (Medusa's Locking Module in the app), so the
 * same event delivered ten times at once, or two events about the same refund, change
 * Medusa once. A processing that fails is recorded as `failed` and answered so the gateway
 * sends the event again (or the reconciliation job catches up); a redelivery then runs it
 * again.
 *
 * Medusa is reached through the ports (`ports.ts`, `OutcomeDependencies`), which
 * `src/runtime/outcomes.ts` builds from a container; the handlers of each kind of outcome are
 * in `settling.ts` and `refunds-disputes.ts`. Nothing here imports Medusa's workflow layer.
 */
import { redactText } from "../redact"
import type { HostedLogger } from "../hosted/contract"
import { messageOf } from "../hosted/settle"
import { Retry, type Act, type EventRecord, type Log, type NewEventRecord, type OutcomeDependencies, type ProcessInput, type ProcessResult } from "./ports"
import { disputed, refunded } from "./refunds-disputes"
import { awaitingShopper, canceled, failed, settleFromEvent } from "./settling"

export * from "./ports"

// ---- Processing -------------------------------------------------------------------------------

const FINAL = new Set<string>(["acted_on", "duplicate", "ignored"])

export function lockKeyOfSession(sessionId: string): string {
  return `payments-collection:session:${sessionId}`
}

/** Process one verified outcome. Never throws; a failure is a result with `retry: true`. */
export async function processOutcome(deps: OutcomeDependencies, input: ProcessInput): Promise<ProcessResult> {
  const { outcome } = input
  const log = (level: keyof HostedLogger, message: string) =>
    deps.logger[level](redactText(`${input.label} event ${outcome.event_id} (${outcome.event_type}): ${message}`))
  const sessionId = outcome.session_id
  const run = () => processRecorded(deps, input, log)
  let ran = false
  try {
    return sessionId
      ? await deps.lock(lockKeyOfSession(sessionId), () => {
          ran = true
          return run()
        })
      : await run()
  } catch (error) {
    if (sessionId && !ran) {
      // The lock was not had in time (another delivery, or a reconciliation, is at work on
      // the payment): the delivery is recorded and answered so the gateway sends it again.
      log("warn", `the payment is being processed elsewhere; delivery to be retried (${messageOf(error)})`)
      return recordUnprocessed(deps, input)
    }
    log("error", `could not be processed: ${messageOf(error)}`)
    return { outcome: "failed", detail: "processing failed", event_id: outcome.event_id, session_id: sessionId, retry: true }
  }
}

/** The ledger's row of a delivery first seen, before anything is done about it. */
function ledgerRow(input: ProcessInput, outcome: "received" | "failed"): NewEventRecord {
  const event = input.outcome
  return {
    provider_id: input.providerId,
    event_id: event.event_id,
    event_type: event.event_type,
    kind: event.kind,
    source: input.source,
    session_id: event.session_id ?? null,
    payment_id: null,
    outcome,
    occurred_at: event.occurred_at ?? null,
  }
}

/** Another delivery of an event already dealt with: counted, and answered as a duplicate. */
async function redelivered(deps: OutcomeDependencies, record: EventRecord, base: Pick<ProcessResult, "event_id" | "session_id">): Promise<ProcessResult> {
  await deps.events.update(record.id, { deliveries: record.deliveries + 1 })
  return { ...base, outcome: "duplicate", detail: `already ${record.outcome.replace("_", " ")}`, retry: false }
}

/** A delivery that could not be processed now, on the ledger (or a duplicate of one already done). */
async function recordUnprocessed(deps: OutcomeDependencies, input: ProcessInput): Promise<ProcessResult> {
  const { outcome } = input
  const base = { event_id: outcome.event_id, session_id: outcome.session_id }
  const detail = "the payment was being processed elsewhere; to be delivered again"
  try {
    const existing = await deps.events.find(input.providerId, outcome.event_id)
    if (existing && FINAL.has(existing.outcome)) {
      return redelivered(deps, existing, base)
    }
    if (existing) {
      await deps.events.update(existing.id, { deliveries: existing.deliveries + 1, attempts: existing.attempts + 1, detail })
    } else {
      const { record, created } = await deps.events.create({ ...ledgerRow(input, "failed"), detail })
      if (created) await deps.events.update(record.id, { attempts: 1 })
      else if (FINAL.has(record.outcome)) return { ...base, outcome: "duplicate", detail: `already ${record.outcome.replace("_", " ")}`, retry: false }
    }
  } catch {
    // The ledger is unreachable too: the answer is the same, deliver again.
  }
  return { ...base, outcome: "failed", detail, retry: true }
}


async function processRecorded(deps: OutcomeDependencies, input: ProcessInput, log: Log): Promise<ProcessResult> {
  const { outcome } = input
  const now = deps.now ?? (() => new Date())
  const base = { event_id: outcome.event_id, session_id: outcome.session_id }

  let record = await deps.events.find(input.providerId, outcome.event_id)
  if (record && FINAL.has(record.outcome)) {
    return redelivered(deps, record, base)
  }
  if (!record) {
    const created = await deps.events.create(ledgerRow(input, "received"))
    record = created.record
    if (!created.created) {
      // Another process recorded it between the lookup and the insert (no session, so no lock).
      if (FINAL.has(record.outcome)) {
        return redelivered(deps, record, base)
      }
    }
  } else {
    await deps.events.update(record.id, { deliveries: record.deliveries + 1 })
  }

  let act: Act
  try {
    act = await actOn(deps, input, log)
  } catch (error) {
    const detail = error instanceof Retry ? error.message : `processing failed: ${messageOf(error)}`
    if (!(error instanceof Retry)) log("error", detail)
    await deps.events.update(record.id, { outcome: "failed", detail: redactText(detail).slice(0, 500), attempts: record.attempts + 1 })
    return { ...base, outcome: "failed", detail, retry: true }
  }
  await deps.events.update(record.id, {
    outcome: act.outcome,
    detail: redactText(act.detail).slice(0, 500),
    attempts: record.attempts + 1,
    processed_at: now(),
    ...(act.payment_id ? { payment_id: act.payment_id } : {}),
  })
  if (act.outcome === "ignored" && outcome.kind === "ignored") {
    // Logged once, when first recorded (a redelivery is a duplicate above).
    log("info", `not acted on: ${act.detail}`)
  }
  return { ...base, outcome: act.outcome, detail: act.detail, order_id: act.order_id, retry: false }
}

async function actOn(deps: OutcomeDependencies, input: ProcessInput, log: Log): Promise<Act> {
  const { outcome } = input
  if (outcome.kind === "ignored") return { outcome: "ignored", detail: outcome.reason }

  const session = await deps.sessions.session(outcome.session_id)
  if (!session) {
    log("warn", `payment session ${outcome.session_id} does not exist (any more); nothing recorded`)
    return { outcome: "ignored", detail: "no such payment session in this store" }
  }
  if (session.provider_id !== input.providerId) {
    log("warn", `payment session ${session.id} belongs to ${session.provider_id}, not ${input.providerId}`)
    return { outcome: "ignored", detail: `the payment session belongs to another provider (${session.provider_id})` }
  }

  switch (outcome.kind) {
    case "authorized":
    case "captured":
      return settleFromEvent(deps, input, outcome, session, log)
    case "pending":
    case "requires_more":
      return awaitingShopper(deps, outcome.kind, session)
    case "failed":
      return failed(deps, outcome, session, log)
    case "canceled":
      return canceled(deps, outcome, session, log)
    case "refunded":
      return refunded(deps, input, outcome, session, log)
    case "dispute":
      return disputed(deps, input, outcome, session, log)
    default: {
      const unknown: never = outcome
      throw new Error(`unknown outcome ${JSON.stringify(unknown)}`)
    }
  }
}
