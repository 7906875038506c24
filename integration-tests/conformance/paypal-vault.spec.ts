/**
 * PayPal's vault through the provider, against fixtures authored from PayPal's specs: a
 * logged-in customer saves the PayPal account (or a card) while paying, PayPal's customer id
 * lands on the account holder, the saved methods are listed (the customer's own only) and
 * deleted, and a later payment with a saved one needs no approval. Every mutating call carries
 * a PayPal-Request-Id.
 */
import nock from "nock"
import { capturingLogger } from "../harness/loggers"
import { FixtureSession } from "../harness/fixtures"
import { PAYPAL_ORIGIN, paypalTestOptions } from "../harness/paypal"
import { NotSupportedError, PaymentInputError } from "../../src/lib/payments/errors"
import PaypalProviderService from "../../src/providers/paypal/service"

const CUSTOMER = "customer_4029352050"
const SAVED = "9ug72183bt"
const CARD = "4pr38712xj"

/** The Payment Module's account holder service, as the provider's container holds it: one holder in memory. */
function accountHolders(initial: { id: string; external_id: string; data: Record<string, unknown> }) {
  const holder = { ...initial, data: { ...initial.data } }
  const updates: unknown[] = []
  return {
    holder,
    updates,
    service: {
      retrieve: async (id: string) => {
        if (id !== holder.id) throw new Error(`AccountHolder with id "${id}" not found`)
        return { ...holder, data: { ...holder.data } }
      },
      update: async (data: { id: string; external_id?: string; data?: Record<string, unknown> }) => {
        updates.push(data)
        Object.assign(holder, data)
        return holder
      },
    },
  }
}

function provider(cradle: Record<string, unknown> = {}, options: Record<string, unknown> = {}) {
  const { logger, lines } = capturingLogger()
  return { service: new PaypalProviderService({ logger, ...cradle }, { ...paypalTestOptions, ...options }), lines }
}

let replay: FixtureSession | undefined
const play = (scenario: string, vars: Record<string, string> = {}) =>
  (replay = FixtureSession.load("paypal", scenario, { origin: PAYPAL_ORIGIN, vars }).start())

afterEach(() => {
  replay?.stop()
  replay = undefined
  nock.cleanAll()
})

const customer = { id: "cus_01VAULT", email: "sam.shopper@example.com" }

