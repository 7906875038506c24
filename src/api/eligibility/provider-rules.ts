/**
 * From a provider id (`pp_cod_offline`) to that provider's label and eligibility rules,
 * for the store routes.
 *
 * The rules live in each provider's options, and the options in the resolved config:
 * the Payment Module's `options.providers` entries `{ resolve, id, options }`. Medusa
 * registers every service of the module at `resolve` as `pp_<identifier>_<id>`, so this
 * loads each `resolve` the way Medusa's provider loader does (same path normalisation,
 * same resolution from the project), reads each service's static `identifier`, and asks
 * the class for its rules (`eligibilityOf`, for providers that keep them in a section of
 * their options) or parses the top level of the options with the shared zod shape, so the
 * rules are normalised exactly as the provider sees them. This covers the collection's
 * providers registered from the environment and providers registered by hand in
 * medusa-config alike. A provider not found there (`pp_system_default`, one registered
 * some other way) has no rules: always eligible.
 *
 * The map is built once per config (the providers cannot change without a restart).
 */
import type { ConfigModule, Logger } from "@medusajs/framework/types"
import {
  Modules,
  dynamicImport,
  normalizeImportPathWithSource,
  resolveFromProject,
} from "@medusajs/framework/utils"
import {
  EligibilityAwareProvider,
  ProviderEligibility,
  providerEligibility,
} from "../../lib/payments/eligibility"
import { paymentProviders } from "../../payment-providers"

interface ProviderEntry {
  resolve?: unknown
  id?: string
  options?: Record<string, unknown>
}

interface ModuleEntry {
  resolve?: unknown
  key?: string
  options?: { providers?: ProviderEntry[] }
}

type ServiceClass = EligibilityAwareProvider & { identifier?: string; name?: string }

const cache = new WeakMap<object, Promise<Map<string, ProviderEligibility>>>()

/** Every provider registered in the Payment Module's config, by provider id. */
export function providerRules(config: ConfigModule, logger?: Logger): Promise<Map<string, ProviderEligibility>> {
  let built = cache.get(config)
  if (!built) {
    built = buildProviderRules(config, logger)
    cache.set(config, built)
    // A failure is not cached: the next request tries again.
    built.catch(() => cache.delete(config))
  }
  return built
}

/** A provider's label and rules; providers without rules get an empty rule set. */
export function eligibilityOfProvider(rules: Map<string, ProviderEligibility>, providerId: string): ProviderEligibility {
  return rules.get(providerId) ?? { label: humanLabel(providerId), rules: {} }
}

async function buildProviderRules(config: ConfigModule, logger?: Logger): Promise<Map<string, ProviderEligibility>> {
  const out = new Map<string, ProviderEligibility>()
  for (const entry of paymentProviderEntries(config)) {
    const services = await servicesOf(entry.resolve)
    for (const klass of services) {
      if (!klass?.identifier) continue
      // The same key Medusa's payment provider loader registers.
      const providerId = `pp_${klass.identifier}${entry.id ? `_${entry.id}` : ""}`
      try {
        out.set(providerId, providerEligibility(klass, entry.options, declaredLabel(klass.identifier)))
      } catch (error) {
        // The provider's own validateOptions accepted these options at boot, so this is a
        // third-party provider with options of the same names meaning something else.
        logger?.warn(
          `[payments] could not read the eligibility rules of ${providerId}; it is treated as always eligible: ` +
            (error instanceof Error ? error.message : String(error))
        )
        out.set(providerId, { label: declaredLabel(klass.identifier), rules: {} })
      }
    }
  }
  return out
}

function paymentProviderEntries(config: ConfigModule): ProviderEntry[] {
  const modules = (config.modules ?? {}) as Record<string, unknown> | unknown[]
  const entries: Array<[string | undefined, unknown]> = Array.isArray(modules)
    ? modules.map((m) => [undefined, m])
    : Object.entries(modules)
  for (const [key, value] of entries) {
    if (!value || typeof value !== "object") continue
    const module = value as ModuleEntry
    const isPayment =
      key === Modules.PAYMENT ||
      module.key === Modules.PAYMENT ||
      (typeof module.resolve === "string" && /(^|\/)payment$/.test(module.resolve))
    if (isPayment) {
      return Array.isArray(module.options?.providers) ? module.options.providers : []
    }
  }
  return []
}

async function servicesOf(resolve: unknown): Promise<ServiceClass[]> {
  let loaded: unknown = resolve
  if (typeof resolve === "string") {
    loaded = await dynamicImport(resolveFromProject(normalizeImportPathWithSource(resolve)))
  }
  const mod = ((loaded as { default?: unknown })?.default ?? loaded) as { services?: ServiceClass[] } | undefined
  return Array.isArray(mod?.services) ? mod.services : []
}

/** The collection's label for an identifier ("Stripe"), else the admin's way of naming it. */
function declaredLabel(identifier: string): string {
  return paymentProviders.find((d) => d.identifier === identifier)?.label ?? titleCase(identifier)
}

function humanLabel(providerId: string): string {
  const [, identifier = providerId] = providerId.split("_")
  return titleCase(identifier)
}

/** As Medusa's admin shows a provider: "bank-transfer" -> "Bank Transfer". */
function titleCase(identifier: string): string {
  return identifier
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(" ")
}
