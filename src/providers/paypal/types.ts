/**
 * PayPal's wire types (Orders v2, Payments v2, Customer Disputes v1, webhooks: the fields the
 * collection reads) and the shape of what the collection keeps in the payment session's
 * `data`. Types only.
 */
import type { ExternalRefund } from "../../lib/payments/external-refunds"

/** PayPal's two environments; each has its own REST host, credentials and webhook certificates. */
export type PaypalEnvironment = "sandbox" | "live"

// ---- Wire types -----------------------------------------------------------------------------

/** PayPal's amount object: an ISO code and a decimal string in PayPal's precision. */
export interface PaypalMoney {
  currency_code: string
  value: string
}

export type PaypalIntent = "AUTHORIZE" | "CAPTURE"
export type PaypalOrderStatus = "CREATED" | "SAVED" | "APPROVED" | "VOIDED" | "COMPLETED" | "PAYER_ACTION_REQUIRED"
export type PaypalAuthorizationStatus = "CREATED" | "CAPTURED" | "DENIED" | "PARTIALLY_CAPTURED" | "VOIDED" | "PENDING"
export type PaypalCaptureStatus = "COMPLETED" | "DECLINED" | "PARTIALLY_REFUNDED" | "PENDING" | "REFUNDED" | "FAILED"
export type PaypalRefundStatus = "CANCELLED" | "FAILED" | "PENDING" | "COMPLETED"

export interface PaypalLink {
  href: string
  rel: string
  method?: string
}

export interface PaypalAuthorization {
  id: string
  status: PaypalAuthorizationStatus
  status_details?: { reason?: string }
  amount?: PaypalMoney
  custom_id?: string
  create_time?: string
  expiration_time?: string
  links?: PaypalLink[]
}

export interface PaypalCapture {
  id: string
  status: PaypalCaptureStatus
  status_details?: { reason?: string }
  amount?: PaypalMoney
  custom_id?: string
  final_capture?: boolean
  create_time?: string
  links?: PaypalLink[]
}

export interface PaypalRefund {
  id: string
  status: PaypalRefundStatus
  status_details?: { reason?: string }
  amount?: PaypalMoney
  custom_id?: string
  create_time?: string
  links?: PaypalLink[]
}

export interface PaypalPurchaseUnit {
  reference_id?: string
  custom_id?: string
  amount?: PaypalMoney
  payments?: {
    authorizations?: PaypalAuthorization[]
    captures?: PaypalCapture[]
    refunds?: PaypalRefund[]
  }
}

export interface PaypalOrder {
  id: string
  status: PaypalOrderStatus
  intent?: PaypalIntent
  /** How the order was paid; carries the vault result when the order saved its payment source. */
  payment_source?: PaypalPaymentSourceResponse
  purchase_units?: PaypalPurchaseUnit[]
  links?: PaypalLink[]
  create_time?: string
}

// ---- Vault (Orders v2 vault attributes, Payment Method Tokens v3) -----------------------------

/** The payment sources this provider saves and pays with from PayPal's vault. */
export type PaypalVaultSource = "paypal" | "card"

/**
 * What an order answers about the payment source it saved (`payment_source.<source>.attributes.vault`,
 * Orders v2 `vault_response`): the payment token and the PayPal customer it belongs to.
 */
export interface PaypalVaultResponse {
  id?: string
  /** `VAULTED`; `CREATED`/`APPROVED` while PayPal has not finished saving it. */
  status?: "VAULTED" | "CREATED" | "APPROVED"
  customer?: { id?: string }
}

/** The part of Orders v2 `payment_source_response` the provider reads. */
export interface PaypalPaymentSourceResponse {
  paypal?: { attributes?: { vault?: PaypalVaultResponse } }
  card?: { brand?: string; last_digits?: string; attributes?: { vault?: PaypalVaultResponse } }
}

/** A saved payment token (Payment Method Tokens v3 `payment_token_response`), the fields read. */
export interface PaypalPaymentToken {
  id: string
  customer?: { id?: string }
  payment_source?: {
    paypal?: { email_address?: string; usage_type?: string }
    card?: { brand?: string; last_digits?: string }
    venmo?: Record<string, unknown>
    apple_pay?: Record<string, unknown>
    bank?: Record<string, unknown>
  }
}

/** `GET /v3/vault/payment-tokens?customer_id=` (`customer_vault_payment_tokens_response`). */
export interface PaypalPaymentTokenList {
  customer?: { id?: string }
  payment_tokens?: PaypalPaymentToken[]
  total_items?: number
  total_pages?: number
}

