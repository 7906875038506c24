import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { BankTransferProviderService } from "../service"

/** Bank transfer alone (`pp_bank-transfer_<id>`), with the module's options (`{ bankTransfer: {...} }`). */
export default ModuleProvider(Modules.PAYMENT, {
  services: [BankTransferProviderService],
})
