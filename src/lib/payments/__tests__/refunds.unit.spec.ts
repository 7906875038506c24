import BigNumberJS from "bignumber.js"
import { PaymentInputError } from "../errors"
import { formatAmount } from "../money"
import { RefundRequest, assertRefundable } from "../refunds"

const eur = (amount: BigNumberJS) => formatAmount(amount, "EUR")

function refusal(input: RefundRequest): Error | undefined {
  try {
    assertRefundable(input)
    return undefined
  } catch (error) {
    return error as Error
  }
}

describe("the refund guard shared by every provider", () => {
  const base: RefundRequest = { gateway: "Stripe", reference: "payment pi_1", requested: 40, captured: 100, refunded: 0, format: eur }

  it("lets a refund within what remains through, and says what is left after it", () => {
    expect(assertRefundable(base).toFixed()).toBe("60")
    expect(assertRefundable({ ...base, requested: "60", refunded: "40" }).toFixed()).toBe("0")
    expect(assertRefundable({ ...base, requested: new BigNumberJS("0.01"), refunded: new BigNumberJS("99.99") }).toFixed()).toBe("0")
  })

  it("refuses a zero or negative amount", () => {
    for (const requested of [0, "0.00", -5]) {
      const error = refusal({ ...base, requested })
      expect(error).toBeInstanceOf(PaymentInputError)
      expect(error?.message).toBe("Stripe: a refund amount must be greater than zero")
    }
  })

  it("refuses a refund from a payment that holds no money, in the provider's words", () => {
    expect(refusal({ ...base, captured: 0 })?.message).toBe("Stripe: payment pi_1 has nothing captured to refund")
    expect(refusal({ ...base, gateway: "ECPay", reference: "order EC123", captured: 0, settled: "paid" })?.message).toBe(
      "ECPay: order EC123 has no payment to refund"
    )
    expect(refusal({ ...base, gateway: "Cash on delivery", reference: undefined, captured: "0.00", settled: "received" })?.message).toBe(
      "Cash on delivery: nothing was received yet, so there is nothing to refund"
    )
  })

  it("refuses more than what remains, naming the amounts in the provider's format", () => {
    expect(refusal({ ...base, requested: "60.01", refunded: 40 })?.message).toBe(
      "Stripe: cannot refund 60.01 EUR of payment pi_1: only 60.00 EUR of the 100.00 EUR captured remains"
    )
    expect(
      refusal({ ...base, gateway: "Bank transfer", reference: undefined, requested: 101, settled: "received" })?.message
    ).toBe("Bank transfer: cannot refund 101.00 EUR: only 100.00 EUR of the 100.00 EUR received remains")
    // Minor units with the gateway's own formatter.
    const cents = (minor: BigNumberJS) => `${minor.shiftedBy(-2).toFixed(2)} USD`
    expect(refusal({ ...base, requested: 6001, captured: 10000, refunded: 4000, format: cents })?.message).toBe(
      "Stripe: cannot refund 60.01 USD of payment pi_1: only 60.00 USD of the 100.00 USD captured remains"
    )
  })

  it("checks in one order: the amount, then the captures, then what remains", () => {
    expect(refusal({ ...base, requested: 0, captured: 0 })?.message).toMatch(/greater than zero/)
    expect(refusal({ ...base, requested: 500, captured: 0 })?.message).toMatch(/nothing captured/)
  })

  it("never says a negative amount remains when more was recorded as refunded than captured", () => {
    expect(refusal({ ...base, requested: 1, refunded: 120 })?.message).toBe(
      "Stripe: cannot refund 1.00 EUR of payment pi_1: only 0.00 EUR of the 100.00 EUR captured remains"
    )
  })
})
