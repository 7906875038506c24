import { quietLogger } from "../../../../integration-tests/harness/loggers"
import { PaymentInputError } from "../../../lib/payments/errors"
import { mapOfflineStatus, readSessionData } from "../mapping"
import { BankTransferProviderService, CodProviderService } from "../service"

const account = { accountHolder: "Example Store GmbH", iban: "DE89 3704 0044 0532 0130 00", bankName: "Example Bank" }
const options = {
  cod: { fee: { EUR: "2.5" }, maxAmount: { EUR: 500 }, allowedCountries: ["de"], instructions: "Exact change, please." },
  bankTransfer: { ...account, allowedCurrencies: ["EUR", "USD"] },
}
const SESSION = "payses_01UNITTESTSESSION0000001"

/** A provider whose container knows Medusa's capture records, as the Payment Module's does. */
function withCaptures(captures: Record<string, unknown>): CodProviderService {
  const captureService = {
    retrieve: async (id: string) => {
      if (!(id in captures)) throw new Error("not found")
      return { amount: captures[id], raw_amount: { value: String(captures[id]), precision: 20 } }
    },
  }
  return new CodProviderService({ logger: quietLogger, captureService }, options)
}

async function authorizedCod(provider = new CodProviderService({ logger: quietLogger }, options), amount: number | string = 100) {
  const { data } = await provider.initiatePayment({ amount, currency_code: "eur", data: { session_id: SESSION } })
  const authorized = await provider.authorizePayment({ data: data! })
  return authorized.data!
}

describe("cash on delivery", () => {
  it("shows the amount due and the fee in the session's currency, and no fee in another", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    const eur = await provider.initiatePayment({ amount: "99.9", currency_code: "eur", data: { session_id: SESSION } })
    expect(eur).toEqual({
      id: SESSION,
      status: "pending",
      data: expect.objectContaining({
        amount: "99.90",
        currency_code: "EUR",
        instructions: { amount: "99.90 EUR", fee: { amount: "2.50", currency_code: "EUR", display: "2.50 EUR" }, note: "Exact change, please." },
      }),
    })
    const usd = await provider.initiatePayment({ amount: 10, currency_code: "usd", data: { session_id: SESSION } })
    expect((usd.data!.instructions as { fee: unknown }).fee).toBeNull()
  })

  it("never changes the amount because of the fee", async () => {
    const data = await authorizedCod()
    expect(data.amount).toBe("100.00")
  })

  it("refuses what initiatePayment can judge: an amount over the limit", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    await expect(provider.initiatePayment({ amount: "500.01", currency_code: "eur", data: { session_id: SESSION } })).rejects.toThrow(
      new PaymentInputError("Cash on delivery is limited to orders up to 500.00 EUR")
    )
    const { data } = await provider.initiatePayment({ amount: 100, currency_code: "eur", data: { session_id: SESSION } })
    await expect(provider.updatePayment({ amount: 501, currency_code: "eur", data: data! })).rejects.toThrow(
      "Cash on delivery is limited to orders up to 500.00 EUR"
    )
  })

  it("records exactly what the admin captured, and the rest with a second capture", async () => {
    const provider = withCaptures({ capt_1: 60, capt_2: 40 })
    let data = await authorizedCod(provider)
    data = (await provider.capturePayment({ data, context: { idempotency_key: "capt_1" } })).data!
    expect(data).toEqual(expect.objectContaining({ status: "partially_captured", captured_amount: "60.00" }))
    expect((await provider.getPaymentStatus({ data })).status).toBe("authorized")
    data = (await provider.capturePayment({ data, context: { idempotency_key: "capt_2" } })).data!
    expect(data).toEqual(expect.objectContaining({ status: "captured", captured_amount: "100.00" }))
    expect(data.captures).toEqual([
      { id: "capt_1", amount: "60.00" },
      { id: "capt_2", amount: "40.00" },
    ])
  })

  it("records a retried capture or refund once", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    let data = await authorizedCod(provider)
    data = (await provider.capturePayment({ data, context: { idempotency_key: "capt_1" } })).data!
    const again = (await provider.capturePayment({ data, context: { idempotency_key: "capt_1" } })).data!
    expect(again).toEqual(data)
    data = (await provider.refundPayment({ data, amount: 30, context: { idempotency_key: "ref_1" } })).data!
    data = (await provider.refundPayment({ data, amount: 30, context: { idempotency_key: "ref_1" } })).data!
    expect(data).toEqual(expect.objectContaining({ refunded_amount: "30.00", refunds: [{ id: "ref_1", amount: "30.00" }] }))
  })

  it("refuses a second capture of money already received in full", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    let data = await authorizedCod(provider)
    data = (await provider.capturePayment({ data, context: { idempotency_key: "capt_1" } })).data!
    await expect(provider.capturePayment({ data, context: { idempotency_key: "capt_2" } })).rejects.toThrow(/already received in full \(100\.00 EUR\)/)
  })

  it("refuses a refund before any money arrived, and one beyond what arrived", async () => {
    const provider = withCaptures({ capt_1: 50 })
    let data = await authorizedCod(provider)
    await expect(provider.refundPayment({ data, amount: 1, context: { idempotency_key: "ref_1" } })).rejects.toThrow(/nothing was received yet/)
    data = (await provider.capturePayment({ data, context: { idempotency_key: "capt_1" } })).data!
    await expect(provider.refundPayment({ data, amount: "50.01", context: { idempotency_key: "ref_1" } })).rejects.toThrow(
      "Cash on delivery: cannot refund 50.01 EUR: only 50.00 EUR of the 50.00 EUR received remains"
    )
  })

  it("refuses a refund the currency cannot hold exactly rather than rounding it", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    let data = await authorizedCod(provider)
    data = (await provider.capturePayment({ data, context: { idempotency_key: "capt_1" } })).data!
    await expect(provider.refundPayment({ data, amount: "10.005", context: { idempotency_key: "ref_1" } })).rejects.toThrow(/cannot be charged exactly/)
  })

  it("cancels before the money arrived, and refuses to cancel money already received", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    const data = await authorizedCod(provider)
    expect((await provider.cancelPayment({ data })).data).toEqual(expect.objectContaining({ status: "canceled" }))
    const captured = (await provider.capturePayment({ data, context: { idempotency_key: "capt_1" } })).data!
    await expect(provider.cancelPayment({ data: captured })).rejects.toThrow(/already received; refund it instead/)
  })

  it("keeps the amount of an authorized payment", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    const data = await authorizedCod(provider)
    await expect(provider.updatePayment({ amount: 120, currency_code: "eur", data })).rejects.toThrow(/cannot change once the payment is authorized/)
  })

  it("answers every notification as not supported", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    expect(await provider.getWebhookActionAndData({ data: {}, rawData: "", headers: {} })).toEqual({ action: "not_supported" })
  })

  it("refuses session data it did not write, and an unknown status", async () => {
    const provider = new CodProviderService({ logger: quietLogger }, options)
    await expect(provider.authorizePayment({ data: { id: "pi_123" } })).rejects.toThrow(/holds no cash on delivery payment/)
    const data = await authorizedCod(provider)
    await expect(provider.getPaymentStatus({ data: { ...data, status: "refunded" } })).rejects.toThrow(/Unknown offline payment status: "refunded"/)
    expect(() => readSessionData({ ...data, method: "bank_transfer" }, "cod")).toThrow(PaymentInputError)
  })

  it("maps every status exhaustively", () => {
    expect(["pending", "authorized", "partially_captured", "captured", "canceled"].map((s) => mapOfflineStatus(s as never))).toEqual([
      "pending",
      "authorized",
      "authorized",
      "captured",
      "canceled",
    ])
    expect(() => mapOfflineStatus("settled" as never)).toThrow(/Unknown offline payment status/)
  })
})

