/**
 * The repository's own store: a Medusa app that installs the collection exactly as a
 * merchant's store does, through the package (`node_modules/medusa-payments-collection`,
 * linked to the repository root and built into `.medusa/server` by `npm run demo` and
 * `npm test`). `npm run demo` runs it, and the HTTP tests boot it.
 */
import path from "node:path"
import { defineConfig, loadEnv, Modules } from "@medusajs/framework/utils"
import { paymentProvidersFromEnv } from "medusa-payments-collection/registry"

// The repository's .env (one level up), as the README says.
loadEnv(process.env.NODE_ENV || "development", path.resolve(__dirname, ".."))

const DEFAULT_CORS = "http://localhost:8000,http://localhost:9000,http://localhost:5173"

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS || DEFAULT_CORS,
      adminCors: process.env.ADMIN_CORS || DEFAULT_CORS,
      authCors: process.env.AUTH_CORS || DEFAULT_CORS,
      jwtSecret: process.env.JWT_SECRET || "supersecret",
      cookieSecret: process.env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: {
    disable: process.env.MEDUSA_ADMIN_DISABLED === "true",
  },
  // The collection's routes (the eligibility listing, the payment-status route, ECPay's
  // notification route) and middlewares.
  plugins: [{ resolve: "medusa-payments-collection", options: {} }],
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      key: Modules.PAYMENT,
      options: {
        // Each provider of the collection whose credentials are in the environment
        // (`resolve: "medusa-payments-collection/providers/<gateway>"`); the others are left
        // out with one log line naming the missing variables.
        providers: paymentProvidersFromEnv(),
      },
    },
  ],
})
