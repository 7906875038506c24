import { baseUrl, parseOptions, requiredString, z } from "../../lib/payments/options"
import { eligibilityOptionsShape } from "../../lib/payments/eligibility"

/**
 * A dynamic descriptor's name as Braintree takes it: a business part of 3, 7 or 12
 * characters, an asterisk, and a product part, 22 characters in all, of letters, digits,
 * spaces and `+ - . ,`.
 * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/sale/node#descriptor.name
 */
const DESCRIPTOR_NAME = /^(?:[A-Za-z0-9+\-., ]{3}\*[A-Za-z0-9+\-., ]{1,18}|[A-Za-z0-9+\-., ]{7}\*[A-Za-z0-9+\-., ]{1,14}|[A-Za-z0-9+\-., ]{12}\*[A-Za-z0-9+\-., ]{1,9})$/

/** A merchant account id as Braintree shows it (Settings → Business → Merchant Accounts). */
const merchantAccountId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,255}$/, { error: "must be a Braintree merchant account id (letters, digits, _ and -)" })

/**
 * Options of the Braintree provider (the official `braintree` SDK).
 * @see https://developer.paypal.com/braintree/docs/start/hello-server/node
 */
export const braintreeOptionsSchema = z
  .object({
    /**
     * The merchant id (Control Panel → Settings → API → Merchant ID).
     * @see https://developer.paypal.com/braintree/articles/control-panel/important-gateway-credentials
     */
    merchantId: requiredString("a Braintree merchant id").pipe(
      z.string().regex(/^[A-Za-z0-9]{1,64}$/, { error: "does not look like a Braintree merchant id (letters and digits)" })
    ),
    /** The public key of the API key pair (Settings → API → API Keys). */
    publicKey: requiredString("a Braintree public key"),
    /** The private key of the same pair. Never logged; it also signs the webhooks Braintree sends. */
    privateKey: requiredString("a Braintree private key"),
    /**
     * Which Braintree the keys belong to: sandbox keys only work with `sandbox`.
     * @default "sandbox"
     */
    environment: z.enum(["sandbox", "production"], { error: 'must be "sandbox" or "production"' }).default("sandbox"),
    /**
     * The merchant account that settles each currency: `{ USD: "acme_usd", EUR: "acme_eur" }`.
     * A Braintree merchant account settles one currency, so a cart in a currency without one
     * is refused at the eligibility step. At least one.
     * @see https://developer.paypal.com/braintree/articles/control-panel/important-gateway-credentials#merchant-account-id
     */
    merchantAccounts: z
      .record(
        z.string().regex(/^[A-Za-z]{3}$/, { error: "keys must be ISO 4217 currency codes (USD)" }).transform((c) => c.toUpperCase()),
        merchantAccountId
      )
      .refine((accounts) => Object.keys(accounts).length > 0, { error: "must name at least one merchant account" }),
    /**
     * `false`: the cart's completion authorizes and the admin captures (submits for
     * settlement) later, within Braintree's authorization period. `true`: the transaction is
     * submitted for settlement when the cart completes.
     * @default false
     */
    capture: z.boolean().default(false),
    /**
     * Refuse a card transaction without a successful 3-D Secure authentication
     * (`options.threeDSecure.required`): the storefront verifies the card with 3-D Secure
     * before it hands over the nonce.
     * @default false
     * @see https://developer.paypal.com/braintree/docs/guides/3d-secure/server-side/node
     */
    threeDSecureRequired: z.boolean().default(false),
    /**
     * Several captures of one authorization (`submitForPartialSettlement`), which Braintree
     * enables per merchant account on request. Without it a capture must be of the whole
     * authorized amount.
     * @default false
     * @see https://developer.paypal.com/braintree/docs/reference/request/transaction/submit-for-partial-settlement/node
     */
    partialSettlement: z.boolean().default(false),
    /** What the buyer's statement says: `{ name: "ACME*SHOP", phone?: "3125551212", url?: "acme.com" }`. */
    descriptor: z
      .object({
        name: z.string().regex(DESCRIPTOR_NAME, { error: "must be a business part of 3, 7 or 12 characters, an asterisk and a product part, 22 characters at most (Braintree's descriptor rule)" }),
        phone: z.string().regex(/^[0-9]{10,14}$/, { error: "must be 10 to 14 digits" }).optional(),
        url: z.string().max(13, { error: "must be at most 13 characters" }).optional(),
      })
      .strict()
      .optional(),
    /**
     * Ask Braintree, when the app boots, for each merchant account: credentials of the wrong
     * environment, an unknown account or one in another currency stop the boot with a message
     * naming the problem (never the key).
     * @default true
     */
    verifyCredentialsAtBoot: z.boolean().default(true),
    /**
     * Another Braintree host (a local sandbox for tests and the demo), as `http(s)://host:port`.
     * Refused with `environment: "production"`: production keys go to Braintree only.
     */
    apiBaseUrl: baseUrl().optional(),
    /** Per-request timeout. @default 30000 */
    timeoutMs: z.number().int().min(1000).max(120_000).default(30_000),
    /**
     * How old a notification's signed timestamp may be, in seconds. Braintree delivers a
     * notification again when the store did not answer it, keeping its timestamp, so this is
     * wide; an older one is refused and the reconciliation catches up.
     * @default 86400
     */
    webhookToleranceSeconds: z.number().int().min(60).max(7 * 86400).default(86400),
    // Currencies, countries and amounts the method is offered for (shared by the collection).
    ...eligibilityOptionsShape,
  })
  .passthrough()
  .superRefine((options, ctx) => {
    // Worded without the environment's value: parseOptions hides every option value a message echoes.
    if (options.apiBaseUrl && options.environment === "production") {
      ctx.addIssue({ code: "custom", path: ["apiBaseUrl"], message: 'is for a test server and needs `environment` "sandbox": live keys go to Braintree only' })
    }
  })

export type BraintreeOptions = z.infer<typeof braintreeOptionsSchema>

export function parseBraintreeOptions(raw: unknown): BraintreeOptions {
  return parseOptions(braintreeOptionsSchema, raw, "Braintree")
}
