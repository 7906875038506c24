/**
 * Options validation shared by every provider: a zod schema per provider, parsed once
 * at boot by `static validateOptions`, failing with a message that names each bad
 * option and never prints its value.
 */
import { z } from "@medusajs/framework/zod"
import { PaymentConfigError } from "./errors"

export { z }

/**
 * Parse `raw` against `schema` or throw a `PaymentConfigError` naming every bad option.
 * @param provider how the provider is named in messages ("Stripe")
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  provider: string
): z.infer<S> {
  const result = schema.safeParse(raw ?? {})
  if (result.success) {
    return result.data
  }
  const values = collectStrings(raw)
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.length ? issue.path.map(String).join(".") : "(options)"
    return `\`${name}\`: ${scrub(describeIssue(issue), values)}`
  })
  throw new PaymentConfigError(
    `${provider} payment provider options are invalid: ${problems.join("; ")}`
  )
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return "is required but missing"
  }
  return issue.message
}

/** Remove any option value that a message might echo back. */
function scrub(message: string, values: string[]): string {
  let out = message
  for (const value of values) {
    if (value.length >= 4) {
      out = out.split(value).join("[value hidden]")
    }
  }
  return out
}

function collectStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    out.push(value)
  } else if (value && typeof value === "object") {
    for (const item of Object.values(value as Record<string, unknown>)) {
      collectStrings(item, out)
    }
  }
  return out
}

/** A non-empty string option, trimmed. */
export const requiredString = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required but missing" : `must be ${what}`) })
    .trim()
    .min(1, { error: "must not be empty" })

/** A base URL option: absolute http(s), without a trailing slash. */
export const baseUrl = () =>
  z
    .string()
    .trim()
    .url({ error: "must be an absolute URL" })
    .refine((u) => /^https?:\/\//.test(u), { error: "must start with http:// or https://" })
    .transform((u) => u.replace(/\/+$/, ""))
