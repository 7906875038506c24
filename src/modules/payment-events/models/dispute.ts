import { model } from "@medusajs/framework/utils"

/**
 * A dispute or chargeback at the gateway, one record per gateway dispute, updated as the
 * gateway reports it (opened, updated, won, lost, closed).
 */
export const PaymentDispute = model
  .define("payment_dispute", {
    id: model.id({ prefix: "pdsp" }).primaryKey(),
    provider_id: model.text(),
    /** The gateway's dispute id (`dp_…`, `PP-D-…`). */
    dispute_id: model.text(),
    session_id: model.text().nullable(),
    payment_id: model.text().nullable(),
    order_id: model.text().nullable(),
    status: model.text(),
    reason: model.text().nullable(),
    /** Exact decimal string in major units ("19.99"). */
    amount: model.text(),
    currency_code: model.text(),
    evidence_due_by: model.dateTime().nullable(),
    opened_at: model.dateTime().nullable(),
    closed_at: model.dateTime().nullable(),
    /** The last gateway event that changed it. */
    last_event_id: model.text().nullable(),
  })
  .indexes([{ on: ["provider_id", "dispute_id"], unique: true }, { on: ["payment_id"] }, { on: ["order_id"] }])
