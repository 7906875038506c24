import { providerModule } from "../../lib/payments/package"
import { parseOptions, z } from "../../lib/payments/options"
import { currencyCode, eligibilityOptionsShape, majorAmount } from "../../lib/payments/eligibility"
import { compact, ibanProblem, isBic } from "./references"

/**
 * Options of the offline payment module. One module, two methods, each configured in its
 * own section so that each has its own eligibility rules (cash on delivery up to 500 EUR
 * in two countries, bank transfer everywhere):
 *
 * ```ts
 * { cod: { fee: { EUR: "2.50" }, maxAmount: { EUR: 500 } },
 *   bankTransfer: { accountHolder: "Example GmbH", iban: "DE89 3704 ...", bankName: "Example Bank" } }
 * ```
 */

const note = z
  .string()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(1000, { error: "must be at most 1000 characters" })

/** Cash on delivery: the courier collects the money when the parcel is handed over. */
export const codOptionsSchema = z
  .object({
    /**
     * A fixed fee per currency, in major units, shown to the shopper in the session data
     * (`fee`). Display only: the provider never changes the amount; charge the fee with a
     * cash-on-delivery shipping option price or a line item (see the README).
     * @example { "EUR": "2.50" }
     */
    fee: z.record(currencyCode, majorAmount).optional(),
    /** Text shown to the shopper with the method ("Please have the exact amount ready"). */
    instructions: note.optional(),
    // Currencies, countries and amounts cash on delivery is offered for.
    ...eligibilityOptionsShape,
  })
  .strict()

const requiredText = (what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required but missing" : `must be ${what}`) })
    .trim()
    .min(1, { error: "must not be empty" })
    .max(140, { error: "must be at most 140 characters" })

/** Bank transfer: the shopper transfers the money with the reference shown to them. */
export const bankTransferOptionsSchema = z
  .object({
    /** Name on the receiving account, as the shopper's bank must enter it. */
    accountHolder: requiredText("the name on the account"),
    /**
     * IBAN of the receiving account (spaces allowed). Checked at boot with the ISO 13616
     * mod-97 check digits and the country's registered length. Give `iban` or `accountNumber`.
     * @see https://www.swift.com/standards/data-standards/iban-international-bank-account-number
     */
    iban: z
      .string()
      .transform((value, ctx) => {
        const problem = ibanProblem(value)
        if (problem) {
          ctx.addIssue({
            code: "custom",
            message:
              problem === "checksum"
                ? "is not a valid IBAN: its check digits do not match (ISO 13616 mod 97); check for a mistyped digit"
                : problem === "length"
                  ? "is not a valid IBAN: it does not have the length registered for its country"
                  : "is not a valid IBAN: expected two letters, two check digits and up to 30 letters and digits",
          })
          return z.NEVER
        }
        return compact(value)
      })
      .optional(),
    /** Account number for banks without IBAN (with `bankCode` where the country needs one). */
    accountNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9 -]{4,34}$/, { error: "must be 4 to 34 letters, digits, spaces or dashes" })
      .optional(),
    /** Sort code, routing number, BSB, IFSC... whatever the account number needs. */
    bankCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9 -]{2,20}$/, { error: "must be 2 to 20 letters, digits, spaces or dashes" })
      .optional(),
    /** BIC (SWIFT code) of the bank, 8 or 11 characters (ISO 9362). */
    bic: z
      .string()
      .refine((value) => isBic(value), { error: "is not a valid BIC: expected 8 or 11 characters (bank, country, location, branch)" })
      .transform((value) => compact(value))
      .optional(),
    /** Name of the bank, shown with the account. */
    bankName: requiredText("the bank's name"),
    /** Text shown to the shopper with the instructions ("Orders ship once the transfer arrives"). */
    instructions: note.optional(),
    // Currencies, countries and amounts bank transfer is offered for.
    ...eligibilityOptionsShape,
  })
  .strict()
  .superRefine((options, ctx) => {
    if (!options.iban && !options.accountNumber) {
      ctx.addIssue({ code: "custom", path: ["iban"], message: "is required (or `accountNumber` for a bank without IBAN)" })
    }
  })

export const offlineOptionsSchema = z
  .object({
    /** Cash on delivery. Every field is optional. */
    cod: codOptionsSchema.optional(),
    /** Bank transfer. Required whenever the bank-transfer service is registered. */
    bankTransfer: bankTransferOptionsSchema.optional(),
  })
  .strict()

export type CodOptions = z.infer<typeof codOptionsSchema>
export type BankTransferOptions = z.infer<typeof bankTransferOptionsSchema>
export type OfflineOptionsInput = z.input<typeof offlineOptionsSchema>

/** Cash on delivery's section (empty when absent: it needs nothing). */
export function parseCodOptions(raw: unknown): CodOptions {
  const parsed = parseOptions(offlineOptionsSchema, raw, "Cash on delivery")
  return parsed.cod ?? codOptionsSchema.parse({})
}

/**
 * Bank transfer's section. Its absence is a startup error: the service would otherwise
 * be offered with no account to pay into.
 */
export function parseBankTransferOptions(raw: unknown): BankTransferOptions {
  const options = (raw ?? {}) as Record<string, unknown>
  const schema = offlineOptionsSchema.extend({
    bankTransfer: bankTransferOptionsSchema.optional().refine((section) => section !== undefined, {
      error:
        "is required to offer bank transfer (account holder, IBAN or account number, bank name); " +
        `to offer only cash on delivery, register ${providerModule("offline/cod")} instead of the whole module`,
    }),
  })
  const parsed = parseOptions(schema, options, "Bank transfer")
  return parsed.bankTransfer as BankTransferOptions
}
