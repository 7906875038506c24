import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { reconcilePayments } from "../lib/payments/outcomes/reconcile"
import { reconcileDependencies, reconcileOptions } from "../runtime/reconcile"

/**
 * Reconciles what the gateways' events missed (see `lib/payments/outcomes/reconcile.ts`):
 * stale pending sessions, authorized payments not yet captured, refunds made at the gateway,
 * authorizations close to expiry. Medusa runs scheduled jobs only where `workerMode` is
 * `worker` or `shared`; a lock keeps two workers from running it at once.
 *
 * Schedule: `PAYMENTS_RECONCILE_SCHEDULE` (cron, read at boot), every 10 minutes by default.
 */
export default async function reconcilePaymentsJob(container: MedusaContainer): Promise<void> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const options = reconcileOptions(container)
  if (!options.enabled) return
  const locking = container.resolve(Modules.LOCKING) as unknown as {
    execute<T>(key: string, job: () => Promise<T>, args?: { timeout?: number }): Promise<T>
  }
  let run
  try {
    // A run already under way elsewhere (another worker) means this one has nothing to do:
    // it waits a second for the lock at most.
    run = await locking.execute("payments-collection:reconcile", () => reconcilePayments(reconcileDependencies(container), options), { timeout: 1 })
  } catch (error) {
    logger.info(`reconciliation: skipped this run (${error instanceof Error ? error.message : String(error)})`)
    return
  }
  if (run.checked || run.unavailable || run.acted_on || run.out_of_time) {
    logger.info(
      `reconciliation: ${run.checked} payment(s) checked with the gateway, ${run.acted_on} change(s) made, ` +
        `${run.unavailable} gateway(s) unavailable, ${run.expiring} authorization(s) close to expiry${run.out_of_time ? "; out of time, the rest next run" : ""}`
    )
  }
}

export const config = {
  name: "payments-collection-reconcile",
  schedule: process.env.PAYMENTS_RECONCILE_SCHEDULE || "*/10 * * * *",
}
