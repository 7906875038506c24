/**
 * Braintree's pure mapping: statuses, amounts, eligibility, refunds by settlement state, the
 * sale request, saved methods and the options.
 */
import BigNumberJS from "bignumber.js"
import { braintreeTestKeys, braintreeTestOptions } from "../../../../integration-tests/harness/braintree"
import { judgeEligibility } from "../../../lib/payments/eligibility"
import { AmountError, PaymentConfigError, PaymentInputError } from "../../../lib/payments/errors"
import {
  braintreeEligibility,
  buildSale,
  mapTransactionStatus,
  newSessionData,
  planRefund,
  toBraintreeAmount,
  toBraintreeCaptureAmount,
  toBraintreeRefundAmount,
  toSavedMethod,
  type RefundTarget,
} from "../mapping"
import { parseBraintreeOptions } from "../options"
import BraintreeProviderService from "../service"
import { BRAINTREE_TRANSACTION_STATUSES, type BraintreePaymentMethod } from "../types"

const options = parseBraintreeOptions(braintreeTestOptions)

/**
 * Every transaction status and the Medusa status it is.
 * @see https://developer.paypal.com/braintree/docs/reference/general/statuses#transaction
 */
const STATUS_OF: Record<string, string> = {
  authorizing: "pending",
  authorized: "authorized",
  authorization_expired: "canceled",
  submitted_for_settlement: "captured",
  settling: "captured",
  settlement_pending: "captured",
  settlement_confirmed: "captured",
  settled: "captured",
  settlement_declined: "error",
  voided: "canceled",
  processor_declined: "error",
  gateway_rejected: "error",
  failed: "error",
}

describe("braintree mapTransactionStatus", () => {
  it("has an expectation for every status Braintree lists, and no other", () => {
    expect(Object.keys(STATUS_OF).sort()).toEqual([...BRAINTREE_TRANSACTION_STATUSES].sort())
  })

  it.each(BRAINTREE_TRANSACTION_STATUSES.map((s) => [s]))("maps %s", (status) => {
    expect(mapTransactionStatus(status)).toBe(STATUS_OF[status])
  })

  it("leaves a 3-D Secure gateway rejection to the shopper (requires_more); other rejections are errors", () => {
    expect(mapTransactionStatus("gateway_rejected", "three_d_secure")).toBe("requires_more")
    expect(mapTransactionStatus("gateway_rejected", "cvv")).toBe("error")
    expect(mapTransactionStatus("gateway_rejected", "fraud")).toBe("error")
  })

  it("throws for a status it does not know, never a silent pending", () => {
    expect(() => mapTransactionStatus("pending_review")).toThrow('Braintree: unknown transaction status "pending_review"')
  })
})

/**
 * Braintree takes a decimal string with the currency's ISO 4217 decimals, at most two.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/sale/node#amount
 */
describe("braintree amounts", () => {
  it("charges JPY in whole yen and HUF and USD with two decimals, rounding half up", () => {
    expect(toBraintreeAmount(1000, "jpy")).toBe("1000")
    expect(toBraintreeAmount("1000.5", "JPY")).toBe("1001")
    expect(toBraintreeAmount("1500.25", "huf")).toBe("1500.25")
    expect(toBraintreeAmount(10.99, "usd")).toBe("10.99")
    expect(toBraintreeAmount("10.005", "usd")).toBe("10.01")
  })

  it("rounds a refund down: never more than asked", () => {
    expect(toBraintreeRefundAmount("10.009", "usd")).toBe("10.00")
    expect(toBraintreeRefundAmount("1000.9", "jpy")).toBe("1000")
  })

  it("captures exactly, and refuses an amount it would have to round (10.005 USD)", () => {
    expect(toBraintreeCaptureAmount("40", "usd")).toBe("40.00")
    expect(() => toBraintreeCaptureAmount("10.005", "usd")).toThrow(AmountError)
    expect(() => toBraintreeCaptureAmount("10.005", "usd")).toThrow("10.005 USD cannot be charged exactly: the gateway accepts multiples of 0.01 USD")
  })
})

/**
 * A merchant account settles one currency; a currency of three decimals is not offered.
 * @see https://developer.paypal.com/braintree/articles/control-panel/important-gateway-credentials#merchant-account-id
 */
