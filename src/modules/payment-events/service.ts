import { MedusaService } from "@medusajs/framework/utils"
import { PaymentDispute } from "./models/dispute"
import { PaymentGatewayEvent } from "./models/gateway-event"
import { PaymentGatewayState } from "./models/gateway-state"

/**
 * The plugin's own records beside Medusa's Payment Module: the gateway events received
 * (idempotency and the admin's timeline), disputes, and the gateway's last known state of
 * each payment. Medusa generates the CRUD methods (`createPaymentGatewayEvents`,
 * `listPaymentDisputes`, …).
 */
export default class PaymentEventsModuleService extends MedusaService({
  PaymentGatewayEvent,
  PaymentDispute,
  PaymentGatewayState,
}) {}
