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
 *
 * Logged traffic and recorded fixtures also lose the buyer's personal data (`redactForLog`):
 * one list of keys for every gateway (`PERSONAL_DATA`), applied by the HTTP layer and the
 * recorder, never a gateway's own list.
 */

import { PERSONAL_DATA } from "./personal-data"

export { PERSONAL_DATA, type PersonalDataRule } from "./personal-data"

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
  let normalized = NORMALIZED.get(key)
  if (normalized === undefined) {
    normalized = key.toLowerCase().replace(/[^a-z0-9]/g, "")
    remember(NORMALIZED, key, normalized)
  }
  return normalized
}

/**
 * Memos of what a key normalizes to and splits into: every logged request and answer walks
 * the same few hundred keys, and normalizing each anew was most of a log line's cost. Bounded,
 * as keys can come from anywhere (metadata): a full memo is emptied and filled again.
 */
const MEMO_LIMIT = 4096
const NORMALIZED = new Map<string, string>()
const SEGMENTS = new Map<string, readonly string[]>()

function remember<V>(memo: Map<string, V>, key: string, value: V): void {
  if (memo.size >= MEMO_LIMIT) memo.clear()
  memo.set(key, value)
}

const NO_KINDS: readonly string[] = Object.freeze([])

interface KindRule {
  in?: ReadonlySet<string>
  except?: ReadonlySet<string>
}

/** The rules by normalized key, with their kinds normalized. */
const PERSONAL_KEYS: ReadonlyMap<string, readonly KindRule[]> = (() => {
  const byKey = new Map<string, KindRule[]>()
  for (const rule of PERSONAL_DATA) {
    const key = normalizeKey(rule.key)
    byKey.set(key, [
      ...(byKey.get(key) ?? []),
      {
        ...(rule.in ? { in: new Set(rule.in.map(normalizeKey)) } : {}),
        ...(rule.except ? { except: new Set(rule.except.map(normalizeKey)) } : {}),
      },
    ])
  }
  return byKey
})()

/**
 * Whether `key` holds personal data in an object of the given kinds (see `PERSONAL_DATA`).
 * A form-encoded key ("shipping[address][line1]") is read segment by segment, each with the
 * segment before it as its kind; array indexes are skipped.
 */
export function isPersonalKey(key: string, kinds: readonly string[] = []): boolean {
  return personalIn(segmentsOf(key), kinds.map(normalizeKey))
}

/** `isPersonalKey` over a key's segments, with the normalized kinds of its object. */
function personalIn(segments: readonly string[], kinds: readonly string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const rules = PERSONAL_KEYS.get(segments[i])
    if (!rules) continue
    const container = i === 0 ? kinds : [segments[i - 1]]
    const applies = rules.some(
      (rule) =>
        (!rule.in || container.some((kind) => rule.in?.has(kind))) &&
        !(rule.except && container.some((kind) => rule.except?.has(kind)))
    )
    if (applies) return true
  }
  return false
}

/** A key's normalized segments: "line_items[0][price_data]" -> ["lineitems", "pricedata"]. */
function segmentsOf(key: string): readonly string[] {
  let segments = SEGMENTS.get(key)
  if (segments === undefined) {
    segments = Object.freeze(
      key
        .split(/[[\]]+/)
        .filter((segment) => segment && !/^\d+$/.test(segment))
        .map(normalizeKey)
        .filter(Boolean)
    )
    remember(SEGMENTS, key, segments)
  }
  return segments
}

export function isSensitiveKey(key: string, extraKeys: readonly string[] = []): boolean {
  return sensitiveIn(key, extraKeys.length ? new Set(extraKeys.map(normalizeKey)) : NO_EXTRAS)
}

const NO_EXTRAS: ReadonlySet<string> = new Set()

