/**
 * How the widgets write amounts, dates and statuses. Pure: the admin API gives amounts as exact
 * decimal strings in major units ("8", "19.99"), and they are shown as such, padded to the
 * currency's decimals, never through floating point.
 */

type BadgeColor = "green" | "red" | "blue" | "orange" | "grey" | "purple"

/** The currency's decimals (JPY 0, EUR 2, KWD 3), from the browser's ISO 4217 data. */
export function currencyDigits(currencyCode: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency: currencyCode.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2
  } catch {
    return 2
  }
}

/** "8" EUR → "8.00", "8.5" → "8.50", JPY "800" → "800": padded to the currency's decimals, never rounded. */
export function formatDecimal(amount: string, currencyCode: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim())
  if (!match) return amount
  const [, sign, whole, fraction = ""] = match
  const decimals = fraction.padEnd(currencyDigits(currencyCode), "0")
  return `${sign}${whole}${decimals ? `.${decimals}` : ""}`
}

/** "8" EUR → "8.00 EUR", "1234.5" → "1,234.50 EUR"; extra decimals are kept, never rounded away. */
export function formatMoney(amount: string | null | undefined, currencyCode: string): string {
  const code = currencyCode.toUpperCase()
  if (amount === null || amount === undefined || amount.trim() === "") return "—"
  if (!/^-?\d+(\.\d+)?$/.test(amount.trim())) return `${amount} ${code}`
  const [whole, fraction] = formatDecimal(amount, code).split(".")
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")
  return `${grouped}${fraction ? `.${fraction}` : ""} ${code}`
}

/**
 * What the admin typed as an amount, as the receipts route takes it: "8,50" (a decimal comma,
 * as most of Europe writes it) → "8.50"; anything else as typed, for the route to judge.
 */
export function normalizeAmountInput(typed: string): string {
  const value = typed.trim().replace(/\s+/g, "")
  return /^\d+,\d+$/.test(value) ? value.replace(",", ".") : value
}

/** A date and time in the admin's locale and time zone ("Dec 4, 2026, 10:30 AM"). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—"
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(date)
}

/** "partially_captured" → "Partially captured". */
export function humanize(word: string | null | undefined): string {
  if (!word) return "—"
  const spaced = word.replace(/[_-]+/g, " ").trim()
  return spaced.charAt(0).toUpperCase() + spaced.slice(1)
}

/** What happened to a gateway event, in words and a colour. */
export function outcomeBadge(outcome: string): { label: string; color: BadgeColor } {
  switch (outcome) {
    case "acted_on":
      return { label: "Acted on", color: "green" }
    case "duplicate":
      return { label: "Duplicate", color: "grey" }
    case "ignored":
      return { label: "Ignored", color: "grey" }
    case "failed":
      return { label: "Failed, will retry", color: "red" }
    case "received":
      return { label: "Processing", color: "blue" }
    default:
      return { label: humanize(outcome), color: "orange" }
  }
}

/** A payment status (Medusa's or the gateway's, as a Medusa session status) in a colour. */
export function statusColor(status: string | null | undefined): BadgeColor {
  switch (status) {
    case "captured":
      return "green"
    case "authorized":
    case "partially_captured":
      return "blue"
    case "partially_refunded":
    case "refunded":
    case "pending":
    case "requires_more":
    case "pending_authorization":
      return "orange"
    case "canceled":
    case "error":
      return "red"
    default:
      return "grey"
  }
}

/**
 * An RF creditor reference in groups of four, as ISO 11649 prints it on paper and as banking
 * apps show it ("RF18 5390 0754 7034"); any other reference as it is.
 */
export function groupReference(value: string): string {
  const compact = value.replace(/\s+/g, "")
  return /^RF\d{2}[0-9A-Z]{1,21}$/i.test(compact) ? compact.replace(/(.{4})(?=.)/g, "$1 ") : value
}

/** "1 delivery", "3 deliveries". */
export function deliveries(count: number): string {
  return `${count} ${count === 1 ? "delivery" : "deliveries"}`
}
