import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import EcpayProviderService from "./service"

export default ModuleProvider(Modules.PAYMENT, {
  services: [EcpayProviderService],
})
