/**
 * What a webhook handler reads from Medusa's webhook payload before it verifies anything:
 * one header, and the raw body exactly as it arrived (signatures are computed over its
 * bytes, never over a re-serialised body).
 */

/**
 * A header by name, whatever its case; the first of a repeated header; trimmed.
 * `undefined` when it is absent or blank.
 */
export function headerValue(headers: Record<string, unknown> | undefined | null, name: string): string | undefined {
  if (!headers) return undefined
  const wanted = name.toLowerCase()
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1]
  const value = Array.isArray(found) ? found[0] : found
  return typeof value === "string" && value.trim() ? value.trim() : undefined
}

/**
 * The raw body as Medusa's webhook route hands it over: a Buffer, a string, or the JSON
 * form of a Buffer (`{ type: "Buffer", data: [...] }`) once the payload went through the
 * event bus. `undefined` for anything else.
 */
export function rawBodyOf(raw: unknown): Buffer | undefined {
  if (Buffer.isBuffer(raw)) return raw
  if (typeof raw === "string") return Buffer.from(raw, "utf8")
  if (raw && typeof raw === "object" && (raw as { type?: unknown }).type === "Buffer" && Array.isArray((raw as { data?: unknown }).data)) {
    return Buffer.from((raw as { data: number[] }).data)
  }
  return undefined
}
