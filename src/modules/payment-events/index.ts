import { Module } from "@medusajs/framework/utils"
import PaymentEventsModuleService from "./service"

/** The container key of the plugin's payment-events module (`container.resolve(PAYMENT_EVENTS_MODULE)`). */
export const PAYMENT_EVENTS_MODULE = "paymentsCollectionEvents"

/**
 * Loaded by Medusa with the plugin (a plugin's `src/modules/*` are registered for it); its
 * tables come with `npx medusa db:migrate`.
 */
export default Module(PAYMENT_EVENTS_MODULE, { service: PaymentEventsModuleService })
