/**
 * The one way out to Braintree: the official SDK (`braintree`), with the timeout, the SDK's
 * exceptions and unsuccessful results translated to the collection's typed errors, and a log
 * line per call that names the operation and never a key, a nonce or the buyer.
 *
 * Braintree has no idempotency header: the service looks up what a first attempt did (a
 * transaction search by the `orderId` it set) before it tries a sale or a refund again.
 * @see https://developer.paypal.com/braintree/docs/reference/general/exceptions/node
 */
import type braintree from "braintree"
import { GatewayRejectedError, GatewayUnavailableError, PaymentConfigError } from "../../lib/payments/errors"
import { redactText } from "../../lib/payments/redact"
import type { BraintreeOptions } from "./options"
import type { BraintreeTransaction } from "./types"

const GATEWAY = "Braintree"

/** The SDK's exception types for a gateway that could not answer: the outcome is unknown. */
const UNAVAILABLE = new Set([
  "serverError",
  "serviceUnavailableError",
  "gatewayTimeoutError",
  "requestTimeoutError",
  "tooManyRequestsError",
  "unexpectedError",
])

export interface CallOptions {
  /** Whether money may have moved when Braintree cannot be reached (captures, refunds, sales). */
  movesMoney?: boolean
}

/** What an unsuccessful SDK result says (validation errors, or a declined transaction). */
interface SdkResult {
  success?: boolean
  message?: string
  errors?: { deepErrors?: () => Array<{ code?: string; message?: string; attribute?: string }> }
  transaction?: unknown
  [key: string]: unknown
}

/** A call's answer: the object, or a transaction Braintree created and declined. */
export type Validated<T> = { ok: true; value: T } | { ok: false; declined: BraintreeTransaction }

type Logger = { debug?(message: string): void; info(message: string): void; warn(message: string): void }

let sdk: typeof braintree | undefined

/**
 * The `braintree` package, required the first time a provider talks to Braintree or checks a
 * notification, not when the module is registered: registering the provider (or the whole
 * collection) does not load the SDK until it is used.
 */
function braintreeSdk(): typeof braintree {
  sdk ??= require("braintree") as typeof braintree
  return sdk
}

export class BraintreeClient {
  private gateway_: braintree.BraintreeGateway | undefined

  constructor(private readonly options: BraintreeOptions, private readonly logger: Logger) {}

  /** The SDK's gateway, made (and the SDK loaded) on first use. */
  get gateway(): braintree.BraintreeGateway {
    if (!this.gateway_) {
      const loaded = braintreeSdk()
      this.gateway_ = new loaded.BraintreeGateway({
        environment: environmentOf(loaded, this.options),
        merchantId: this.options.merchantId,
        publicKey: this.options.publicKey,
        privateKey: this.options.privateKey,
      })
      // The SDK's own default is 60 s.
      this.gateway_.config.timeout = this.options.timeoutMs
    }
    return this.gateway_
  }

  /** One SDK call, its exceptions translated. */
  async call<T>(operation: string, fn: (gateway: braintree.BraintreeGateway) => Promise<T>, options: CallOptions = {}): Promise<T> {
    try {
      const value = await fn(this.gateway)
      this.logger.debug?.(`${GATEWAY}: ${operation}: answered`)
      return value
    } catch (error) {
      throw this.translate(operation, error, options)
    }
  }

  /**
   * A call whose answer is a result (`{ success, errors, <key> }`): the object under `key`, a
   * transaction Braintree created and declined (a processor decline, a gateway rejection:
   * a status, not an error), or a `GatewayRejectedError` with Braintree's validation message.
   */
  async validated<T>(operation: string, key: string, fn: (gateway: braintree.BraintreeGateway) => Promise<unknown>, options: CallOptions = {}): Promise<Validated<T>> {
    const result = (await this.call(operation, fn, options)) as SdkResult
    if (result?.success) {
      const value = result[key]
      if (value === undefined || value === null) {
        throw new GatewayRejectedError({ gateway: GATEWAY, operation }, `the answer had no ${key}`)
      }
      return { ok: true, value: value as T }
    }
    if (result?.transaction && typeof (result.transaction as BraintreeTransaction).id === "string") {
      const declined = result.transaction as BraintreeTransaction
      this.logger.info(`${GATEWAY}: ${operation}: transaction ${declined.id} is ${declined.status}`)
      return { ok: false, declined }
    }
    const first = result?.errors?.deepErrors?.()[0]
    this.logger.warn(`${GATEWAY}: ${operation}: refused (${first?.code ?? "no code"})`)
    throw new GatewayRejectedError({ gateway: GATEWAY, operation, code: first?.code, status: 422 }, first?.message ?? result?.message ?? "the request was not valid")
  }

  /** Every transaction whose `orderId` is `orderId` (what a first attempt created), newest first. */
  searchByOrderId(orderId: string, operation: string): Promise<BraintreeTransaction[]> {
    return this.call(operation, (gateway) =>
      new Promise<BraintreeTransaction[]>((resolve, reject) => {
        const found: BraintreeTransaction[] = []
        const stream = gateway.transaction.search((search) => {
          search.orderId().is(orderId)
        })
        stream.on("data", (transaction: BraintreeTransaction) => found.push(transaction))
        stream.on("error", reject)
        stream.on("end", () => resolve(found.reverse()))
      })
    )
  }

  private translate(operation: string, error: unknown, options: CallOptions): Error {
    if (error instanceof GatewayRejectedError || error instanceof GatewayUnavailableError || error instanceof PaymentConfigError) return error
    const type = (error as { type?: string } | undefined)?.type
    const message = error instanceof Error ? error.message : String(error)
    this.logger.warn(`${GATEWAY}: ${operation}: ${type ?? "error"}: ${redactText(message)}`)
    switch (type) {
      case "authenticationError":
        return new GatewayRejectedError(
          { gateway: GATEWAY, operation, status: 401 },
          `the API keys were refused: check the merchant id, the public and private key and that they belong to the ${this.options.environment} environment`
        )
      case "authorizationError":
        return new GatewayRejectedError({ gateway: GATEWAY, operation, status: 403 }, "the API keys are not allowed to do this (their role in the Control Panel)")
      case "notFoundError":
        return new GatewayRejectedError({ gateway: GATEWAY, operation, status: 404 }, "it does not exist at Braintree")
      case "upgradeRequired":
        return new GatewayRejectedError({ gateway: GATEWAY, operation, status: 426 }, "the braintree SDK is too old for Braintree's API; upgrade it")
      default:
        if (type === undefined || UNAVAILABLE.has(type)) {
          return new GatewayUnavailableError({ gateway: GATEWAY, operation }, message, { indeterminate: options.movesMoney ?? false })
        }
        return new GatewayRejectedError({ gateway: GATEWAY, operation }, message)
    }
  }
}

/** Braintree's host for the environment, or the `apiBaseUrl` a test or the demo points it at. */
function environmentOf(sdk: typeof braintree, options: BraintreeOptions): braintree.Environment {
  if (!options.apiBaseUrl) {
    return options.environment === "production" ? sdk.Environment.Production : sdk.Environment.Sandbox
  }
  const url = new URL(options.apiBaseUrl)
  const ssl = url.protocol === "https:"
  const port = url.port || (ssl ? "443" : "80")
  return new sdk.Environment(url.hostname, port, `${url.origin}/auth`, ssl, url.hostname, port)
}

/** Whether an error says Braintree could not be reached (the outcome of the call is unknown). */
export function isUnreachable(error: unknown): error is GatewayUnavailableError {
  return error instanceof GatewayUnavailableError
}
