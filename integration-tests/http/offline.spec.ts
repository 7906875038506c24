import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { isCreditorReference } from "../../src/providers/offline/references"
import { Api, TestStore, cartWithSession, orderOfCart, refused, setUpStore, STORE_DIR } from "../harness/medusa"

// The app reads its providers from the environment, as in production.
const OFFLINE_ENV: Record<string, string> = {
  COD_ENABLED: "true",
  COD_FEE: "EUR:2.50",
  COD_INSTRUCTIONS: "Please have the exact amount ready for the courier.",
  BANK_TRANSFER_ACCOUNT_HOLDER: "Example Store GmbH",
  BANK_TRANSFER_IBAN: "DE89 3704 0044 0532 0130 00",
  BANK_TRANSFER_BIC: "COBADEFFXXX",
  BANK_TRANSFER_BANK_NAME: "Example Bank",
  BANK_TRANSFER_INSTRUCTIONS: "Orders ship once the transfer arrives.",
}
Object.assign(process.env, OFFLINE_ENV)

const COD = "pp_cod_offline"
const BANK_TRANSFER = "pp_bank-transfer_offline"

medusaIntegrationTestRunner({
  // The repository's store, which installs the collection as a merchant's store does.
  cwd: STORE_DIR,
  testSuite: ({ api, getContainer }) => {
    const http = api as unknown as Api
    let store: TestStore

    beforeEach(async () => {
      store = await setUpStore(getContainer(), http, { currency: "eur", countries: ["de", "at"], providers: [COD, BANK_TRANSFER], price: 100 })
    })

    afterAll(() => {
      for (const name of Object.keys(OFFLINE_ENV)) delete process.env[name]
    })

    it("registers both offline methods from the environment and lists them for the region", async () => {
      const { data } = await http.get(`/store/payment-providers?region_id=${store.regionId}`, store.store)
      expect(data.payment_providers.map((p: { id: string }) => p.id).sort()).toEqual([BANK_TRANSFER, COD])
    })

    it("takes a cash-on-delivery order, then the admin records the cash and refunds part of it", async () => {
      const { cartId, session } = await cartWithSession(http, store, COD, { country: "de" })
      expect(session.status).toBe("pending")
      expect(session.data).toEqual(
        expect.objectContaining({
          method: "cod",
          status: "pending",
          amount: "100.00",
          currency_code: "EUR",
          instructions: {
            amount: "100.00 EUR",
            fee: { amount: "2.50", currency_code: "EUR", display: "2.50 EUR" },
            note: "Please have the exact amount ready for the courier.",
          },
        })
      )

      const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      expect(completed.type).toBe("order")

      // Placed with the payment authorized and nothing received yet.
      const order = await orderOfCart(getContainer(), cartId)
      const payment = order.payment_collections[0].payments[0]
      expect(payment).toEqual(expect.objectContaining({ provider_id: COD, amount: 100, captured_at: null }))
      expect(payment.data).toEqual(expect.objectContaining({ status: "authorized", captured_amount: "0.00" }))
      const paymentStatus = async () =>
        (await http.get(`/admin/orders/${order.id}?fields=payment_status`, store.admin)).data.order.payment_status
      expect(await paymentStatus()).toBe("authorized")

      // The courier hands over the cash: the admin marks the order paid.
      await http.post(`/admin/payments/${payment.id}/capture`, {}, store.admin)
      await http.post(`/admin/payments/${payment.id}/refund`, { amount: 40 }, store.admin)
      const tooMuch = await refused(http.post(`/admin/payments/${payment.id}/refund`, { amount: 60.01 }, store.admin))
      expect(tooMuch.status).toBe(400)

      const after = await orderOfCart(getContainer(), cartId)
      const settled = after.payment_collections[0].payments[0]
      expect(settled.captured_at).not.toBeNull()
      expect(settled.captures.map((c: { amount: number }) => c.amount)).toEqual([100])
      expect(settled.refunds.map((r: { amount: number }) => r.amount)).toEqual([40])
      expect(settled.data).toEqual(
        expect.objectContaining({
          status: "captured",
          captured_amount: "100.00",
          refunded_amount: "40.00",
          refunds: [{ id: expect.stringMatching(/^ref_/), amount: "40.00" }],
        })
      )
      expect(await paymentStatus()).toBe("partially_refunded")
    })

    it("records a bank transfer that arrives in two parts as two captures", async () => {
      const { cartId } = await cartWithSession(http, store, BANK_TRANSFER, { country: "at" })
      await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      const order = await orderOfCart(getContainer(), cartId)
      const payment = order.payment_collections[0].payments[0]

      await http.post(`/admin/payments/${payment.id}/capture`, { amount: 30 }, store.admin)
      let now = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]
      expect(now.captured_at).toBeNull()
      expect(now.data).toEqual(expect.objectContaining({ status: "partially_captured", captured_amount: "30.00" }))

      await http.post(`/admin/payments/${payment.id}/capture`, { amount: 70 }, store.admin)
      now = (await orderOfCart(getContainer(), cartId)).payment_collections[0].payments[0]
      expect(now.captured_at).not.toBeNull()
      expect(now.captures.map((c: { amount: number }) => c.amount).sort()).toEqual([30, 70])
      expect(now.data).toEqual(expect.objectContaining({ status: "captured", captured_amount: "100.00" }))
    })

    it("shows the bank-transfer instructions to the shopper, before and after the order is placed", async () => {
      const { cartId, session } = await cartWithSession(http, store, BANK_TRANSFER, { country: "de", quantity: 2 })
      const instructions = session.data.instructions as Record<string, unknown>
      expect(instructions).toEqual({
        account_holder: "Example Store GmbH",
        iban: "DE89370400440532013000",
        account_number: null,
        bank_code: null,
        bic: "COBADEFFXXX",
        bank_name: "Example Bank",
        reference: expect.stringMatching(/^RF\d{2}[0-9A-Z]{16}$/),
        amount: "200.00 EUR",
        note: "Orders ship once the transfer arrives.",
      })
      expect(isCreditorReference(String(instructions.reference))).toBe(true)

      const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      expect(completed.type).toBe("order")

      // The order confirmation page reads them through the store API.
      const { data } = await http.get(
        `/store/orders/${completed.order.id}?fields=*payment_collections.payments`,
        store.store
      )
      const payment = data.order.payment_collections[0].payments[0]
      expect(payment.provider_id).toBe(BANK_TRANSFER)
      expect(payment.data.instructions).toEqual(instructions)
      expect(payment.data.status).toBe("authorized")

      // Another order gets another reference.
      const other = await cartWithSession(http, store, BANK_TRANSFER, { country: "de" })
      expect((other.session.data.instructions as Record<string, unknown>).reference).not.toBe(instructions.reference)
    })

    it("cancels a bank-transfer order whose money never came", async () => {
      const { cartId } = await cartWithSession(http, store, BANK_TRANSFER, { country: "de" })
      const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
      await http.post(`/admin/orders/${completed.order.id}/cancel`, {}, store.admin)
      const after = await orderOfCart(getContainer(), cartId)
      expect(after.payment_collections[0].payments[0].data).toEqual(expect.objectContaining({ status: "canceled" }))
    })

    describe("the return page's payment status", () => {
      const paymentStatus = async (cartId: string) => {
        const { data } = await http.get(`/store/carts/${cartId}/payment-status`, store.store)
        return data.payment_status
      }
      const money = (amount: string, captured: string, refunded: string) => ({
        amount,
        captured_amount: captured,
        refunded_amount: refunded,
        currency_code: "eur",
      })
      const placed = async (provider: string) => {
        const { cartId } = await cartWithSession(http, store, provider, { country: "de" })
        const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
        expect(completed.type).toBe("order")
        const order = await orderOfCart(getContainer(), cartId)
        return { cartId, orderId: String(order.id), paymentId: String(order.payment_collections[0].payments[0].id) }
      }

      it("says a cash-on-delivery order awaits payment, not that it is paid, until the cash is recorded", async () => {
        const { cartId, orderId, paymentId } = await placed(COD)
        const before = await paymentStatus(cartId)
        expect(before).toEqual(
          expect.objectContaining({ status: "awaiting_payment", order_id: orderId, ...money("100.00", "0.00", "0.00"), checked_with_provider: false })
        )
        expect(before.session).not.toHaveProperty("data")
        expect(JSON.stringify(before)).not.toContain("instructions")

        await http.post(`/admin/payments/${paymentId}/capture`, {}, store.admin)
        expect(await paymentStatus(cartId)).toEqual(expect.objectContaining({ status: "captured", ...money("100.00", "100.00", "0.00") }))
      })

      it("follows a bank transfer from nothing received through part, all, part refunded and all refunded", async () => {
        const { cartId, orderId, paymentId } = await placed(BANK_TRANSFER)
        expect(await paymentStatus(cartId)).toEqual(
          expect.objectContaining({ status: "awaiting_payment", order_id: orderId, ...money("100.00", "0.00", "0.00") })
        )

        await http.post(`/admin/payments/${paymentId}/capture`, { amount: 8 }, store.admin)
        expect(await paymentStatus(cartId)).toEqual(expect.objectContaining({ status: "partially_captured", ...money("100.00", "8.00", "0.00") }))

        await http.post(`/admin/payments/${paymentId}/capture`, { amount: 92 }, store.admin)
        expect(await paymentStatus(cartId)).toEqual(expect.objectContaining({ status: "captured", ...money("100.00", "100.00", "0.00") }))

        await http.post(`/admin/payments/${paymentId}/refund`, { amount: 40 }, store.admin)
        expect(await paymentStatus(cartId)).toEqual(
          expect.objectContaining({ status: "partially_refunded", ...money("100.00", "100.00", "40.00") })
        )

        await http.post(`/admin/payments/${paymentId}/refund`, { amount: 60 }, store.admin)
        expect(await paymentStatus(cartId)).toEqual(expect.objectContaining({ status: "refunded", ...money("100.00", "100.00", "100.00") }))
      })

      it("says canceled for an order the admin canceled before any money came", async () => {
        const { cartId, orderId } = await placed(BANK_TRANSFER)
        await http.post(`/admin/orders/${orderId}/cancel`, {}, store.admin)
        expect(await paymentStatus(cartId)).toEqual(
          expect.objectContaining({ status: "canceled", order_id: orderId, ...money("100.00", "0.00", "0.00") })
        )
      })

      it("says refunded for a canceled order whose partial payment Medusa refunded", async () => {
        const { cartId, orderId, paymentId } = await placed(BANK_TRANSFER)
        await http.post(`/admin/payments/${paymentId}/capture`, { amount: 8 }, store.admin)
        await http.post(`/admin/orders/${orderId}/cancel`, {}, store.admin)
        expect(await paymentStatus(cartId)).toEqual(expect.objectContaining({ status: "refunded", ...money("100.00", "8.00", "8.00") }))
      })
    })

    describe("the admin's view (the widget's routes)", () => {
      const placed = async (provider: string, quantity = 1) => {
        const { cartId, session } = await cartWithSession(http, store, provider, { country: "de", quantity })
        const { data: completed } = await http.post(`/store/carts/${cartId}/complete`, {}, store.store)
        expect(completed.type).toBe("order")
        const order = await orderOfCart(getContainer(), cartId)
        return { orderId: String(order.id), paymentId: String(order.payment_collections[0].payments[0].id), session }
      }

      it("records a bank transfer that arrives as 8 EUR then 92 EUR, which Medusa's capture dialog cannot", async () => {
        const { orderId, paymentId, session } = await placed(BANK_TRANSFER)
        const reference = String((session.data.instructions as Record<string, unknown>).reference)

        const { data: view } = await http.get(`/admin/payments-collection/orders/${orderId}`, store.admin)
        expect(view.payments).toEqual([
          expect.objectContaining({
            payment_id: paymentId,
            provider_id: BANK_TRANSFER,
            label: "Bank transfer",
            gateway: "offline",
            reference: { label: "Payment reference", value: reference },
            medusa: expect.objectContaining({ status: "authorized", amount: "100", captured: "0", refunded: "0" }),
            capturable: "100",
            can_check: false,
            events: [],
            disputes: [],
          }),
        ])
        // What the admin API gives the widget carries none of the transfer instructions' bank details.
        expect(JSON.stringify(view)).not.toContain("DE89370400440532013000")

        const first = await http.post(`/admin/payments-collection/payments/${paymentId}/receipts`, { amount: "8.00" }, store.admin)
        expect(first.data.payment.medusa).toEqual(expect.objectContaining({ status: "partially_captured", captured: "8" }))
        expect(first.data.payment.capturable).toBe("92")

        const tooMuch = await refused(http.post(`/admin/payments-collection/payments/${paymentId}/receipts`, { amount: "92.01" }, store.admin))
        expect(tooMuch).toEqual(expect.objectContaining({ status: 400, message: "92.01 EUR is more than the 92.00 EUR still to be received" }))
        const notAnAmount = await refused(http.post(`/admin/payments-collection/payments/${paymentId}/receipts`, { amount: "1e3" }, store.admin))
        expect(notAnAmount.status).toBe(400)
        const tooPrecise = await refused(http.post(`/admin/payments-collection/payments/${paymentId}/receipts`, { amount: "0.001" }, store.admin))
        expect(tooPrecise).toEqual(expect.objectContaining({ status: 400, message: "EUR amounts have 2 decimal places at most" }))

        const rest = await http.post(`/admin/payments-collection/payments/${paymentId}/receipts`, { amount: "92" }, store.admin)
        expect(rest.data.payment.medusa).toEqual(expect.objectContaining({ status: "captured", captured: "100" }))
        expect(rest.data.payment.capturable).toBeNull()

        const { data: order } = await http.get(`/admin/orders/${orderId}?fields=payment_status`, store.admin)
        expect(order.order.payment_status).toBe("captured")
      })

      it("finds the order of a bank-transfer reference, however the merchant types it", async () => {
        const { orderId, paymentId, session } = await placed(BANK_TRANSFER)
        const reference = String((session.data.instructions as Record<string, unknown>).reference)
        const typed = `${reference.toLowerCase().replace(/(.{4})/g, "$1 ").trim()}`
        const { data } = await http.get(`/admin/payments-collection/references/${encodeURIComponent(typed)}`, store.admin)
        expect(data.orders).toEqual([expect.objectContaining({ id: orderId, payment_id: paymentId, reference, display_id: expect.any(Number) })])

        const none = await http.get(`/admin/payments-collection/references/RF00NOTAREFERENCE`, store.admin)
        expect(none.data.orders).toEqual([])
      })

      it("names each provider as the merchant knows it", async () => {
        const { data } = await http.get(`/admin/payments-collection/providers`, store.admin)
        expect(data.providers).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ id: COD, label: "Cash on delivery", gateway: "offline" }),
            expect.objectContaining({ id: BANK_TRANSFER, label: "Bank transfer", gateway: "offline" }),
          ])
        )
        expect(data.providers.map((p: { id: string }) => p.id)).not.toContain("pp_system_default")
      })

      it("answers the widget's routes to admins only", async () => {
        const { orderId } = await placed(COD)
        expect((await refused(http.get(`/admin/payments-collection/orders/${orderId}`))).status).toBe(401)
        expect((await refused(http.get(`/admin/payments-collection/providers`, store.store))).status).toBe(401)
      })

      it("keeps /hooks/payment/<id> working as Medusa's route for a provider outside the collection", async () => {
        const { status } = await http.post(`/hooks/payment/system_default`, { anything: true })
        expect(status).toBe(200)
      })
    })
  },
})
