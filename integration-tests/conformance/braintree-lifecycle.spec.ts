/**
 * Braintree's own behaviour, beyond the shared suite, replayed from
 * integration-tests/fixtures/braintree/<scenario>.json (Braintree's XML answers to the SDK's
 * JSON requests): void or refund by settlement state, partial settlements, sales and refunds
 * retried by a search on their `order_id` (Braintree takes no idempotency key), declines,
 * the vault behind account holders, and the boot-time check of the merchant accounts.
 */
import net from "node:net"
import { PaymentConfigError } from "../../src/lib/payments/errors"
import BraintreeProviderService from "../../src/providers/braintree/service"
import { BRAINTREE_ORIGIN, braintreeSession, braintreeTestKeys, braintreeTestOptions } from "../harness/braintree"
import { FixtureSession } from "../harness/fixtures"
import { quietLogger } from "../harness/loggers"

let replay: FixtureSession | undefined
const play = (scenario: string, vars: Record<string, string> = {}) =>
  (replay = FixtureSession.load("braintree", scenario, { origin: BRAINTREE_ORIGIN, bodyFormat: "json", vars }).start())

afterEach(() => {
  replay?.stop()
  replay = undefined
  jest.restoreAllMocks()
})

function provider(options: Record<string, unknown> = {}, cradle: Record<string, unknown> = {}) {
  return new BraintreeProviderService({ logger: quietLogger, ...cradle }, { ...braintreeTestOptions, ...options })
}

/**
 * The Payment Module's capture service as the provider's container holds it (what
 * src/lib/payments/captures.ts reads): the amount of each capture Medusa recorded.
 */
function capturesOf(amounts: Record<string, number>) {
  return {
    captureService: {
      retrieve: async (id: string) => {
        if (!(id in amounts)) throw new Error(`Capture with id "${id}" not found`)
        return { id, amount: amounts[id] }
      },
    },
  }
}


const paths = (fixture: FixtureSession) => fixture.requests.map((r) => `${r.method} ${r.path.replace("/merchants/acmefixtures", "")}`)

/**
 * Braintree refunds only a settled (or settling) transaction, in parts; before settlement it
 * can only void the whole of it.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/refund/node
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/void/node
 */
describe("braintree: void or refund by settlement state", () => {
  it("voids a transaction submitted for settlement when all of it is refunded (PUT .../void, no refund)", async () => {
    const session_id = "payses_01BTVOIDFULL000000"
    const fixture = play("refund-full-unsettled-voids", { session_id })
    const data = braintreeSession(session_id, "tx1voidun", { status: "submitted_for_settlement", amount_captured: "100.00" })
    const refunded = await provider().refundPayment({ amount: 100, data, context: { idempotency_key: "ref_01BTVOIDFULL0001" } } as never)
    fixture.finish()
    expect(paths(fixture)).toEqual(["GET /transactions/tx1voidun", "PUT /transactions/tx1voidun/void"])
    expect(fixture.requests[1].body).toBeUndefined()
    expect(refunded.data).toEqual(
      expect.objectContaining({
        status: "voided",
        amount_refunded: "100.00",
        refunds: [{ transaction_id: "tx1voidun", refunds: "tx1voidun", amount: "100.00", status: "voided", medusa_refund_id: "ref_01BTVOIDFULL0001" }],
      })
    )
  })

  it("refuses a partial refund of an unsettled transaction before any change, saying what to do", async () => {
    const session_id = "payses_01BTVOIDPART000000"
    const fixture = play("refund-partial-unsettled-refused", { session_id })
    const data = braintreeSession(session_id, "tx1voidun", { status: "submitted_for_settlement", amount_captured: "100.00" })
    await expect(provider().refundPayment({ amount: 30, data, context: { idempotency_key: "ref_01BTVOIDPART0001" } } as never)).rejects.toThrow(
      "Braintree: transaction tx1voidun is submitted for settlement and not settled yet, and Braintree refunds only settled transactions: " +
        "refund all 100.00 USD of it (which voids it) or refund 30.00 USD after it settles"
    )
    fixture.finish()
    expect(paths(fixture)).toEqual(["GET /transactions/tx1voidun"])
    expect(fixture.mutatingRequests()).toEqual([])
  })

  it("refunds a settled transaction in parts, each marked with its Medusa refund id, and refuses a refund beyond the rest", async () => {
    const session_id = "payses_01BTREFUNDPARTS0000"
    const keys = { session_id, refund_1: "ref_01BTPARTS00001", refund_2: "ref_01BTPARTS00002" }
    const fixture = play("refund-settled-in-parts", keys)
    const service = provider()
    let data = braintreeSession(session_id, "tx1setpart", { status: "settled", amount_captured: "100.00" })
    data = { ...data, ...(await service.refundPayment({ amount: 30, data, context: { idempotency_key: keys.refund_1 } } as never)).data }
    data = { ...data, ...(await service.refundPayment({ amount: 50, data, context: { idempotency_key: keys.refund_2 } } as never)).data }
    expect(data.amount_refunded).toBe("80.00")
    expect(data.refunds).toEqual([
      { transaction_id: "rf1setpart", refunds: "tx1setpart", amount: "30.00", status: "submitted_for_settlement", medusa_refund_id: keys.refund_1 },
      { transaction_id: "rf2setpart", refunds: "tx1setpart", amount: "50.00", status: "submitted_for_settlement", medusa_refund_id: keys.refund_2 },
    ])
    const before = fixture.requests.length
    await expect(service.refundPayment({ amount: 30, data, context: { idempotency_key: "ref_01BTPARTS00003" } } as never)).rejects.toThrow(
      "Braintree: cannot refund 30.00 USD of transaction tx1setpart: only 20.00 USD of the 100.00 USD captured remains"
    )
    expect(fixture.requests.length).toBe(before)
    fixture.finish()
    expect(fixture.mutatingRequests().map((r) => r.body)).toEqual([
      { transaction: { amount: "30.00", order_id: keys.refund_1 } },
      { transaction: { amount: "50.00", order_id: keys.refund_2 } },
    ])
  })
})

