/**
 * One payment of the collection on an order, as `GET /admin/payments-collection/orders/:id`
 * describes it: the provider's name, the gateway's reference, Medusa's amounts beside the
 * gateway's, every disagreement as a warning, the gateway's events and disputes, and what the
 * admin can do about it (ask the gateway, record money received for an offline payment).
 */
import { ArrowUpRightOnBox, ExclamationCircle } from "@medusajs/icons"
import { Alert, Badge, Button, Copy, Heading, Input, Label, StatusBadge, Text, clx, toast } from "@medusajs/ui"
import { useMutation, useQueryClient } from "@tanstack/react-query"
import { useState, type FormEvent } from "react"
import {
  errorMessage,
  paymentsApi,
  queryKeys,
  type AdminOrderPaymentsView,
  type AdminPaymentView,
  type DisputeEntry,
  type TimelineEntry,
} from "../lib/client"
import {
  deliveries,
  formatDateTime,
  formatDecimal,
  formatMoney,
  groupReference,
  humanize,
  normalizeAmountInput,
  outcomeBadge,
  statusColor,
} from "../lib/format"

interface PaymentCardProps {
  orderId: string
  payment: AdminPaymentView
}

export const PaymentCard = ({ orderId, payment }: PaymentCardProps) => {
  const offline = payment.gateway === "offline"
  const replace = useReplacePayment(orderId)
  const [checked, setChecked] = useState<{ outcome: string; detail: string } | null>(null)

  const check = useMutation({
    mutationFn: () => paymentsApi.reconcile(payment.payment_id),
    onSuccess: ({ result, payment: updated }) => {
      setChecked(result)
      replace(updated)
    },
    onError: (error) => toast.error(errorMessage(error)),
  })

  return (
    <section aria-label={`${payment.label} payment`} className="flex flex-col gap-y-4 px-6 py-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <Heading level="h3">{payment.label}</Heading>
          {payment.mode && (
            <Badge size="2xsmall" color={payment.mode === "live" ? "green" : "orange"}>
              {payment.mode === "live" ? "Live" : "Test mode"}
            </Badge>
          )}
          <StatusBadge color={statusColor(payment.medusa.status)}>{humanize(payment.medusa.status)}</StatusBadge>
        </div>
        {payment.can_check && (
          <Button size="small" variant="secondary" isLoading={check.isPending} onClick={() => check.mutate()}>
            Check with the gateway
          </Button>
        )}
      </div>

      {payment.reference && <Reference payment={payment} />}
      {!payment.reference && payment.dashboard_url && <DashboardLink url={payment.dashboard_url} gateway={payment.gateway} />}

      {checked && (
        <Alert role="status" variant={checked.outcome === "checked" ? "info" : "warning"} dismissible>
          <span className="font-medium">{CHECK_SUMMARY[checked.outcome] ?? `${humanize(checked.outcome)}.`}</span> {sentence(checked.detail)}
        </Alert>
      )}

      <Amounts payment={payment} offline={offline} />

      {payment.mismatches.map((mismatch) => (
        <Alert key={mismatch} variant="warning">
          {mismatch}
        </Alert>
      ))}
      {payment.authorization_expiring && (
        <Alert variant="warning">
          The authorization {authorizationLapse(payment)} and nothing is captured yet: capture it now or the money is released.
        </Alert>
      )}
      {payment.gateway_state?.error && (
        <Alert variant="warning">The last check with the gateway failed: {payment.gateway_state.error}</Alert>
      )}

      {offline && payment.capturable && !payment.medusa.canceled_at && <ReceiptForm orderId={orderId} payment={payment} />}

      {payment.disputes.length > 0 && <Disputes disputes={payment.disputes} />}
      {(payment.events.length > 0 || !offline) && <Timeline events={payment.events} />}
    </section>
  )
}

/** What the reconcile route's `result.outcome` means, as the first words of its alert. */
const CHECK_SUMMARY: Record<string, string> = {
  checked: "Checked with the gateway.",
  unavailable: "The gateway could not be asked.",
  skipped: "Nothing to check.",
}

/** The route's detail ("gateway reports captured; Medusa is in line") as a sentence. */
function sentence(detail: string): string {
  const text = detail.trim()
  if (!text) return ""
  return `${text[0].toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`
}

/** Put the route's fresh view of one payment into the order's view, and refresh the dashboard's own order. */
function useReplacePayment(orderId: string) {
  const queryClient = useQueryClient()
  return (updated: AdminPaymentView) => {
    queryClient.setQueryData<AdminOrderPaymentsView>(queryKeys.order(orderId), (view) =>
      view
        ? { ...view, payments: view.payments.map((p) => (p.payment_id === updated.payment_id ? updated : p)) }
        : view
    )
    // Medusa's own payment section of the order page shows captures too.
    void queryClient.invalidateQueries({ queryKey: queryKeys.dashboardOrder(orderId) })
  }
}

