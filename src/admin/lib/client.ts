/**
 * The widgets' one way to the plugin's admin routes: Medusa's JS SDK, set up as the dashboard
 * sets up its own (same backend URL, same session or JWT authentication), so a request carries
 * the logged-in admin's credentials and nothing else.
 */
import Medusa, { FetchError } from "@medusajs/js-sdk"
import type { AdminOrderPaymentsView, AdminPaymentView } from "../../lib/payments/outcomes/view"

export type {
  AdminOrderPaymentsView,
  AdminPaymentView,
  DisputeEntry,
  GatewayStateEntry,
  TimelineEntry,
} from "../../lib/payments/outcomes/view"

// Defined by the admin bundler (`@medusajs/admin-bundler`'s Vite config) for the dashboard and
// every plugin's extensions; the `typeof` guards keep an undefined one from throwing.
declare const __BACKEND_URL__: string | undefined
declare const __AUTH_TYPE__: "session" | "jwt" | undefined
declare const __JWT_TOKEN_STORAGE_KEY__: string | undefined

const backendUrl = (typeof __BACKEND_URL__ !== "undefined" && __BACKEND_URL__) || "/"
const authType = (typeof __AUTH_TYPE__ !== "undefined" && __AUTH_TYPE__) || "session"
const jwtTokenStorageKey = (typeof __JWT_TOKEN_STORAGE_KEY__ !== "undefined" && __JWT_TOKEN_STORAGE_KEY__) || undefined

export const sdk = new Medusa({ baseUrl: backendUrl, auth: { type: authType, jwtTokenStorageKey } })

const BASE = "/admin/payments-collection"

export interface ReconcileResult {
  result: { outcome: string; detail: string }
  payment: AdminPaymentView
}

export interface ReferenceMatch {
  id: string
  display_id: number | null
  payment_id: string
  reference: string
}

export interface CollectionProvider {
  id: string
  label: string
  gateway: string
}

/** The region's payment providers, as the stock admin API gives them. */
export interface RegionProviders {
  region: { id: string; payment_providers?: Array<{ id: string; is_enabled?: boolean }> | null }
}

export const paymentsApi = {
  order: (orderId: string) => sdk.client.fetch<AdminOrderPaymentsView>(`${BASE}/orders/${encodeURIComponent(orderId)}`),
  reconcile: (paymentId: string) =>
    sdk.client.fetch<ReconcileResult>(`${BASE}/payments/${encodeURIComponent(paymentId)}/reconcile`, { method: "POST" }),
  recordReceipt: (paymentId: string, amount: string) =>
    sdk.client.fetch<{ payment: AdminPaymentView }>(`${BASE}/payments/${encodeURIComponent(paymentId)}/receipts`, {
      method: "POST",
      body: { amount },
    }),
  findByReference: (reference: string) =>
    sdk.client.fetch<{ orders: ReferenceMatch[] }>(`${BASE}/references/${encodeURIComponent(reference)}`),
  providers: () => sdk.client.fetch<{ providers: CollectionProvider[] }>(`${BASE}/providers`),
  regionProviders: (regionId: string) =>
    sdk.client.fetch<RegionProviders>(`/admin/regions/${encodeURIComponent(regionId)}`, {
      query: { fields: "id,*payment_providers" },
    }),
}

/** The sentence to show for a failed request: the route's own `message` when it gave one. */
export function errorMessage(error: unknown): string {
  if (error instanceof FetchError || error instanceof Error) return error.message || "The request failed"
  return String(error)
}

/** Query keys of the widgets' own data, and the dashboard's order (to refresh its payment section). */
export const queryKeys = {
  order: (orderId: string) => ["payments-collection", "order", orderId] as const,
  providers: ["payments-collection", "providers"] as const,
  region: (regionId: string) => ["payments-collection", "region", regionId] as const,
  /** The dashboard's own key prefix for an order (`ordersQueryKeys.detail(id)`). */
  dashboardOrder: (orderId: string) => ["orders", "detail", orderId] as const,
}
