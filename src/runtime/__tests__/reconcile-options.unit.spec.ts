import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { RECONCILE_DEFAULTS } from "../../lib/payments/outcomes/reconcile"
import { reconcileOptions } from "../reconcile"

/** A container with only the config module, as a job's container holds it. */
const containerWith = (plugins: unknown[]) => ({
  resolve: (key: string) => {
    if (key !== ContainerRegistrationKeys.CONFIG_MODULE) throw new Error(`not registered: ${key}`)
    return { plugins }
  },
})

describe("the reconciliation job's settings", () => {
  it("defaults to batches of 50, sessions older than 15 minutes and younger than 30 days, a minute per run", () => {
    expect(reconcileOptions(containerWith([]), {})).toEqual({ enabled: true, ...RECONCILE_DEFAULTS })
    expect(RECONCILE_DEFAULTS).toEqual({ batchSize: 50, minAgeMs: 15 * 60_000, maxAgeMs: 30 * 86_400_000, budgetMs: 60_000 })
  })

  it("takes the plugin's options first, then the environment", () => {
    const container = containerWith(["other-plugin", { resolve: "medusa-payments-collection", options: { reconcile: { batchSize: 10, minAgeMs: 0 } } }])
    const env = { PAYMENTS_RECONCILE_BATCH_SIZE: "99", PAYMENTS_RECONCILE_BUDGET_SECONDS: "5", PAYMENTS_RECONCILE_MAX_AGE_DAYS: "2" }
    expect(reconcileOptions(container, env)).toEqual({ enabled: true, batchSize: 10, minAgeMs: 0, maxAgeMs: 2 * 86_400_000, budgetMs: 5000 })
  })

  it("ignores settings that are not positive numbers, and can be switched off", () => {
    const env = { PAYMENTS_RECONCILE_BATCH_SIZE: "-1", PAYMENTS_RECONCILE_BUDGET_SECONDS: "soon", PAYMENTS_RECONCILE_MIN_AGE_MINUTES: "0" }
    expect(reconcileOptions(containerWith([]), env)).toEqual({ ...RECONCILE_DEFAULTS, enabled: true, minAgeMs: 0 })
    expect(reconcileOptions(containerWith([]), { PAYMENTS_RECONCILE_DISABLED: "true" }).enabled).toBe(false)
    expect(reconcileOptions(containerWith([{ resolve: "medusa-payments-collection", options: { reconcile: { enabled: false } } }]), {}).enabled).toBe(false)
  })
})
