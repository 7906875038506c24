/**
 * Bank identifiers and payment references, pure: the ISO 13616 IBAN check, the ISO 9362
 * BIC format and ISO 11649 "RF" creditor references. No I/O, no clock, no randomness.
 */
import { digest } from "../../lib/payments/signatures"

/**
 * IBAN lengths per country, from the SWIFT IBAN registry (ISO 13616):
 * https://www.swift.com/standards/data-standards/iban-international-bank-account-number
 * A country not listed is checked by the general shape (15 to 34 characters) and mod 97.
 */
const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20,
  LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15,
  PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19,
  SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20,
})

/** Upper-case and without spaces: how an IBAN or reference is compared and checked. */
export function compact(value: string): string {
  return String(value ?? "").replace(/[\s-]+/g, "").toUpperCase()
}

/** Groups of four for people ("DE89 3704 0044 ..."), as printed on statements and invoices. */
export function groupsOfFour(value: string): string {
  return compact(value).replace(/(.{4})(?=.)/g, "$1 ")
}

/**
 * ISO 7064 mod 97-10 over an alphanumeric string: letters count as 10 (A) to 35 (Z).
 * Computed piecewise so no number grows beyond what a double holds exactly.
 */
export function mod97(value: string): number {
  let remainder = 0
  for (const char of value) {
    const code = char.charCodeAt(0)
    const digits = code >= 65 && code <= 90 ? String(code - 55) : char
    for (const d of digits) {
      remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97
    }
  }
  return remainder
}

export type IbanProblem = "format" | "length" | "checksum"

/**
 * Why an IBAN is not valid, or undefined when it is: the shape (two letters, two check
 * digits, up to 30 alphanumerics), the registered length of its country, and the
 * mod-97 check of ISO 13616 (the rearranged number modulo 97 is 1).
 */
export function ibanProblem(iban: string): IbanProblem | undefined {
  const value = compact(iban)
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(value)) {
    return "format"
  }
  const expected = IBAN_LENGTHS[value.slice(0, 2)]
  if (expected !== undefined && value.length !== expected) {
    return "length"
  }
  if (mod97(value.slice(4) + value.slice(0, 4)) !== 1) {
    return "checksum"
  }
  return undefined
}

/** A BIC (ISO 9362): bank, country, location and an optional branch; 8 or 11 characters. */
export function isBic(bic: string): boolean {
  return /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(compact(bic))
}

/**
 * Crockford's base-32 alphabet: digits and letters without I, L, O and U, so a reference
 * read aloud or typed from a printed invoice is not mistaken (0/O, 1/I/L).
 */
const READABLE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/** The two check digits of an ISO 11649 reference for `body` (alphanumeric, up to 21 characters). */
export function creditorReferenceCheck(body: string): string {
  const check = 98 - mod97(`${compact(body)}RF00`)
  return String(check).padStart(2, "0")
}

/** Whether `reference` is a well-formed ISO 11649 creditor reference ("RF18 5390 0754 7034"). */
export function isCreditorReference(reference: string): boolean {
  const value = compact(reference)
  return /^RF\d{2}[A-Z0-9]{1,21}$/.test(value) && mod97(value.slice(4) + value.slice(0, 4)) === 1
}

/**
 * The payment reference of a payment session: an ISO 11649 creditor reference ("RF" +
 * two check digits + 16 characters) derived from the session id. Deterministic (the same
 * session always gets the same reference, so a retried step changes nothing), unique in
 * practice (80 bits of a SHA-256 of the id), short enough for a bank's reference field
 * (SEPA allows 35 characters), and typo-resistant: the check digits catch a mistyped
 * character, which banks that know RF references verify when the shopper types it.
 */
export function paymentReference(sessionId: string): string {
  const hash = Buffer.from(digest("sha256", `medusa-payments:bank-transfer:${sessionId}`, "hex"), "hex")
  let body = ""
  let bits = 0
  let buffer = 0
  for (const byte of hash) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5 && body.length < 16) {
      bits -= 5
      body += READABLE[(buffer >> bits) & 31]
    }
    buffer &= (1 << bits) - 1
    if (body.length >= 16) break
  }
  return `RF${creditorReferenceCheck(body)}${body}`
}
