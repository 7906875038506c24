import { baseUrl, parseOptions, z } from "../../lib/payments/options"
import { PaymentConfigError } from "../../lib/payments/errors"
import { eligibilityOptionsShape } from "../../lib/payments/eligibility"

/** Stripe's limit for a PaymentIntent `description` (maxLength 1000 in its OpenAPI spec). */
export const STRIPE_DESCRIPTION_MAX = 1000

/**
 * Options of the Stripe provider. The first five are those of `@medusajs/payment-stripe`,
 * so a store can switch by changing only `resolve`.
 */
export const stripeOptionsSchema = z
  .object({
    /**
     * Secret (`sk_...`) or restricted (`rk_...`) API key.
     * @see https://docs.stripe.com/keys
     */
    apiKey: z
      .string({ error: (i) => (i.input === undefined ? "is required but missing" : "must be a string") })
      .trim()
      .min(1, { error: "is required but empty" })
      .refine((k) => !/^pk_/.test(k), {
        error: "is a publishable key (pk_...); Stripe needs the secret key (sk_...) or a restricted key (rk_...) here",
      })
      .refine((k) => /^pk_/.test(k) || /^(sk|rk)_(test|live)_/.test(k), {
        error: "does not look like a Stripe secret key (sk_test_..., sk_live_..., rk_...)",
      }),
    /**
     * Signing secret of the webhook endpoint (`whsec_...`). Required in production.
     * @see https://docs.stripe.com/webhooks#verify-events
     */
    webhookSecret: z
      .string()
      .trim()
      .refine((s) => s.startsWith("whsec_"), { error: "does not look like a Stripe signing secret (whsec_...)" })
      .optional(),
    /**
     * Capture at authorization (`capture_method: automatic`) instead of when the admin captures.
     * @default false
     */
    capture: z.boolean().default(false),
    /**
     * Let Stripe choose the payment methods shown (`automatic_payment_methods.enabled`).
     * @default false
     */
    automaticPaymentMethods: z.boolean().default(false),
    /**
     * Description put on every PaymentIntent (shown in the Stripe dashboard), at most 1000
     * characters.
     * @see https://docs.stripe.com/api/payment_intents/create#create_payment_intent-description
     */
    paymentDescription: z
      .string()
      .trim()
      .min(1)
      .max(STRIPE_DESCRIPTION_MAX, { error: "must be at most 1000 characters (Stripe's limit for a PaymentIntent description)" })
      .optional(),
    /**
     * A payment method configuration (`pmc_...`) managed in the Stripe dashboard.
     * @see https://docs.stripe.com/payments/payment-method-configurations
     */
    paymentMethodConfiguration: z.string().trim().startsWith("pmc_").optional(),
    /**
     * Payment method types that settle asynchronously (SEPA debit, bank transfers...):
     * a `processing` intent of these types lets the order be placed as `pending_authorization`.
     * @default []
     */
    asyncPaymentMethodTypes: z.array(z.string().trim().min(1)).default([]),
    /**
     * Point the client at another base URL: a proxy, a local emulator (stripe-mock).
     * @default "https://api.stripe.com"
     */
    apiBaseUrl: baseUrl().optional(),
    /**
     * Stripe API version. Defaults to the version the installed `stripe` SDK is pinned to,
     * which is what its types describe.
     */
    apiVersion: z.string().trim().min(1).optional(),
    /**
     * Retries of a failed network call by the Stripe SDK, which reuses the idempotency key.
     * The only retry layer for Stripe calls.
     * @default 2
     */
    maxNetworkRetries: z.number().int().min(0).max(5).default(2),
    /** Per-request timeout. @default 30000 */
    timeoutMs: z.number().int().min(1000).max(120_000).default(30_000),
    /**
     * How old a webhook's signed timestamp may be, in seconds (Stripe's own default).
     * @default 300
     */
    webhookToleranceSeconds: z.number().int().min(1).max(3600).default(300),
    // Currencies, countries and amounts the method is offered for (shared by the collection).
    ...eligibilityOptionsShape,
  })
  .passthrough()

export type StripeOptions = z.infer<typeof stripeOptionsSchema>
export type StripeOptionsInput = z.input<typeof stripeOptionsSchema>

export function parseStripeOptions(raw: unknown, env: string | undefined = process.env.NODE_ENV): StripeOptions {
  const options = parseOptions(stripeOptionsSchema, raw, "Stripe")
  if (env === "production" && !options.webhookSecret) {
    throw new PaymentConfigError(
      "Stripe payment provider options are invalid: `webhookSecret`: is required in production, " +
        "otherwise no webhook can be verified and asynchronous payments never complete their orders"
    )
  }
  return options
}
