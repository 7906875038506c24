/**
 * Turns the collection's provider declarations into the Payment Module's `providers`
 * list, leaving out each provider whose credentials are absent from the environment
 * with one log line naming the missing variables (never their values).
 */

export interface ProviderDeclaration {
  /** Human name for the log line ("Stripe"). */
  label: string
  /** The provider's module as a store resolves it ("medusa-payments-collection/providers/stripe"). */
  resolve: string
  /** Medusa's `id` of the registration: the provider becomes `pp_<identifier>_<id>`. */
  id: string
  /** The provider's static identifier, for the provider id and the webhook URL. */
  identifier: string
  /**
   * Environment variables that must be set for the provider to be registered; a function
   * when they depend on the environment (e.g. a webhook secret only in production).
   */
  requiredEnv: readonly string[] | ((env: NodeJS.ProcessEnv) => readonly string[])
  /**
   * For a provider that needs no credentials (cash on delivery): registered only when this
   * says so. `enableHint` is what the log line tells the merchant to set.
   */
  enabled?: (env: NodeJS.ProcessEnv) => boolean
  enableHint?: string
  /** Build the options from the environment (only called when every required variable is set). */
  options: (env: NodeJS.ProcessEnv) => Record<string, unknown>
}

export interface ProviderRegistration {
  resolve: string
  id: string
  options: Record<string, unknown>
}

export interface RegisteredProvider {
  label: string
  providerId: string
  webhookPath: string
}

export function providerId(identifier: string, id: string): string {
  return `pp_${identifier}_${id}`
}

export function webhookPath(identifier: string, id: string): string {
  return `/hooks/payment/${identifier}_${id}`
}

/**
 * @param log where the "left out" lines go; `console.warn` by default.
 */
export function providersFromEnv(
  declarations: readonly ProviderDeclaration[],
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = (line) => console.warn(line)
): { registrations: ProviderRegistration[]; registered: RegisteredProvider[] } {
  const registrations: ProviderRegistration[] = []
  const registered: RegisteredProvider[] = []
  for (const declaration of declarations) {
    const required =
      typeof declaration.requiredEnv === "function" ? declaration.requiredEnv(env) : declaration.requiredEnv
    const missing = required.filter((name) => !env[name] || !String(env[name]).trim())
    if (declaration.enabled && !declaration.enabled(env)) {
      missing.unshift(declaration.enableHint ?? "the variable that enables it")
    }
    if (missing.length) {
      log(
        `[payments] ${declaration.label} (${providerId(declaration.identifier, declaration.id)}) is not registered: ` +
          `set ${missing.join(", ")} in the environment to enable it`
      )
      continue
    }
    registrations.push({ resolve: declaration.resolve, id: declaration.id, options: declaration.options(env) })
    registered.push({
      label: declaration.label,
      providerId: providerId(declaration.identifier, declaration.id),
      webhookPath: webhookPath(declaration.identifier, declaration.id),
    })
  }
  return { registrations, registered }
}

/** Parse a boolean environment variable ("true", "1", "yes"). */
export function envFlag(value: string | undefined, fallback = false): boolean {
  if (value === undefined || value === "") return fallback
  return /^(1|true|yes|on)$/i.test(value.trim())
}

/** Parse a comma-separated environment variable into a list. */
export function envList(value: string | undefined): string[] | undefined {
  if (!value) return undefined
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
  return items.length ? items : undefined
}
