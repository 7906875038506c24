import { defineMiddlewares } from "@medusajs/framework/http"
import type { MiddlewareRoute } from "@medusajs/framework/http"
import { eligibilityMiddlewares } from "./eligibility-middlewares"

/**
 * Medusa reads one middlewares file; each feature keeps its routes' middlewares in its
 * own file and lists them here.
 */
const routes: MiddlewareRoute[] = [...eligibilityMiddlewares]

export default defineMiddlewares({ routes })
