/** How the plugin names a gateway in log lines and the admin ("Stripe", "PayPal"). */
const GATEWAY_NAMES: Record<string, string> = {
  stripe: "Stripe",
  paypal: "PayPal",
  ecpay: "ECPay",
  cod: "Cash on delivery",
  "bank-transfer": "Bank transfer",
}

/** The gateway's name for a provider instance, from its class's static `identifier`. */
export function gatewayLabel(provider: unknown, providerId: string): string {
  const identifier = (provider as { constructor?: { identifier?: unknown } } | undefined)?.constructor?.identifier
  const key = typeof identifier === "string" ? identifier : providerId.replace(/^pp_/, "").split("_")[0]
  return GATEWAY_NAMES[key] ?? key
}
