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

/**
 * The gateway could not be reached, timed out or failed (network, 5xx). The outcome is
 * indeterminate: money may have moved. Never read as "failed"; settle it by webhook or
 * by asking the gateway for the status.
 */
export class GatewayUnavailableError extends MedusaError {
  readonly details: GatewayErrorDetails
  readonly indeterminate = true
  constructor(details: GatewayErrorDetails, cause?: string) {
    super(
      MedusaError.Types.UNEXPECTED_STATE,
      `${details.gateway} could not be reached to ${details.operation}; the outcome is unknown and ` +
        `will be settled by its notification or a status check` +
        (cause ? ` (${redactText(cause)})` : "")
    )
    this.name = "GatewayUnavailableError"
    this.details = details
  }
}

/** A notification whose signature, timestamp or origin does not check out. */
export class SignatureError extends MedusaError {
  constructor(message: string) {
    super(MedusaError.Types.UNAUTHORIZED, message)
    this.name = "SignatureError"
  }
}
