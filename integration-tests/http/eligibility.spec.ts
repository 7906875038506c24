import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { createProductsWorkflow, createRegionsWorkflow } from "@medusajs/core-flows"
import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { FixtureSession } from "../harness/fixtures"
import { Api, TestStore, refused, setUpStore, STORE_DIR } from "../harness/medusa"
import { STRIPE_ORIGIN, stripeTestKeys } from "../harness/stripe"
import { ecpayTestOptions } from "../harness/ecpay"

// Offline methods from the environment, with rules, as a merchant would set them.
const ELIGIBILITY_ENV: Record<string, string> = {
  COD_ENABLED: "true",
  COD_ALLOWED_CURRENCIES: "EUR",
  COD_ALLOWED_COUNTRIES: "de,at",
  COD_MIN_AMOUNT: "EUR:5",
  COD_MAX_AMOUNT: "EUR:500",
  BANK_TRANSFER_ACCOUNT_HOLDER: "Example Store GmbH",
  BANK_TRANSFER_IBAN: "DE89 3704 0044 0532 0130 00",
  BANK_TRANSFER_BANK_NAME: "Example Bank",
  BANK_TRANSFER_ALLOWED_CURRENCIES: "EUR,USD",
  BANK_TRANSFER_MIN_AMOUNT: "EUR:10",
}
Object.assign(process.env, ELIGIBILITY_ENV)

const COD = "pp_cod_offline"
const BANK_TRANSFER = "pp_bank-transfer_offline"
// Stripe registered by hand in medusa-config (see `hooks` below), with rules in its options.
const STRIPE_EU = "pp_stripe_eu"
const STRIPE_BY_HAND = {
  resolve: "medusa-payments-collection/providers/stripe",
  id: "eu",
  options: {
    apiKey: stripeTestKeys.apiKey,
    webhookSecret: stripeTestKeys.webhookSecret,
    allowedCurrencies: ["eur"],
    maxAmount: { EUR: "300" },
  },
}

// ECPay registered by hand too, with no rules of the merchant's: its own limits (TWD only,
// whole dollars) decide.
const ECPAY = "pp_ecpay_ecpay"
const ECPAY_BY_HAND = { resolve: "medusa-payments-collection/providers/ecpay", id: "ecpay", options: ecpayTestOptions() }

interface Verdict {
  id: string
  label: string
  is_eligible: boolean
  rule: string | null
  reason: string | null
}

