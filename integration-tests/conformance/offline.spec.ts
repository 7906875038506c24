import { quietLogger } from "../harness/loggers"
import { toBigNumber } from "../../src/lib/payments/money"
import { BankTransferProviderService, CodProviderService } from "../../src/providers/offline/service"
import { ConformanceSubject, describeConformance } from "../harness/conformance"


export const offlineTestOptions = {
  cod: { fee: { USD: "2.50" } },
  bankTransfer: {
    accountHolder: "Example Store Inc.",
    iban: "DE89 3704 0044 0532 0130 00",
    bic: "COBADEFFXXX",
    bankName: "Example Bank",
  },
}

/** Offline payments call no network: no fixtures, every capability but a decline. */
function offlineSubject(name: string, create: () => CodProviderService | BankTransferProviderService, method: string): ConformanceSubject {
  const session = (status: string) => ({
    method,
    session_id: "payses_01CONFORMANCESTATUS",
    status,
    amount: "100.00",
    currency_code: "USD",
    captured_amount: status === "captured" ? "100.00" : status === "partially_captured" ? "40.00" : "0.00",
    refunded_amount: "0.00",
    captures: [],
    refunds: [],
    instructions: {},
  })
  return {
    name,
    capabilities: { updateAmount: true, cancel: true, refund: true, partialRefund: true, decline: false, webhooks: false },
    create,
    currency: "usd",
    expectCanceled: (data) => expect(data.status).toBe("canceled"),
    statuses: [
      { label: "pending", data: session("pending"), expected: "pending" },
      { label: "authorized", data: session("authorized"), expected: "authorized" },
      { label: "partially_captured", data: session("partially_captured"), expected: "authorized" },
      { label: "captured", data: session("captured"), expected: "captured" },
      { label: "canceled", data: session("canceled"), expected: "canceled" },
    ],
    amountOf: (data) => toBigNumber(String(data.amount)).toFixed(),
    amounts: [
      { currency: "jpy", amount: 1000 },
      { currency: "kwd", amount: 12.34 },
      { currency: "usd", amount: 10.99 },
    ],
  }
}

describeConformance(offlineSubject("cod", () => new CodProviderService({ logger: quietLogger }, offlineTestOptions), "cod"))
describeConformance(
  offlineSubject("bank-transfer", () => new BankTransferProviderService({ logger: quietLogger }, offlineTestOptions), "bank_transfer")
)
