import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import BraintreeProviderService from "./service"

/** What a store registers as `medusa-payments-collection/providers/braintree`. */
export default ModuleProvider(Modules.PAYMENT, {
  services: [BraintreeProviderService],
})
