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
    return `\`${name}\`: ${scrub(describeIssue(issue, raw), values)}`
  })
  throw new PaymentConfigError(
    `${provider} payment provider options are invalid: ${problems.join("; ")}`
  )
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  // zod 4 leaves `input` out of reported issues: look the value up in the raw options.
  if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined) {
    return "is required but missing"
  }
  return issue.message
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current = raw
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return current
}

/** Remove any option value (as given, or trimmed) that a message might echo back. */
function scrub(message: string, values: string[]): string {
  let out = message
  const candidates = new Set(values.flatMap((value) => [value, value.trim()]))
  for (const value of [...candidates].sort((a, b) => b.length - a.length)) {
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

/**
 * `text` cut to at most `maxLength` UTF-16 units (what JavaScript's `length` counts),
 * never between the two halves of a character outside the BMP (an
 * emoji): a lone half is not valid Unicode and breaks URL and form encodings. Within the
 * limit whether the gateway counts UTF-16 units or characters.
 */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text
  let end = maxLength
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return text.slice(0, end)
}
