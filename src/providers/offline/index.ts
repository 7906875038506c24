import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { BankTransferProviderService, CodProviderService } from "./service"

/**
 * Both offline methods with one registration: `pp_cod_<id>` and `pp_bank-transfer_<id>`.
 * Options: `{ cod: {...}, bankTransfer: {...} }` (bank transfer's section is required).
 * To offer only one method, register `./cod` or `./bank-transfer` instead.
 */
export default ModuleProvider(Modules.PAYMENT, {
  services: [CodProviderService, BankTransferProviderService],
})
