/**
 * On a region's page: the region's payment providers of the collection under their own names
 * ("Bank transfer", "Card payment (Stripe)"), where Medusa's own section shows ids turned into
 * words ("Bank-transfer (OFFLINE)").
 */
import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminRegion, DetailWidgetProps } from "@medusajs/framework/types"
import { Badge, Container, Heading, Text } from "@medusajs/ui"
import { useQuery } from "@tanstack/react-query"
import { paymentsApi, queryKeys } from "../lib/client"

const RegionPaymentProvidersWidget = ({ data: region }: DetailWidgetProps<AdminRegion>) => {
  const providers = useQuery({ queryKey: queryKeys.providers, queryFn: () => paymentsApi.providers() })
  const enabled = useQuery({ queryKey: queryKeys.region(region.id), queryFn: () => paymentsApi.regionProviders(region.id) })

  if (!providers.data || !enabled.data) return null
  const labels = new Map(providers.data.providers.map((provider) => [provider.id, provider]))
  const ours = (enabled.data.region.payment_providers ?? []).filter((provider) => labels.has(provider.id))
  if (!ours.length) return null

  return (
    <Container className="divide-y p-0">
      <div className="flex flex-col px-6 py-4">
        <Heading level="h2">Payment methods of the Payments Collection</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          What shoppers in {region.name} can pay with, as the plugin names them
        </Text>
      </div>
      <ul aria-label="Payment methods of the Payments Collection" className="flex flex-col">
        {ours.map((provider) => (
          <li key={provider.id} className="flex items-center justify-between gap-x-4 px-6 py-3">
            <Text size="small" weight="plus">
              {labels.get(provider.id)!.label}
            </Text>
            <div className="flex items-center gap-x-2">
              {provider.is_enabled === false && (
                <Badge size="2xsmall" color="orange">
                  Disabled
                </Badge>
              )}
              <Text size="xsmall" family="mono" className="text-ui-fg-muted">
                {provider.id}
              </Text>
            </div>
          </li>
        ))}
      </ul>
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "region.details.after",
  id: "medusa-payments-collection:region-payment-providers",
})

export default RegionPaymentProvidersWidget