medusaIntegrationTestRunner({
  // The repository's store, which installs the collection as a merchant's store does.
  cwd: STORE_DIR,
  hooks: {
    // What a merchant writes in medusa-config.ts: the app loads the config once, and this
    // adds a hand-registered provider to it before the Payment Module loads.
    beforeServerStart: async (container: MedusaContainer) => {
      const config = container.resolve(ContainerRegistrationKeys.CONFIG_MODULE)
      const payment = (config.modules as Record<string, { options?: { providers?: unknown[] } }>)[Modules.PAYMENT]
      payment.options!.providers!.push(STRIPE_BY_HAND, ECPAY_BY_HAND)
    },
  },
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore
    let replay: FixtureSession | undefined

    beforeEach(async () => {
      store = await setUpStore(getContainer(), http, {
        currency: "eur",
        countries: ["de", "at", "fr"],
        providers: [COD, BANK_TRANSFER, STRIPE_EU, ECPAY],
        price: 100,
      })
    })

    afterEach(() => {
      replay?.stop()
      replay = undefined
    })

    afterAll(() => {
      for (const name of Object.keys(ELIGIBILITY_ENV)) delete process.env[name]
    })

    const cart = async (
      options: { quantity?: number; shipping?: string; billing?: string; regionId?: string; variantId?: string } = {}
    ): Promise<{ cartId: string; collectionId: string }> => {
      const address = (country: string) => ({
        first_name: "Sam",
        last_name: "Shopper",
        address_1: "1 Main St",
        city: "Springfield",
        country_code: country,
        postal_code: "12345",
      })
      const { data } = await http.post(
        "/store/carts",
        {
          region_id: options.regionId ?? store.regionId,
          sales_channel_id: store.salesChannelId,
          email: "shopper@example.com",
          items: [{ variant_id: options.variantId ?? store.variantId, quantity: options.quantity ?? 1 }],
          ...(options.shipping ? { shipping_address: address(options.shipping) } : {}),
          ...(options.billing ? { billing_address: address(options.billing) } : {}),
        },
        store.store
      )
      const { data: collection } = await http.post("/store/payment-collections", { cart_id: data.cart.id }, store.store)
      return { cartId: data.cart.id, collectionId: collection.payment_collection.id }
    }

    const listing = async (cartId: string): Promise<Record<string, Verdict>> => {
      const { data } = await http.get(`/store/carts/${cartId}/payment-providers`, store.store)
      expect(data.cart_id).toBe(cartId)
      return Object.fromEntries(data.payment_providers.map((v: Verdict) => [v.id, v]))
    }

    const startSession = (collectionId: string, providerId: string) =>
      http.post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: providerId }, store.store)

    const sessionsOf = async (collectionId: string) => {
      const payments = getContainer().resolve(Modules.PAYMENT)
      return payments.listPaymentSessions({ payment_collection_id: collectionId })
    }

    /** What the provider's own initiatePayment says, through the Payment Module, bypassing the store route. */
    const initiateDirectly = async (collectionId: string, providerId: string) => {
      const payments = getContainer().resolve(Modules.PAYMENT)
      const collection = await payments.retrievePaymentCollection(collectionId)
      return payments.createPaymentSession(collectionId, {
        provider_id: providerId,
        amount: collection.amount,
        currency_code: collection.currency_code,
        data: {},
      })
    }

    /** A USD region with its own product price, for the currency rule. */
    const usdRegion = async (): Promise<{ regionId: string; variantId: string }> => {
      const {
        result: [region],
      } = await createRegionsWorkflow(getContainer()).run({
        input: { regions: [{ name: "Region USD", currency_code: "usd", countries: ["us"], payment_providers: [COD, BANK_TRANSFER, STRIPE_EU], automatic_taxes: false }] },
      })
      const {
        result: [product],
      } = await createProductsWorkflow(getContainer()).run({
        input: {
          products: [
            {
              title: "Saucer",
              status: "published",
              options: [{ title: "Colour", values: ["White"] }],
              variants: [{ title: "White", options: { Colour: "White" }, manage_inventory: false, prices: [{ amount: 100, currency_code: "usd" }] }],
              sales_channels: [{ id: store.salesChannelId }],
            },
          ],
        },
      })
      return { regionId: region.id, variantId: product.variants[0].id }
    }

    it("lists every provider of the region as eligible for a cart every rule allows, and creates the session", async () => {
      const { cartId, collectionId } = await cart({ shipping: "de" })
      const verdicts = await listing(cartId)
      expect(Object.values(verdicts).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: BANK_TRANSFER, label: "Bank transfer", is_eligible: true, rule: null, reason: null },
        { id: COD, label: "Cash on delivery", is_eligible: true, rule: null, reason: null },
        { id: ECPAY, label: "ECPay", is_eligible: false, rule: "currency", reason: "ECPay is only available in TWD, not EUR" },
        { id: STRIPE_EU, label: "Card payment", is_eligible: true, rule: null, reason: null },
      ])

      const { data } = await startSession(collectionId, COD)
      expect(data.payment_collection.payment_sessions).toEqual([expect.objectContaining({ provider_id: COD, status: "pending" })])

      // The hand-registered Stripe is allowed too: the intent is created (fixture).
      replay = FixtureSession.load("stripe", "eligibility-session-eur", { origin: STRIPE_ORIGIN, bodyFormat: "form" }).start()
      const { data: withStripe } = await startSession(collectionId, STRIPE_EU)
      expect(withStripe.payment_collection.payment_sessions).toEqual([
        expect.objectContaining({ provider_id: STRIPE_EU, data: expect.objectContaining({ id: "pi_3QfxEligibleEur0001", currency: "eur" }) }),
      ])
      replay.finish()
    })

    it("refuses cash on delivery for an over-limit cart with the reason, creating nothing, as initiatePayment does", async () => {
      const { cartId, collectionId } = await cart({ shipping: "de", quantity: 6 })
      const verdicts = await listing(cartId)
      expect(verdicts[COD]).toEqual({
        id: COD,
        label: "Cash on delivery",
        is_eligible: false,
        rule: "max_amount",
        reason: "Cash on delivery is limited to orders up to 500.00 EUR",
      })
      expect(verdicts[BANK_TRANSFER].is_eligible).toBe(true)
      expect(verdicts[STRIPE_EU]).toEqual(expect.objectContaining({ is_eligible: false, rule: "max_amount", reason: "Card payment is limited to orders up to 300.00 EUR" }))

      // The store route's guard answers, naming the rule, before Medusa creates anything.
      const body = await startSession(collectionId, COD).then(
        () => undefined,
        (error: { response?: { status: number; data: unknown } }) => ({ status: error.response?.status, data: error.response?.data })
      )
      expect(body).toEqual({
        status: 400,
        data: {
          type: "invalid_data",
          code: "payment_provider_not_eligible",
          message: "Cash on delivery is limited to orders up to 500.00 EUR",
          provider_id: COD,
          rule: "max_amount",
        },
      })
      const stripeAnswer = await refused(startSession(collectionId, STRIPE_EU))
      expect(stripeAnswer).toEqual({ status: 400, type: "invalid_data", message: "Card payment is limited to orders up to 300.00 EUR" })
      expect(await sessionsOf(collectionId)).toEqual([])

      // The providers themselves refuse it with the same rule (Stripe before calling Stripe:
      // no fixture is loaded, so a request would fail).
      await expect(initiateDirectly(collectionId, COD)).rejects.toThrow("Cash on delivery is limited to orders up to 500.00 EUR")
      await expect(initiateDirectly(collectionId, STRIPE_EU)).rejects.toThrow("Card payment is limited to orders up to 300.00 EUR")
      expect(await sessionsOf(collectionId)).toEqual([])
    })

    it("refuses a cart under the minimum with the reason", async () => {
      // 100 EUR is above bank transfer's 10 EUR minimum; a 5 EUR minimum for COD is met too.
      const { cartId } = await cart({ shipping: "de" })
      expect((await listing(cartId))[BANK_TRANSFER].is_eligible).toBe(true)
      // Not met by an empty cart's 0 EUR.
      const { data } = await http.post("/store/carts", { region_id: store.regionId, sales_channel_id: store.salesChannelId }, store.store)
      const empty = await listing(data.cart.id)
      expect(empty[BANK_TRANSFER]).toEqual(
        expect.objectContaining({ is_eligible: false, rule: "min_amount", reason: "Bank transfer is available for orders from 10.00 EUR" })
      )
      expect(empty[COD]).toEqual(expect.objectContaining({ is_eligible: false, rule: "min_amount" }))
    })

    it("refuses cash on delivery to a country it does not deliver to, judged where the cart is visible", async () => {
      const { cartId, collectionId } = await cart({ shipping: "fr" })
      const verdicts = await listing(cartId)
      expect(verdicts[COD]).toEqual(
        expect.objectContaining({ is_eligible: false, rule: "country", reason: "Cash on delivery is only available for delivery to DE and AT, not FR" })
      )
      expect(verdicts[BANK_TRANSFER].is_eligible).toBe(true)

      const answer = await refused(startSession(collectionId, COD))
      expect(answer).toEqual({ status: 400, type: "invalid_data", message: "Cash on delivery is only available for delivery to DE and AT, not FR" })
      expect(await sessionsOf(collectionId)).toEqual([])

      // What the listing calls eligible, checkout accepts.
      const { data } = await startSession(collectionId, BANK_TRANSFER)
      expect(data.payment_collection.payment_sessions).toEqual([expect.objectContaining({ provider_id: BANK_TRANSFER })])
    })

    it("judges the country by the billing address when the cart has no shipping address", async () => {
      const refusedCart = await cart({ billing: "fr" })
      expect((await listing(refusedCart.cartId))[COD]).toEqual(expect.objectContaining({ is_eligible: false, rule: "country" }))
      const allowedCart = await cart({ billing: "at" })
      expect((await listing(allowedCart.cartId))[COD].is_eligible).toBe(true)
      // The shipping address wins over the billing one.
      const both = await cart({ shipping: "de", billing: "fr" })
      expect((await listing(both.cartId))[COD].is_eligible).toBe(true)
    })

    it("refuses a method in a currency it does not take, at the route and in initiatePayment alike", async () => {
      const usd = await usdRegion()
      const { cartId, collectionId } = await cart({ regionId: usd.regionId, variantId: usd.variantId, shipping: "us" })
      const verdicts = await listing(cartId)
      expect(verdicts[COD]).toEqual(
        expect.objectContaining({ is_eligible: false, rule: "currency", reason: "Cash on delivery is only available in EUR, not USD" })
      )
      expect(verdicts[STRIPE_EU]).toEqual(
        expect.objectContaining({ is_eligible: false, rule: "currency", reason: "Card payment is only available in EUR, not USD" })
      )
      expect(verdicts[BANK_TRANSFER].is_eligible).toBe(true)

      expect(await refused(startSession(collectionId, COD))).toEqual({
        status: 400,
        type: "invalid_data",
        message: "Cash on delivery is only available in EUR, not USD",
      })
      await expect(initiateDirectly(collectionId, COD)).rejects.toThrow("Cash on delivery is only available in EUR, not USD")
      await expect(initiateDirectly(collectionId, STRIPE_EU)).rejects.toThrow("Card payment is only available in EUR, not USD")
      expect(await sessionsOf(collectionId)).toEqual([])

      const { data } = await startSession(collectionId, BANK_TRANSFER)
      expect(data.payment_collection.payment_sessions).toEqual([expect.objectContaining({ provider_id: BANK_TRANSFER, currency_code: "usd" })])
    })

    /** A region in `currency` with its own product at `price`, for the gateways' own limits. */
    const regionWithProduct = async (currency: string, countries: string[], price: number, providers: string[]): Promise<{ regionId: string; variantId: string }> => {
      const {
        result: [region],
      } = await createRegionsWorkflow(getContainer()).run({
        input: { regions: [{ name: `Region ${currency} ${price}`, currency_code: currency, countries, payment_providers: providers, automatic_taxes: false }] },
      })
      const {
        result: [product],
      } = await createProductsWorkflow(getContainer()).run({
        input: {
          products: [
            {
              title: `Sticker ${currency} ${price}`,
              status: "published",
              options: [{ title: "Size", values: ["S"] }],
              variants: [{ title: "S", options: { Size: "S" }, manage_inventory: false, prices: [{ amount: price, currency_code: currency }] }],
              sales_channels: [{ id: store.salesChannelId }],
            },
          ],
        },
      })
      return { regionId: region.id, variantId: product.variants[0].id }
    }

    /** The store route's answer to a session it refuses, whole. */
    const refusal = (collectionId: string, providerId: string) =>
      startSession(collectionId, providerId).then(
        () => undefined,
        (error: { response?: { status: number; data: unknown } }) => ({ status: error.response?.status, data: error.response?.data })
      )

    // ECPay takes New Taiwan dollars only (https://developers.ecpay.com.tw/?p=2864: TotalAmount
    // "僅限新台幣"); the listing offered it for a EUR cart, then checkout answered a bare 400.
    it("lists ECPay as ineligible for a EUR cart and refuses its session with the same structured answer", async () => {
      const { cartId, collectionId } = await cart({ shipping: "de" })
      expect((await listing(cartId))[ECPAY]).toEqual({
        id: ECPAY,
        label: "ECPay",
        is_eligible: false,
        rule: "currency",
        reason: "ECPay is only available in TWD, not EUR",
      })
      expect(await refusal(collectionId, ECPAY)).toEqual({
        status: 400,
        data: { type: "invalid_data", code: "payment_provider_not_eligible", message: "ECPay is only available in TWD, not EUR", provider_id: ECPAY, rule: "currency" },
      })
      // The provider itself, called another way, refuses with the same code and message.
      await expect(initiateDirectly(collectionId, ECPAY)).rejects.toEqual(
        expect.objectContaining({ code: "payment_provider_not_eligible", message: "ECPay is only available in TWD, not EUR" })
      )
      expect(await sessionsOf(collectionId)).toEqual([])
    })

    it("judges ECPay's whole dollars: a fractional TWD cart is ineligible, a whole one takes the session", async () => {
      const fractional = await regionWithProduct("twd", ["tw"], 99.5, [ECPAY])
      const { cartId, collectionId } = await cart({ regionId: fractional.regionId, variantId: fractional.variantId, shipping: "tw" })
      expect((await listing(cartId))[ECPAY]).toEqual(
        expect.objectContaining({ is_eligible: false, rule: "amount", reason: "ECPay charges whole New Taiwan dollars only, not 99.5 TWD" })
      )
      expect(await refusal(collectionId, ECPAY)).toEqual({
        status: 400,
        data: expect.objectContaining({ code: "payment_provider_not_eligible", provider_id: ECPAY, rule: "amount" }),
      })

      // (A country belongs to one region only.)
      const whole = await regionWithProduct("twd", ["hk"], 1999, [ECPAY])
      const allowed = await cart({ regionId: whole.regionId, variantId: whole.variantId, shipping: "hk" })
      expect((await listing(allowed.cartId))[ECPAY]).toEqual(expect.objectContaining({ is_eligible: true, rule: null }))
      // ECPay's session is a signed form built locally: no call to ECPay.
      const { data } = await startSession(allowed.collectionId, ECPAY)
      expect(data.payment_collection.payment_sessions).toEqual([expect.objectContaining({ provider_id: ECPAY, status: "pending" })])
    })

    // Stripe's minimum charge amounts (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts):
    // EUR 0.50. Below it Stripe answers amount_too_small when the intent is created.
    it("lists Stripe as ineligible under Stripe's minimum charge and refuses its session before calling Stripe", async () => {
      const cheap = await regionWithProduct("eur", ["be"], 0.3, [STRIPE_EU, BANK_TRANSFER])
      const { cartId, collectionId } = await cart({ regionId: cheap.regionId, variantId: cheap.variantId, shipping: "be" })
      expect((await listing(cartId))[STRIPE_EU]).toEqual(
        expect.objectContaining({ is_eligible: false, rule: "min_amount", reason: "Card payment is available for orders from 0.50 EUR" })
      )
      expect(await refusal(collectionId, STRIPE_EU)).toEqual({
        status: 400,
        data: {
          type: "invalid_data",
          code: "payment_provider_not_eligible",
          message: "Card payment is available for orders from 0.50 EUR",
          provider_id: STRIPE_EU,
          rule: "min_amount",
        },
      })
      // No fixture is loaded: a request to Stripe would fail the test.
      await expect(initiateDirectly(collectionId, STRIPE_EU)).rejects.toThrow("Card payment is available for orders from 0.50 EUR")
      expect(await sessionsOf(collectionId)).toEqual([])
    })

    it("answers 404 for a cart that does not exist", async () => {
      const answer = await refused(http.get("/store/carts/cart_01DOESNOTEXIST0000000000/payment-providers", store.store))
      expect(answer.status).toBe(404)
    })

    it("needs the publishable key like every store route", async () => {
      const { cartId } = await cart({ shipping: "de" })
      const answer = await refused(http.get(`/store/carts/${cartId}/payment-providers`))
      expect(answer.status).toBe(400)
      expect(answer.message).toMatch(/publishable/i)
    })
  },
})
