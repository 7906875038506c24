/**
 * What Braintree's notifications mean for Medusa: pure (`readBraintreeNotification`,
 * `mapWebhookEvent`), then through the provider with the SDK's own sample notifications and
 * signed deliveries (the verification is the SDK's).
 * @see https://developer.paypal.com/braintree/docs/reference/general/webhooks/overview
 * @see https://developer.paypal.com/braintree/docs/reference/general/webhooks/dispute/node
 * @see https://developer.paypal.com/braintree/docs/reference/general/webhooks/transaction/node
 */
import {
  braintreeTestOptions,
  disputeXml,
  notificationXml,
  sampleBraintree,
  signBraintree,
  transactionXml,
  xml,
} from "../../../../integration-tests/harness/braintree"
import { quietLogger } from "../../../../integration-tests/harness/loggers"
import { mapWebhookEvent, readBraintreeNotification } from "../events"
import BraintreeProviderService from "../service"
import type { BraintreeNotification, BraintreeTransaction } from "../types"

const SESSION = "payses_01BTEVENTS00000000"
const TIMESTAMP = "2026-12-01T10:00:00.000Z"

const dispute = (kind: string, fields: Record<string, unknown> = {}): BraintreeNotification => ({
  kind,
  timestamp: new Date(TIMESTAMP),
  dispute: {
    id: "dp1events",
    status: "open",
    kind: "chargeback",
    reason: "fraud",
    amount: "120.00",
    amountDisputed: "120.0",
    currencyIsoCode: "USD",
    replyByDate: "2026-12-21",
    transaction: { id: "tx1events", amount: "120.00", orderId: SESSION },
    ...fields,
  },
})

const sale = (kind: string, fields: Partial<BraintreeTransaction> = {}): BraintreeNotification => ({
  kind,
  timestamp: new Date(TIMESTAMP),
  transaction: { id: "tx1events", status: "settled", type: "sale", amount: "120.00", currencyIsoCode: "USD", orderId: SESSION, ...fields },
})

describe("braintree readBraintreeNotification: disputes", () => {
  it.each([
    ["dispute_opened", "opened"],
    ["dispute_under_review", "updated"],
    ["dispute_won", "won"],
    ["dispute_lost", "lost"],
    ["dispute_accepted", "lost"],
    ["dispute_expired", "lost"],
  ])("%s is a dispute %s, with the amount as an exact string (\"120.0\" -> \"120.00\")", (kind, status) => {
    expect(readBraintreeNotification(dispute(kind))).toEqual({
      event_id: `${kind}:dp1events:${TIMESTAMP}`,
      event_type: kind,
      occurred_at: TIMESTAMP,
      kind: "dispute",
      session_id: SESSION,
      dispute_id: "dp1events",
      status,
      amount: "120.00",
      currency_code: "USD",
      reason: "fraud",
      ...(status === "opened" ? { evidence_due_by: "2026-12-21T00:00:00.000Z" } : {}),
    })
  })

  it("keeps a whole-yen dispute exact", () => {
    expect(readBraintreeNotification(dispute("dispute_opened", { amountDisputed: "12000", currencyIsoCode: "JPY" }))).toEqual(
      expect.objectContaining({ amount: "12000", currency_code: "JPY" })
    )
  })

  it("ignores a dispute of a transaction this store did not make (no Medusa session as its orderId)", () => {
    expect(readBraintreeNotification(dispute("dispute_opened", { transaction: { id: "tx9", amount: "120.00", orderId: "order-1234" } }))).toEqual(
      expect.objectContaining({ kind: "ignored", reason: "the disputed transaction was not made by this store (its orderId is not a Medusa payment session)" })
    )
  })
})

describe("braintree readBraintreeNotification: transactions", () => {
  it("transaction_settled is the sale captured", () => {
    expect(readBraintreeNotification(sale("transaction_settled"))).toEqual({
      event_id: `transaction_settled:tx1events:${TIMESTAMP}`,
      event_type: "transaction_settled",
      occurred_at: TIMESTAMP,
      kind: "captured",
      session_id: SESSION,
      amount: "120.00",
      currency_code: "USD",
      captured_total: "120.00",
    })
  })

  it("transaction_settlement_declined is the sale failed, with the processor's code", () => {
    expect(readBraintreeNotification(sale("transaction_settlement_declined", { status: "settlement_declined", processorResponseCode: "4001" }))).toEqual(
      expect.objectContaining({ kind: "failed", session_id: SESSION, reason: "settlement declined (processor response 4001)" })
    )
  })

  it("ignores a sale whose orderId is not a Medusa session id, and a settled refund", () => {
    expect(readBraintreeNotification(sale("transaction_settled", { orderId: "order-1234" }))).toEqual(expect.objectContaining({ kind: "ignored" }))
    expect(readBraintreeNotification(sale("transaction_settled", { orderId: null }))).toEqual(expect.objectContaining({ kind: "ignored" }))
    expect(readBraintreeNotification(sale("transaction_settled", { type: "credit", orderId: "ref_01BTEVENTS" }))).toEqual(expect.objectContaining({ kind: "ignored" }))
  })
})

