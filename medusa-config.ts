import { defineConfig, loadEnv, Modules } from "@medusajs/framework/utils"
import { providersFromEnv } from "./src/lib/payments/registry"
import { paymentProviders } from "./src/payment-providers"

loadEnv(process.env.NODE_ENV || "development", process.cwd())

const DEFAULT_CORS = "http://localhost:8000,http://localhost:9000,http://localhost:5173"

// Each provider of the collection whose credentials are in the environment; the others
// are left out with one log line naming the missing variables.
const { registrations } = providersFromEnv(paymentProviders)

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
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      key: Modules.PAYMENT,
      options: {
        providers: registrations,
      },
    },
  ],
})
