/**
 * The one list of where the gateways put a buyer's personal data, which `redact.ts` applies to
 * every logged request and answer and every recorded fixture, whichever the gateway. A list of
 * facts, each with where the gateway sends it: a new gateway adds its keys here.
 */

/**
 * Where the gateways put a buyer's personal data, key by key. A rule with `in` applies only
 * inside an object of one of those kinds, so that `name` goes under a card, a payer or a
 * shipping address but PayPal's error `name` ("UNPROCESSABLE_ENTITY"), an item's or a
 * product's name stay. An object's kinds are the key it sits under (an array's items take
 * the array's key) and, for Stripe, the type in its `object` field (a customer fetched on its
 * own is `{ object: "customer", name }`). Keys are matched whole after `normalizeKey`, never by
 * substring: `address` goes, `billing_address_collection` and `address_line1_check` stay.
 *
 * A value under one of these keys is replaced whole, objects included (a whole address). What
 * a log line is for stays: ids, statuses, amounts, error codes and a card's brand and last
 * four digits (PCI DSS lets them be shown; support tells a buyer's cards apart by them).
 */
export interface PersonalDataRule {
  /** The key as the gateway spells it. */
  key: string
  /** Personal only inside an object of one of these kinds; anywhere when left out. */
  in?: readonly string[]
  /** Not personal inside an object of one of these kinds (the merchant's own text). */
  except?: readonly string[]
  /** Where the gateways send it. */
  from: string
}

/** Objects whose `name` is a person's: a holder, a payer, a recipient. */
const NAMED_PERSONS = [
  // PayPal Orders v2 (checkout_orders_v2.json): card_response, payer, shipping_detail, the
  // paypal and venmo wallet responses, and the bank methods' account holder
  "card",
  "payer",
  "shipping",
  "paypal",
  "venmo",
  "bancontact",
  "blik",
  "eps",
  "giropay",
  "ideal",
  "mybank",
  "p24",
  "sofort",
  "trustly",
  // Stripe: billing_details, shipping, a customer, a source's owner, a Card object, Checkout's
  // customer_details and shipping_details, and the card wallets' masterpass / visa_checkout
  "billing_details",
  "customer",
  "owner",
  "customer_details",
  "shipping_details",
  "masterpass",
  "visa_checkout",
]

