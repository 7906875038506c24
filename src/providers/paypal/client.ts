/**
 * The one way out to PayPal: every REST call, the OAuth2 token and the webhook
 * certificate download go through here, so the bearer token, PayPal-Request-Id, error
 * translation, timeouts, retries (the shared HttpClient's, the only retry layer) and
 * redacted logging happen once.
 */
import { randomUUID } from "node:crypto"
import {
  GatewayRejectedError,
  GatewayUnavailableError,
  PaymentConfigError,
  isPlaceholderCredential,
} from "../../lib/payments/errors"
import { HttpClient, HttpLogger, HttpRequest, HttpResponse } from "../../lib/payments/http"
import { redactText } from "../../lib/payments/redact"
import { describeIssue, parsePaypalError } from "./errors"
import { PaypalOptions, paypalBaseUrl } from "./options"

export const TOKEN_PATH = "/v1/oauth2/token"

/** Renew a token this long before PayPal says it expires (or halfway, for short-lived ones). */
const TOKEN_MARGIN_MS = 5 * 60 * 1000

export interface PaypalLogger extends HttpLogger {
  info?(message: string): void
  error?(message: string): void
}

export interface PaypalRequest extends Omit<HttpRequest, "headers"> {
  headers?: Record<string, string>
}

interface CachedToken {
  value: string
  renewAt: number
}

export class PaypalClient {
  private readonly api: HttpClient
  private token: CachedToken | undefined
  private pendingToken: Promise<string> | undefined

  constructor(
    private readonly options: PaypalOptions,
    private readonly logger: PaypalLogger,
    private readonly now: () => number = Date.now
  ) {
    this.api = new HttpClient({
      gateway: "PayPal",
      baseUrl: paypalBaseUrl(options),
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      idempotencyHeader: "PayPal-Request-Id",
      defaultHeaders: { accept: "application/json" },
      logger,
      unavailableHint: placeholderHint(options),
      // PayPal's issue codes in words (ORDER_NOT_APPROVED -> "the buyer has not approved...").
      parseError: (status, body) => {
        const { code, message } = parsePaypalError(status, body)
        return { code, message: describeIssue(code, message ?? `HTTP ${status}`) }
      },
    })
  }

  /**
   * A REST call with the bearer token. A 401 means the cached token was revoked or
   * expired early: it is dropped, a new one fetched, and the call made once more with the
   * same PayPal-Request-Id.
   */
  async request<T>(req: PaypalRequest): Promise<HttpResponse<T>> {
    const send = async (token: string) =>
      this.api.request<T>({
        ...req,
        headers: {
          authorization: `Bearer ${token}`,
          ...(req.method !== "GET" ? { prefer: "return=representation" } : {}),
          ...(req.headers ?? {}),
        },
      })
    try {
      const token = await this.accessToken()
      try {
        return await send(token)
      } catch (error) {
        if (error instanceof GatewayRejectedError && error.details.status === 401) {
          this.token = undefined
          return await send(await this.accessToken())
        }
        throw error
      }
    } catch (error) {
      throw this.logged(req.operation, error)
    }
  }

