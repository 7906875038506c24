/**
 * PayPal's errors: the issue code and message out of an error body, what the issues the
 * provider meets mean for the merchant, and which declines the buyer can get past. Pure.
 */
import type { PaymentSessionStatus as PaymentSessionStatusType } from "@medusajs/framework/types"
import { PaymentSessionStatus } from "@medusajs/framework/utils"
import type { PaypalErrorBody } from "./types"

/** PayPal's error code and readable message out of an error body. */
export function parsePaypalError(status: number, body: unknown): { code?: string; message?: string } {
  if (!body || typeof body !== "object") {
    return typeof body === "string" && body.trim() ? { message: body.trim().slice(0, 300) } : {}
  }
  const error = body as PaypalErrorBody
  if (typeof error.error === "string") {
    // The OAuth endpoint: { error: "invalid_client", error_description: "Client Authentication failed" }
    return { code: error.error, message: error.error_description ?? error.error }
  }
  const detail = error.details?.find((d) => typeof d.issue === "string")
  return {
    code: detail?.issue ?? error.name ?? `HTTP_${status}`,
    message: detail?.description ?? error.message ?? `HTTP ${status}`,
  }
}

/**
 * What a merchant whose PayPal account may not save payment methods is told, for the order
 * PayPal refuses (422 NOT_ENABLED_TO_VAULT_PAYMENT_SOURCE) and the vault calls it forbids (403).
 */
export const VAULT_NOT_ENABLED =
  "this PayPal account is not enabled to save payment methods: PayPal must approve it for vaulting " +
  "(enable \"Save payment methods\" for the REST app in PayPal's developer dashboard, in sandbox and live; " +
  "live accounts need PayPal's approval for reference transactions, cards also advanced card processing). " +
  "Pay without saving (`save_payment_method`) until then"

/**
 * What a PayPal issue means for the merchant, for the few the provider meets in its
 * flows; PayPal's own description otherwise.
 * @see https://developer.paypal.com/api/rest/reference/orders/v2/errors/
 * @see https://developer.paypal.com/docs/api/payments/v2/#errors
 */
const ISSUE_MESSAGES: Readonly<Record<string, string>> = Object.freeze({
  ORDER_NOT_APPROVED: "the buyer has not approved the payment at PayPal yet",
  INSTRUMENT_DECLINED: "PayPal declined the buyer's funding source; the buyer can choose another one at PayPal",
  REDIRECT_PAYER_FOR_ALTERNATE_FUNDING: "the buyer has to choose another funding source at PayPal",
  PAYEE_BLOCKED_TRANSACTION: "the merchant's PayPal fraud settings block this payment",
  MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED: "the buyer tried too many times; the buyer has to start again",
  PAYER_CANNOT_PAY: "this buyer cannot pay this merchant with PayPal",
  TRANSACTION_REFUSED: "PayPal refused the transaction",
  AUTHORIZATION_EXPIRED: "the PayPal authorization expired (after 29 days) and can no longer be captured; the buyer has to pay again",
  AUTHORIZATION_VOIDED: "the PayPal authorization was voided and can no longer be captured",
  AUTHORIZATION_DENIED: "PayPal denied the authorization; nothing can be captured",
  AUTHORIZATION_ALREADY_CAPTURED: "the PayPal authorization is already captured in full",
  MAX_CAPTURE_AMOUNT_EXCEEDED: "the capture is more than what remains of the PayPal authorization",
  MAX_CAPTURE_COUNT_EXCEEDED: "PayPal allows no further capture of this authorization",
  REFUND_AMOUNT_EXCEEDED: "the refund is more than what remains refundable on the PayPal capture",
  CAPTURE_FULLY_REFUNDED: "the PayPal capture is already refunded in full",
  REFUND_TIME_LIMIT_EXCEEDED: "PayPal no longer allows refunds of this capture (too old)",
  PENDING_CAPTURE: "the PayPal capture is still pending and cannot be refunded yet",
  DECIMALS_NOT_SUPPORTED: "PayPal does not accept decimals in this currency",
  DECIMAL_PRECISION: "the amount has more decimals than PayPal accepts for this currency",
  CURRENCY_NOT_SUPPORTED: "PayPal does not accept this currency",
  PREVIOUSLY_CAPTURED: "the PayPal authorization is already captured and cannot be voided; refund it instead",
  PREVIOUSLY_VOIDED: "the PayPal authorization is already voided",
  CANNOT_BE_VOIDED: "PayPal cannot void this authorization",
  REAUTHORIZATION_NOT_SUPPORTED: "PayPal does not allow reauthorizing this authorization",
  ORDER_ALREADY_AUTHORIZED: "the PayPal order is already authorized",
  ORDER_ALREADY_CAPTURED: "the PayPal order is already captured",
  ORDER_EXPIRED: "the PayPal order expired; the buyer has to start again",
  PAYEE_ACCOUNT_RESTRICTED: "the merchant's PayPal account is restricted",
  PERMISSION_DENIED: "the REST app's credentials are not allowed to do this",
  // Saving payment methods needs PayPal's approval of the merchant account (PayPal: reference
  // transactions / Vault, "Save payment methods" in the REST app's features; cards: advanced
  // card processing). https://developer.paypal.com/docs/checkout/save-payment-methods/during-purchase/orders-api/paypal/
  NOT_ENABLED_TO_VAULT_PAYMENT_SOURCE: VAULT_NOT_ENABLED,
  invalid_client: "PayPal did not accept `clientId` and `clientSecret`",
})

export function describeIssue(code: string | undefined, fallback: string): string {
  return (code && ISSUE_MESSAGES[code]) || fallback
}

/**
 * Declines the buyer can get past by choosing another funding source for the same order at
 * PayPal. PayPal's spec documents them for the order capture (intent capture), not for the
 * authorization.
 * @see https://developer.paypal.com/docs/checkout/standard/customize/handle-funding-failures/
 */
export const RETRYABLE_DECLINES: readonly string[] = Object.freeze(["INSTRUMENT_DECLINED", "REDIRECT_PAYER_FOR_ALTERNATE_FUNDING"])

/** Refusals that end this order's payment (risk, limits, the payer's or merchant's account). */
export const FINAL_DECLINES: readonly string[] = Object.freeze([
  "TRANSACTION_REFUSED",
  "PAYER_CANNOT_PAY",
  "PAYEE_BLOCKED_TRANSACTION",
  "TRANSACTION_BLOCKED_BY_PAYEE",
  "DECLINED_DUE_TO_RELATED_TXN",
  "COMPLIANCE_VIOLATION",
  "MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED",
  "PAYER_ACCOUNT_LOCKED_OR_CLOSED",
  "PAYER_ACCOUNT_RESTRICTED",
  "TRANSACTION_LIMIT_EXCEEDED",
  "TRANSACTION_RECEIVING_LIMIT_EXCEEDED",
  "AUTHORIZATION_DENIED",
])

/**
 * A decline at authorization or capture -> Medusa's status: a status, not a crash.
 * `requires_more` sends the buyer back to PayPal to pick another funding source; `error`
 * ends the payment (the shopper starts again, or pays another way).
 */
export function declineStatus(issue: string): PaymentSessionStatusType | undefined {
  if (RETRYABLE_DECLINES.includes(issue)) return PaymentSessionStatus.REQUIRES_MORE
  if (FINAL_DECLINES.includes(issue)) return PaymentSessionStatus.ERROR
  return undefined
}
