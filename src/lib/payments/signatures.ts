/**
 * Signature helpers shared by every gateway that signs its notifications or requests:
 * HMAC and digests, a constant-time comparison, and a timestamp tolerance check.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto"

export type DigestAlgorithm = "sha1" | "sha256" | "sha512" | "md5"
export type DigestEncoding = "hex" | "base64" | "base64url"

export function hmac(
  algorithm: DigestAlgorithm,
  key: string | Buffer,
  payload: string | Buffer,
  encoding: DigestEncoding = "hex"
): string {
  return createHmac(algorithm, key).update(payload).digest(encoding)
}

export function digest(
  algorithm: DigestAlgorithm,
  payload: string | Buffer,
  encoding: DigestEncoding = "hex"
): string {
  return createHash(algorithm).update(payload).digest(encoding)
}

/**
 * Compare two strings without leaking, through timing, where they first differ.
 * Strings of different lengths are unequal (their lengths are not secret).
 */
export function safeEqual(a: string | Buffer | undefined | null, b: string | Buffer | undefined | null): boolean {
  if (a === undefined || a === null || b === undefined || b === null) {
    return false
  }
  const left = Buffer.isBuffer(a) ? a : Buffer.from(a, "utf8")
  const right = Buffer.isBuffer(b) ? b : Buffer.from(b, "utf8")
  if (left.length !== right.length || left.length === 0) {
    return false
  }
  return timingSafeEqual(left, right)
}

/** Whether a signature over `payload` matches any of the candidates, in constant time per candidate. */
export function verifyHmac(
  algorithm: DigestAlgorithm,
  key: string | Buffer,
  payload: string | Buffer,
  candidates: readonly string[],
  encoding: DigestEncoding = "hex"
): boolean {
  const expected = hmac(algorithm, key, payload, encoding)
  let matched = false
  for (const candidate of candidates) {
    // Evaluate every candidate so the time taken does not depend on which one matched.
    matched = safeEqual(expected, candidate) || matched
  }
  return matched
}

/**
 * Whether a signed timestamp (seconds since the epoch) is within `toleranceSeconds` of
 * now, in either direction. Rejects what is not a finite number.
 */
export function isWithinTolerance(
  timestampSeconds: number,
  toleranceSeconds: number,
  nowMs: number = Date.now()
): boolean {
  if (!Number.isFinite(timestampSeconds) || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    return false
  }
  return Math.abs(nowMs / 1000 - timestampSeconds) <= toleranceSeconds
}

/** A stable, short key from parts, for idempotency keys Medusa does not provide. */
export function deriveKey(...parts: Array<string | number | undefined | null>): string {
  return digest("sha256", parts.map((p) => (p === undefined || p === null ? "" : String(p))).join("\u001f"), "hex").slice(0, 40)
}
