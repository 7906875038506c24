import { defineMiddlewares } from "@medusajs/framework/http"
import type { MiddlewareRoute } from "@medusajs/framework/http"
import { eligibilityMiddlewares } from "./eligibility-middlewares"
import { hostedPaymentMiddlewares } from "./hosted-payments"
import { paymentMethodsMiddlewares } from "./payment-methods-middlewares"
import { clientTokenMiddlewares } from "./client-token-middlewares"
import { storefrontSessionMiddlewares } from "./storefront-session-middlewares"

/**
 * Medusa reads one middlewares file; each feature keeps its routes' middlewares in its
 * own file and lists them here.
 */
const routes: MiddlewareRoute[] = [...eligibilityMiddlewares, ...hostedPaymentMiddlewares, ...paymentMethodsMiddlewares, ...clientTokenMiddlewares, ...storefrontSessionMiddlewares]

export default defineMiddlewares({ routes })