describe("braintree eligibility", () => {
  const eligibility = braintreeEligibility(options, "Braintree")

  it("refuses a currency without a merchant account, naming the ones the store has", () => {
    expect(judgeEligibility(eligibility, { amount: 10, currency_code: "eur" })).toEqual({
      eligible: false,
      rule: "currency",
      reason: "Braintree has no merchant account for EUR (a Braintree merchant account settles one currency; this store has HUF, JPY, USD)",
    })
  })

  it("refuses a currency of three decimals (KWD)", () => {
    expect(judgeEligibility(eligibility, { amount: "12.345", currency_code: "kwd" })).toEqual({
      eligible: false,
      rule: "currency",
      reason: "Braintree takes amounts of at most two decimals, so it is not available in KWD",
    })
  })

  it("takes a currency with a merchant account, as the store routes judge it too", () => {
    expect(judgeEligibility(eligibility, { amount: 10, currency_code: "usd" })).toEqual({ eligible: true })
    expect(judgeEligibility(BraintreeProviderService.eligibilityOf(braintreeTestOptions), { amount: 10, currency_code: "eur" })).toEqual(
      expect.objectContaining({ eligible: false, rule: "currency" })
    )
  })
})

/**
 * Before settlement Braintree can only void the whole transaction; settled ones refund in parts.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/refund/node
 */
describe("braintree planRefund", () => {
  const target = (transaction_id: string, status: string, amount: string, refunded = "0"): RefundTarget => ({
    transaction_id,
    status,
    amount: new BigNumberJS(amount),
    refunded: new BigNumberJS(refunded),
  })
  const plain = (steps: ReturnType<typeof planRefund>) => steps.map((s) => ({ ...s, amount: s.amount.toFixed(2) }))

  it("refunds part of a settled transaction", () => {
    expect(plain(planRefund([target("tx1", "settled", "100")], new BigNumberJS(30), "USD"))).toEqual([{ kind: "refund", transaction_id: "tx1", amount: "30.00" }])
  })

  it("refunds from a settling transaction too", () => {
    expect(plain(planRefund([target("tx1", "settling", "100")], new BigNumberJS(100), "USD"))).toEqual([{ kind: "refund", transaction_id: "tx1", amount: "100.00" }])
  })

  it("spreads a refund over partial settlements, oldest first, skipping one refunded already", () => {
    const targets = [target("ps1", "settled", "40", "40"), target("ps2", "settled", "30"), target("ps3", "settled", "30")]
    expect(plain(planRefund(targets, new BigNumberJS(45), "USD"))).toEqual([
      { kind: "refund", transaction_id: "ps2", amount: "30.00" },
      { kind: "refund", transaction_id: "ps3", amount: "15.00" },
    ])
  })

  it("voids an unsettled transaction refunded in full (authorized, submitted, settlement pending)", () => {
    for (const status of ["authorized", "submitted_for_settlement", "settlement_pending"]) {
      expect(plain(planRefund([target("tx1", status, "100")], new BigNumberJS(100), "USD"))).toEqual([{ kind: "void", transaction_id: "tx1", amount: "100.00" }])
    }
  })

  it("refuses part of an unsettled transaction, saying what to do", () => {
    expect(() => planRefund([target("tx1", "submitted_for_settlement", "100")], new BigNumberJS(30), "USD")).toThrow(
      new PaymentInputError(
        "Braintree: transaction tx1 is submitted for settlement and not settled yet, and Braintree refunds only settled transactions: " +
          "refund all 100.00 USD of it (which voids it) or refund 30.00 USD after it settles"
      )
    )
  })

  it("refuses a refund from a transaction that holds no money (voided, declined)", () => {
    expect(() => planRefund([target("tx1", "voided", "100")], new BigNumberJS(10), "USD")).toThrow("Braintree: transaction tx1 is voided, so nothing can be refunded from it")
  })

  it("refuses more than the transactions hold", () => {
    expect(() => planRefund([target("tx1", "settled", "100", "90")], new BigNumberJS(20), "USD")).toThrow("Braintree: only 10.00 USD of the payment can be refunded")
  })
})

/**
 * The sale: the session id as `orderId`, the nonce (or a saved method), the options.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/sale/node
 */
