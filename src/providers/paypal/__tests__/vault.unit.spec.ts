import { PaymentInputError } from "../../../lib/payments/errors"
import { buildOrderRequest, toSessionData } from "../mapping"
import { parsePaypalOptions } from "../options"
import type { PaypalOrder, PaypalVaultData } from "../types"
import {
  customerToRecord,
  holderCustomerIdOf,
  maskEmail,
  paymentMethodsOf,
  readVaultRequest,
  savedPaymentSource,
  vaultAttributes,
  withVaultResult,
} from "../vault"

const options = parsePaypalOptions({ clientId: "test-client-id", clientSecret: "test-client-secret" })
const SESSION = "payses_01VAULTUNIT"

const saving: PaypalVaultData = { mode: "save", source: "paypal", payment_method_id: null, customer_id: null, account_holder_id: "acchld_01", status: null }
const vaulted = (customerId: string, source: "paypal" | "card" = "paypal"): Pick<PaypalOrder, "id" | "payment_source"> => ({
  id: "5UX02063KF771832W",
  payment_source: { [source]: { attributes: { vault: { id: "9ug72183bt", status: "VAULTED", customer: { id: customerId } } } } },
})

describe("PayPal vault: what the storefront asks", () => {
  it("reads a save, a saved method and the payment source", () => {
    expect(readVaultRequest({})).toEqual({ save: false, paymentMethodId: undefined, source: "paypal" })
    expect(readVaultRequest({ save_payment_method: true, payment_source: "card" })).toEqual({ save: true, paymentMethodId: undefined, source: "card" })
    expect(readVaultRequest({ save_payment_method: "true" }).save).toBe(true)
    expect(readVaultRequest({ save_payment_method: "yes" }).save).toBe(false)
    expect(readVaultRequest({ payment_method_id: "9ug72183bt" }).paymentMethodId).toBe("9ug72183bt")
  })

  it("refuses what cannot be honoured, clearly", () => {
    expect(() => readVaultRequest({ payment_method_id: "../../v2/checkout/orders" })).toThrow(PaymentInputError)
    expect(() => readVaultRequest({ payment_source: "venmo" })).toThrow('PayPal: `payment_source` is "paypal" or "card", not "venmo"')
    expect(() => readVaultRequest({ payment_method_id: "9ug72183bt", save_payment_method: true })).toThrow(/cannot save it again/)
  })
})

describe("PayPal vault: the order", () => {
  it("asks PayPal to save the PayPal account on success, for the holder's customer when there is one", () => {
    const first = buildOrderRequest({ amount: 100, currency_code: "usd", session_id: SESSION, vault: { mode: "save", source: "paypal", customer_id: null } }, options)
    expect((first.payment_source as { paypal: Record<string, unknown> }).paypal).toEqual({
      experience_context: { shipping_preference: "NO_SHIPPING", user_action: "PAY_NOW" },
      attributes: { vault: { store_in_vault: "ON_SUCCESS", usage_type: "MERCHANT", customer_type: "CONSUMER", permit_multiple_payment_tokens: true } },
    })
    expect(vaultAttributes("paypal", "customer_4029352050").customer).toEqual({ id: "customer_4029352050" })
    expect(vaultAttributes("card", "customer_4029352050")).toEqual({ customer: { id: "customer_4029352050" }, vault: { store_in_vault: "ON_SUCCESS" } })
  })

  it("creates an order paid with a saved method without a payment source, which the authorization carries", () => {
    const body = buildOrderRequest({ amount: 80, currency_code: "usd", session_id: SESSION, vault: { mode: "use", source: "paypal", customer_id: "customer_4029352050" } }, options)
    expect(body).toEqual({ intent: "AUTHORIZE", purchase_units: [{ reference_id: "default", custom_id: SESSION, amount: { currency_code: "USD", value: "80.00" } }] })
    expect(savedPaymentSource("paypal", "9ug72183bt")).toEqual({ paypal: { vault_id: "9ug72183bt" } })
    expect(savedPaymentSource("card", "4pr38712xj")).toEqual({ card: { vault_id: "4pr38712xj" } })
  })

  it("leaves an order without the vault as it was", () => {
    const body = buildOrderRequest({ amount: 100, currency_code: "usd", session_id: SESSION }, options)
    expect(body.payment_source).toEqual({ paypal: { experience_context: { shipping_preference: "NO_SHIPPING", user_action: "PAY_NOW" } } })
  })
})