describe("paypal vault: saving during a purchase", () => {
  it("creates no customer at PayPal for the account holder, which waits for PayPal's customer id", async () => {
    const { service } = provider()
    const fixture = new FixtureSession({ provider: "paypal", scenario: "none", source: "inline", interactions: [] }, { origin: PAYPAL_ORIGIN }).start()
    replay = fixture
    await expect(service.createAccountHolder({ context: { customer } } as never)).resolves.toEqual({ id: "cus_01VAULT", data: { paypal_customer_id: null } })
    fixture.finish()
  })

  it("saves the PayPal account at the first purchase and records the customer id PayPal minted on the account holder", async () => {
    const holders = accountHolders({ id: "acchld_01VAULT", external_id: "cus_01VAULT", data: { paypal_customer_id: null } })
    const { service } = provider({ accountHolderService: holders.service })
    const session = "payses_01VAULTSAVE000000000"
    const fixture = play("vault-save-during-purchase")
    const started = await service.initiatePayment({
      amount: 100,
      currency_code: "usd",
      data: { session_id: session, save_payment_method: true },
      context: { idempotency_key: session, customer, account_holder: holders.holder } as never,
    })
    expect(started.status).toBe("pending")
    expect(started.data).toEqual(
      expect.objectContaining({
        id: "5UX02063KF771832W",
        approve_url: "https://www.sandbox.paypal.com/checkoutnow?token=5UX02063KF771832W",
        vault: { mode: "save", source: "paypal", payment_method_id: null, customer_id: null, account_holder_id: "acchld_01VAULT", status: null },
      })
    )
    const authorized = await service.authorizePayment({ data: started.data!, context: { idempotency_key: session } })
    expect(authorized.status).toBe("authorized")
    expect(authorized.data?.vault).toEqual({
      mode: "save",
      source: "paypal",
      payment_method_id: SAVED,
      customer_id: CUSTOMER,
      account_holder_id: "acchld_01VAULT",
      status: "VAULTED",
    })
    // PayPal's customer id, minted at this first save, is now the holder's.
    expect(holders.updates).toEqual([{ id: "acchld_01VAULT", external_id: CUSTOMER, data: { paypal_customer_id: CUSTOMER } }])
    // Listed for the holder, with a masked e-mail and nothing else of the payer.
    await expect(service.listPaymentMethods({ context: { account_holder: holders.holder } } as never)).resolves.toEqual([
      { id: SAVED, data: { source: "paypal", email_hint: "s***@example.com" } },
    ])
    fixture.finish()
    for (const request of fixture.mutatingRequests().filter((r) => r.path !== "/v1/oauth2/token")) {
      expect(request.headers["paypal-request-id"]).toEqual(expect.any(String))
    }
    // Nothing of the payer in the session data the storefront reads.
    expect(JSON.stringify(authorized.data)).not.toMatch(/sam\.shopper|Shopper|QYR5Z8XDVJNXQ/)
  })

  it("joins a returning customer's new card to the same PayPal customer, captured at once with intent capture", async () => {
    const holders = accountHolders({ id: "acchld_01VAULT", external_id: CUSTOMER, data: { paypal_customer_id: CUSTOMER } })
    const { service } = provider({ accountHolderService: holders.service }, { intent: "capture" })
    const session = "payses_01VAULTCARD000000000"
    const fixture = play("vault-save-card-returning-customer")
    const started = await service.initiatePayment({
      amount: 100,
      currency_code: "usd",
      data: { session_id: session, save_payment_method: true, payment_source: "card" },
      context: { idempotency_key: session, customer, account_holder: holders.holder } as never,
    })
    expect(started.data?.vault).toEqual(expect.objectContaining({ mode: "save", source: "card", customer_id: CUSTOMER }))
    const captured = await service.authorizePayment({ data: started.data!, context: { idempotency_key: session } })
    expect(captured.status).toBe("captured")
    expect(captured.data?.vault).toEqual(expect.objectContaining({ payment_method_id: CARD, customer_id: CUSTOMER, status: "VAULTED" }))
    // The holder already had this customer: nothing to record.
    expect(holders.updates).toEqual([])
    fixture.finish()
  })

  it("refuses to save for a guest, before calling PayPal", async () => {
    const { service } = provider()
    const fixture = new FixtureSession({ provider: "paypal", scenario: "none", source: "inline", interactions: [] }, { origin: PAYPAL_ORIGIN }).start()
    replay = fixture
    const error = await service
      .initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01GUEST", save_payment_method: true }, context: { idempotency_key: "payses_01GUEST" } })
      .catch((e) => e)
    expect(error).toBeInstanceOf(PaymentInputError)
    expect(error.message).toBe("PayPal: saving a payment method needs a logged-in customer")
    fixture.finish()
  })

  it("says plainly when PayPal has not approved the merchant account for vaulting", async () => {
    const holders = accountHolders({ id: "acchld_01VAULT", external_id: CUSTOMER, data: { paypal_customer_id: CUSTOMER } })
    const { service } = provider({ accountHolderService: holders.service })
    const session = "payses_01VAULTOFF0000000000"
    const fixture = play("vault-not-enabled")
    const error = await service
      .initiatePayment({
        amount: 100,
        currency_code: "usd",
        data: { session_id: session, save_payment_method: true },
        context: { idempotency_key: session, customer, account_holder: { ...holders.holder, data: { paypal_customer_id: null } } } as never,
      })
      .catch((e) => e)
    expect(error.message).toMatch(/^PayPal refused to create the PayPal order: this PayPal account is not enabled to save payment methods: PayPal must approve it for vaulting/)
    expect(error.message).toMatch(/\(NOT_ENABLED_TO_VAULT_PAYMENT_SOURCE\)$/)
    const listing = await service.listPaymentMethods({ context: { account_holder: holders.holder } } as never).catch((e) => e)
    expect(listing.message).toMatch(/^PayPal refused to list the saved PayPal payment methods: this PayPal account is not enabled to save payment methods/)
    fixture.finish()
  })

  it("does not save outside a purchase, and says why", async () => {
    const { service } = provider()
    const error = await service.savePaymentMethod({ context: {}, data: {} } as never).catch((e) => e)
    expect(error).toBeInstanceOf(NotSupportedError)
    expect(error.message).toMatch(
      /Saving a PayPal account outside a purchase is not supported by the PayPal payment provider: PayPal's Vault v3 spec makes a payment token from a billing agreement only, not from an approved setup token; save it while paying instead/
    )
  })
})

