// A merchant's medusa-config, as the README's installation section says to write it: the
// plugin under `plugins` (its routes and middlewares), each provider registered in the
// Payment Module from the installed package. The install test copies this store outside the
// repository and installs the packed tarball into it; the gateway URLs point at the test's
// fixture servers.
const { defineConfig, Modules } = require("@medusajs/framework/utils")

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: "http://localhost:8000",
      adminCors: "http://localhost:9000",
      authCors: "http://localhost:9000",
      jwtSecret: "install-test-jwt-secret",
      cookieSecret: "install-test-cookie-secret",
    },
  },
  admin: { disable: true },
  plugins: [{ resolve: "medusa-payments-collection", options: {} }],
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      key: Modules.PAYMENT,
      options: {
        providers: [
          {
            resolve: "medusa-payments-collection/providers/stripe",
            id: "stripe",
            options: {
              apiKey: process.env.STRIPE_API_KEY,
              webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
              apiBaseUrl: process.env.STRIPE_API_BASE_URL,
              maxNetworkRetries: 0,
            },
          },
          {
            resolve: "medusa-payments-collection/providers/offline",
            id: "offline",
            options: {
              cod: { instructions: "Please have the exact amount ready." },
              bankTransfer: {
                accountHolder: "Example Store GmbH",
                iban: "DE89 3704 0044 0532 0130 00",
                bankName: "Example Bank",
              },
            },
          },
          {
            resolve: "medusa-payments-collection/providers/ecpay",
            id: "ecpay",
            options: {
              merchantId: process.env.ECPAY_MERCHANT_ID,
              hashKey: process.env.ECPAY_HASH_KEY,
              hashIv: process.env.ECPAY_HASH_IV,
              environment: "stage",
              publicUrl: process.env.ECPAY_PUBLIC_URL,
              apiBaseUrl: process.env.ECPAY_API_BASE_URL,
              maxRetries: 0,
            },
          },
        ],
      },
    },
  ],
})