/**
 * A customer dispute as PayPal's Customer Disputes API shows it (and the CUSTOMER.DISPUTE.*
 * notifications carry it), the fields the collection reads; the buyer's details in it are
 * never copied.
 * @see https://developer.paypal.com/docs/api/customer-disputes/v1/#disputes_get
 */
export interface PaypalDispute {
  dispute_id: string
  create_time?: string
  update_time?: string
  /** The captures disputed: `seller_transaction_id` is the capture id, `custom` its custom_id. */
  disputed_transactions?: Array<{ seller_transaction_id?: string; custom?: string }>
  reason?: string
  status?: string
  dispute_amount?: PaypalMoney
  dispute_outcome?: { outcome_code?: string; amount_refunded?: PaypalMoney }
  /** When the seller's answer is due (ISO 8601). */
  seller_response_due_date?: string
}

export interface PaypalWebhookEvent {
  id: string
  event_type: string
  resource_type?: string
  resource?: Record<string, unknown>
  create_time?: string
}

/** PayPal's error body (REST APIs) or the OAuth endpoint's. */
export interface PaypalErrorBody {
  name?: string
  message?: string
  debug_id?: string
  details?: Array<{ issue?: string; description?: string; field?: string }>
  error?: string
  error_description?: string
}

// ---- Session data ---------------------------------------------------------------------------

export interface PaypalAuthorizationData {
  id: string
  status: PaypalAuthorizationStatus
  /** Decimal string in PayPal's precision. */
  amount: string
  /** When this store authorized (or reauthorized): the start of PayPal's honor period. */
  authorized_at: string | null
  /** PayPal's create_time of the authorization. */
  created_at: string | null
  expiration_time: string | null
  /** The authorization this one replaced after the honor period. */
  reauthorized_from: string | null
}

export interface PaypalCaptureData {
  id: string
  status: PaypalCaptureStatus
  amount: string
  final_capture: boolean
}

export interface PaypalRefundData {
  id: string
  capture_id: string | null
  status: PaypalRefundStatus
  amount: string
}

/**
 * What the collection keeps in the payment session's `data`. It reaches the storefront, so
 * it holds the order id (for the JS SDK buttons), the approval link (for a redirect),
 * amounts and states; never the payer's name, e-mail or address.
 */
export interface PaypalSessionData extends Record<string, unknown> {
  /** PayPal order id. */
  id: string
  status: PaypalOrderStatus
  intent: PaypalIntent
  /** The order amount, a decimal string in PayPal's precision ("120.00", "1500"). */
  amount: string
  currency_code: string
  /** Where to send the buyer to approve (redirect flow). */
  approve_url: string | null
  /** The Medusa payment session the order belongs to (PayPal's `custom_id`). */
  session_id: string | null
  /** The authorization the store captures from (intent authorize). */
  authorization: PaypalAuthorizationData | null
  captures: PaypalCaptureData[]
  refunds: PaypalRefundData[]
  /** Sum of completed and pending captures. */
  amount_captured: string
  /** Sum of refunds that did not fail. */
  amount_refunded: string
  /** Why PayPal declined the last authorization or capture, without personal data. */
  decline: { issue: string; description: string | null } | null
  /** Canceled before any money was reserved: nothing to void at PayPal. */
  canceled: boolean
  /** Declines so far; each new attempt gets its own PayPal-Request-Id. */
  declined_attempts: number
  /** Bumped on every amount change; part of the derived PayPal-Request-Id. */
  update_seq: number
  /**
   * Refunds made at PayPal outside Medusa (its dashboard), noted by the plugin to be recorded
   * in Medusa without refunding again (`lib/payments/external-refunds.ts`).
   */
  external_refunds?: ExternalRefund[]
  /** What the session does with PayPal's vault; null when it neither saves nor pays with a saved method. */
  vault?: PaypalVaultData | null
}

/**
 * The vault part of the session data: ids only (they reach the storefront), never the payer's
 * e-mail or the card's details.
 */
export interface PaypalVaultData {
  /** `save`: the payment saves the method it is paid with; `use`: it pays with a saved one, without approval. */
  mode: "save" | "use"
  source: PaypalVaultSource
  /** The saved payment token: the one paid with (`use`), or the one PayPal saved (`save`, once it did). */
  payment_method_id: string | null
  /** PayPal's customer the token belongs to or joins; null before PayPal mints one at the customer's first save. */
  customer_id: string | null
  /** The Medusa account holder that keeps PayPal's customer id. */
  account_holder_id: string | null
  /** PayPal's vault status once the payment went through (`VAULTED`; `APPROVED`/`CREATED` while PayPal finishes). */
  status: string | null
}
