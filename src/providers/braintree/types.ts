/**
 * What the provider reads of Braintree's objects, as the SDK hands them over (its XML
 * answers turned into camel-cased objects). Only the fields used here.
 * @see https://developer.paypal.com/braintree/docs/reference/response/transaction/node
 */

/** Every status a Braintree transaction can have. */
export const BRAINTREE_TRANSACTION_STATUSES = [
  "authorizing",
  "authorized",
  "authorization_expired",
  "submitted_for_settlement",
  "settling",
  "settlement_pending",
  "settlement_confirmed",
  "settled",
  "settlement_declined",
  "voided",
  "processor_declined",
  "gateway_rejected",
  "failed",
] as const

export type BraintreeTransactionStatus = (typeof BRAINTREE_TRANSACTION_STATUSES)[number]

export interface BraintreeCardDetails {
  cardType?: string
  last4?: string
  expirationMonth?: string
  expirationYear?: string
  token?: string | null
}

export interface BraintreeTransaction {
  id: string
  status: BraintreeTransactionStatus | string
  type: "sale" | "credit" | string
  /** A decimal string in the merchant account's currency ("10.00"). */
  amount: string
  currencyIsoCode: string
  merchantAccountId?: string
  /** What this store set: the Medusa session id on a sale, the Medusa refund id on a refund. */
  orderId?: string | null
  processorResponseCode?: string | null
  processorResponseText?: string | null
  processorResponseType?: string | null
  gatewayRejectionReason?: string | null
  paymentInstrumentType?: string | null
  creditCard?: BraintreeCardDetails | null
  paypal?: { payerEmail?: string; token?: string | null } | null
  customer?: { id?: string | null } | null
  refundIds?: string[] | null
  /** Refunds: the sale refunded. */
  refundedTransactionId?: string | null
  /** The partial settlements of an authorization (`submitForPartialSettlement`). */
  partialSettlementTransactionIds?: string[] | null
  /** On a partial settlement: the authorization it settles from. */
  authorizedTransactionId?: string | null
  authorizationExpiresAt?: string | Date | null
  threeDSecureInfo?: { status?: string | null; liabilityShifted?: boolean | null; liabilityShiftPossible?: boolean | null } | null
  createdAt?: string | Date
  updatedAt?: string | Date
}

export interface BraintreeDispute {
  id: string
  status: string
  kind?: string
  reason?: string | null
  amountDisputed?: string | null
  amount?: string | null
  currencyIsoCode?: string
  replyByDate?: string | Date | null
  transaction?: { id?: string; amount?: string; orderId?: string | null } | null
}

export interface BraintreeNotification {
  kind: string
  timestamp: Date | string
  transaction?: BraintreeTransaction
  dispute?: BraintreeDispute
  subject?: Record<string, unknown>
}

/** A vaulted payment method as a customer lists them. */
export interface BraintreePaymentMethod {
  token: string
  customerId?: string
  default?: boolean
  /** Cards. */
  cardType?: string
  last4?: string
  expirationMonth?: string
  expirationYear?: string
  expired?: boolean
  /** PayPal accounts: the address is the buyer's, so it is never copied. */
  email?: string
  imageUrl?: string
}

export interface BraintreeCustomer {
  id: string
  paymentMethods?: BraintreePaymentMethod[]
  creditCards?: BraintreePaymentMethod[]
  paypalAccounts?: BraintreePaymentMethod[]
}

/** What this provider keeps in a Medusa payment session (and so the storefront sees). */
export interface BraintreeSessionData {
  session_id: string
  /** The amount to charge, a decimal string in the merchant account's currency. */
  amount: string
  currency_code: string
  merchant_account_id: string
  /** From the storefront (Drop-in or Hosted Fields): the one-time nonce to charge. */
  payment_method_nonce?: string | null
  /** From the storefront: Braintree's device data for fraud tools. */
  device_data?: string | null
  /** A saved payment method of the customer to charge instead of a nonce. */
  payment_method_token?: string | null
  /** Ask to keep the card for the customer (needs an account holder). */
  save_payment_method?: boolean
  transaction_id?: string | null
  /** Braintree's status, or `pending` before the sale. */
  status: BraintreeTransactionStatus | "pending"
  /** What was submitted for settlement (captured), decimal string. */
  amount_captured: string
  amount_refunded: string
  settlements: BraintreeSettlementData[]
  refunds: BraintreeRefundData[]
  /** Why a transaction was declined or rejected (no personal data). */
  processor_response?: { code: string | null; text: string | null } | null
  gateway_rejection_reason?: string | null
  /** What the storefront may show: "visa ending 1111", never the holder. */
  payment_method?: { type: string; brand?: string; last4?: string } | null
  /** The vaulted token when the sale saved the method. */
  saved_payment_method_token?: string | null
  /** Set when a step is left to the shopper (3-D Secure). */
  next_action?: "three_d_secure" | null
}

export interface BraintreeSettlementData {
  transaction_id: string
  amount: string
  status: string
  /** The Medusa capture it was made for. */
  capture_id?: string | null
}

export interface BraintreeRefundData {
  transaction_id: string
  /** The settled transaction it refunds. */
  refunds: string
  amount: string
  status: string
  /** The Medusa refund id (the refund's `orderId`), or null for a refund made in the Control Panel. */
  medusa_refund_id: string | null
}
