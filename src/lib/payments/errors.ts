/**
 * The few errors the collection throws. Each is a MedusaError so Medusa's HTTP layer
 * answers with the right status, and each message is safe to show: it never holds an
 * option value, an API key or a client secret (see redact.ts).
 */
import { MedusaError } from "@medusajs/framework/utils"
import { redactText } from "./redact"

/** A provider's options are missing or wrong. Thrown at boot by `validateOptions`. */
export class PaymentConfigError extends MedusaError {
  constructor(message: string) {
    super(MedusaError.Types.INVALID_ARGUMENT, message)
    this.name = "PaymentConfigError"
  }
}

/** An amount cannot be represented by the gateway, or a currency code is not ISO 4217. */
export class AmountError extends MedusaError {
  constructor(message: string) {
    super(MedusaError.Types.INVALID_DATA, message)
    this.name = "AmountError"
  }
}

/** The operation does not exist for this provider (a capability it lacks). */
export class NotSupportedError extends MedusaError {
  constructor(provider: string, operation: string, why?: string) {
    super(
      MedusaError.Types.NOT_ALLOWED,
      `${operation} is not supported by the ${provider} payment provider${why ? `: ${why}` : ""}`
    )
    this.name = "NotSupportedError"
  }
}

/** Input from Medusa, the storefront or the admin that the provider refuses before calling anyone. */
export class PaymentInputError extends MedusaError {
  constructor(message: string) {
    super(MedusaError.Types.INVALID_DATA, message)
    this.name = "PaymentInputError"
  }
}

export interface GatewayErrorDetails {
  /** The gateway's name, for the message ("Stripe", "PayPal"). */
  gateway: string
  /** What the collection was doing ("capture the payment"). */
  operation: string
  /** The gateway's own error code or issue, when it gave one. */
  code?: string
  /** HTTP status of the gateway's answer, when there was one. */
  status?: number
  /** The gateway's request id, to quote to its support. */
  requestId?: string
}

/**
 * The gateway understood the request and refused it (4xx): nothing moved, the caller
 * may correct the request. The gateway's message is kept, with secrets scrubbed.
 */
export class GatewayRejectedError extends MedusaError {
  readonly details: GatewayErrorDetails
  constructor(details: GatewayErrorDetails, gatewayMessage: string) {
    super(
      MedusaError.Types.NOT_ALLOWED,
      `${details.gateway} refused to ${details.operation}: ${redactText(gatewayMessage)}` +
        (details.code ? ` (${details.code})` : "")
    )
    this.name = "GatewayRejectedError"
    this.details = details
  }
}

/** How a failed call to an unreachable gateway is to be read. */
export interface UnavailableOptions {
  /**
   * Whether money may have moved: `true` (the default) for calls that capture, refund or
   * charge, whose outcome is then unknown; `false` for calls that cannot move money
   * (creating a session, signing in, a lookup), which can simply be made again.
   */
  indeterminate?: boolean
  /** A sentence added to the message, e.g. that the credentials are placeholders. */
  hint?: string
}

/**
 * The gateway could not be reached, timed out or failed (network, 5xx).
 *
 * For a call that may have moved money (capture, refund, a confirmed charge) the outcome
 * is indeterminate: never read it as "failed"; settle it by webhook or by asking the
 * gateway for the status. For a call that cannot move money (creating a payment session,
 * fetching a token, a lookup) nothing happened that matters: the message says the gateway
 * could not be reached and the call can be made again.
 */
export class GatewayUnavailableError extends MedusaError {
  readonly details: GatewayErrorDetails
  /** Whether money may have moved. */
  readonly indeterminate: boolean
  constructor(details: GatewayErrorDetails, cause?: string, options: UnavailableOptions = {}) {
    const indeterminate = options.indeterminate ?? true
    super(
      MedusaError.Types.UNEXPECTED_STATE,
      `${details.gateway} could not be reached to ${details.operation}; ` +
        (indeterminate
          ? "the outcome is unknown and will be settled by its notification or a status check"
          : "no money was moved and it can be tried again") +
        (cause ? ` (${redactText(cause)})` : "") +
        (options.hint ? `. ${redactText(options.hint)}` : "")
    )
    this.name = "GatewayUnavailableError"
    this.details = details
    this.indeterminate = indeterminate
  }
}

/**
 * Whether a credential is one of the stand-ins `npm run demo` registers a provider with
 * when `.env` has none ("sk_test_demo_placeholder", "demo-placeholder-client-id").
 */
export function isPlaceholderCredential(value: string | undefined | null): boolean {
  return typeof value === "string" && /placeholder/i.test(value)
}

/** A notification whose signature, timestamp or origin does not check out. */
export class SignatureError extends MedusaError {
  constructor(message: string) {
    super(MedusaError.Types.UNAUTHORIZED, message)
    this.name = "SignatureError"
  }
}
