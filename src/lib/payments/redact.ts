/**
 * One redaction for the whole collection: logs, error messages and the fixture
 * recorder all go through it, so a secret scrubbed in one place is scrubbed in all.
 *
 * Two layers:
 * - by key: any value under a sensitive key is replaced, whatever it looks like;
 * - by shape: inside any string, things that look like API keys, webhook secrets,
 *   bearer/basic credentials, client secrets and Luhn-valid card numbers are replaced.
 *
 * The same shapes drive the secrets lint (`findSecrets`), so the recorder cannot write
 * what the lint would reject.
 */

export const REDACTED = "[REDACTED]"

/** Keys compared after lower-casing and dropping everything but letters and digits. */
const SENSITIVE_KEYS = new Set([
  "apikey",
  "secret",
  "secretkey",
  "clientsecret",
  "webhooksecret",
  "signingsecret",
  "password",
  "passwd",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "bearer",
  "privatekey",
  "hashkey",
  "hashiv",
  "cvc",
  "cvv",
  "cvc2",
  "cvv2",
  "securitycode",
  "cardnumber",
  "pan",
])

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "")
}

export function isSensitiveKey(key: string, extraKeys: readonly string[] = []): boolean {
  const k = normalizeKey(key)
  return SENSITIVE_KEYS.has(k) || extraKeys.some((extra) => normalizeKey(extra) === k)
}

interface SecretShape {
  kind: string
  pattern: RegExp
  /** Replace the match; the default replaces it whole. */
  replace?: (match: string, ...groups: string[]) => string
  /** Extra check on a match (Luhn). */
  accept?: (match: string) => boolean
}

const SECRET_SHAPES: SecretShape[] = [
  {
    kind: "Stripe secret or restricted key",
    pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}/g,
    replace: (m) => `${m.slice(0, 8)}${REDACTED}`,
  },
  {
    kind: "webhook signing secret",
    pattern: /\bwhsec_[A-Za-z0-9+/=]{8,}/g,
    replace: () => `whsec_${REDACTED}`,
  },
  {
    kind: "client secret",
    pattern: /\b((?:pi|seti|src)_[A-Za-z0-9]+_secret_)[A-Za-z0-9]{6,}/g,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
  },
  {
    kind: "bearer or basic credential",
    pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/g,
    replace: (_m, scheme) => `${scheme} ${REDACTED}`,
  },
  {
    kind: "PayPal access token",
    pattern: /\bA21AA[A-Za-z0-9_-]{20,}/g,
  },
  {
    kind: "card number",
    // Card brands start with 2-6 (Mastercard 2-series, Amex/JCB/Diners, Visa,
    // Mastercard, Discover/UnionPay); this keeps millisecond timestamps out.
    pattern: /(?<![\d.])[2-6](?:[ -]?\d){12,18}(?![\d.])/g,
    accept: (m) => isLuhnValid(m.replace(/[ -]/g, "")),
  },
]

export interface SecretFinding {
  kind: string
  /** The match with most of it masked, safe to print. */
  preview: string
  index: number
}

/** Every secret-looking thing inside a text, for the lint and for tests. */
export function findSecrets(text: string): SecretFinding[] {
  const findings: SecretFinding[] = []
  for (const shape of SECRET_SHAPES) {
    for (const match of text.matchAll(shape.pattern)) {
      if (shape.accept && !shape.accept(match[0])) {
        continue
      }
      findings.push({ kind: shape.kind, preview: mask(match[0]), index: match.index ?? 0 })
    }
  }
  return findings
}

/** Scrub secret-looking substrings from free text (error messages, log lines). */
export function redactText(text: string): string {
  let out = String(text)
  for (const shape of SECRET_SHAPES) {
    out = out.replace(shape.pattern, (match: string, ...rest: unknown[]) => {
      if (shape.accept && !shape.accept(match)) {
        return match
      }
      const groups = rest.filter((g): g is string => typeof g === "string")
      return shape.replace ? shape.replace(match, ...groups) : REDACTED
    })
  }
  return out
}

/**
 * A deep copy of `value` with every sensitive key's value replaced and every string
 * scrubbed. Safe for logs, error payloads and recorded fixtures.
 */
export function redact<T>(value: T, extraKeys: readonly string[] = []): T {
  return redactValue(value, extraKeys, new WeakSet()) as T
}

function redactValue(value: unknown, extraKeys: readonly string[], seen: WeakSet<object>): unknown {
  if (typeof value === "string") {
    return redactText(value)
  }
  if (value === null || typeof value !== "object") {
    return value
  }
  if (seen.has(value)) {
    return "[Circular]"
  }
  seen.add(value)
  if (Array.isArray(value)) {
    return value.map((item) => redactValue(item, extraKeys, seen))
  }
  if (value instanceof Date) {
    return value
  }
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (isSensitiveKey(key, extraKeys) && item !== null && item !== undefined && item !== "") {
      out[key] = REDACTED
    } else {
      out[key] = redactValue(item, extraKeys, seen)
    }
  }
  return out
}

/** Redact header values by header name (Authorization, Cookie...), case-insensitively. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
  extraKeys: readonly string[] = []
): Record<string, string | string[] | undefined> {
  return redact(headers, extraKeys)
}

export function isLuhnValid(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) {
    return false
  }
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

function mask(match: string): string {
  if (match.length <= 8) {
    return "*".repeat(match.length)
  }
  return `${match.slice(0, 4)}${"*".repeat(Math.min(12, match.length - 6))}${match.slice(-2)}`
}
