import {
  deliveries,
  formatDecimal,
  formatMoney,
  groupReference,
  humanize,
  normalizeAmountInput,
  outcomeBadge,
} from "../lib/format"

describe("how the admin widgets write amounts, references and outcomes", () => {
  it("pads an amount to its currency's decimals and never rounds one away", () => {
    expect(formatMoney("8", "eur")).toBe("8.00 EUR")
    expect(formatMoney("1234.5", "eur")).toBe("1,234.50 EUR")
    expect(formatMoney("800", "jpy")).toBe("800 JPY")
    expect(formatMoney("1.5", "kwd")).toBe("1.500 KWD")
    expect(formatMoney("0.123", "eur")).toBe("0.123 EUR")
    expect(formatMoney("-40", "usd")).toBe("-40.00 USD")
    expect(formatMoney("12345678901234567890.01", "eur")).toBe("12,345,678,901,234,567,890.01 EUR")
  })

  it("shows a missing amount as a dash and an unreadable one as it came", () => {
    expect(formatMoney(null, "eur")).toBe("—")
    expect(formatMoney("", "eur")).toBe("—")
    expect(formatMoney("n/a", "eur")).toBe("n/a EUR")
    expect(formatDecimal("60", "eur")).toBe("60.00")
  })

  it("takes a decimal comma as the receipts route's decimal point, and leaves the rest to the route", () => {
    expect(normalizeAmountInput(" 8,50 ")).toBe("8.50")
    expect(normalizeAmountInput("70.00")).toBe("70.00")
    expect(normalizeAmountInput("1,000.00")).toBe("1,000.00")
  })

  it("prints an RF creditor reference in groups of four, and another reference as it is", () => {
    expect(groupReference("RF18539007547034")).toBe("RF18 5390 0754 7034")
    expect(groupReference("rf18 5390 0754 7034")).toBe("rf18 5390 0754 7034")
    expect(groupReference("pi_3Nx9")).toBe("pi_3Nx9")
  })

  it("names what was done with a gateway event, and counts deliveries", () => {
    expect(outcomeBadge("acted_on")).toEqual({ label: "Acted on", color: "green" })
    expect(outcomeBadge("failed")).toEqual({ label: "Failed, will retry", color: "red" })
    expect(outcomeBadge("something_new").label).toBe("Something new")
    expect(humanize("partially_captured")).toBe("Partially captured")
    expect(deliveries(1)).toBe("1 delivery")
    expect(deliveries(3)).toBe("3 deliveries")
  })
})
