/**
 * The repository's own store: a Medusa app that installs the collection exactly as a
 * merchant's store does, through the package (`node_modules/medusa-payments-collection`,
 * linked to the repository root and built into `.medusa/server` by `npm run demo` and
 * `npm test`). `npm run demo` runs it, the HTTP tests boot it, and the topology test runs it
 * as production does (server and worker processes on Redis, from REDIS_URL and MEDUSA_WORKER_MODE).
 */
import path from "node:path"
import { defineConfig, loadEnv, Modules } from "@medusajs/framework/utils"
import { paymentProvidersFromEnv } from "medusa-payments-collection/registry"

// The repository's .env (one level up), as the README says.
loadEnv(process.env.NODE_ENV || "development", path.resolve(__dirname, ".."))

const DEFAULT_CORS = "http://localhost:8000,http://localhost:9000,http://localhost:5173"

/**
 * Production topology, opt-in (docs/deployment.md): with `REDIS_URL` the store uses the Redis
 * modules Medusa documents for production (event bus, workflow engine, locking, cache, and
 * the session store through `redisUrl`), so that several processes share one PostgreSQL and
 * one Redis; `MEDUSA_WORKER_MODE` (`server`, `worker` or `shared`) says what this process
 * does. Without them the store runs as one process with Medusa's in-memory modules.
 */
const REDIS_URL = process.env.REDIS_URL || undefined
const WORKER_MODES = ["shared", "worker", "server"] as const
type WorkerMode = (typeof WORKER_MODES)[number]

function workerMode(value: string | undefined): WorkerMode | undefined {
  if (!value) return undefined
  if (!(WORKER_MODES as readonly string[]).includes(value)) {
    throw new Error(`MEDUSA_WORKER_MODE must be one of ${WORKER_MODES.join(", ")}`)
  }
  return value as WorkerMode
}

const WORKER_MODE = workerMode(process.env.MEDUSA_WORKER_MODE)

/** Medusa's Redis modules (https://docs.medusajs.com/learn/production/worker-mode), one URL for all. */
function redisModules(redisUrl: string | undefined) {
  if (!redisUrl) return []
  return [
    { resolve: "@medusajs/medusa/cache-redis", options: { redisUrl } },
    { resolve: "@medusajs/medusa/event-bus-redis", options: { redisUrl } },
    { resolve: "@medusajs/medusa/workflow-engine-redis", options: { redis: { redisUrl } } },
    {
      resolve: "@medusajs/medusa/locking",
      options: {
        providers: [{ resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true, options: { redisUrl } }],
      },
    },
  ]
}

/**
 * `npm run bench` only (scripts/bench/checkout.ts): with `BENCH_OFFICIAL_STRIPE=1` the store also
 * registers Medusa's own Stripe provider, `@medusajs/payment-stripe` (installed with
 * `@medusajs/medusa`), as `pp_stripe_official`, with the same keys as the
 * collection's, so that the bench compares the two checkouts in one store on one fake Stripe.
 * Without the variable nothing here is registered.
 */
function benchOfficialStripe() {
  if (process.env.BENCH_OFFICIAL_STRIPE !== "1") return []
  return [
    {
      resolve: "@medusajs/medusa/payment-stripe",
      id: "official",
      options: { apiKey: process.env.STRIPE_API_KEY, webhookSecret: process.env.STRIPE_WEBHOOK_SECRET },
    },
  ]
}

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    ...(REDIS_URL ? { redisUrl: REDIS_URL } : {}),
    ...(WORKER_MODE ? { workerMode: WORKER_MODE } : {}),
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
        providers: [...paymentProvidersFromEnv(), ...benchOfficialStripe()],
      },
    },
    ...redisModules(REDIS_URL),
  ],
})