export const PERSONAL_DATA: readonly PersonalDataRule[] = Object.freeze([
  // Names
  {
    key: "name",
    in: NAMED_PERSONS,
    from: "PayPal card_response.name (\"The card holder's name\"), payer.name, shipping_detail.name, the wallets' and bank methods' holder name; Stripe billing_details.name, shipping.name, customer.name, source owner.name, Card.name, Checkout customer_details.name",
  },
  { key: "given_name", from: "PayPal components/schemas/name" },
  { key: "surname", from: "PayPal components/schemas/name" },
  { key: "middle_name", from: "PayPal components/schemas/name" },
  { key: "full_name", from: "PayPal components/schemas/name (shipping_detail.name supports only full_name)" },
  { key: "alternate_full_name", from: "PayPal components/schemas/name" },
  { key: "prefix", in: ["name"], from: "PayPal components/schemas/name.prefix (a title)" },
  { key: "suffix", in: ["name"], from: "PayPal components/schemas/name.suffix" },
  { key: "individual_name", from: "Stripe Checkout Session customer_details / collected_information" },
  { key: "business_name", in: ["customer_details", "collected_information"], from: "Stripe Checkout Session: the buyer's business" },
  { key: "verified_name", from: "Stripe Source owner.verified_name" },
  { key: "account_holder_name", from: "Stripe bank_account.account_holder_name" },
  { key: "cardholder_name", from: "Stripe payment_method_details.card_present.cardholder_name" },
  { key: "user_name", from: "PayPal venmo_wallet_response.user_name (\"The Venmo user name chosen by the user\")" },
  // E-mail addresses (any e-mail: a sole trader's is a person's too)
  { key: "email", from: "Stripe billing_details, customer, source owner, Checkout customer_details; PayPal blik / p24 email" },
  { key: "email_address", from: "PayPal payer, paypal / venmo wallets, vault customer, payee" },
  { key: "receipt_email", from: "Stripe PaymentIntent and Charge receipt_email" },
  { key: "customer_email", from: "Stripe Checkout Session customer_email" },
  { key: "verified_email", from: "Stripe Source owner.verified_email" },
  // Phone numbers
  { key: "phone", from: "Stripe billing_details, customer, shipping, source owner, customer_details; PayPal payer.phone (phone_with_type)" },
  { key: "phone_number", from: "PayPal phone_with_type.phone_number, paypal / venmo wallet phone_number" },
  { key: "national_number", from: "PayPal components/schemas/phone.national_number" },
  { key: "verified_phone", from: "Stripe Source owner.verified_phone" },
  // Postal addresses: whole address objects, and their parts wherever an address sits under a
  // key of its own (PayPal's tracker patch sends one under `value`)
  { key: "address", from: "Stripe customer, billing_details, shipping, source owner, customer_details address; PayPal address_portable under payer, shipping and the wallets" },
  { key: "billing_address", from: "Stripe card wallet masterpass / visa_checkout billing_address, dispute evidence.billing_address; PayPal card.billing_address" },
  {
    key: "shipping_address",
    // Checkout's custom_text.shipping_address is the merchant's message shown next to the form
    except: ["custom_text"],
    from: "Stripe card wallet shipping_address, dispute evidence.shipping_address; PayPal level_3.shipping_address",
  },
  { key: "verified_address", from: "Stripe Source owner.verified_address" },
  { key: "address_line_1", from: "PayPal address_portable.address_line_1; Stripe Card address_line1 (the same key once normalized)" },
  { key: "address_line_2", from: "PayPal address_portable.address_line_2; Stripe Card address_line2" },
  { key: "address_line_3", from: "PayPal address_portable.address_line_3" },
  { key: "admin_area_1", from: "PayPal address_portable.admin_area_1 (state, province)" },
  { key: "admin_area_2", from: "PayPal address_portable.admin_area_2 (city)" },
  { key: "admin_area_3", from: "PayPal address_portable.admin_area_3 (suburb, district)" },
  { key: "admin_area_4", from: "PayPal address_portable.admin_area_4 (neighbourhood)" },
  { key: "postal_code", from: "PayPal address_portable.postal_code; Stripe address.postal_code" },
  { key: "address_details", from: "PayPal address_portable.address_details (street, building, sub-building)" },
  { key: "address_city", from: "Stripe Card address_city" },
  { key: "address_state", from: "Stripe Card address_state" },
  { key: "address_zip", from: "Stripe Card address_zip" },
  { key: "address_country", from: "Stripe Card address_country" },
  { key: "tracking_number", in: ["shipping"], from: "Stripe shipping.tracking_number (it finds the parcel, and the address)" },
  // Birth dates, tax ids, IP addresses
  { key: "birth_date", from: "PayPal payer.birth_date, paypal_wallet_response.birth_date" },
  { key: "dob", from: "Stripe Person / account individual dob" },
  { key: "tax_id", from: "PayPal tax_info.tax_id (a Brazilian CPF/CNPJ); Stripe billing_details.tax_id" },
  { key: "tax_info", from: "PayPal payer.tax_info, paypal_wallet_response.tax_info" },
  { key: "tax_ids", from: "Stripe customer.tax_ids, Checkout customer_details.tax_ids" },
  { key: "customer_tax_ids", from: "Stripe Invoice customer_tax_ids" },
  { key: "ip_address", from: "Stripe mandate customer_acceptance.online.ip_address, customer.tax.ip_address" },
  { key: "client_ip", from: "Stripe Token client_ip" },
  // Card details beyond brand and last four
  { key: "expiry", from: "PayPal card_response.expiry, card_from_request.expiry (YYYY-MM)" },
  { key: "exp_month", from: "Stripe card / payment_method_details.card exp_month" },
  { key: "exp_year", from: "Stripe card / payment_method_details.card exp_year" },
  { key: "bin_details", from: "PayPal card_response.bin_details (BIN, issuing bank, BIN country, products)" },
  { key: "bin", from: "PayPal bin_details.bin" },
  { key: "iin", from: "Stripe payment_method_details.card.iin (the card's first digits)" },
  { key: "issuer", in: ["card"], from: "Stripe payment_method_details.card.issuer (the issuing bank)" },
  { key: "card6no", from: "ECPay card6no, \"First 6 digits of credit card\" (https://developers.ecpay.com.tw/?p=16562)" },
  // The payer's bank account
  { key: "ATMAccBank", from: "ECPay ATMAccBank, the payer's bank code (https://developers.ecpay.com.tw/?p=16562)" },
  { key: "ATMAccNo", from: "ECPay ATMAccNo, \"Last 5 digits of the payer's bank account\"" },
  { key: "WebATMAccBank", from: "ECPay WebATMAccBank, the payer's bank code" },
  { key: "WebATMAccNo", from: "ECPay WebATMAccNo, \"Last 5 digits of the payer's bank account\"" },
  { key: "WebATMBankName", from: "ECPay WebATMBankName, the payer's bank" },
  { key: "iban_last_chars", from: "PayPal bancontact / ideal / mybank / sofort / trustly iban_last_chars" },
  { key: "bic", from: "PayPal bank methods' bic, the payer's bank" },
  // Braintree (its XML's dashed names, read like the others): the customer, the transaction's
  // customer, billing and shipping details, addresses, cards and PayPal accounts.
  // https://developer.paypal.com/braintree/docs/reference/response/transaction/node
  { key: "first_name", from: "Braintree customer, customer-details, billing and shipping first-name" },
  { key: "last_name", from: "Braintree customer, customer-details, billing and shipping last-name" },
  { key: "company", in: ["customer", "customerdetails", "billing", "shipping", "address", "addresses", "billingaddress", "shippingaddress"], from: "Braintree customer and address company" },
  { key: "street_address", from: "Braintree address street-address" },
  { key: "extended_address", from: "Braintree address extended-address" },
  { key: "locality", from: "Braintree address locality (the city)" },
  { key: "region", in: ["billing", "shipping", "address", "addresses", "billingaddress", "shippingaddress"], from: "Braintree address region (the state)" },
  { key: "payer_email", from: "Braintree paypal-account and transaction paypal payer-email" },
  { key: "payer_first_name", from: "Braintree transaction paypal payer-first-name" },
  { key: "payer_last_name", from: "Braintree transaction paypal payer-last-name" },
  { key: "expiration_month", from: "Braintree credit-card expiration-month" },
  { key: "expiration_year", from: "Braintree credit-card expiration-year" },
  { key: "expiration_date", from: "Braintree credit-card expiration-date" },
  { key: "masked_number", from: "Braintree credit-card masked-number (bin and last four)" },
  { key: "device_data", from: "Braintree deviceData (the shopper's device fingerprint from Drop-in)" },
])