describe("bank transfer", () => {
  it("puts the instructions with a reference unique to the session into the session data", async () => {
    const provider = new BankTransferProviderService({ logger: quietLogger }, { bankTransfer: account })
    const first = await provider.initiatePayment({ amount: 1000, currency_code: "jpy", data: { session_id: SESSION } })
    const instructions = first.data!.instructions as Record<string, unknown>
    expect(instructions).toEqual({
      account_holder: "Example Store GmbH",
      iban: "DE89370400440532013000",
      account_number: null,
      bank_code: null,
      bic: null,
      bank_name: "Example Bank",
      reference: expect.stringMatching(/^RF\d{2}/),
      amount: "1000 JPY",
      note: null,
    })
    expect(first.id).toBe(instructions.reference)
    const again = await provider.initiatePayment({ amount: 1000, currency_code: "jpy", data: { session_id: SESSION } })
    expect((again.data!.instructions as Record<string, unknown>).reference).toBe(instructions.reference)
    const other = await provider.initiatePayment({ amount: 1000, currency_code: "jpy", data: { session_id: `${SESSION}2` } })
    expect((other.data!.instructions as Record<string, unknown>).reference).not.toBe(instructions.reference)
  })

  it("follows a changed cart total in the instructions and keeps the reference", async () => {
    const provider = new BankTransferProviderService({ logger: quietLogger }, options)
    await expect(provider.initiatePayment({ amount: "12.5", currency_code: "kwd", data: { session_id: SESSION } })).rejects.toThrow(
      "Bank transfer is only available in EUR and USD, not KWD"
    )
    const usd = await provider.initiatePayment({ amount: 10, currency_code: "usd", data: { session_id: SESSION } })
    const updated = await provider.updatePayment({ amount: "12.34", currency_code: "usd", data: usd.data! })
    expect(updated.data).toEqual(expect.objectContaining({ amount: "12.34" }))
    expect(updated.data!.instructions).toEqual(
      expect.objectContaining({ amount: "12.34 USD", reference: (usd.data!.instructions as Record<string, unknown>).reference })
    )
  })

  it("keeps no secret in the session data", async () => {
    const provider = new BankTransferProviderService({ logger: quietLogger }, options)
    const { data } = await provider.initiatePayment({ amount: 10, currency_code: "eur", data: { session_id: SESSION } })
    expect(Object.keys(data!).sort()).toEqual(
      ["amount", "captured_amount", "captures", "currency_code", "instructions", "method", "refunded_amount", "refunds", "session_id", "status"].sort()
    )
  })
})
