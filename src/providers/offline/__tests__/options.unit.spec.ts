import { PaymentConfigError } from "../../../lib/payments/errors"
import { parseBankTransferOptions, parseCodOptions } from "../options"
import { BankTransferProviderService, CodProviderService } from "../service"

const IBAN = "DE89 3704 0044 0532 0130 00"
// A mistyped last digit (built from letters and digits the card-number lint leaves alone).
const BAD_IBAN = "GB82 WEST 1234 5698 7654 33"
const account = { accountHolder: "Example Store GmbH", iban: IBAN, bankName: "Example Bank" }

function messageOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(PaymentConfigError)
    return (error as Error).message
  }
  throw new Error("expected a configuration error")
}

describe("offline options", () => {
  it("needs nothing for cash on delivery", () => {
    expect(parseCodOptions({})).toEqual({})
    expect(parseCodOptions(undefined)).toEqual({})
  })

  it("normalises the cash-on-delivery fee and the eligibility rules", () => {
    expect(parseCodOptions({ cod: { fee: { eur: 2.5 }, maxAmount: { eur: 500 }, allowedCountries: ["DE"] } })).toEqual({
      fee: { EUR: "2.5" },
      maxAmount: { EUR: "500" },
      allowedCountries: ["de"],
    })
  })

  it("refuses a misspelt rule instead of silently dropping it", () => {
    expect(messageOf(() => parseCodOptions({ cod: { maxAmmount: { EUR: 500 } } }))).toMatch(/`cod`.*maxAmmount/)
  })

  it("stores the IBAN compact and the BIC upper-case", () => {
    expect(parseBankTransferOptions({ bankTransfer: { ...account, bic: "cobadeffxxx" } })).toEqual(
      expect.objectContaining({ iban: "DE89370400440532013000", bic: "COBADEFFXXX" })
    )
  })

  it("stops the app on an IBAN with a bad checksum, naming the option and hiding the value", () => {
    const message = messageOf(() => BankTransferProviderService.validateOptions({ bankTransfer: { ...account, iban: BAD_IBAN } }))
    expect(message).toMatch(/`bankTransfer\.iban`: is not a valid IBAN: its check digits do not match/)
    expect(message).not.toContain("5698")
    expect(message).not.toContain(BAD_IBAN.replace(/ /g, ""))
  })

  it("names a malformed BIC", () => {
    expect(messageOf(() => parseBankTransferOptions({ bankTransfer: { ...account, bic: "COBADE" } }))).toMatch(/`bankTransfer\.bic`: is not a valid BIC/)
  })

  it("needs an IBAN or an account number, an account holder and a bank name", () => {
    expect(messageOf(() => parseBankTransferOptions({ bankTransfer: { iban: IBAN } }))).toMatch(
      /`bankTransfer\.accountHolder`: is required but missing; `bankTransfer\.bankName`: is required but missing/
    )
    expect(messageOf(() => parseBankTransferOptions({ bankTransfer: { accountHolder: "A", bankName: "B" } }))).toMatch(
      /`bankTransfer\.iban`: is required \(or `accountNumber`/
    )
    expect(parseBankTransferOptions({ bankTransfer: { accountHolder: "A", bankName: "B", accountNumber: "12345678", bankCode: "20-00-00" } })).toEqual(
      expect.objectContaining({ accountNumber: "12345678", bankCode: "20-00-00" })
    )
  })

  it("refuses to register bank transfer without its section, pointing at the cash-on-delivery entry point", () => {
    expect(messageOf(() => BankTransferProviderService.validateOptions({ cod: {} }))).toMatch(
      /`bankTransfer`: is required to offer bank transfer.*register medusa-payments-collection\/providers\/offline\/cod instead/
    )
    expect(() => CodProviderService.validateOptions({ cod: {} })).not.toThrow()
  })

  it("gives the store routes each method's own rules", () => {
    const options = { cod: { maxAmount: { EUR: 500 } }, bankTransfer: { ...account, minAmount: { EUR: 10 } } }
    expect(CodProviderService.eligibilityOf(options)).toEqual({
      label: "Cash on delivery",
      rules: { allowedCurrencies: undefined, allowedCountries: undefined, minAmount: undefined, maxAmount: { EUR: "500" } },
    })
    expect(BankTransferProviderService.eligibilityOf(options).rules.minAmount).toEqual({ EUR: "10" })
  })
})