describe("braintree buildSale", () => {
  const data = (storefront: Record<string, unknown>, customer: string | null = null) =>
    newSessionData({ session_id: "payses_01SALE", amount: 100, currency_code: "usd", merchant_account_id: "acme_usd", storefront, braintree_customer_id: customer })
  const flags = { capture: false, threeDSecureRequired: false, descriptor: undefined }

  it("charges the nonce with the session id as orderId, authorizing only unless `capture`", () => {
    expect(buildSale(data({ payment_method_nonce: "fake-valid-nonce", device_data: "{\"correlation_id\":\"abc\"}" }), flags)).toEqual({
      amount: "100.00",
      merchantAccountId: "acme_usd",
      orderId: "payses_01SALE",
      paymentMethodNonce: "fake-valid-nonce",
      deviceData: "{\"correlation_id\":\"abc\"}",
      options: { submitForSettlement: false },
    })
    expect(buildSale(data({ payment_method_nonce: "fake-valid-nonce" }), { ...flags, capture: true }).options).toEqual({ submitForSettlement: true })
  })

  it("charges a saved method by its token when there is no nonce", () => {
    const sale = buildSale(data({ payment_method_token: "tok1" }, "cus_1"), flags)
    expect(sale).toEqual(expect.objectContaining({ paymentMethodToken: "tok1" }))
    expect(sale).not.toHaveProperty("paymentMethodNonce")
  })

  it("requires 3-D Secure when `threeDSecureRequired`", () => {
    expect(buildSale(data({ payment_method_nonce: "n" }), { ...flags, threeDSecureRequired: true }).options).toEqual({ submitForSettlement: false, threeDSecure: { required: true } })
  })

  it("vaults on success only for a customer paying with a nonce who asked to save it", () => {
    expect(buildSale(data({ payment_method_nonce: "n", save_payment_method: true }, "cus_1"), flags)).toEqual(
      expect.objectContaining({ customerId: "cus_1", options: { submitForSettlement: false, storeInVaultOnSuccess: true } })
    )
    const without = [
      data({ payment_method_nonce: "n", save_payment_method: true }), // a guest
      data({ payment_method_nonce: "n" }, "cus_1"), // not asked
      data({ payment_method_token: "tok1", save_payment_method: true }, "cus_1"), // saved already
    ]
    for (const d of without) {
      const sale = buildSale(d, flags)
      expect(sale).not.toHaveProperty("customerId")
      expect(sale.options).not.toHaveProperty("storeInVaultOnSuccess")
    }
  })

  it("passes the dynamic descriptor", () => {
    const descriptor = { name: "ACM*SHOP", phone: "3125551212", url: "acme.com" }
    expect(buildSale(data({ payment_method_nonce: "n" }), { ...flags, descriptor }).descriptor).toEqual(descriptor)
  })
})

describe("braintree toSavedMethod", () => {
  it("shows a PayPal account's type, never its e-mail", () => {
    const method: BraintreePaymentMethod = { token: "tok2", email: "sam.shopper@example.com", default: false, imageUrl: "https://assets.braintreegateway.com/payment_method_logo/paypal.png" }
    const saved = toSavedMethod(method)
    expect(saved).toEqual({ id: "tok2", data: { default: false, type: "paypal", image_url: "https://assets.braintreegateway.com/payment_method_logo/paypal.png" } })
    expect(JSON.stringify(saved)).not.toContain("sam.shopper")
  })

  it("shows a card's brand, last four and expiry, not its holder", () => {
    const card = { token: "tok1", cardType: "Visa", last4: "1111", expirationMonth: "12", expirationYear: "2030", default: true, cardholderName: "Sam Shopper", email: "sam.shopper@example.com" }
    const saved = toSavedMethod(card)
    expect(saved).toEqual({ id: "tok1", data: { default: true, type: "card", brand: "Visa", last4: "1111", exp_month: 12, exp_year: 2030, expired: false } })
    expect(JSON.stringify(saved)).not.toMatch(/Sam Shopper|sam\.shopper/)
  })
})

/** Options fail at boot naming the option, never a key's value. */
describe("braintree options", () => {
  const refused = (extra: Record<string, unknown>): string => {
    try {
      parseBraintreeOptions({ ...braintreeTestOptions, ...extra })
    } catch (error) {
      expect(error).toBeInstanceOf(PaymentConfigError)
      const message = (error as Error).message
      expect(message).not.toContain(braintreeTestKeys.privateKey)
      expect(message).not.toContain(braintreeTestKeys.publicKey)
      return message
    }
    throw new Error("the options were accepted")
  }

  it("refuses a descriptor name outside Braintree's rule", () => {
    expect(refused({ descriptor: { name: "ACME*SHOP" } })).toContain(
      "`descriptor.name`: must be a business part of 3, 7 or 12 characters, an asterisk and a product part, 22 characters at most (Braintree's descriptor rule)"
    )
    expect(parseBraintreeOptions({ ...braintreeTestOptions, descriptor: { name: "ACM*SHOP" } }).descriptor).toEqual({ name: "ACM*SHOP" })
    expect(parseBraintreeOptions({ ...braintreeTestOptions, descriptor: { name: "ACMESHP*BOOTS" } }).descriptor).toEqual({ name: "ACMESHP*BOOTS" })
  })

  it("refuses `apiBaseUrl` with the production environment", () => {
    const message = refused({ environment: "production", apiBaseUrl: "http://127.0.0.1:4010" })
    expect(message).toContain('`apiBaseUrl`: is for a test server and needs `environment` "sandbox": live keys go to Braintree only')
    // The message reads whole: it echoes no option value the scrubbing would hide.
    expect(message).not.toContain("[value hidden]")
  })

  it("refuses options without a merchant account", () => {
    expect(refused({ merchantAccounts: {} })).toContain("`merchantAccounts`: must name at least one merchant account")
  })

  it("names a missing private key without printing the public one", () => {
    expect(refused({ privateKey: undefined })).toContain("`privateKey`")
  })
})
