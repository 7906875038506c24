import { groupsOfFour, ibanProblem, isBic, isCreditorReference, paymentReference } from "../references"

describe("IBAN (ISO 13616)", () => {
  it.each(["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "nl91abna0417164300", "FR14 2004 1010 0505 0001 3M02 606", "CH9300762011623852957"])(
    "accepts the valid IBAN %s",
    (iban) => {
      expect(ibanProblem(iban)).toBeUndefined()
    }
  )

  it("refuses a mistyped digit by the mod-97 check", () => {
    expect(ibanProblem("GB82 WEST 1234 5698 7654 33")).toBe("checksum")
    expect(ibanProblem("GB28 WEST 1234 5698 7654 32")).toBe("checksum")
    expect(ibanProblem("DE98 3704 0044 0532 0130 00")).toBe("checksum")
  })

  it("refuses a length that is not registered for the country", () => {
    expect(ibanProblem("DE89 3704 0044 0532 0130 0")).toBe("length")
  })

  it("refuses what is not shaped like an IBAN", () => {
    expect(ibanProblem("3704 0044 0532 0130 00")).toBe("format")
    expect(ibanProblem("DE8937040044053201300!")).toBe("format")
  })
})

describe("BIC (ISO 9362)", () => {
  it("accepts 8 and 11 characters and refuses anything else", () => {
    expect(isBic("COBADEFFXXX")).toBe(true)
    expect(isBic("cobadeff")).toBe(true)
    expect(isBic("COBADEF")).toBe(false)
    expect(isBic("COBA DE FF 12")).toBe(false)
    expect(isBic("12BADEFF")).toBe(false)
  })
})

describe("payment reference (ISO 11649)", () => {
  it("checks references with the ISO 11649 example", () => {
    expect(isCreditorReference("RF18 5390 0754 7034")).toBe(true)
    expect(isCreditorReference("RF18 5390 0754 7035")).toBe(false)
  })

  it("derives the same valid RF reference from the same session, and another from another session", () => {
    const first = paymentReference("payses_01JABCDEFGHJKMNPQRSTVWXYZ0")
    expect(first).toMatch(/^RF\d{2}[0-9A-HJKMNP-TV-Z]{16}$/)
    expect(isCreditorReference(first)).toBe(true)
    expect(paymentReference("payses_01JABCDEFGHJKMNPQRSTVWXYZ0")).toBe(first)
    expect(paymentReference("payses_01JABCDEFGHJKMNPQRSTVWXYZ1")).not.toBe(first)
  })

  it("gives distinct references to many sessions", () => {
    const references = new Set(Array.from({ length: 5000 }, (_, i) => paymentReference(`payses_${i}`)))
    expect(references.size).toBe(5000)
  })

  it("catches a single mistyped character of a derived reference", () => {
    const reference = paymentReference("payses_typo")
    const typo = reference.slice(0, 10) + (reference[10] === "A" ? "B" : "A") + reference.slice(11)
    expect(isCreditorReference(typo)).toBe(false)
  })

  it("prints in groups of four", () => {
    expect(groupsOfFour("RF18539007547034")).toBe("RF18 5390 0754 7034")
  })
})