function authorizationLapse(payment: AdminPaymentView): string {
  const at = payment.gateway_state?.authorization_expires_at
  if (!at) return "expires soon"
  return new Date(at).getTime() < Date.now() ? `expired on ${formatDateTime(at)}` : `expires on ${formatDateTime(at)}`
}

const Reference = ({ payment }: { payment: AdminPaymentView }) => {
  const reference = payment.reference!
  return (
    <div className="bg-ui-bg-subtle shadow-elevation-card-rest flex flex-wrap items-center justify-between gap-3 rounded-lg px-4 py-3">
      <div className="flex flex-col">
        <Text size="xsmall" className="text-ui-fg-subtle uppercase tracking-wide">
          {reference.label}
        </Text>
        <div className="flex items-center gap-x-2">
          <Text size="xlarge" weight="plus" family="mono" className="text-ui-fg-base break-all">
            {groupReference(reference.value)}
          </Text>
          <Copy content={reference.value} />
        </div>
      </div>
      {payment.dashboard_url && <DashboardLink url={payment.dashboard_url} gateway={payment.gateway} />}
    </div>
  )
}

const DashboardLink = ({ url, gateway }: { url: string; gateway: string }) => (
  <a
    href={url}
    target="_blank"
    rel="noopener noreferrer"
    className="text-ui-fg-interactive hover:text-ui-fg-interactive-hover txt-compact-small-plus inline-flex items-center gap-x-1"
  >
    Open in the {humanize(gateway)} dashboard <ArrowUpRightOnBox />
  </a>
)

/**
 * Medusa's amounts beside the gateway's last answer. An offline payment has no gateway to ask:
 * its column shows only when something was recorded for it, and the rest still to receive shows.
 */
const Amounts = ({ payment, offline }: { payment: AdminPaymentView; offline: boolean }) => {
  const currency = payment.currency_code
  const state = payment.gateway_state
  const showGateway = !offline || !!state
  const gateway = (value: string | null | undefined) => (state ? formatMoney(value ?? null, state.currency_code ?? currency) : "—")
  const rows: Array<{ label: string; medusa: string; gateway: string }> = [
    {
      label: "Status",
      medusa: humanize(payment.medusa.status),
      gateway: state ? `${humanize(state.status)}${state.gateway_status ? ` (${state.gateway_status})` : ""}` : "Not checked yet",
    },
    { label: "Amount", medusa: formatMoney(payment.medusa.amount, currency), gateway: gateway(state?.authorized_amount) },
    { label: offline ? "Received" : "Captured", medusa: formatMoney(payment.medusa.captured, currency), gateway: gateway(state?.captured_amount) },
    { label: "Refunded", medusa: formatMoney(payment.medusa.refunded, currency), gateway: gateway(state?.refunded_amount) },
  ]
  if (offline) rows.push({ label: "Still to receive", medusa: formatMoney(payment.capturable ?? "0", currency), gateway: "" })

  return (
    <div role="table" aria-label="Amounts" className="grid grid-cols-[minmax(8rem,1fr)_1fr_1fr] gap-x-4 gap-y-1">
      <div role="row" className="contents">
        <span role="columnheader" />
        <Text role="columnheader" size="small" weight="plus" className="text-ui-fg-subtle">
          In Medusa
        </Text>
        <Text role="columnheader" size="small" weight="plus" className="text-ui-fg-subtle">
          {showGateway ? "At the gateway" : ""}
        </Text>
      </div>
      {rows.map((row) => (
        <div role="row" key={row.label} className="contents">
          <Text role="rowheader" size="small" className="text-ui-fg-subtle">
            {row.label}
          </Text>
          <Text role="cell" size="small" className="tabular-nums">
            {row.medusa}
          </Text>
          <Text role="cell" size="small" className="tabular-nums">
            {showGateway ? row.gateway : ""}
          </Text>
        </div>
      ))}
      {state && (
        <Text size="xsmall" className="text-ui-fg-muted col-span-3 pt-1">
          Last checked with the gateway {formatDateTime(state.checked_at)}
        </Text>
      )}
    </div>
  )
}

