import { model } from "@medusajs/framework/utils"

/**
 * What the gateway said about a payment the last time it was asked (by the reconciliation
 * job or the admin's "check with the gateway"): the widget compares it with Medusa's own
 * amounts, and the job logs authorizations close to expiry from it.
 */
export const PaymentGatewayState = model
  .define("payment_gateway_state", {
    id: model.id({ prefix: "pgst" }).primaryKey(),
    provider_id: model.text(),
    session_id: model.text(),
    payment_id: model.text().nullable(),
    /** The gateway's status, as a Medusa payment session status. */
    status: model.text(),
    /** The gateway's own word for it ("requires_capture", "COMPLETED"). */
    gateway_status: model.text().nullable(),
    currency_code: model.text().nullable(),
    /** Exact decimal strings in major units. */
    authorized_amount: model.text().nullable(),
    captured_amount: model.text().nullable(),
    refunded_amount: model.text().nullable(),
    authorization_expires_at: model.dateTime().nullable(),
    checked_at: model.dateTime(),
    /** Why the last check could not be made, when it could not. */
    error: model.text().nullable(),
  })
  .indexes([{ on: ["session_id"], unique: true }, { on: ["payment_id"] }])
