/**
 * On the order page, below Medusa's own sections: each payment of the collection on the order,
 * what its gateway says about it, and what the admin can do (see `PaymentCard`). Renders
 * nothing for an order without a payment of the collection.
 */
import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Alert, Container, Heading, Text } from "@medusajs/ui"
import { useQuery } from "@tanstack/react-query"
import { PaymentCard } from "../components/payment-card"
import { errorMessage, paymentsApi, queryKeys } from "../lib/client"

const OrderPaymentsWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const { data, error, isPending } = useQuery({
    queryKey: queryKeys.order(order.id),
    queryFn: () => paymentsApi.order(order.id),
  })

  if (isPending) return null
  if (error) {
    return (
      <Container className="px-6 py-4">
        <Alert variant="error">The payment details could not be loaded: {errorMessage(error)}</Alert>
      </Container>
    )
  }
  if (!data?.payments.length) return null

  return (
    <Container className="divide-y p-0">
      <div className="flex flex-col px-6 py-4">
        <Heading level="h2">Payment details</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          What each payment method and its gateway say about this order&apos;s payments
        </Text>
      </div>
      {data.payments.map((payment) => (
        <PaymentCard key={payment.payment_id} orderId={order.id} payment={payment} />
      ))}
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "order.details.after",
  id: "medusa-payments-collection:order-payments",
})

export default OrderPaymentsWidget
