import { model } from "@medusajs/framework/utils"

/**
 * One gateway event (a webhook delivery, or what a reconciliation read from the gateway),
 * recorded once per gateway event id: the ledger that makes processing idempotent and the
 * timeline the admin widget shows. A redelivery of the same event increments `deliveries`.
 */
export const PaymentGatewayEvent = model
  .define("payment_gateway_event", {
    id: model.id({ prefix: "pgev" }).primaryKey(),
    /** The Payment Module's provider id (`pp_stripe_stripe`). */
    provider_id: model.text(),
    /** The gateway's event id (`evt_…`), or a reconciliation's own id (`reconcile:refund:re_…`). */
    event_id: model.text(),
    event_type: model.text(),
    /** The outcome's kind (`GatewayOutcome["kind"]`). */
    kind: model.text(),
    /** Where it came from: the plugin's webhook route, Medusa's webhook event, a reconciliation. */
    source: model.text(),
    session_id: model.text().nullable(),
    payment_id: model.text().nullable(),
    /** received (being processed), acted_on, duplicate, ignored, failed (to be retried). */
    outcome: model.text().default("received"),
    /** Why: what was done, or why nothing was (never personal data). */
    detail: model.text().nullable(),
    deliveries: model.number().default(1),
    attempts: model.number().default(0),
    occurred_at: model.dateTime().nullable(),
    processed_at: model.dateTime().nullable(),
  })
  .indexes([
    { on: ["provider_id", "event_id"], unique: true },
    { on: ["session_id"] },
    { on: ["payment_id"] },
  ])
