/**
 * The HTTP layer for gateways without a maintained SDK: one choke point that sets the
 * timeout, retries a bounded number of times with the *same* idempotency key, turns
 * failures into the collection's typed errors and logs only redacted traffic.
 *
 * Built on the global `fetch` (undici), which the fixture harness intercepts.
 */
import { GatewayRejectedError, GatewayUnavailableError } from "./errors"
import { kindsOfPath, redactForLog, redactText } from "./redact"

export interface HttpLogger {
  debug?(message: string): void
  warn(message: string): void
  /**
   * Whether a line of this level would be written (Medusa's logger has it: LOG_LEVEL,
   * `http` by default, drops debug lines). When it says no, the debug lines of the traffic
   * are not made at all, so no body is redacted for a line nobody keeps.
   */
  shouldLog?(level: string): boolean
}

export interface HttpClientOptions {
  /** The gateway's name, for messages ("PayPal"). */
  gateway: string
  baseUrl: string
  /** Per attempt. @default 30000 */
  timeoutMs?: number
  /** Further attempts after the first, for network errors, 408, 429 and 5xx only. @default 2 */
  maxRetries?: number
  /** First backoff; doubles each retry, with jitter. @default 300 */
  retryBaseDelayMs?: number
  /** Header that carries the idempotency key ("Idempotency-Key", "PayPal-Request-Id"). */
  idempotencyHeader?: string
  /** Headers sent with every request (content type, user agent). */
  defaultHeaders?: Record<string, string>
  logger?: HttpLogger
  /** Extra keys to redact in logged bodies, beyond the shared secrets and personal data (redact.ts). */
  redactKeys?: readonly string[]
  /** Pulls the gateway's error code and message out of an error body. */
  parseError?: (status: number, body: unknown) => { code?: string; message?: string }
  /** A sentence added when the gateway cannot be reached (e.g. "the credentials are placeholders"). */
  unavailableHint?: string
}

export interface HttpRequest {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE"
  path: string
  /** What the collection is doing, for error messages ("capture the payment"). */
  operation: string
  query?: Record<string, string | number | undefined>
  headers?: Record<string, string>
  /** An object is sent as JSON; a URLSearchParams as a form; a string as is. */
  body?: unknown
  /** Mutating calls pass one; every retry reuses it. */
  idempotencyKey?: string
  /** Statuses to hand back to the caller instead of throwing (e.g. 404 on a lookup). */
  acceptStatuses?: readonly number[]
  /** `binary`: hand the body back as a Buffer (a DER certificate), unparsed. @default parsed text or JSON */
  responseType?: "binary"
  /**
   * Whether the call can move money (capture, refund, authorize, a charge). When the
   * gateway cannot be reached, such a call's outcome is unknown; any other call (a lookup,
   * a token, creating an order nobody paid yet) simply failed and can be made again.
   * @default true for every method but GET
   */
  movesMoney?: boolean
}

export interface HttpResponse<T = unknown> {
  status: number
  headers: Headers
  body: T
}

const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504])

export class HttpClient {
  private readonly options: Required<
    Pick<HttpClientOptions, "timeoutMs" | "maxRetries" | "retryBaseDelayMs">
  > &
    HttpClientOptions

