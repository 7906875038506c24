import { baseUrl, parseOptions, requiredString, z } from "../../lib/payments/options"
import { PaymentConfigError } from "../../lib/payments/errors"
import { eligibilityOptionsShape } from "../../lib/payments/eligibility"

/**
 * Payment methods of ECPay's all-in-one checkout (`ChoosePayment`, `IgnorePayment`).
 * @see https://developers.ecpay.com.tw/?p=2864 (AioCheckOut/V5 with ChoosePayment=ALL and IgnorePayment)
 */
export const ECPAY_PAYMENT_METHODS = ["Credit", "WebATM", "ATM", "CVS", "BARCODE", "ApplePay", "TWQR", "BNPL"] as const
export type EcpayPaymentMethod = (typeof ECPAY_PAYMENT_METHODS)[number]

/**
 * ECPay's public stage credentials, published in its documentation and SDKs for anyone
 * to test with (the CheckMacValue example at https://developers.ecpay.com.tw/?p=2902, the
 * official PHP SDK's examples and `src/Traits/StageInfo.php`): never a production merchant's.
 */
const PUBLIC_STAGE_MERCHANTS = new Set(["3002607", "3002599", "2000132", "2000214", "2000933"])
const PUBLIC_STAGE_HASH_KEYS = new Set(["pwFHCqoQZGmho4w6", "5294y06JbISpM5x9"])

/** Options of the ECPay all-in-one (AIO) provider. */
export const ecpayOptionsSchema = z
  .object({
    /**
     * ECPay merchant id (特店編號, `MerchantID`), up to 10 digits (usually 7).
     * @see https://developers.ecpay.com.tw/?p=38428
     */
    merchantId: requiredString("ECPay's numeric MerchantID").regex(/^\d{1,10}$/, {
      error: "must be ECPay's numeric MerchantID (up to 10 digits)",
    }),
    /** `HashKey` from the ECPay merchant back office (系統開發管理 → 系統介接設定). Secret. */
    hashKey: requiredString("a string"),
    /** `HashIV` from the ECPay merchant back office. Secret. */
    hashIv: requiredString("a string"),
    /**
     * `stage` (payment-stage.ecpay.com.tw, test cards, simulated payments) or `production`.
     * @default "stage"
     */
    environment: z.enum(["stage", "production"]).default("stage"),
    /**
     * Payment methods offered on ECPay's page. `["ALL"]` offers every method enabled for
     * the merchant; a list offers those only (the others are sent as `IgnorePayment`).
     * @default ["ALL"]
     */
    paymentTypes: z
      .array(z.enum(["ALL", ...ECPAY_PAYMENT_METHODS]))
      .min(1)
      .refine((types) => !types.includes("ALL") || types.length === 1, {
        error: 'must be ["ALL"] or a list of methods without "ALL"',
      })
      .refine((types) => new Set(types).size === types.length, { error: "must not repeat a method" })
      .default(["ALL"]),
    /**
     * What ECPay shows as the purchased goods (`ItemName`, 400 bytes at most). `{reference}`
     * is replaced by the order number of the attempt, `{amount}` by the amount in TWD.
     * @default "Order {reference}"
     */
    itemName: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .refine((v) => !v.includes("#"), { error: "must not contain '#', which ECPay reads as an item separator" })
      .default("Order {reference}"),
    /**
     * `TradeDesc` (200 characters at most).
     * @default "Online order"
     */
    tradeDescription: z.string().trim().min(1).max(200).default("Online order"),
    /**
     * Public base URL of this Medusa server, as ECPay's servers reach it. ECPay posts its
     * payment notifications to `<publicUrl>/hooks/ecpay/<id>` (`ReturnURL`).
     * @example "https://api.shop.example.com"
     */
    publicUrl: baseUrl(),
    /**
     * The notification URL in full, when it is not `<publicUrl>/hooks/ecpay/ecpay` (a provider
     * registered with another `id`, a proxy path).
     */
    notificationUrl: baseUrl().optional(),
    /**
     * The storefront page ECPay's "back to the store" button leads to (`ClientBackURL`),
     * usually the return page that polls `GET /store/carts/:id/payment-status`.
     * `{session_id}` is replaced by the payment session id.
     */
    returnUrl: baseUrl().optional(),
    /**
     * A storefront URL ECPay redirects the shopper's browser to right after paying, with the
     * (signed) result posted as a form (`OrderResultURL`). It never marks anything paid.
     */
    orderResultUrl: baseUrl().optional(),
    /**
     * `automatic` (ECPay's default, 每日自動關帳): a paid card payment is settled by ECPay's
     * daily close, so Medusa records it as captured. `manual`: the daily close is switched
     * off in the ECPay back office, a paid card payment is authorized and the admin's
     * capture closes it (`DoAction` `C`); other methods are settled when paid either way.
     * @default "automatic"
     * @see https://developers.ecpay.com.tw/?p=9242
     */
    capture: z.enum(["automatic", "manual"]).default("automatic"),
    /**
     * How far a notification's `PaymentDate` may lie from now, in seconds, for the
     * notification alone to be trusted. An older one is not dropped: the payment is then
     * confirmed by asking ECPay (`QueryTradeInfo`).
     * @default 1800
     */
    notificationToleranceSeconds: z.number().int().min(60).max(7 * 24 * 3600).default(1800),
    /**
     * The merchant's check code (商家檢查碼, in the ECPay back office under 信用卡收單 →
     * 信用卡授權資訊), which ECPay's card detail query (`CreditDetail/QueryTrade/V2`) needs:
     * without it the refunds made in the back office cannot be listed for reconciliation.
     * Production only, as the query is. Kept out of logs.
     * @see https://developers.ecpay.com.tw/?p=2894
     */
    creditCheckCode: z.string().trim().regex(/^\d{1,20}$/, { error: "must be ECPay's numeric CreditCheckCode" }).optional(),
    /**
     * Letters and digits put in front of every `MerchantTradeNo` (0 to 6), to tell this
     * store's orders apart when one ECPay account serves several.
     * @default ""
     */
    tradeNoPrefix: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{0,6}$/, { error: "must be at most 6 letters or digits" })
      .transform((v) => v.toUpperCase())
      .default(""),
    /**
     * Another base URL for ECPay's payment API (a proxy). The default follows `environment`.
     * @default "https://payment-stage.ecpay.com.tw" or "https://payment.ecpay.com.tw"
     */
    apiBaseUrl: baseUrl().optional(),
    /** Per-request timeout. @default 30000 */
    timeoutMs: z.number().int().min(1000).max(120_000).default(30_000),
    /**
     * Further attempts of a status query after a network error or a 5xx answer. Money-moving
     * calls (`DoAction`) are never retried: ECPay has no idempotency key.
     * @default 2
     */
    maxRetries: z.number().int().min(0).max(5).default(2),
    // Currencies, countries and amounts the method is offered for (shared by the collection).
    ...eligibilityOptionsShape,
  })
  .passthrough()

