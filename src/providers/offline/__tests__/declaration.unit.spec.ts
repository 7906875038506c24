import { providersFromEnv } from "../../../lib/payments/registry"
import { bankTransferDeclaration, codDeclaration } from "../declaration"
import { BankTransferProviderService, CodProviderService } from "../service"

const VARIABLES = [
  "COD_ENABLED",
  "COD_FEE",
  "COD_MAX_AMOUNT",
  "COD_ALLOWED_COUNTRIES",
  "BANK_TRANSFER_ACCOUNT_HOLDER",
  "BANK_TRANSFER_IBAN",
  "BANK_TRANSFER_ACCOUNT_NUMBER",
  "BANK_TRANSFER_BANK_NAME",
  "BANK_TRANSFER_MIN_AMOUNT",
]

describe("offline declarations", () => {
  const saved: Record<string, string | undefined> = {}
  beforeEach(() => {
    for (const name of VARIABLES) {
      saved[name] = process.env[name]
      delete process.env[name]
    }
  })
  afterEach(() => {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  })

  const register = () => {
    const lines: string[] = []
    const result = providersFromEnv([codDeclaration, bankTransferDeclaration], process.env, (line) => lines.push(line))
    return { ...result, lines }
  }

  it("leaves both out until they are set up, saying what to set", () => {
    process.env.COD_ENABLED = "false"
    const { registrations, lines } = register()
    expect(registrations).toEqual([])
    expect(lines).toEqual([
      expect.stringContaining("Cash on delivery (pp_cod_offline) is not registered: set COD_ENABLED=true"),
      expect.stringContaining(
        "Bank transfer (pp_bank-transfer_offline) is not registered: set BANK_TRANSFER_ACCOUNT_HOLDER, BANK_TRANSFER_IBAN, BANK_TRANSFER_BANK_NAME"
      ),
    ])
  })

  it("registers only the method that is set up, with options its service accepts", () => {
    Object.assign(process.env, { COD_ENABLED: "true", COD_FEE: "EUR:2.50", COD_MAX_AMOUNT: "EUR:500", COD_ALLOWED_COUNTRIES: "DE, AT" })
    const { registrations, registered } = register()
    expect(registered.map((r) => r.providerId)).toEqual(["pp_cod_offline"])
    expect(registrations).toEqual([
      {
        resolve: "medusa-payments-collection/providers/offline/cod",
        id: "offline",
        options: { cod: { fee: { EUR: "2.50" }, instructions: undefined, maxAmount: { EUR: "500" }, allowedCountries: ["DE", "AT"] } },
      },
    ])
    expect(CodProviderService.eligibilityOf(registrations[0].options).rules).toEqual(
      expect.objectContaining({ maxAmount: { EUR: "500" }, allowedCountries: ["de", "at"] })
    )
  })

  it("registers bank transfer with an account number instead of an IBAN", () => {
    Object.assign(process.env, {
      BANK_TRANSFER_ACCOUNT_HOLDER: "Example Store Ltd",
      BANK_TRANSFER_ACCOUNT_NUMBER: "31926819",
      BANK_TRANSFER_BANK_NAME: "Example Bank",
      BANK_TRANSFER_MIN_AMOUNT: "GBP:10",
    })
    const { registrations } = register()
    expect(registrations.map((r) => r.resolve)).toEqual(["medusa-payments-collection/providers/offline/bank-transfer"])
    expect(() => BankTransferProviderService.validateOptions(registrations[0].options)).not.toThrow()
  })

  it("stops the app on a malformed rule from the environment, naming it", () => {
    Object.assign(process.env, { COD_ENABLED: "true", COD_MAX_AMOUNT: "EUR500" })
    const { registrations } = register()
    expect(() => CodProviderService.validateOptions(registrations[0].options)).toThrow(/`cod\.maxAmount\.EUR500`/)
  })
})
