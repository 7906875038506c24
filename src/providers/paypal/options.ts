import { baseUrl, parseOptions, requiredString, z } from "../../lib/payments/options"
import { PaymentConfigError } from "../../lib/payments/errors"
import { eligibilityOptionsShape } from "../../lib/payments/eligibility"
import { PAYPAL_CURRENCIES } from "./money"
import type { PaypalEnvironment } from "./types"
import { pemCertificates, trustAnchorProblem } from "./webhook"

/** PayPal's REST hosts per environment. @see https://developer.paypal.com/api/rest/requests/ */
export const PAYPAL_API_BASE_URLS: Readonly<Record<PaypalEnvironment, string>> = Object.freeze({
  sandbox: "https://api-m.sandbox.paypal.com",
  live: "https://api-m.paypal.com",
})

/** An absolute http(s) URL the buyer is sent back to. */
const redirectUrl = () =>
  z
    .string()
    .trim()
    .url({ error: "must be an absolute URL" })
    .refine((u) => /^https?:\/\//.test(u), { error: "must start with http:// or https://" })

/**
 * Options of the PayPal provider (Orders v2 and Payments v2 over REST).
 * @see https://developer.paypal.com/docs/api/orders/v2/
 */
export const paypalOptionsSchema = z
  .object({
    /**
     * Client id of the REST app (Developer Dashboard → Apps & Credentials).
     * @see https://developer.paypal.com/api/rest/#link-getclientidandclientsecret
     */
    clientId: requiredString("a string"),
    /** Secret of the same REST app. Never logged, never sent anywhere but PayPal's token endpoint. */
    clientSecret: requiredString("a string"),
    /**
     * Which PayPal the credentials belong to. Sandbox credentials only work with `sandbox`
     * and live credentials only with `live`.
     * @default "sandbox"
     */
    environment: z.enum(["sandbox", "live"], { error: 'must be "sandbox" or "live"' }).default("sandbox"),
    /**
     * Id of the webhook created for `https://<your-server>/hooks/payment/paypal_paypal`
     * (Developer Dashboard → your app → Webhooks). Every notification is verified against
     * it; without it every notification is ignored. Required in production.
     * @see https://developer.paypal.com/api/rest/webhooks/rest/
     */
    webhookId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{1,50}$/, { error: "does not look like a PayPal webhook id (letters and digits, e.g. 1JE4291016473214C)" })
      .optional(),
    /**
     * `authorize`: the buyer's approval authorizes the order when the cart completes and
     * the admin captures later (within PayPal's 29-day authorization). `capture`: the order
     * is captured when the cart completes.
     * @default "authorize"
     */
    intent: z.enum(["authorize", "capture"], { error: 'must be "authorize" or "capture"' }).default("authorize"),
    /**
     * Business name shown on PayPal's pages instead of the account's (`brand_name`, 1 to 127
     * characters in Orders v2's experience context).
     */
    brandName: z.string().trim().min(1).max(127, { error: "must be at most 127 characters (PayPal's limit for brand_name)" }).optional(),
    /**
     * Which PayPal page the buyer lands on: `LOGIN`, `GUEST_CHECKOUT` (card form) or
     * `NO_PREFERENCE`.
     * @default PayPal's own, NO_PREFERENCE
     */
    landingPage: z.enum(["LOGIN", "GUEST_CHECKOUT", "NO_PREFERENCE"]).optional(),
    /**
     * The button on PayPal's review page: `PAY_NOW` when the cart completes right after
     * approval, `CONTINUE` when the storefront shows its own review step.
     * @default "PAY_NOW"
     */
    userAction: z.enum(["PAY_NOW", "CONTINUE"]).default("PAY_NOW"),
    /**
     * Whether PayPal asks the buyer for a shipping address. The store collects the address
     * itself, so PayPal's is not asked for by default (`NO_SHIPPING`); `GET_FROM_FILE` lets
     * the buyer pick one of their PayPal addresses (which Medusa does not read).
     * @default "NO_SHIPPING"
     */
    shippingPreference: z.enum(["GET_FROM_FILE", "NO_SHIPPING", "SET_PROVIDED_ADDRESS"]).default("NO_SHIPPING"),
    /** Language of PayPal's pages (BCP 47, e.g. `de-DE`). @default the buyer's browser language */
    locale: z
      .string()
      .trim()
      .regex(/^[a-z]{2}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$/, { error: "must be a locale such as en-US or de-DE" })
      .optional(),
    /**
     * Where PayPal sends the buyer after approving, for the redirect flow (the JS SDK
     * buttons do not need it). A session can override it with `data.return_url`.
     */
    returnUrl: redirectUrl().optional(),
    /** Where PayPal sends the buyer who cancels, for the redirect flow. Overridable with `data.cancel_url`. */
    cancelUrl: redirectUrl().optional(),
    /**
     * How notifications are verified before anything is done with them:
     * - `local` (default): the signature is checked here with PayPal's certificate,
     *   downloaded over HTTPS from PayPal's own host only;
     * - `api`: PayPal's verify-webhook-signature endpoint is asked for each notification.
     * @default "local"
     */
    webhookVerification: z.enum(["local", "api"]).default("local"),
    /**
     * How far a notification's transmission time may be from now, in seconds; older (or
     * future) ones are refused as replays.
     * @default 300
     */
    webhookToleranceSeconds: z.number().int().min(30).max(86_400).default(300),
    /**
     * TESTS ONLY, refused when `NODE_ENV=production`: the root certificates (PEM; one string
     * may hold several) PayPal's webhook certificate must chain to, used instead of Node's
     * bundled Mozilla roots (`tls.rootCertificates`), so tests can sign notifications with a
     * chain of their own. Each must be a CA certificate.
     * @default Node's bundled Mozilla roots (never the system store or `NODE_EXTRA_CA_CERTS`)
     * @see https://developer.paypal.com/api/rest/webhooks/rest/#link-selfverificationmethod
     */
    webhookCertificateRoots: z
      .array(z.string({ error: "must be a list of PEM certificates" }), { error: "must be a list of PEM certificates" })
      .min(1, { error: "must hold at least one certificate" })
      .transform((pems, ctx) => {
        const roots: string[] = []
        pems.forEach((pem, index) => {
          const blocks = pemCertificates(pem)
          if (!blocks.length) {
            ctx.addIssue({ code: "custom", path: [index], message: "holds no PEM certificate" })
          }
          for (const block of blocks) {
            const problem = trustAnchorProblem(block)
            if (problem) {
              ctx.addIssue({ code: "custom", path: [index], message: problem })
            } else {
              roots.push(block)
            }
          }
        })
        return roots
      })
      .optional(),
    /**
     * Ask PayPal for a token when the app boots, so credentials of the wrong environment
     * (live credentials with `environment: sandbox`, or the reverse) or a typo stop the app
     * with a clear message. PayPal being unreachable at boot is only a warning.
     * @default true
     */
    verifyCredentialsAtBoot: z.boolean().default(true),
    /**
     * Another base URL for the REST API: a proxy or a local emulator. Defaults to
     * PayPal's host for `environment`.
     */
    apiBaseUrl: baseUrl().optional(),
    /** Per-request timeout. @default 30000 */
    timeoutMs: z.number().int().min(1000).max(120_000).default(30_000),
    /**
     * Further attempts after a network error, 429 or 5xx, with the same PayPal-Request-Id.
     * The only retry layer for PayPal calls.
     * @default 2
     */
    maxRetries: z.number().int().min(0).max(5).default(2),
    // Currencies, countries and amounts the method is offered for (shared by the collection).
    ...eligibilityOptionsShape,
  })
  .passthrough()

