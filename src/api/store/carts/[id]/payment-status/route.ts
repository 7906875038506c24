import type { MedusaResponse, MedusaStoreRequest } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, MedusaError } from "@medusajs/framework/utils"
import { processPaymentWorkflow } from "@medusajs/medusa/core-flows"
import { paymentProviders, querySessionReader } from "../../../../../lib/payments/hosted/sessions"
import { CartNotFoundError, refreshPaymentStatus } from "../../../../../lib/payments/hosted/status"
import { statusThrottle } from "../../../../../runtime/status-throttle"

/**
 * `GET /store/carts/:id/payment-status[?session_id=payses_...]`: what the return page of a
 * hosted payment page polls. Like every store route it needs the publishable key.
 *
 * It answers what the cart's payment really is (`ReturnPageStatus` in `lib/payments/hosted/status.ts`)
 * with the amounts as exact decimal strings and the order id once there is one. Before an
 * order: `none`, `pending`, `requires_more`, `failed` or `canceled`, from the session; while
 * it is pending the route asks the provider (`getPaymentStatus`, at most every 10 seconds per
 * session) and, when the gateway reports the payment settled, lets Medusa's payment
 * processing authorize it and place the order, once. Once Medusa records a payment:
 * `awaiting_payment` (an offline method's order, nothing received), `authorized`,
 * `partially_captured`, `captured`, `partially_refunded`, `refunded` or `canceled`, from the
 * payment's captures and refunds and the order's status, without asking the gateway. It
 * never returns the session's (or the payment's) data.
 */
export const GET = async (req: MedusaStoreRequest, res: MedusaResponse): Promise<void> => {
  const cartId = String(req.params.id ?? "")
  const sessionId = typeof req.query.session_id === "string" && req.query.session_id ? req.query.session_id : undefined
  if (!/^cart_[A-Za-z0-9]+$/.test(cartId) || (sessionId !== undefined && !/^payses_[A-Za-z0-9]+$/.test(sessionId))) {
    throw new MedusaError(MedusaError.Types.NOT_FOUND, "Cart or payment session not found")
  }
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const status = await refreshPaymentStatus(
      {
        sessions: querySessionReader(req.scope),
        providers: paymentProviders(req.scope),
        runPaymentWorkflow: (input) => processPaymentWorkflow(req.scope).run({ input }),
        logger,
        // One gateway query per session per interval across every server instance.
        throttle: statusThrottle(req.scope),
      },
      cartId,
      sessionId
    )
    res.json({ payment_status: status })
  } catch (error) {
    if (error instanceof CartNotFoundError) {
      throw new MedusaError(MedusaError.Types.NOT_FOUND, "Cart or payment session not found")
    }
    throw error
  }
}