  /** A cached token, or a new one; concurrent callers share one token request. */
  async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) {
      return this.token.value
    }
    if (!this.pendingToken) {
      this.pendingToken = this.fetchToken().finally(() => {
        this.pendingToken = undefined
      })
    }
    return this.pendingToken
  }

  private async fetchToken(): Promise<string> {
    const requestedAt = this.now()
    let response: HttpResponse<{ access_token?: unknown; expires_in?: unknown }>
    try {
      response = await this.api.request({
        method: "POST",
        path: TOKEN_PATH,
        operation: "sign in",
        headers: { authorization: `Basic ${Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString("base64")}` },
        body: new URLSearchParams({ grant_type: "client_credentials" }),
        // Asking for a token moves no money; a key lets the client retry an outage.
        idempotencyKey: `oauth-${randomUUID()}`,
        movesMoney: false,
      })
    } catch (error) {
      if (isRefusedCredentials(error)) {
        throw new GatewayRejectedError(error.details, credentialsRefused(this.options))
      }
      throw error
    }
    const value = response.body?.access_token
    const seconds = Number(response.body?.expires_in)
    if (typeof value !== "string" || !value) {
      throw new GatewayRejectedError({ gateway: "PayPal", operation: "sign in" }, "the token endpoint answered without a token")
    }
    const lifetimeMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0
    this.token = { value, renewAt: requestedAt + Math.max(0, lifetimeMs - Math.min(TOKEN_MARGIN_MS, lifetimeMs / 2)) }
    return value
  }

  /**
   * Download a webhook certificate. The caller has already checked that the URL is one of
   * PayPal's certificate URLs; no credentials are sent with it.
   */
  async downloadCertificate(url: string): Promise<string> {
    const parsed = new URL(url)
    const client = new HttpClient({
      gateway: "PayPal",
      baseUrl: parsed.origin,
      timeoutMs: Math.min(this.options.timeoutMs, 10_000),
      maxRetries: this.options.maxRetries,
      logger: this.logger,
    })
    try {
      const response = await client.request<unknown>({
        method: "GET",
        path: parsed.pathname,
        operation: "download the webhook certificate",
        headers: { accept: "*/*" },
      })
      if (typeof response.body !== "string" || !response.body.includes("BEGIN CERTIFICATE")) {
        throw new GatewayRejectedError(
          { gateway: "PayPal", operation: "download the webhook certificate", status: response.status },
          "the answer is not a PEM certificate"
        )
      }
      return response.body
    } catch (error) {
      throw this.logged("download the webhook certificate", error)
    }
  }

  /**
   * Download the issuer of PayPal's signing certificate from the URL the certificate names
   * (its "CA Issuers" access), for a certificate URL that serves the leaf alone. The caller
   * has already checked the URL is on the certificate authority's host; what comes back is
   * trusted only once it chains to a trusted root. Returns the raw body (DER or PEM).
   */
  async downloadIssuerCertificate(url: string): Promise<Buffer> {
    const parsed = new URL(url)
    const operation = "download the webhook certificate's issuer"
    const client = new HttpClient({
      gateway: "PayPal's certificate authority",
      baseUrl: parsed.origin,
      timeoutMs: Math.min(this.options.timeoutMs, 10_000),
      maxRetries: this.options.maxRetries,
      logger: this.logger,
    })
    try {
      const response = await client.request<Buffer>({
        method: "GET",
        path: parsed.pathname,
        operation,
        headers: { accept: "*/*" },
        responseType: "binary",
      })
      return response.body
    } catch (error) {
      throw this.logged(operation, error)
    }
  }

  /** One log line per failure, without secrets. */
  private logged(operation: string, error: unknown): Error {
    if (error instanceof GatewayRejectedError) {
      const requestId = error.details.requestId
      this.logger.warn(`PayPal: could not ${operation}: ${redactText(error.message)}${requestId ? ` (debug id ${requestId})` : ""}`)
      return error
    }
    if (error instanceof GatewayUnavailableError) {
      this.logger.warn(`PayPal: could not ${operation}: ${redactText(error.message)}`)
      return error
    }
    return error instanceof Error ? error : new Error(String(error))
  }
}

/** Said when PayPal cannot be reached or refuses them and the credentials are the demo's stand-ins. */
function placeholderHint(options: PaypalOptions): string | undefined {
  return isPlaceholderCredential(options.clientId) || isPlaceholderCredential(options.clientSecret)
    ? "PayPal is registered with the demo's placeholder credentials; put sandbox credentials in .env (PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET) to take payments"
    : undefined
}

function isRefusedCredentials(error: unknown): error is GatewayRejectedError {
  return error instanceof GatewayRejectedError && (error.details.status === 401 || error.details.code === "invalid_client")
}

function credentialsRefused(options: PaypalOptions): string {
  const other = options.environment === "sandbox" ? "live" : "sandbox"
  const hint = placeholderHint(options)
  return (
    `PayPal's ${options.environment} environment did not accept \`clientId\` and \`clientSecret\`; ` +
    (hint
      ? hint
      : `check them, and that they are ${options.environment} credentials (${other} credentials only work with \`environment: ${other}\`)`)
  )
}

/**
 * The boot check: ask for a token once. Credentials PayPal refuses (a typo, or credentials
 * of the other environment) stop the app; PayPal being unreachable is only a warning, so a
 * store does not fail to start because PayPal is down.
 */
export async function verifyCredentials(options: PaypalOptions, logger: PaypalLogger): Promise<void> {
  const client = new PaypalClient({ ...options, maxRetries: 0, timeoutMs: Math.min(options.timeoutMs, 10_000) }, { warn: () => {} })
  try {
    await client.accessToken()
  } catch (error) {
    if (isRefusedCredentials(error)) {
      throw new PaymentConfigError(`PayPal payment provider options are invalid: ${credentialsRefused(options)}`)
    }
    if (error instanceof GatewayRejectedError) {
      throw new PaymentConfigError(`PayPal payment provider options could not be checked: ${error.message}`)
    }
    logger.warn(
      `[payments] PayPal could not be reached to check its credentials at boot; they will be checked on the first payment ` +
        `(${redactText(error instanceof Error ? error.message : String(error))})`
    )
  }
}