/**
 * A capture is a submission for settlement: of the whole authorization, or (with partial
 * settlement, enabled per merchant account) several child transactions, each with an
 * `order_id`. After the first, the parent is `settlement_pending`, and Braintree takes
 * further partial settlements from an authorization in that status.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/submit-for-settlement/node
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/submit-for-partial-settlement/node
 */
describe("braintree: captures", () => {
  it("refuses a capture of less than authorized without `partialSettlement`, before any change", async () => {
    const session_id = "payses_01BTCAPTREFUSED000"
    const fixture = play("capture-partial-refused", { session_id })
    const service = provider({}, capturesOf({ capt_01BTREFUSED0001: 40 }))
    await expect(service.capturePayment({ data: braintreeSession(session_id, "tx1capture"), context: { idempotency_key: "capt_01BTREFUSED0001" } } as never)).rejects.toThrow(
      "Braintree: capturing 40.00 USD of the 100.00 USD authorized needs partial settlement, which Braintree enables per merchant account " +
        "(then set `partialSettlement: true`); capture the whole amount instead"
    )
    fixture.finish()
    expect(fixture.mutatingRequests()).toEqual([])
  })

  it("with `partialSettlement: true`, captures in two partial settlements marked with the Medusa capture ids", async () => {
    const session_id = "payses_01BTCAPTPARTS00000"
    const keys = { session_id, capture_1: "capt_01BTPARTS00001", capture_2: "capt_01BTPARTS00002" }
    const fixture = play("capture-partial-settlements", keys)
    const service = provider({ partialSettlement: true }, capturesOf({ [keys.capture_1]: 40, [keys.capture_2]: 60 }))
    let data = braintreeSession(session_id, "tx1capture")
    data = { ...data, ...(await service.capturePayment({ data, context: { idempotency_key: keys.capture_1 } } as never)).data }
    expect(data.amount_captured).toBe("40.00")
    data = { ...data, ...(await service.capturePayment({ data, context: { idempotency_key: keys.capture_2 } } as never)).data }
    fixture.finish()
    expect(fixture.mutatingRequests().map((r) => [r.path.split("/").pop(), r.body])).toEqual([
      ["submit_for_partial_settlement", { transaction: { amount: "40.00", order_id: keys.capture_1 } }],
      ["submit_for_partial_settlement", { transaction: { amount: "60.00", order_id: keys.capture_2 } }],
    ])
    expect(data.amount_captured).toBe("100.00")
    expect(data.settlements).toEqual([
      { transaction_id: "ps1capture", amount: "40.00", status: "submitted_for_settlement", capture_id: keys.capture_1 },
      { transaction_id: "ps2capture", amount: "60.00", status: "submitted_for_settlement", capture_id: keys.capture_2 },
    ])
  })

  it("adopts a partial settlement whose answer was lost (found by the capture id), not a second one", async () => {
    const session_id = "payses_01BTCAPTLOST000000"
    const keys = { session_id, capture_1: "capt_01BTLOSTCAP0001" }
    const fixture = play("capture-partial-adopted-after-lost-answer", keys)
    const service = provider({ partialSettlement: true }, capturesOf({ [keys.capture_1]: 40 }))
    const captured = await service.capturePayment({ data: braintreeSession(session_id, "tx1capture"), context: { idempotency_key: keys.capture_1 } } as never)
    fixture.finish()
    expect(paths(fixture)).toEqual(["GET /transactions/tx1capture", "POST /transactions/advanced_search_ids", "POST /transactions/advanced_search"])
    expect(fixture.requests[1].body).toEqual({ search: { order_id: { is: keys.capture_1 } } })
    expect(captured.data).toEqual(
      expect.objectContaining({
        amount_captured: "40.00",
        settlements: [{ transaction_id: "ps1capture", amount: "40.00", status: "submitted_for_settlement", capture_id: keys.capture_1 }],
      })
    )
  })

  it("makes no second call for a transaction already submitted for settlement (`capture: true`)", async () => {
    const session_id = "payses_01BTCAPTSUBMITTED0"
    const fixture = play("capture-already-submitted", { session_id })
    const data = braintreeSession(session_id, "tx1capture", { status: "submitted_for_settlement", amount_captured: "100.00" })
    const captured = await provider({ capture: true }).capturePayment({ data, context: { idempotency_key: "capt_01BTSUBMITTED01" } } as never)
    fixture.finish()
    expect(paths(fixture)).toEqual(["GET /transactions/tx1capture"])
    expect(captured.data).toEqual(expect.objectContaining({ status: "submitted_for_settlement", amount_captured: "100.00" }))
  })
})

