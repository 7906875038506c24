/**
 * Settling a hosted payment: handing it to Medusa's webhook processing once the gateway has
 * said it is paid (a verified notification, or its answer to a status query). Shared by the
 * notification pipeline and the return page's status check.
 *
 * Medusa's workflow is not imported here (STYLE.md: `lib/payments` never imports Medusa's
 * workflow layer): the routes hand in a `PaymentWorkflowRunner` that runs
 * `processPaymentWorkflow`, so this runs against a plain function in unit tests.
 */
import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { toBigNumber } from "../money"
import type { HostedLogger, NotificationOutcome } from "./contract"
import { isSettled, type ProviderLookup, type SessionReader, type SessionRecord } from "./sessions"
import type { StatusThrottle } from "./throttle"
import type { ProcessResult } from "../outcomes/process"
import type { GatewayOutcome } from "../outcomes/types"

/**
 * What `processPaymentWorkflow` takes (Medusa's `WebhookActionResult`, narrowed to what this
 * pipeline sends): the action and the session's own amount as an exact decimal string.
 */
export interface PaymentWorkflowInput {
  action: "authorized" | "captured"
  data: { session_id: string; amount: string }
}

/**
 * Runs Medusa's `processPaymentWorkflow` (what Medusa's own webhook subscriber runs) on one
 * input and resolves when it has run; rejects when it fails. A route hands in
 * `(input) => processPaymentWorkflow(req.scope).run({ input })`.
 */
export type PaymentWorkflowRunner = (input: PaymentWorkflowInput) => Promise<unknown>

/** What the notification pipeline and the status check are given, instead of a container. */
export interface HostedPaymentDependencies {
  sessions: SessionReader
  providers: ProviderLookup
  runPaymentWorkflow: PaymentWorkflowRunner
  logger: HostedLogger
  /**
   * One gateway query per session per interval; the routes hand in one shared by every
   * process of the store (`SharedStatusThrottle`, src/runtime/status-throttle.ts).
   * @default this process's throttle (`sharedStatusThrottle` in throttle.ts)
   */
  throttle?: StatusThrottle
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number
  /**
   * The plugin's outcome pipeline (`processOutcome` with its ledger and lock), when the route
   * has it: verified notifications then go on the payment's event timeline, and a failed
   * payment errors its session. Without it, a paid notification settles directly.
   */
  recordOutcome?: (outcome: GatewayOutcome) => Promise<ProcessResult>
}

export type Log = (level: keyof HostedLogger, message: string) => void

/** The action a provider's `getPaymentStatus` answer settles the session with, if any. */
export function settledAction(status: string | undefined): "authorized" | "captured" | undefined {
  if (status === PaymentSessionStatus.CAPTURED) return "captured"
  if (status === PaymentSessionStatus.AUTHORIZED) return "authorized"
  return undefined
}

/**
 * Hand a settled payment to Medusa's webhook processing (`processPaymentWorkflow`, what
 * Medusa's own webhook subscriber runs): it authorizes the session (the provider confirms
 * with the gateway), records the capture, and completes the cart into an order. A session
 * already settled is left alone, so a replay changes nothing.
 */
export async function settle(
  deps: Pick<HostedPaymentDependencies, "sessions" | "runPaymentWorkflow">,
  session: SessionRecord,
  action: "authorized" | "captured",
  log: Log,
  source: string
): Promise<NotificationOutcome> {
  const { sessions } = deps
  const cartId = await sessions.cartOfCollection(session.payment_collection_id)
  const existingOrder = cartId ? await sessions.orderOfCart(cartId) : undefined
  if (isSettled(session) && (!cartId || existingOrder)) {
    return { acknowledge: true, result: "duplicate", detail: "already processed", session_id: session.id, order_id: existingOrder }
  }
  try {
    await deps.runPaymentWorkflow({
      action: action === "captured" ? PaymentActions.SUCCESSFUL : PaymentActions.AUTHORIZED,
      // The session's own amount, exactly (a decimal string, never a float).
      data: { session_id: session.id, amount: toBigNumber((session.raw_amount ?? session.amount) as never).toFixed() },
    })
  } catch (error) {
    log("warn", `payment session ${session.id} could not be settled from the ${source} yet: ${messageOf(error)}`)
    return { acknowledge: false, result: "retry", detail: "not settled", session_id: session.id }
  }
  // The workflow swallows a failed cart completion (it continues on permanent failure):
  // only a payment, or an order, proves something happened.
  const after = await sessions.session(session.id)
  const orderId = cartId ? await sessions.orderOfCart(cartId) : undefined
  if (!after || !isSettled(after) || (cartId && !orderId)) {
    log("warn", `payment session ${session.id} is not settled after the ${source} (status ${after?.status ?? "gone"})`)
    return { acknowledge: false, result: "retry", detail: "not settled", session_id: session.id }
  }
  log("info", `payment session ${session.id} settled from the ${source}${orderId ? `; order ${orderId}` : ""}`)
  return { acknowledge: true, result: "processed", detail: action, session_id: session.id, order_id: orderId }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
