/**
 * The reconciliation's ports over a Medusa container (see `lib/payments/outcomes/reconcile.ts`):
 * the candidates read with Medusa's query, the gateway's last answers kept in the plugin's
 * payment-events module, and the providers of the Payment Module.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { paymentProviderOf, paymentProviders } from "../lib/payments/hosted/sessions"
import type { GatewayStateStore, ReconcileCandidateQuery, ReconcileDependencies, ReconcileOptions } from "../lib/payments/outcomes/reconcile"
import { RECONCILE_DEFAULTS } from "../lib/payments/outcomes/reconcile"
import { PACKAGE_NAME } from "../lib/payments/package"
import { gatewayLabel } from "./labels"
import { outcomeDependencies, paymentEvents } from "./outcomes"

type Container = Pick<MedusaContainer, "resolve">
type Query = { graph(config: Record<string, unknown>): Promise<{ data: any[] }> }

// Errored too: a shopper can pay on the same gateway payment after a decline errored the
// session (Stripe's PaymentIntent takes another card), and its event may be lost.
const AWAITING = ["pending", "requires_more", "pending_authorization", "error"]

export function gatewayStateStore(container: Container): GatewayStateStore {
  return {
    async lastChecked(sessionIds) {
      const out = new Map<string, Date>()
      if (!sessionIds.length) return out
      const states = await paymentEvents(container).listPaymentGatewayStates({ session_id: sessionIds }, { select: ["session_id", "checked_at"], take: sessionIds.length })
      for (const state of states) out.set(state.session_id, new Date(state.checked_at))
      return out
    },
    async save(state) {
      const events = paymentEvents(container)
      const [existing] = await events.listPaymentGatewayStates({ session_id: state.session_id }, { take: 1 })
      const row = { ...state, authorization_expires_at: state.authorization_expires_at ? new Date(state.authorization_expires_at) : null }
      if (existing) {
        await events.updatePaymentGatewayStates({ id: existing.id, ...row } as never)
        return
      }
      try {
        await events.createPaymentGatewayStates(row as never)
      } catch (error) {
        // Checked at the same moment elsewhere (the admin and the job): the row is there now.
        const [created] = await events.listPaymentGatewayStates({ session_id: state.session_id }, { take: 1 })
        if (!created) throw error
        await events.updatePaymentGatewayStates({ id: created.id, ...row } as never)
      }
    },
  }
}

export function reconcileCandidates(container: Container): ReconcileCandidateQuery {
  const graph = (config: Record<string, unknown>) => (container.resolve(ContainerRegistrationKeys.QUERY) as unknown as Query).graph(config)
  return {
    async staleSessions(providerIds, from, to, limit, offset = 0) {
      const { data } = await graph({
        entity: "payment_session",
        fields: ["id"],
        filters: { provider_id: providerIds, status: AWAITING, created_at: { $gte: from, $lt: to } },
        pagination: { skip: offset, take: limit, order: { created_at: "DESC", id: "DESC" } },
      })
      return data.map((row) => row.id)
    },
    async uncapturedPayments(providerIds, from, limit, offset = 0) {
      const { data } = await graph({
        entity: "payment",
        fields: ["id", "payment_session_id"],
        filters: { provider_id: providerIds, captured_at: null, canceled_at: null, created_at: { $gte: from } },
        pagination: { skip: offset, take: limit, order: { created_at: "DESC", id: "DESC" } },
      })
      return data.map((row) => row.payment_session_id).filter(Boolean)
    },
    async providerIds() {
      const payment = container.resolve(Modules.PAYMENT) as unknown as { listPaymentProviders(filters?: object): Promise<Array<{ id: string; is_enabled?: boolean }>> }
      const providers = await payment.listPaymentProviders({})
      return providers.filter((provider) => provider.is_enabled !== false).map((provider) => provider.id)
    },
  }
}

export function reconcileDependencies(container: Container): ReconcileDependencies {
  return {
    ...outcomeDependencies(container),
    providers: paymentProviders(container),
    states: gatewayStateStore(container),
    candidates: reconcileCandidates(container),
    labelOf: (providerId) => {
      let provider: unknown
      try {
        provider = paymentProviderOf(container, providerId)
      } catch {
        provider = undefined
      }
      return gatewayLabel(provider, providerId)
    },
  }
}

/**
 * The job's settings: the plugin's options in `medusa-config.ts`
 * (`plugins: [{ resolve: "medusa-payments-collection", options: { reconcile: { … } } }]`),
 * then `PAYMENTS_RECONCILE_*` environment variables, then the defaults.
 */
export function reconcileOptions(container: Container, env: NodeJS.ProcessEnv = process.env): Required<ReconcileOptions> & { enabled: boolean } {
  let fromConfig: Record<string, unknown> = {}
  try {
    const config = container.resolve(ContainerRegistrationKeys.CONFIG_MODULE) as unknown as { plugins?: Array<string | { resolve: string; options?: Record<string, unknown> }> }
    const plugin = (config.plugins ?? []).find((entry) => typeof entry !== "string" && entry.resolve === PACKAGE_NAME) as { options?: Record<string, unknown> } | undefined
    fromConfig = (plugin?.options?.reconcile as Record<string, unknown> | undefined) ?? {}
  } catch {
    fromConfig = {}
  }
  // A minimum age of 0 (ask about every pending session) is allowed; the other settings are positive.
  const pick = (key: keyof ReconcileOptions, envName: string, scale: number): number => {
    const allowed = (value: number) => Number.isFinite(value) && (value > 0 || (key === "minAgeMs" && value === 0))
    const configured = fromConfig[key]
    if (typeof configured === "number" && allowed(configured)) return configured
    const fromEnv = Number(env[envName])
    if (env[envName] !== undefined && env[envName] !== "" && allowed(fromEnv)) return fromEnv * scale
    return RECONCILE_DEFAULTS[key]
  }
  return {
    enabled: fromConfig.enabled !== false && env.PAYMENTS_RECONCILE_DISABLED !== "true",
    batchSize: Math.floor(pick("batchSize", "PAYMENTS_RECONCILE_BATCH_SIZE", 1)),
    minAgeMs: pick("minAgeMs", "PAYMENTS_RECONCILE_MIN_AGE_MINUTES", 60 * 1000),
    maxAgeMs: pick("maxAgeMs", "PAYMENTS_RECONCILE_MAX_AGE_DAYS", 24 * 60 * 60 * 1000),
    budgetMs: pick("budgetMs", "PAYMENTS_RECONCILE_BUDGET_SECONDS", 1000),
  }
}