  constructor(options: HttpClientOptions) {
    this.options = {
      timeoutMs: 30_000,
      maxRetries: 2,
      retryBaseDelayMs: 300,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
    }
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const { gateway } = this.options
    const url = this.url(req)
    const headers = new Headers({ ...this.options.defaultHeaders, ...req.headers })
    let body: string | undefined
    if (req.body instanceof URLSearchParams) {
      body = req.body.toString()
      if (!headers.has("content-type")) headers.set("content-type", "application/x-www-form-urlencoded")
    } else if (typeof req.body === "string") {
      body = req.body
    } else if (req.body !== undefined) {
      body = JSON.stringify(req.body)
      if (!headers.has("content-type")) headers.set("content-type", "application/json")
    }
    if (req.idempotencyKey && this.options.idempotencyHeader) {
      headers.set(this.options.idempotencyHeader, req.idempotencyKey)
    }

    const attempts = 1 + Math.max(0, this.options.maxRetries)
    const unavailable = { indeterminate: req.movesMoney ?? req.method !== "GET", hint: this.options.unavailableHint }
    const log = this.debugLog(req.path)
    let lastFailure = ""
    for (let attempt = 1; attempt <= attempts; attempt++) {
      log?.(`${req.method} ${req.path} attempt ${attempt}`, req.body)
      let response: Response
      try {
        response = await fetch(url, {
          method: req.method,
          headers,
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs),
        })
      } catch (error) {
        lastFailure = describeNetworkError(error)
        if (attempt < attempts && this.mayRetry(req)) {
          await this.backoff(attempt)
          continue
        }
        throw new GatewayUnavailableError({ gateway, operation: req.operation }, lastFailure, unavailable)
      }

      const parsed = req.responseType === "binary" ? Buffer.from(await response.arrayBuffer()) : await readBody(response)
      log?.(`${req.method} ${req.path} -> ${response.status}`, Buffer.isBuffer(parsed) ? `<${parsed.length} bytes>` : parsed)
      if (response.ok || req.acceptStatuses?.includes(response.status)) {
        return { status: response.status, headers: response.headers, body: parsed as T }
      }
      const requestId =
        response.headers.get("paypal-debug-id") ?? response.headers.get("request-id") ?? undefined
      if (RETRYABLE_STATUSES.has(response.status)) {
        lastFailure = `HTTP ${response.status}`
        if (attempt < attempts && this.mayRetry(req)) {
          await this.backoff(attempt, response.headers.get("retry-after"))
          continue
        }
        throw new GatewayUnavailableError(
          { gateway, operation: req.operation, status: response.status, requestId },
          lastFailure,
          unavailable
        )
      }
      const { code, message } = this.options.parseError?.(response.status, parsed) ?? {}
      throw new GatewayRejectedError(
        { gateway, operation: req.operation, status: response.status, code, requestId },
        message ?? `HTTP ${response.status}`
      )
    }
    // Unreachable: the loop either returns or throws.
    throw new GatewayUnavailableError({ gateway, operation: req.operation }, lastFailure, unavailable)
  }

  /** A mutating call is retried only when it carries an idempotency key. */
  private mayRetry(req: HttpRequest): boolean {
    return req.method === "GET" || !!req.idempotencyKey
  }

  private url(req: HttpRequest): string {
    const path = req.path.startsWith("/") ? req.path : `/${req.path}`
    const url = new URL(this.options.baseUrl + path)
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(key, String(value))
      }
    }
    return url.toString()
  }

  private async backoff(attempt: number, retryAfter?: string | null): Promise<void> {
    const fromHeader = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0
    const exponential = this.options.retryBaseDelayMs * 2 ** (attempt - 1)
    const jittered = exponential / 2 + Math.random() * (exponential / 2)
    const delay = Math.min(Math.max(fromHeader, jittered), 10_000)
    await new Promise((resolve) => setTimeout(resolve, delay))
  }

  /**
   * The debug lines of one request: each with the body as keys and values, without secrets
   * or the buyer's personal data (the shared lists apply to every gateway, `redactKeys` adds
   * to them). The path says what the body is (a customer posted to /customers), which a
   * top-level `name` needs. Undefined when no debug line would be kept (no `debug`, or the
   * logger's level drops it): nothing is redacted then, and nothing is ever logged unredacted.
   */
  private debugLog(path: string): ((line: string, body: unknown) => void) | undefined {
    const logger = this.options.logger
    const debug = logger?.debug
    if (!debug || (typeof logger.shouldLog === "function" && !logger.shouldLog("debug"))) {
      return undefined
    }
    let kinds: string[] | undefined
    return (line, body) => {
      kinds ??= kindsOfPath(path)
      const shown = body === undefined ? "" : ` ${redactText(JSON.stringify(redactForLog(structured(body), { extraKeys: this.options.redactKeys, kinds })))}`
      debug.call(logger, `[${this.options.gateway}] ${line}${shown}`)
    }
  }
}

/** A body as keys and values, so key-based redaction applies to strings and forms too. */
function structured(body: unknown): unknown {
  if (body instanceof URLSearchParams) {
    return Object.fromEntries(body)
  }
  if (typeof body === "string") {
    const text = body.trim()
    if (/^[[{]/.test(text)) {
      try {
        return JSON.parse(text)
      } catch {
        return body
      }
    }
    if (/^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(text)) {
      return Object.fromEntries(new URLSearchParams(text))
    }
  }
  return body
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text()
  if (!text) {
    return undefined
  }
  const type = response.headers.get("content-type") ?? ""
  if (type.includes("json") || /^[[{]/.test(text.trim())) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

function describeNetworkError(error: unknown): string {
  // Checked by shape, not instanceof: the error may come from another realm (test VMs).
  const e = error as { name?: string; message?: string; cause?: { code?: string } } | undefined
  if (e && typeof e === "object") {
    if (e.name === "TimeoutError" || e.name === "AbortError") {
      return "timed out"
    }
    const message = e.message ?? String(error)
    return e.cause?.code ? `${message} (${e.cause.code})` : message
  }
  return String(error)
}
