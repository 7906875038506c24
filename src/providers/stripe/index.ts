import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import StripeProviderService from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [StripeProviderService],
})
