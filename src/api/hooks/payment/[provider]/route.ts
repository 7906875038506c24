import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules, PaymentWebhookEvents } from "@medusajs/framework/utils"
import { paymentProviderOf } from "../../../../lib/payments/hosted/sessions"
import { receiveGatewayEvent } from "../../../../lib/payments/outcomes/receive"
import { isGatewayEventSource } from "../../../../lib/payments/outcomes/types"
import { gatewayLabel } from "../../../../runtime/labels"
import { outcomeDependencies } from "../../../../runtime/outcomes"

/**
 * `POST /hooks/payment/:provider`, the webhook URL Medusa documents
 * (`/hooks/payment/<identifier>_<id>`), served by the plugin for its own providers.
 *
 * Medusa's route answers 200 before anything is verified, and its subscriber acts on
 * `authorized` and `captured` only, three attempts at most: a failed processing is lost,
 * because the gateway has its 200. For a provider of the collection this route verifies the
 * delivery first (401 for a forged one), processes every outcome (a decline, a cancellation,
 * a refund or a dispute made at the gateway, and the payments that complete a cart), and
 * answers 500 when processing failed, so the gateway delivers it again.
 *
 * Medusa 2.21 loads a plugin's routes after its own and a later route with the same path
 * replaces the earlier one (`RoutesLoader`); the HTTP tests check that this one answers. For
 * any other provider (one not of the collection) it does exactly what Medusa's route does:
 * it emits `payment.webhook_received` for Medusa's subscriber, delayed, and answers 200.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse): Promise<void> => {
  const provider = String(req.params.provider ?? "")
  const providerId = `pp_${provider}`
  let instance: unknown
  try {
    instance = paymentProviderOf(req.scope, providerId)
  } catch {
    instance = undefined
  }
  const payload = {
    data: (req.body ?? {}) as Record<string, unknown>,
    rawData: (req as MedusaRequest & { rawBody?: Buffer }).rawBody ?? "",
    headers: req.headers as Record<string, unknown>,
  }
  if (!isGatewayEventSource(instance)) {
    await asMedusaDoes(req, res, provider, payload)
    return
  }
  const answer = await receiveGatewayEvent(outcomeDependencies(req.scope), instance, providerId, payload, {
    label: gatewayLabel(instance, providerId),
  })
  res.status(answer.status).json(answer.body)
}

/** Medusa's own route, for a provider that is not of the collection. */
async function asMedusaDoes(req: MedusaRequest, res: MedusaResponse, provider: string, payload: Record<string, unknown>) {
  try {
    const options = ((req.scope.resolve(Modules.PAYMENT) as unknown as { options?: Record<string, number> }).options ?? {}) as Record<string, number>
    const eventBus = req.scope.resolve(Modules.EVENT_BUS)
    await eventBus.emit(
      { name: PaymentWebhookEvents.WebhookReceived, data: { provider, payload } },
      { delay: options.webhook_delay || 5000, attempts: options.webhook_retries || 3 }
    )
  } catch (error) {
    res.status(400).send(`Webhook Error: ${error instanceof Error ? error.message : String(error)}`)
    return
  }
  res.sendStatus(200)
}