describe("braintree mapWebhookEvent", () => {
  it("gives Medusa captured for a settled sale, failed for a declined settlement, and nothing for a dispute", () => {
    expect(mapWebhookEvent(readBraintreeNotification(sale("transaction_settled")))).toEqual({ action: "captured", data: { session_id: SESSION, amount: 120 } })
    expect(mapWebhookEvent(readBraintreeNotification(sale("transaction_settlement_declined", { status: "settlement_declined" })))).toEqual({
      action: "failed",
      data: { session_id: SESSION, amount: 0 },
    })
    expect(mapWebhookEvent(readBraintreeNotification(dispute("dispute_opened")))).toEqual({ action: "not_supported" })
  })
})

/** Deliveries as Braintree posts them (form-encoded bt_signature and bt_payload), verified by the SDK. */
describe("braintree notifications through the provider", () => {
  const provider = () => new BraintreeProviderService({ logger: quietLogger }, braintreeTestOptions)
  const delivery = (body: string) => ({
    data: Object.fromEntries(new URLSearchParams(body)),
    rawData: Buffer.from(body),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  })

  it.each([
    ["subscription_charged_successfully", "subscriptions are not Medusa payments"],
    ["dispute_opened", "the disputed transaction was not made by this store (its orderId is not a Medusa payment session)"],
    ["check", "a test notification from the Control Panel"],
    ["transaction_settled", "not a sale of this store (its orderId is not a Medusa payment session)"],
  ])("ignores the SDK's sample %s (not Medusa's: not_supported)", async (kind, reason) => {
    const payload = delivery(sampleBraintree(kind, "sample_id"))
    const verdict = await provider().readGatewayEvent(payload)
    expect(verdict).toEqual({ verified: true, outcome: expect.objectContaining({ kind: "ignored", reason, event_type: kind }) })
    await expect(provider().getWebhookActionAndData(payload)).resolves.toEqual({ action: "not_supported" })
  })

  it("reads a signed dispute of this store's sale as the SDK parses it (amount and evidence date exact)", async () => {
    const body = disputeXml({ id: "dp1signed", transaction: "tx1signed", orderId: SESSION, amount: "120.00" })
    const verdict = await provider().readGatewayEvent(delivery(signBraintree(notificationXml("dispute_opened", body)).body))
    expect(verdict).toEqual({
      verified: true,
      outcome: expect.objectContaining({ kind: "dispute", session_id: SESSION, status: "opened", amount: "120.00", evidence_due_by: "2026-12-21T00:00:00.000Z" }),
    })
  })

  it("captures on a signed transaction_settled of this store's sale, in both methods", async () => {
    const body = notificationXml("transaction_settled", xml("transaction", transactionXml({ id: "tx1signed", status: "settled", amount: "120.00", "order-id": SESSION })))
    const payload = delivery(signBraintree(body).body)
    await expect(provider().getWebhookActionAndData(payload)).resolves.toEqual({ action: "captured", data: { session_id: SESSION, amount: 120 } })
    await expect(provider().readGatewayEvent(payload)).resolves.toEqual({ verified: true, outcome: expect.objectContaining({ kind: "captured", amount: "120.00" }) })
  })

  it("refuses a delivery signed with another key, in both methods", async () => {
    const body = notificationXml("transaction_settled", xml("transaction", transactionXml({ id: "tx1signed", status: "settled", amount: "120.00", "order-id": SESSION })))
    const payload = delivery(signBraintree(body, { secret: "not-the-store-private-key" }).body)
    await expect(provider().readGatewayEvent(payload)).resolves.toEqual({ verified: false, reason: expect.stringMatching(/signature/) })
    await expect(provider().getWebhookActionAndData(payload)).resolves.toEqual({ action: "not_supported" })
  })
})
