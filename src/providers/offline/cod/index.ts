import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { CodProviderService } from "../service"

/** Cash on delivery alone (`pp_cod_<id>`), with the module's options (`{ cod: {...} }`). */
export default ModuleProvider(Modules.PAYMENT, {
  services: [CodProviderService],
})
