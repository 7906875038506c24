/**
 * The one way out to Stripe: the `stripe` SDK instance (key, API version, base URL,
 * timeout and the SDK's own retries, the only retry layer) and the choke point every call
 * goes through, so error translation, the placeholder-key hint and the scrubbed log line
 * happen once.
 */
import type Stripe from "stripe"
import type { Logger } from "@medusajs/framework/types"
import { GatewayRejectedError, GatewayUnavailableError, isPlaceholderCredential } from "../../lib/payments/errors"
import { redactText } from "../../lib/payments/redact"
import type { StripeOptions } from "./options"

export interface StripeCallOptions {
  /**
   * The call may move money, so its outcome is unknown when Stripe cannot be reached: only
   * the capture and the refund, since the storefront confirms intents with Stripe.js and
   * the server never charges by itself.
   * @default false
   */
  movesMoney?: boolean
}

let sdk: typeof Stripe | undefined

/**
 * The `stripe` package, required the first time a provider talks to Stripe or checks a
 * webhook, not when the module is registered: a store that registers the provider (or the
 * whole collection) does not pay the SDK's load time and memory at boot until it is used.
 */
export function stripeSdk(): typeof Stripe {
  if (!sdk) {
    const loaded = require("stripe") as typeof Stripe & { default?: typeof Stripe }
    sdk = loaded.default ?? loaded
  }
  return sdk
}

export function createStripeClient(options: StripeOptions): Stripe {
  const config: Stripe.StripeConfig = {
    maxNetworkRetries: options.maxNetworkRetries,
    timeout: options.timeoutMs,
    telemetry: false,
    appInfo: { name: "medusa-payments-collection", url: "https://github.com/medusajs/medusa" },
  }
  if (options.apiVersion) {
    config.apiVersion = options.apiVersion as Stripe.StripeConfig["apiVersion"]
  }
  if (options.apiBaseUrl) {
    const url = new URL(options.apiBaseUrl)
    config.host = url.hostname
    config.protocol = url.protocol === "http:" ? "http" : "https"
    config.port = url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443
  }
  const StripeSdk = stripeSdk()
  return new StripeSdk(options.apiKey, config)
}

export class StripeClient {
  private stripe_: Stripe | undefined

  constructor(
    private readonly options: StripeOptions,
    private readonly logger: Pick<Logger | Console, "warn">
  ) {}

  /** The SDK instance, made (and the SDK loaded) on the first call. */
  private get stripe(): Stripe {
    this.stripe_ ??= createStripeClient(this.options)
    return this.stripe_
  }

  /**
   * The single choke point for Stripe calls: every error leaves here typed and scrubbed.
   * `request` receives the SDK and makes one call with it.
   */
  async call<T>(operation: string, request: (stripe: Stripe) => Promise<T>, { movesMoney = false }: StripeCallOptions = {}): Promise<T> {
    try {
      return await request(this.stripe)
    } catch (error) {
      throw this.translateError(operation, error, movesMoney)
    }
  }

  /** A Stripe error as the collection's typed errors, logged once without secrets. */
  protected translateError(operation: string, error: unknown, movesMoney = false): Error {
    const Stripe = stripeSdk()
    if (!(error instanceof Stripe.errors.StripeError)) {
      return error instanceof Error ? error : new Error(String(error))
    }
    const details = {
      gateway: "Stripe",
      operation,
      code: error.code ?? error.decline_code ?? undefined,
      status: error.statusCode,
      requestId: error.requestId,
    }
    const message = error.message || error.type
    this.logger.warn(
      `Stripe: could not ${operation}: ${redactText(message)}` +
        (error.requestId ? ` (request ${error.requestId})` : "")
    )
    if (
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError ||
      error instanceof Stripe.errors.StripeRateLimitError ||
      (error.statusCode !== undefined && error.statusCode >= 500)
    ) {
      const wrapped = new GatewayUnavailableError(details, message, { indeterminate: movesMoney, hint: this.placeholderHint() })
      Object.assign(wrapped, { stripe: { payment_intent: error.payment_intent, code: error.code, type: error.type } })
      return wrapped
    }
    if (error instanceof Stripe.errors.StripeAuthenticationError) {
      return new GatewayRejectedError(
        details,
        `the API key was not accepted; check the \`apiKey\` option${this.placeholderHint() ? ` (${this.placeholderHint()})` : ""}`
      )
    }
    const wrapped = new GatewayRejectedError(details, message)
    Object.assign(wrapped, { stripe: { payment_intent: error.payment_intent, code: error.code, type: error.type } })
    return wrapped
  }

  /** Said when Stripe cannot be reached or refuses the key and the key is the demo's stand-in. */
  protected placeholderHint(): string | undefined {
    return isPlaceholderCredential(this.options.apiKey)
      ? "Stripe is registered with the demo's placeholder key; put a sandbox key in .env (STRIPE_API_KEY) to take payments"
      : undefined
  }
}

/**
 * The intent as it is now, out of an error `call` translated, when Stripe refused because
 * the intent was no longer in the state the call needs (`payment_intent_unexpected_state`:
 * captured or canceled already).
 */
export function unexpectedStateIntent(error: unknown): Stripe.PaymentIntent | undefined {
  const stripe = (error as { stripe?: { payment_intent?: Stripe.PaymentIntent; code?: string } } | undefined)?.stripe
  if (stripe?.code === "payment_intent_unexpected_state" && stripe.payment_intent) {
    return stripe.payment_intent
  }
  return undefined
}

/**
 * The intent as a confirmation left it, out of an error `call` translated, when Stripe
 * declined the card: Stripe answers 402 with a `card_error` holding the intent, back in
 * `requires_payment_method` with `last_payment_error` (a decline is a status, not a crash).
 * https://docs.stripe.com/api/errors#errors-payment_intent
 */
export function declinedIntent(error: unknown): Stripe.PaymentIntent | undefined {
  const stripe = (error as { stripe?: { payment_intent?: Stripe.PaymentIntent; type?: string } } | undefined)?.stripe
  if (error instanceof GatewayRejectedError && stripe?.type === "StripeCardError" && stripe.payment_intent) {
    return stripe.payment_intent
  }
  return undefined
}