/**
 * Braintree takes no idempotency key: a sale carries the session id as `order_id`, and a
 * retry first searches for it (Transaction: Search, `order_id` is).
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/search/node
 * @see https://developer.paypal.com/braintree/docs/reference/general/validation-errors/all/node#code-91564
 */
describe("braintree: a sale whose answer was lost is found, not made twice", () => {
  async function authorize(service: BraintreeProviderService, session_id: string, storefront: Record<string, unknown>, context: Record<string, unknown> = {}) {
    const started = await service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id, ...storefront }, context: { idempotency_key: session_id, ...context } } as never)
    return service.authorizePayment({ data: { ...started.data }, context: { idempotency_key: session_id } } as never)
  }
  const sales = (fixture: FixtureSession) => fixture.requests.filter((r) => r.method === "POST" && r.path.endsWith("/transactions"))

  it("adopts the sale a search by order id finds after a 500 (no second sale)", async () => {
    const session_id = "payses_01BTSALELOST000000"
    const fixture = play("sale-lost-answer-adopted", { session_id })
    const result = await authorize(provider(), session_id, { payment_method_nonce: "fake-valid-nonce" })
    fixture.finish()
    expect(result.status).toBe("authorized")
    expect(result.data).toEqual(expect.objectContaining({ transaction_id: "tx1retried", payment_method_nonce: null }))
    expect(sales(fixture)).toHaveLength(1)
    expect(fixture.requests[1].body).toEqual({ search: { order_id: { is: session_id } } })
    expect(fixture.requests[2].body).toEqual({ search: { order_id: { is: session_id }, ids: ["tx1retried"] } })
  })

  it("adopts the first attempt's sale when Braintree says the nonce was used (91564)", async () => {
    const session_id = "payses_01BTSALENONCE00000"
    const fixture = play("sale-nonce-used-adopted", { session_id })
    const result = await authorize(provider(), session_id, { payment_method_nonce: "fake-valid-nonce" })
    fixture.finish()
    expect(result.status).toBe("authorized")
    expect(result.data?.transaction_id).toBe("tx1retried")
    expect(sales(fixture)).toHaveLength(1)
  })

  it("makes the sale once more when the search finds nothing after a 500", async () => {
    const session_id = "payses_01BTSALERETRY00000"
    const fixture = play("sale-lost-answer-retried", { session_id })
    const result = await authorize(provider(), session_id, { payment_method_nonce: "fake-valid-nonce" })
    fixture.finish()
    expect(result.status).toBe("authorized")
    expect(paths(fixture)).toEqual(["POST /transactions", "POST /transactions/advanced_search_ids", "POST /transactions"])
  })

  it("searches before a sale with a saved method, which Braintree would charge again", async () => {
    const session_id = "payses_01BTSALETOKEN00000"
    const fixture = play("sale-saved-method-searches-first", { session_id })
    const result = await authorize(provider(), session_id, { payment_method_token: "tok1shopper" }, { account_holder: { data: { id: "cus_01BTVAULTSHOPPER" } } })
    fixture.finish()
    expect(result.status).toBe("authorized")
    expect(paths(fixture)).toEqual(["GET /payment_methods/any/tok1shopper", "POST /transactions/advanced_search_ids", "POST /transactions"])
    expect((fixture.requests[2].body as { transaction: Record<string, unknown> }).transaction).not.toHaveProperty("payment_method_nonce")
  })
})