export type EcpayOptions = z.infer<typeof ecpayOptionsSchema>
export type EcpayOptionsInput = z.input<typeof ecpayOptionsSchema>

/** ReturnURL, ClientBackURL and OrderResultURL are String(200) (https://developers.ecpay.com.tw/?p=2864). */
export const ECPAY_URL_MAX = 200

/** The longest a Medusa payment session id (`payses_` and a 26-character ULID) fills `{session_id}` with. */
const SESSION_ID_LENGTH = "payses_".length + 26
/** `MerchantTradeNo` is 20 characters; an amount in whole TWD fits in 10 digits. */
const MERCHANT_TRADE_NO_LENGTH = 20
const AMOUNT_DIGITS = 10

/**
 * Why the URLs the form will carry do not fit ECPay's fields, naming the option; the
 * notification URL is `notificationUrl`, else `<publicUrl>/hooks/ecpay/ecpay` (the
 * provider's default id).
 */
function urlLengthProblems(options: EcpayOptions): string[] {
  const problems: string[] = []
  const notification = options.notificationUrl ?? `${options.publicUrl}/hooks/ecpay/ecpay`
  if (notification.length > ECPAY_URL_MAX) {
    problems.push(
      `\`${options.notificationUrl ? "notificationUrl" : "publicUrl"}\`: makes the notification URL (ReturnURL) ` +
        `${notification.length} characters long; ECPay takes ${ECPAY_URL_MAX} at most`
    )
  }
  for (const [name, field] of [
    ["returnUrl", "ClientBackURL"],
    ["orderResultUrl", "OrderResultURL"],
  ] as const) {
    const template = options[name]
    if (!template) continue
    // As the form fills them in (mapping.ts `render`): the longest each can be.
    const filled = template
      .split("{session_id}").join("s".repeat(SESSION_ID_LENGTH))
      .split("{reference}").join("r".repeat(MERCHANT_TRADE_NO_LENGTH))
      .split("{amount}").join("9".repeat(AMOUNT_DIGITS))
    if (filled.length > ECPAY_URL_MAX) {
      const placeholders = /\{(session_id|reference|amount)\}/.test(template) ? " once its placeholders are filled in" : ""
      problems.push(`\`${name}\`: makes ${field} ${filled.length} characters long${placeholders}; ECPay takes ${ECPAY_URL_MAX} at most`)
    }
  }
  return problems
}

export function parseEcpayOptions(raw: unknown): EcpayOptions {
  const options = parseOptions(ecpayOptionsSchema, raw, "ECPay")
  const currencies = (options.allowedCurrencies ?? []).filter((c) => c !== "TWD")
  if (currencies.length) {
    throw new PaymentConfigError(
      `ECPay payment provider options are invalid: \`allowedCurrencies\`: ECPay charges New Taiwan dollars (TWD) only, not ${currencies.join(", ")} ` +
        "(https://developers.ecpay.com.tw/?p=2864)"
    )
  }
  const tooLong = urlLengthProblems(options)
  if (tooLong.length) {
    throw new PaymentConfigError(`ECPay payment provider options are invalid: ${tooLong.join("; ")}`)
  }
  if (options.environment === "production") {
    if (PUBLIC_STAGE_MERCHANTS.has(options.merchantId) || PUBLIC_STAGE_HASH_KEYS.has(options.hashKey)) {
      throw new PaymentConfigError(
        "ECPay payment provider options are invalid: `merchantId`/`hashKey`: these are ECPay's public stage " +
          "credentials; production needs the merchant's own"
      )
    }
    for (const name of ["publicUrl", "notificationUrl"] as const) {
      const value = options[name]
      if (value && !value.startsWith("https://")) {
        throw new PaymentConfigError(
          `ECPay payment provider options are invalid: \`${name}\`: must be an https URL in production, ` +
            "where ECPay posts payment results"
        )
      }
    }
  }
  return options
}
