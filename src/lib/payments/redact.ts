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
  "xapikey",
])

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "")
}

export function isSensitiveKey(key: string, extraKeys: readonly string[] = []): boolean {
  const extras = extraKeys.map(normalizeKey)
  const known = (k: string) => SENSITIVE_KEYS.has(k) || extras.includes(k)
  if (known(normalizeKey(key))) return true
  // Form-encoded keys ("card[cvc]", "payment_method_data[card][number]"): each segment,
  // and the last two together ("card" + "number").
  const segments = key.split(/[[\]]+/).filter(Boolean).map(normalizeKey)
  if (segments.length < 2) return false
  return segments.some(known) || known(segments.slice(-2).join(""))
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
    pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi,
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
    pattern: /(?<![\d.])\d(?:[ -]?\d){12,30}(?![\d.])/g,
    accept: containsCardNumber,
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

/** `path` holds the objects being walked right now: only a real cycle is "[Circular]". */
function redactValue(value: unknown, extraKeys: readonly string[], path: WeakSet<object>): unknown {
  if (typeof value === "string") {
    return redactText(value)
  }
  if (value === null || typeof value !== "object" || value instanceof Date) {
    return value
  }
  if (path.has(value)) {
    return "[Circular]"
  }
  path.add(value)
  try {
    if (Array.isArray(value)) {
      return value.map((item) => redactValue(item, extraKeys, path))
    }
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (isSensitiveKey(key, extraKeys) && item !== null && item !== undefined && item !== "") {
        out[key] = REDACTED
      } else {
        out[key] = redactValue(item, extraKeys, path)
      }
    }
    return out
  } finally {
    path.delete(value)
  }
}

/** Redact header values by header name (Authorization, Cookie...), case-insensitively. */
export function redactHeaders(
  headers: Record<string, string | string[] | undefined>,
  extraKeys: readonly string[] = []
): Record<string, string | string[] | undefined> {
  return redact(headers, extraKeys)
}

/**
 * Whether a run of digits (maybe grouped by spaces or dashes) holds a card number: the
 * whole run, or a stretch of whole groups inside it (a card followed by its CVC, a
 * quantity before it), of 13 to 19 digits, starting 2-6 and passing Luhn. Only whole
 * groups are tried so that long ids are not flagged by chance.
 */
function containsCardNumber(run: string): boolean {
  const groups = run.split(/[ -]/).filter(Boolean)
  for (let start = 0; start < groups.length; start++) {
    let digits = ""
    for (let end = start; end < groups.length; end++) {
      digits += groups[end]
      if (digits.length > 19) break
      if (digits.length >= 13 && /^[2-6]/.test(digits) && isLuhnValid(digits)) return true
    }
  }
  return false
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