/**
 * A decline is a status: Braintree answers 422 with the declined transaction.
 * @see https://developer.paypal.com/braintree/docs/reference/general/processor-responses/authorization-responses
 * @see https://developer.paypal.com/braintree/docs/guides/3d-secure/server-side/node
 */
describe("braintree: declines", () => {
  it("maps a processor decline to `error` with the processor's response in the data, without throwing", async () => {
    const session_id = "payses_01BTDECLINED000000"
    const fixture = play("sale-processor-declined", { session_id })
    const service = provider()
    const started = await service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id, payment_method_nonce: "fake-processor-declined-visa-nonce" }, context: { idempotency_key: session_id } } as never)
    const result = await service.authorizePayment({ data: { ...started.data }, context: { idempotency_key: session_id } } as never)
    fixture.finish()
    expect(result.status).toBe("error")
    expect(result.data).toEqual(
      expect.objectContaining({ transaction_id: "tx1declpr", status: "processor_declined", processor_response: { code: "2000", text: "Do Not Honor" }, next_action: null })
    )
  })

  it("leaves 3-D Secure to the shopper when the sale is gateway_rejected for three_d_secure (requires_more)", async () => {
    const session_id = "payses_01BTTHREEDS0000000"
    const fixture = play("sale-3ds-rejected", { session_id })
    const service = provider({ threeDSecureRequired: true })
    const started = await service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id, payment_method_nonce: "fake-three-d-secure-visa-failed-nonce" }, context: { idempotency_key: session_id } } as never)
    const result = await service.authorizePayment({ data: { ...started.data }, context: { idempotency_key: session_id } } as never)
    fixture.finish()
    expect(result.status).toBe("requires_more")
    expect(result.data).toEqual(expect.objectContaining({ status: "gateway_rejected", gateway_rejection_reason: "three_d_secure", next_action: "three_d_secure" }))
  })
})

/** A refund carries the Medusa refund id as `order_id`; a refund the session does not know is searched for before another is made. */
describe("braintree: a refund whose answer was lost is found, not made twice", () => {
  it("adopts the refund a search by the refund id finds when the transaction lists a refund the session does not know", async () => {
    const session_id = "payses_01BTREFUNDLOST00000"
    const refund_1 = "ref_01BTLOST000001"
    const fixture = play("refund-adopted-after-lost-answer", { session_id, refund_1 })
    const data = braintreeSession(session_id, "tx1rflost", { status: "settled", amount_captured: "100.00" })
    const refunded = await provider().refundPayment({ amount: 40, data, context: { idempotency_key: refund_1 } } as never)
    fixture.finish()
    expect(paths(fixture)).toEqual(["GET /transactions/tx1rflost", "POST /transactions/advanced_search_ids", "POST /transactions/advanced_search"])
    expect(fixture.requests[1].body).toEqual({ search: { order_id: { is: refund_1 } } })
    expect(refunded.data).toEqual(
      expect.objectContaining({
        amount_refunded: "40.00",
        refunds: [{ transaction_id: "rf1lostans", refunds: "tx1rflost", amount: "40.00", status: "submitted_for_settlement", medusa_refund_id: refund_1 }],
      })
    )
  })
})