const ReceiptForm = ({ orderId, payment }: PaymentCardProps) => {
  const [amount, setAmount] = useState("")
  const [error, setError] = useState<string | null>(null)
  const replace = useReplacePayment(orderId)
  const inputId = `receipt-${payment.payment_id}`

  const record = useMutation({
    mutationFn: (value: string) => paymentsApi.recordReceipt(payment.payment_id, value),
    onSuccess: ({ payment: updated }, value) => {
      setAmount("")
      setError(null)
      replace(updated)
      toast.success(`Recorded ${formatMoney(value, payment.currency_code)} received`)
    },
    onError: (failure) => setError(errorMessage(failure)),
  })

  const submit = (event: FormEvent) => {
    event.preventDefault()
    const value = normalizeAmountInput(amount)
    if (!value) {
      setError("Enter the amount received, such as 8.00")
      return
    }
    record.mutate(value)
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-y-2" aria-label="Record money received">
      <Label htmlFor={inputId} size="small" weight="plus">
        Amount received
      </Label>
      <div className="flex flex-wrap items-center gap-2">
        <div className="w-40">
          <Input
            id={inputId}
            size="small"
            inputMode="decimal"
            placeholder={payment.capturable ? formatDecimal(payment.capturable, payment.currency_code) : ""}
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            aria-invalid={!!error}
            aria-describedby={error ? `${inputId}-error` : undefined}
          />
        </div>
        <Text size="small" className="text-ui-fg-subtle">
          {payment.currency_code.toUpperCase()}
        </Text>
        <Button type="submit" size="small" variant="secondary" isLoading={record.isPending}>
          Record receipt
        </Button>
      </div>
      {error && (
        <Text id={`${inputId}-error`} role="alert" size="small" className="text-ui-fg-error flex items-center gap-x-1">
          <ExclamationCircle /> {error}
        </Text>
      )}
    </form>
  )
}

const Disputes = ({ disputes }: { disputes: DisputeEntry[] }) => (
  <div className="flex flex-col gap-y-2">
    <Heading level="h3">Disputes</Heading>
    <ul aria-label="Disputes" className="flex flex-col gap-y-2">
      {disputes.map((dispute) => {
        const open = dispute.status === "opened" || dispute.status === "updated"
        return (
          <li
            key={dispute.id}
            className={clx(
              "flex flex-col gap-y-1 rounded-lg border px-4 py-3",
              dispute.urgent ? "border-ui-tag-red-border bg-ui-tag-red-bg" : "border-ui-border-base bg-ui-bg-subtle"
            )}
          >
            <div className="flex flex-wrap items-center gap-2">
              <Text size="small" weight="plus" family="mono">
                {dispute.dispute_id}
              </Text>
              <StatusBadge color={open ? "red" : dispute.status === "won" ? "green" : "grey"}>{humanize(dispute.status)}</StatusBadge>
              {dispute.urgent && (
                <Badge size="2xsmall" color="red">
                  Urgent
                </Badge>
              )}
              <Text size="small" className="tabular-nums">
                {formatMoney(dispute.amount, dispute.currency_code)}
              </Text>
            </div>
            {dispute.reason && (
              <Text size="small" className="text-ui-fg-subtle">
                Reason: {humanize(dispute.reason)}
              </Text>
            )}
            {dispute.evidence_due_by && open && (
              <Text size="small" weight="plus" className={dispute.urgent ? "text-ui-fg-error" : "text-ui-fg-base"}>
                Evidence due by {formatDateTime(dispute.evidence_due_by)}
              </Text>
            )}
            {dispute.closed_at && (
              <Text size="small" className="text-ui-fg-subtle">
                Closed {formatDateTime(dispute.closed_at)}
              </Text>
            )}
          </li>
        )
      })}
    </ul>
  </div>
)

const Timeline = ({ events }: { events: TimelineEntry[] }) => (
  <div className="flex flex-col gap-y-2">
    <Heading level="h3">Gateway events</Heading>
    {events.length === 0 ? (
      <Text size="small" className="text-ui-fg-subtle">
        No gateway events recorded yet.
      </Text>
    ) : (
      <ol aria-label="Gateway events" className="border-ui-border-base flex flex-col border-l">
        {events.map((event) => {
          const { label, color } = outcomeBadge(event.outcome)
          return (
            <li key={event.id} className="relative flex flex-col gap-y-0.5 py-2 pl-4">
              <span aria-hidden className="bg-ui-fg-muted absolute -left-[3px] top-3.5 h-1.5 w-1.5 rounded-full" />
              <div className="flex flex-wrap items-center gap-2">
                <Text size="small" weight="plus" family="mono">
                  {event.event_type}
                </Text>
                <StatusBadge color={color}>{label}</StatusBadge>
                <Text size="xsmall" className="text-ui-fg-muted">
                  {formatDateTime(event.occurred_at ?? event.received_at)} · {deliveries(event.deliveries)}
                </Text>
              </div>
              {event.detail && (
                <Text size="small" className="text-ui-fg-subtle">
                  {event.detail}
                </Text>
              )}
            </li>
          )
        })}
      </ol>
    )}
  </div>
)
