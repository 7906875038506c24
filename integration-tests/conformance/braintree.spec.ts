/**
 * Braintree through the shared conformance suite. Each scenario replays
 * integration-tests/fixtures/braintree/<scenario>.json (Braintree's XML answers to the SDK's
 * JSON requests); notifications are signed with the SDK's own signing.
 */
import { quietLogger } from "../harness/loggers"
import BraintreeProviderService from "../../src/providers/braintree/service"
import { describeConformance } from "../harness/conformance"
import { loadFixture } from "../harness/fixtures"
import { BRAINTREE_ORIGIN, braintreeSession, braintreeTestOptions, braintreeWebhookCases, signBraintree, tamperBraintree } from "../harness/braintree"

/** What each transaction of status-mapping.json (in its order) maps to. */
const EXPECTED: Record<string, string> = {
  "a transaction authorizing": "pending",
  "a transaction authorized": "authorized",
  "a transaction authorization_expired": "canceled",
  "a transaction submitted_for_settlement": "captured",
  "a transaction settling": "captured",
  "a transaction settlement_pending": "captured",
  "a transaction settlement_confirmed": "captured",
  "a transaction settled": "captured",
  "a transaction settlement_declined": "error",
  "a transaction voided": "canceled",
  "a transaction processor_declined": "error",
  "a transaction gateway_rejected": "error",
  "a transaction failed": "error",
  "a transaction gateway_rejected for 3-D Secure": "requires_more",
}

const statusLookups = loadFixture("braintree", "status-mapping").interactions.map((i) => ({
  note: i.note ?? "",
  id: i.request.path.split("/").pop()!,
}))


describeConformance({
  name: "braintree",
  // The amount changes freely before the sale (nothing exists at Braintree until the nonce is charged).
  capabilities: { updateAmount: true, cancel: true, refund: true, partialRefund: true, decline: true, webhooks: true },
  create: () => new BraintreeProviderService({ logger: quietLogger }, braintreeTestOptions),
  fixtures: {
    origin: BRAINTREE_ORIGIN,
    bodyFormat: "json",
    // Braintree takes no idempotency key: a sale carries the session id and a refund the
    // Medusa refund id as `order_id`, which the provider searches before a retry; a
    // submission for settlement or a void is refused by Braintree once made, so repeating
    // one moves nothing.
    lookupKeyOf: (request) => {
      if (/\/(submit_for_settlement|void)$/.test(request.path) || /\/advanced_search(_ids)?$/.test(request.path)) return "safe"
      return (request.body as { transaction?: { order_id?: string } } | undefined)?.transaction?.order_id
    },
    keyedOperations: ["session", "refund"],
  },
  currency: "usd",
  // Drop-in (or Hosted Fields) gives the storefront a nonce, which it hands to the session.
  buyerApproves: async (_replay, data) => {
    data.payment_method_nonce = "fake-valid-nonce"
  },
  // Braintree's test nonce for a card the processor declines.
  buyerIsDeclined: async (_replay, data) => {
    data.payment_method_nonce = "fake-processor-declined-visa-nonce"
  },
  declineStatus: "error",
  expectCanceled: (data) => expect(data.status).toBe("voided"),
  statuses: [
    { label: "no transaction yet (before the sale)", data: braintreeSession("payses_01CONFORMANCESTATUS0", null, { status: "pending" }), expected: "pending" },
    ...statusLookups.map(({ note, id }) => ({ label: note, data: braintreeSession("payses_01CONFORMANCESTATUS0", id), expected: EXPECTED[note] as "pending" })),
  ],
  amountOf: (data) => String(data.amount),
  // Braintree takes the ISO 4217 decimals, at most two (https://developer.paypal.com/braintree/docs/reference/request/transaction/sale/node#amount):
  // KWD is refused before any call; HUF keeps its two.
  amounts: [
    { currency: "jpy", amount: 1000 },
    { currency: "kwd", amount: 12.345, refused: /^Braintree takes amounts of at most two decimals, so it is not available in KWD$/ },
    { currency: "huf", amount: "1500.25" },
    { currency: "usd", amount: "10.99" },
  ],
  webhooks: {
    sign: (body, options) => signBraintree(body, options),
    cases: (sessionId) => braintreeWebhookCases(sessionId),
    tamper: tamperBraintree,
    // The default tolerance is a day (Braintree redelivers with the first timestamp).
    staleSeconds: 2 * 86400,
  },
})