/** `isSensitiveKey` with the extra keys normalized already. */
function sensitiveIn(key: string, extras: ReadonlySet<string>): boolean {
  const known = (k: string) => SENSITIVE_KEYS.has(k) || extras.has(k)
  if (known(normalizeKey(key))) return true
  // Form-encoded keys ("card[cvc]", "payment_method_data[card][number]"): each segment,
  // and the last two together ("card" + "number").
  if (!key.includes("[") && !key.includes("]")) return false
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

/**
 * Matches every text any of `SECRET_SHAPES` can match (each needs an underscore, a space,
 * PayPal's token prefix or 13 digits in a row, maybe grouped), and far more: a text it does
 * not match holds nothing to scrub, which is most ids, statuses and amounts.
 */
const MAY_HOLD_SECRET = /[_\s]|A21AA|\d(?:[ -]?\d){12}/

/** Scrub secret-looking substrings from free text (error messages, log lines). */
export function redactText(text: string): string {
  let out = String(text)
  if (!MAY_HOLD_SECRET.test(out)) {
    return out
  }
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
 * scrubbed. Safe for error payloads; logs and recorded fixtures use `redactForLog`.
 */
export function redact<T>(value: T, extraKeys: readonly string[] = []): T {
  return redactValue(value, { extraKeys: normalizedSet(extraKeys) }, new WeakSet(), []) as T
}

function normalizedSet(keys: readonly string[]): ReadonlySet<string> {
  return keys.length ? new Set(keys.map(normalizeKey)) : NO_EXTRAS
}

export interface RedactForLogOptions {
  /** Keys to replace besides the shared secrets and personal data (a gateway's extra secret). */
  extraKeys?: readonly string[]
  /** What a personal value becomes. @default REDACTED */
  personalReplacement?: string
  /**
   * The kinds of the top-level object, which no key names: for a request or answer body,
   * `kindsOfPath(path)` (a body posted to /v1/customers is a customer, its `name` a person's).
   */
  kinds?: readonly string[]
}

/**
 * `redact`, and the buyer's personal data out too (`PERSONAL_DATA`): what every logged
 * request and answer, and every recorded fixture, goes through, whichever the gateway.
 */
export function redactForLog<T>(value: T, options: RedactForLogOptions = {}): T {
  const walk = { extraKeys: normalizedSet(options.extraKeys ?? []), personal: options.personalReplacement ?? REDACTED }
  return redactValue(value, walk, new WeakSet(), (options.kinds ?? []).map(normalizeKey)) as T
}

/**
 * The kinds of a body sent to or answered from `path`: its segments, and each without a
 * plural "s" ("/v1/customers/cus_1" -> v1, customers, customer, cus1).
 */
export function kindsOfPath(path: string): string[] {
  const segments = path.split(/[?#]/)[0].split("/").map(normalizeKey).filter(Boolean)
  return [...new Set(segments.flatMap((segment) => (segment.endsWith("s") ? [segment, segment.slice(0, -1)] : [segment])))]
}

interface Walk {
  /** Normalized. */
  extraKeys: ReadonlySet<string>
  /** Set when personal data goes too: what replaces it. */
  personal?: string
}

/**
 * `path` holds the objects being walked right now: only a real cycle is "[Circular]".
 * `kinds` are the normalized kinds of the object `value` is or the array's items are: the
 * key it sits under.
 */
function redactValue(value: unknown, walk: Walk, path: WeakSet<object>, kinds: readonly string[]): unknown {
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
      return value.map((item) => redactValue(item, walk, path, kinds))
    }
    const entries = Object.entries(value as Record<string, unknown>)
    // Stripe names an object's type in `object` ("customer", "card"), wherever it sits.
    const tag = (value as { object?: unknown }).object
    const own = typeof tag === "string" ? [...kinds, normalizeKey(tag)] : kinds
    const out: Record<string, unknown> = {}
    for (const [key, item] of entries) {
      const present = item !== null && item !== undefined && item !== ""
      const segments = segmentsOf(key)
      if (present && sensitiveIn(key, walk.extraKeys)) {
        out[key] = REDACTED
      } else if (present && walk.personal !== undefined && personalIn(segments, own)) {
        out[key] = walk.personal
      } else if (item === null || typeof item !== "object") {
        // A string is scrubbed, anything else but an object is kept (what redactValue does).
        out[key] = typeof item === "string" ? redactText(item) : item
      } else {
        out[key] = redactValue(item, walk, path, segments.length ? segments.slice(-1) : NO_KINDS)
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
