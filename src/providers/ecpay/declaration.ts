import { providerModule } from "../../lib/payments/package"
import { eligibilityFromEnv } from "../../lib/payments/eligibility"
import { envList, type ProviderDeclaration } from "../../lib/payments/registry"

/** How the collection registers ECPay from the environment (see src/payment-providers.ts). */
export const ecpayDeclaration: ProviderDeclaration = {
  label: "ECPay",
  resolve: providerModule("ecpay"),
  id: "ecpay",
  identifier: "ecpay",
  // Without its public URL the provider cannot tell ECPay where to post payment results.
  requiredEnv: ["ECPAY_MERCHANT_ID", "ECPAY_HASH_KEY", "ECPAY_HASH_IV", "ECPAY_PUBLIC_URL"],
  options: (env) => ({
    merchantId: env.ECPAY_MERCHANT_ID,
    hashKey: env.ECPAY_HASH_KEY,
    hashIv: env.ECPAY_HASH_IV,
    environment: env.ECPAY_ENVIRONMENT || undefined,
    publicUrl: env.ECPAY_PUBLIC_URL,
    notificationUrl: env.ECPAY_NOTIFICATION_URL || undefined,
    returnUrl: env.ECPAY_RETURN_URL || undefined,
    orderResultUrl: env.ECPAY_ORDER_RESULT_URL || undefined,
    paymentTypes: envList(env.ECPAY_PAYMENT_TYPES),
    itemName: env.ECPAY_ITEM_NAME || undefined,
    tradeDescription: env.ECPAY_TRADE_DESCRIPTION || undefined,
    capture: env.ECPAY_CAPTURE || undefined,
    tradeNoPrefix: env.ECPAY_TRADE_NO_PREFIX || undefined,
    // Production only: lists the refunds made in the back office for the reconciliation.
    creditCheckCode: env.ECPAY_CREDIT_CHECK_CODE || undefined,
    apiBaseUrl: env.ECPAY_API_BASE_URL || undefined,
    // ECPAY_ALLOWED_COUNTRIES, ECPAY_MIN_AMOUNT, ECPAY_MAX_AMOUNT (ECPay takes TWD only)
    ...eligibilityFromEnv("ECPAY", env),
  }),
}
