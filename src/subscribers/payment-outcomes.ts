import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { PaymentWebhookEvents } from "@medusajs/framework/utils"
import { paymentProviderOf } from "../lib/payments/hosted/sessions"
import { processOutcome } from "../lib/payments/outcomes/process"
import { isGatewayEventSource, type GatewayWebhookPayload } from "../lib/payments/outcomes/types"
import { redactText } from "../lib/payments/redact"
import { gatewayLabel } from "../runtime/labels"
import { outcomeDependencies } from "../runtime/outcomes"

/**
 * The outcomes Medusa's own `payment-webhook` subscriber drops, for deliveries that reached
 * Medusa's event (`payment.webhook_received`) rather than the plugin's webhook route (which
 * serves `/hooks/payment/:provider` for the collection's providers and acts on everything
 * itself): a decline, a cancellation, a refund or a dispute made at the gateway. The
 * `authorized` and `captured` outcomes of the same event are left to Medusa's subscriber and
 * recorded on the timeline.
 *
 * A processing that fails throws, so the event bus attempts it again (as many times as the
 * emitter asked); what still fails is caught by the reconciliation job.
 */
export default async function paymentOutcomesHandler({
  event,
  container,
}: SubscriberArgs<{ provider: string; payload: GatewayWebhookPayload }>): Promise<void> {
  const providerId = `pp_${event.data?.provider ?? ""}`
  let provider: unknown
  try {
    provider = paymentProviderOf(container, providerId)
  } catch {
    return
  }
  if (!isGatewayEventSource(provider)) return
  const deps = outcomeDependencies(container)
  const label = gatewayLabel(provider, providerId)
  const verdict = await provider.readGatewayEvent(event.data.payload)
  if (!verdict.verified) {
    deps.logger.warn(redactText(`${label} webhook event: refused a delivery for ${providerId}: ${verdict.reason}`))
    return
  }
  const result = await processOutcome(deps, { providerId, outcome: verdict.outcome, source: "medusa_webhook", label })
  if (result.retry) throw new Error(`${label} event ${verdict.outcome.event_id} could not be processed yet: ${result.detail}`)
}

export const config: SubscriberConfig = {
  event: PaymentWebhookEvents.WebhookReceived,
  context: { subscriberId: "payments-collection-outcomes" },
}