describe("PayPal vault: the result", () => {
  it("reads the saved token and PayPal's new customer, and what to record on the holder", () => {
    expect(withVaultResult(saving, vaulted("customer_4029352050"))).toEqual({ ...saving, payment_method_id: "9ug72183bt", customer_id: "customer_4029352050", status: "VAULTED" })
    expect(customerToRecord(saving, vaulted("customer_4029352050"))).toEqual({ record: "customer_4029352050" })
    // The card's result is read from the card.
    expect(withVaultResult({ ...saving, source: "card" }, vaulted("customer_4029352050"))?.payment_method_id).toBeNull()
    expect(withVaultResult({ ...saving, source: "card" }, vaulted("customer_4029352050", "card"))?.payment_method_id).toBe("9ug72183bt")
  })

  it("never adopts another customer than the holder's", () => {
    const known = { ...saving, customer_id: "customer_4029352050" }
    expect(customerToRecord(known, vaulted("customer_4029352050"))).toBeUndefined()
    expect(customerToRecord(known, vaulted("customer_7712940385"))).toEqual({ conflict: "customer_7712940385" })
    expect(withVaultResult(known, vaulted("customer_7712940385"))?.customer_id).toBe("customer_4029352050")
  })

  it("keeps the vault through PayPal's later answers, and no approval link for a saved method", () => {
    const order: PaypalOrder = {
      id: "2WC58271HT304852A",
      status: "CREATED",
      links: [{ rel: "approve", href: "https://www.sandbox.paypal.com/checkoutnow?token=2WC58271HT304852A" }],
      purchase_units: [{ custom_id: SESSION, amount: { currency_code: "USD", value: "80.00" } }],
    }
    const use: PaypalVaultData = { ...saving, mode: "use", payment_method_id: "9ug72183bt", customer_id: "customer_4029352050" }
    expect(toSessionData(order, { vault: use })).toEqual(expect.objectContaining({ vault: use, approve_url: null }))
    expect(toSessionData(order, {})).toEqual(expect.objectContaining({ vault: null, approve_url: expect.stringContaining("checkoutnow") }))
  })
})

describe("PayPal vault: saved tokens as payment methods", () => {
  it("lists the customer's own PayPal accounts and cards only, with a masked e-mail and no card expiry", () => {
    const tokens = [
      { id: "9ug72183bt", customer: { id: "customer_4029352050" }, payment_source: { paypal: { email_address: "sam.shopper@example.com" } } },
      { id: "4pr38712xj", customer: { id: "customer_4029352050" }, payment_source: { card: { brand: "VISA", last_digits: "1111", expiry: "2030-01" } as never } },
      { id: "zz11", customer: { id: "customer_7712940385" }, payment_source: { paypal: { email_address: "other@example.com" } } },
      { id: "vn22", customer: { id: "customer_4029352050" }, payment_source: { venmo: {} } },
    ]
    expect(paymentMethodsOf(tokens, "customer_4029352050")).toEqual([
      { id: "9ug72183bt", data: { source: "paypal", email_hint: "s***@example.com" } },
      { id: "4pr38712xj", data: { source: "card", brand: "VISA", last_digits: "1111" } },
    ])
    expect(maskEmail("not-an-email")).toBeNull()
  })

  it("reads PayPal's customer id off the account holder, nothing else", () => {
    expect(holderCustomerIdOf({ data: { paypal_customer_id: "customer_4029352050" } })).toBe("customer_4029352050")
    expect(holderCustomerIdOf({ data: { paypal_customer_id: null } })).toBeNull()
    expect(holderCustomerIdOf({ data: { paypal_customer_id: "not a customer id!" } })).toBeNull()
    expect(holderCustomerIdOf(undefined)).toBeNull()
  })
})