describe("paypal vault: paying with a saved method", () => {
  it("pays with the customer's saved PayPal account without the buyer's approval", async () => {
    const holder = { id: "acchld_01VAULT", data: { paypal_customer_id: CUSTOMER } }
    const { service } = provider()
    const session = "payses_01VAULTUSE0000000000"
    const fixture = play("vault-pay-with-saved")
    const started = await service.initiatePayment({
      amount: 80,
      currency_code: "usd",
      data: { session_id: session, payment_method_id: SAVED },
      context: { idempotency_key: session, customer, account_holder: holder } as never,
    })
    expect(started.status).toBe("pending")
    // Nothing to approve: no link to send the buyer to.
    expect(started.data).toEqual(expect.objectContaining({ id: "2WC58271HT304852A", status: "CREATED", approve_url: null }))
    expect(started.data?.vault).toEqual({ mode: "use", source: "paypal", payment_method_id: SAVED, customer_id: CUSTOMER, account_holder_id: "acchld_01VAULT", status: null })
    const authorized = await service.authorizePayment({ data: started.data!, context: { idempotency_key: session } })
    expect(authorized.status).toBe("authorized")
    expect(authorized.data?.authorization).toEqual(expect.objectContaining({ id: "6MN18340TB5531247", status: "CREATED", amount: "80.00" }))
    fixture.finish()
    expect(fixture.mutatingRequests().find((r) => r.path.endsWith("/authorize"))?.headers["paypal-request-id"]).toBe(`${session}-authorize`)
  })

  it("refuses another customer's saved method, at the session and at the delete", async () => {
    const holder = { id: "acchld_01VAULT", data: { paypal_customer_id: CUSTOMER } }
    const { service } = provider()
    const fixture = play("vault-foreign-token")
    const started = await service
      .initiatePayment({
        amount: 80,
        currency_code: "usd",
        data: { session_id: "payses_01FOREIGN", payment_method_id: SAVED },
        context: { idempotency_key: "payses_01FOREIGN", customer, account_holder: holder } as never,
      })
      .catch((e) => e)
    expect(started).toBeInstanceOf(PaymentInputError)
    expect(started.message).toBe(`PayPal: saved payment method ${SAVED} is not one of this customer's`)
    const deleted = await service.deletePaymentMethod({ data: { id: SAVED }, context: { account_holder: holder } } as never).catch((e) => e)
    expect(deleted).toBeInstanceOf(PaymentInputError)
    fixture.finish()
    // Neither an order nor a delete reached PayPal.
    expect(fixture.mutatingRequests().map((r) => r.path)).toEqual(["/v1/oauth2/token"])
  })

  it("refuses a saved method for a customer PayPal has no customer for, without calling PayPal", async () => {
    const { service } = provider()
    const fixture = new FixtureSession({ provider: "paypal", scenario: "none", source: "inline", interactions: [] }, { origin: PAYPAL_ORIGIN }).start()
    replay = fixture
    const error = await service
      .initiatePayment({
        amount: 80,
        currency_code: "usd",
        data: { session_id: "payses_01NOCUSTOMER", payment_method_id: SAVED },
        context: { idempotency_key: "payses_01NOCUSTOMER", customer, account_holder: { id: "acchld_01NEW", data: {} } } as never,
      })
      .catch((e) => e)
    expect(error.message).toBe(`PayPal: saved payment method ${SAVED} is not one of this customer's`)
    fixture.finish()
  })
})

describe("paypal vault: listing and deleting", () => {
  it("lists the customer's saved methods, deletes one, and does not list it again", async () => {
    const holder = { id: "acchld_01VAULT", data: { paypal_customer_id: CUSTOMER } }
    const { service } = provider()
    const fixture = play("vault-list-and-delete")
    await expect(service.listPaymentMethods({ context: { account_holder: holder } } as never)).resolves.toEqual([
      { id: SAVED, data: { source: "paypal", email_hint: "s***@example.com" } },
      { id: CARD, data: { source: "card", brand: "VISA", last_digits: "1111" } },
    ])
    await expect(service.deletePaymentMethod({ data: { id: CARD }, context: { account_holder: holder, idempotency_key: "pm_delete_01" } } as never)).resolves.toEqual({})
    await expect(service.listPaymentMethods({ context: { account_holder: holder } } as never)).resolves.toEqual([
      { id: SAVED, data: { source: "paypal", email_hint: "s***@example.com" } },
    ])
    // Already gone at PayPal: deleted.
    await expect(service.deletePaymentMethod({ data: { id: CARD }, context: { account_holder: holder } } as never)).resolves.toEqual({})
    fixture.finish()
    expect(fixture.mutatingRequests().find((r) => r.method === "DELETE")?.headers["paypal-request-id"]).toBe("pm_delete_01")
  })

  it("lists nothing, without calling PayPal, before the customer's first save", async () => {
    const { service } = provider()
    const fixture = new FixtureSession({ provider: "paypal", scenario: "none", source: "inline", interactions: [] }, { origin: PAYPAL_ORIGIN }).start()
    replay = fixture
    await expect(service.listPaymentMethods({ context: { account_holder: { id: "acchld_01NEW", data: { paypal_customer_id: null } } } } as never)).resolves.toEqual([])
    await expect(service.listPaymentMethods({ context: {} } as never)).resolves.toEqual([])
    fixture.finish()
  })
})