/**
 * The vault: a Medusa customer is a Braintree customer of the same id; methods are vaulted
 * from a nonce (verified first), listed and deleted only through their owner.
 * @see https://developer.paypal.com/braintree/docs/reference/request/customer/create/node
 * @see https://developer.paypal.com/braintree/docs/reference/request/payment-method/create/node#options.verify_card
 * @see https://developer.paypal.com/braintree/docs/reference/request/payment-method/delete/node
 * @see https://developer.paypal.com/braintree/docs/reference/request/client-token/generate/node
 */
describe("braintree: the vault", () => {
  const OWN = "cus_01BTVAULTSHOPPER"
  const holder = { account_holder: { id: "acchld_01BTVAULT", external_id: OWN, data: { id: OWN } } }
  const customer = { id: OWN, email: "sam.shopper@example.com", first_name: "Sam", last_name: "Shopper" }

  it("creates the account holder's Braintree customer with the Medusa customer id", async () => {
    const fixture = play("vault-create-customer")
    await expect(provider().createAccountHolder({ context: { customer, idempotency_key: OWN } } as never)).resolves.toEqual({ id: OWN, data: { id: OWN } })
    fixture.finish()
  })

  it("adopts the customer a first attempt created when Braintree says the id is taken (91609)", async () => {
    const fixture = play("vault-customer-id-taken")
    await expect(provider().createAccountHolder({ context: { customer, idempotency_key: OWN } } as never)).resolves.toEqual({ id: OWN, data: { id: OWN } })
    fixture.finish()
    expect(paths(fixture)).toEqual(["POST /customers", `GET /customers/${OWN}`])
  })

  it("lists the customer's cards and PayPal accounts with what a storefront shows, never the holder's name or e-mail", async () => {
    const fixture = play("vault-list-methods")
    const methods = await provider().listPaymentMethods({ context: holder } as never)
    fixture.finish()
    expect(methods).toEqual([
      {
        id: "tok1shopper",
        data: { default: true, type: "card", brand: "Visa", last4: "1111", exp_month: 12, exp_year: 2030, expired: false, image_url: "https://assets.braintreegateway.com/payment_method_logo/visa.png?environment=sandbox" },
      },
      { id: "tok2paypal", data: { default: false, type: "paypal", image_url: "https://assets.braintreegateway.com/payment_method_logo/paypal.png?environment=sandbox" } },
    ])
    expect(JSON.stringify(methods)).not.toMatch(/sam\.shopper|Sam Shopper|Shopper/)
  })

  it("vaults the storefront's nonce with verify_card and the currency's merchant account", async () => {
    const fixture = play("vault-save-method")
    const saved = await provider().savePaymentMethod({ context: holder, data: { payment_method_nonce: "fake-valid-visa-nonce", currency_code: "usd" } } as never)
    fixture.finish()
    expect(saved).toEqual({ id: "tok3saved", data: expect.objectContaining({ type: "card", brand: "Visa", last4: "1111", default: false }) })
  })

  it("does not save a card whose verification failed, and says the processor's response", async () => {
    const fixture = play("vault-save-verification-failed")
    await expect(
      provider().savePaymentMethod({ context: holder, data: { payment_method_nonce: "fake-processor-declined-visa-nonce", currency_code: "usd" } } as never)
    ).rejects.toThrow("Braintree: the card was not saved: its verification was processor declined (processor response 2000 Do Not Honor)")
    fixture.finish()
  })

  it("deletes the customer's own method after checking its owner", async () => {
    const fixture = play("vault-delete-method")
    await expect(provider().deletePaymentMethod({ context: holder, data: { id: "tok1shopper" } } as never)).resolves.toEqual({})
    fixture.finish()
    expect(paths(fixture)).toEqual(["GET /payment_methods/any/tok1shopper", "DELETE /payment_methods/any/tok1shopper"])
  })

  it("refuses to delete another customer's method, with no DELETE", async () => {
    const fixture = play("vault-delete-foreign-refused")
    await expect(provider().deletePaymentMethod({ context: holder, data: { id: "tok1shopper" } } as never)).rejects.toThrow(
      "Braintree: that payment method is not one of this customer's"
    )
    fixture.finish()
    expect(fixture.mutatingRequests()).toEqual([])
  })

  it("refuses to pay with another customer's saved method before any sale or search", async () => {
    const session_id = "payses_01BTFOREIGNTOKEN00"
    const fixture = play("vault-pay-with-foreign-token")
    const service = provider()
    const started = await service.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id, payment_method_token: "tok1shopper" }, context: { idempotency_key: session_id, ...holder } } as never)
    await expect(service.authorizePayment({ data: { ...started.data }, context: { idempotency_key: session_id } } as never)).rejects.toThrow(
      "Braintree: the saved payment method is not one of this customer's"
    )
    fixture.finish()
    expect(paths(fixture)).toEqual(["GET /payment_methods/any/tok1shopper"])
  })

  it("creates a client token scoped to the customer and the cart's merchant account", async () => {
    const fixture = play("vault-client-token")
    await expect(provider().createClientToken({ customer_id: OWN, currency_code: "usd" })).resolves.toBe("eyJ2ZXJzaW9uIjoyLCJlbnZpcm9ubWVudCI6InNhbmRib3gifQ==")
    fixture.finish()
    expect(fixture.requests[0].body).toEqual({ client_token: { customer_id: OWN, merchant_account_id: "acme_usd", version: 2 } })
  })
})

