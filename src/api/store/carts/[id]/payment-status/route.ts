import type { MedusaResponse, MedusaStoreRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { CartNotFoundError, refreshPaymentStatus } from "../../../../../lib/payments/hosted"

/**
 * `GET /store/carts/:id/payment-status[?session_id=payses_...]`: what the return page of a
 * hosted payment page polls. Like every store route it needs the publishable key.
 *
 * It answers the cart's payment status (`paid`, `pending`, `failed`, `canceled`...) and
 * the order id once there is one. While the session is pending it asks the provider
 * (`getPaymentStatus`, at most every 10 seconds per session) and, when the gateway reports
 * the payment settled, lets Medusa's payment processing authorize it and place the order,
 * once. It never returns the session's data.
 */
export const GET = async (req: MedusaStoreRequest, res: MedusaResponse): Promise<void> => {
  const cartId = String(req.params.id ?? "")
  const sessionId = typeof req.query.session_id === "string" && req.query.session_id ? req.query.session_id : undefined
  if (!/^cart_[A-Za-z0-9]+$/.test(cartId) || (sessionId !== undefined && !/^payses_[A-Za-z0-9]+$/.test(sessionId))) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, "Cart or payment session not found")
  }
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const status = await refreshPaymentStatus(req.scope, cartId, sessionId, { logger })
    res.json({ payment_status: status })
  } catch (error) {
    if (error instanceof CartNotFoundError) {
      throw new MedusaError(MedusaError.Types.NOT_FOUND, "Cart or payment session not found")
    }
    throw error
  }
}
