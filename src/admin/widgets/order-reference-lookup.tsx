/**
 * Above the order list: find the order a bank transfer pays from the payment reference on the
 * bank statement (an RF creditor reference; spaces and case do not matter).
 */
import { defineWidgetConfig } from "@medusajs/admin-sdk"
import { MagnifyingGlass } from "@medusajs/icons"
import { Button, Container, Heading, Input, Label, Text } from "@medusajs/ui"
import { useMutation } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import { Link } from "react-router-dom"
import { errorMessage, paymentsApi } from "../lib/client"
import { groupReference } from "../lib/format"

const OrderReferenceLookupWidget = () => {
  const [reference, setReference] = useState("")
  const lookup = useMutation({ mutationFn: (value: string) => paymentsApi.findByReference(value) })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const value = reference.trim()
    if (value) lookup.mutate(value)
  }

  const orders = lookup.data?.orders ?? []

  return (
    <Container className="flex flex-col gap-y-3 px-6 py-4">
      <Heading level="h2">Find an order by bank-transfer reference</Heading>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2" role="search" aria-label="Find an order by bank-transfer reference">
        <div className="flex w-full max-w-sm flex-col gap-y-1">
          <Label htmlFor="payments-collection-reference" size="small" weight="plus">
            Payment reference
          </Label>
          <Input
            id="payments-collection-reference"
            size="small"
            placeholder="RF18 5390 0754 7034"
            value={reference}
            onChange={(event) => setReference(event.target.value)}
          />
        </div>
        <Button type="submit" size="small" variant="secondary" isLoading={lookup.isPending}>
          <MagnifyingGlass /> Find order
        </Button>
      </form>
      {lookup.isError && (
        <Text role="alert" size="small" className="text-ui-fg-error">
          {errorMessage(lookup.error)}
        </Text>
      )}
      {lookup.isSuccess && orders.length === 0 && (
        <Text size="small" className="text-ui-fg-subtle">
          No order carries the reference {lookup.variables}.
        </Text>
      )}
      {orders.length > 0 && (
        <ul aria-label="Orders with this reference" className="flex flex-col gap-y-1">
          {orders.map((order) => (
            <li key={`${order.id}-${order.payment_id}`}>
              <Text size="small">
                <Link to={`/orders/${order.id}`} className="text-ui-fg-interactive hover:text-ui-fg-interactive-hover font-medium">
                  Order #{order.display_id ?? order.id}
                </Link>{" "}
                <span className="text-ui-fg-subtle font-mono">{groupReference(order.reference)}</span>
              </Text>
            </li>
          ))}
        </ul>
      )}
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "order.list.before",
  id: "medusa-payments-collection:order-reference-lookup",
})

export default OrderReferenceLookupWidget