/**
 * The boot check asks Braintree for each configured merchant account.
 * @see https://developer.paypal.com/braintree/docs/reference/request/merchant-account/find/node
 */
describe("braintree: the boot check of the keys and merchant accounts", () => {
  const bootOptions = (merchantAccounts: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    ...braintreeTestOptions,
    merchantAccounts,
    verifyCredentialsAtBoot: true,
    ...extra,
  })

  it("accepts keys whose merchant accounts exist, are active and settle their configured currency", async () => {
    const fixture = play("boot-accounts-verified")
    await expect(BraintreeProviderService.validateOptions(bootOptions({ USD: "acme_usd", JPY: "acme_jpy" }))).resolves.toBeUndefined()
    fixture.finish()
    expect(paths(fixture)).toEqual(["GET /merchant_accounts/acme_usd", "GET /merchant_accounts/acme_jpy"])
  })

  it("stops the boot when Braintree refuses the keys (401), naming the options and not the private key", async () => {
    const fixture = play("boot-keys-refused")
    const error = await BraintreeProviderService.validateOptions(bootOptions({ USD: "acme_usd" })).then(
      () => undefined,
      (e: unknown) => e
    )
    fixture.finish()
    expect(error).toBeInstanceOf(PaymentConfigError)
    const message = (error as Error).message
    expect(message).toMatch(/merchant acmefixtures/)
    expect(message).toMatch(/`merchantId`, `publicKey`, `privateKey`/)
    expect(message).toMatch(/sandbox keys/)
    expect(message).not.toContain(braintreeTestKeys.privateKey)
    expect(message).not.toContain(braintreeTestKeys.publicKey)
  })

  it("stops the boot for an account that settles another currency, naming `merchantAccounts.<CUR>`", async () => {
    const fixture = play("boot-account-other-currency")
    await expect(BraintreeProviderService.validateOptions(bootOptions({ USD: "acme_usd" }))).rejects.toThrow(
      'Braintree payment provider options are invalid: `merchantAccounts.USD`: merchant account "acme_usd" settles EUR, not USD'
    )
    fixture.finish()
  })

  it("lets the boot continue when Braintree cannot be reached, and says so in the log", async () => {
    const port = await closedPort()
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {})
    await expect(
      BraintreeProviderService.validateOptions(bootOptions({ USD: "acme_usd" }, { apiBaseUrl: `http://127.0.0.1:${port}` }))
    ).resolves.toBeUndefined()
    expect(warn).toHaveBeenCalledTimes(1)
    const line = String(warn.mock.calls[0][0])
    expect(line).toMatch(/Braintree could not be reached to check its merchant accounts at boot/)
    expect(line).not.toContain(braintreeTestKeys.privateKey)
  })
})

/** A loopback port nothing listens on: a connection to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