export type PaypalOptions = z.infer<typeof paypalOptionsSchema>
export type PaypalOptionsInput = z.input<typeof paypalOptionsSchema>

/** The REST base URL the options point at. */
export function paypalBaseUrl(options: Pick<PaypalOptions, "environment" | "apiBaseUrl">): string {
  return options.apiBaseUrl ?? PAYPAL_API_BASE_URLS[options.environment]
}

export function parsePaypalOptions(raw: unknown, env: string | undefined = process.env.NODE_ENV): PaypalOptions {
  const options = parseOptions(paypalOptionsSchema, raw, "PayPal")
  if (env === "production" && !options.webhookId) {
    throw new PaymentConfigError(
      "PayPal payment provider options are invalid: `webhookId`: is required in production, " +
        "otherwise no notification can be verified and approvals the shopper never returned from are lost"
    )
  }
  if (env === "production" && options.webhookCertificateRoots) {
    throw new PaymentConfigError(
      "PayPal payment provider options are invalid: `webhookCertificateRoots`: is for tests only and is refused in production, " +
        "where PayPal's webhook certificate must chain to Node's bundled Mozilla roots"
    )
  }
  const mismatch = environmentMismatch(options)
  if (mismatch) {
    throw new PaymentConfigError(`PayPal payment provider options are invalid: ${mismatch}`)
  }
  const unsupported = (options.allowedCurrencies ?? []).filter((c) => !PAYPAL_CURRENCIES.includes(c))
  if (unsupported.length) {
    throw new PaymentConfigError(
      `PayPal payment provider options are invalid: \`allowedCurrencies\`: PayPal does not accept ${unsupported.join(", ")} ` +
        `(https://developer.paypal.com/docs/api/reference/currency-codes/)`
    )
  }
  return options
}

/**
 * A base URL of PayPal's other environment: the one mix-up visible without calling PayPal.
 * Credentials of the wrong environment show up when PayPal refuses them (see the boot check).
 */
function environmentMismatch(options: PaypalOptions): string | undefined {
  if (!options.apiBaseUrl) return undefined
  const host = new URL(options.apiBaseUrl).hostname
  const sandboxHost = /(^|\.)sandbox\.paypal\.com$/.test(host)
  const liveHost = !sandboxHost && /(^|\.)paypal\.com$/.test(host)
  if (options.environment === "live" && sandboxHost) {
    return "`apiBaseUrl`: points at PayPal's sandbox while `environment` is live"
  }
  if (options.environment === "sandbox" && liveHost) {
    return "`apiBaseUrl`: points at PayPal's live API while `environment` is sandbox"
  }
  return undefined
}
