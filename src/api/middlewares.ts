import { defineMiddlewares } from "@medusajs/framework/http"
import type { MiddlewareRoute } from "@medusajs/framework/http"
import { eligibilityMiddlewares } from "./eligibility-middlewares"
import { hostedPaymentMiddlewares } from "./hosted-payments"

/**
 * Medusa reads one middlewares file; each feature keeps its routes' middlewares in its
 * own file and lists them here.
 */
const routes: MiddlewareRoute[] = [...eligibilityMiddlewares, ...hostedPaymentMiddlewares]

export default defineMiddlewares({ routes })
