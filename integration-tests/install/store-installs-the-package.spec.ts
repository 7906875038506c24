/**
 * Proof that another store can install the collection: the plugin is packed with `npm pack`
 * (what `npm publish` would upload), installed from the tarball into a Medusa app outside the
 * repository (its own package.json, node_modules and medusa-config.js: `merchant-store/`),
 * booted with `medusa start` against PostgreSQL, and used over HTTP like a storefront and a
 * gateway would. Gateways are this test's fixture servers (the providers' base-URL options),
 * replaying the same recorded traffic as the in-process HTTP tests.
 *
 * It fails when the package lacks a file a merchant needs: nothing of the repository is on
 * that app's module path, only what the tarball holds and what npm installs for it.
 *
 * Slow (an `npm install` of Medusa, its migrations, a boot): `npm run test:install`.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process"
import fs from "node:fs"
import http from "node:http"
import type { AddressInfo } from "node:net"
import os from "node:os"
import path from "node:path"
import pg from "pg"
import Stripe from "stripe"
import { GatewayServer, fixtureScenario } from "../harness/gateway-server"
import { ecpayNotificationFields, ecpayTestKeys, formBody, signEcpay, signFixtureAnswers } from "../harness/ecpay"
import { signStripe, stripeEvent, stripeIntent, stripeTestKeys } from "../harness/stripe"

const ROOT = path.resolve(__dirname, "..", "..")
const TEMPLATE = path.join(__dirname, "merchant-store")
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { name: string; version: string }
const MEDUSA_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@medusajs", "medusa", "package.json"), "utf8")) as { version: string }).version
const PG_VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "pg", "package.json"), "utf8")) as { version: string }).version

jest.setTimeout(20 * 60 * 1000)

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): string {
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: "utf8", timeout: options.timeoutMs })
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal}):\n${output.split("\n").slice(-40).join("\n")}`)
  }
  return output
}

async function freePort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

const db = {
  host: process.env.DB_HOST || "localhost",
  port: Number(process.env.DB_PORT || 5432),
  user: process.env.DB_USERNAME || "postgres",
  password: process.env.DB_PASSWORD || "",
}
const database = `medusa_install_${process.pid}_${Date.now()}`

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ ...db, database: "postgres" })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

interface Setup {
  publishableKey: string
  salesChannelId: string
  usdRegionId: string
  twdRegionId: string
  variantId: string
}

describe("a Medusa store outside the repository that installs the packed package", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-payments-install-"))
  const storeDir = path.join(work, "store")
  const stripeGateway = new GatewayServer()
  const ecpayGateway = new GatewayServer()
  let medusa: ChildProcess | undefined
  let baseUrl = ""
  let setup: Setup
  let packedFiles: string[] = []
  const logFile = path.join(work, "medusa.log")

  const store = (pathname: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${baseUrl}${pathname}`, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers: { "x-publishable-api-key": setup.publishableKey, "content-type": "application/json" },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
  const json = async (response: Response) => {
    const text = await response.text()
    if (!response.ok) throw new Error(`${response.status} ${text}`)
    return JSON.parse(text)
  }

  /** A storefront's checkout up to the payment session. */
  const cartWithSession = async (regionId: string, providerId: string, country: string) => {
    const { cart } = await json(
      await store("/store/carts", {
        body: {
          region_id: regionId,
          sales_channel_id: setup.salesChannelId,
          email: "shopper@example.com",
          items: [{ variant_id: setup.variantId, quantity: 1 }],
          shipping_address: { first_name: "Sam", last_name: "Shopper", address_1: "1 Main St", city: "Springfield", country_code: country, postal_code: "12345" },
        },
      })
    )
    const { payment_collection } = await json(await store("/store/payment-collections", { body: { cart_id: cart.id } }))
    const { payment_collection: withSession } = await json(
      await store(`/store/payment-collections/${payment_collection.id}/payment-sessions`, { body: { provider_id: providerId } })
    )
    const session = withSession.payment_sessions.find((s: { provider_id: string }) => s.provider_id === providerId)
    return { cartId: String(cart.id), session: session as { id: string; data: Record<string, unknown> } }
  }

  /**
   * The order a cart became, once it is completed. Polls the cart itself: the payment-status
   * route would ask the gateway while the session is pending (a request the fixture lacks).
   */
  const orderOf = async (cartId: string, timeoutMs = 60_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const { cart } = await json(await store(`/store/carts/${cartId}?fields=id,completed_at`))
      if (cart.completed_at) break
      if (Date.now() > deadline) throw new Error(`cart ${cartId} was never completed`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    const { payment_status } = await json(await store(`/store/carts/${cartId}/payment-status`))
    return String(payment_status.order_id)
  }

  /** What Stripe.js does with the client secret, against the Stripe stand-in. */
  const storefrontConfirms = (intentId: string) => {
    const url = new URL(stripeGateway.origin)
    const stripe = new Stripe(stripeTestKeys.apiKey, { host: url.hostname, port: Number(url.port), protocol: "http", maxNetworkRetries: 0, telemetry: false })
    return stripe.paymentIntents.confirm(intentId, { payment_method: "pm_card_visa" })
  }

  beforeAll(async () => {
    // 1. The package, as `npm publish` would upload it (`npm test` built .medusa/server).
    const packed = JSON.parse(run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: ROOT, timeoutMs: 120_000 })) as Array<{
      filename: string
      files: Array<{ path: string }>
    }>
    packedFiles = packed[0].files.map((f) => f.path)
    const tarball = path.join(work, path.basename(packed[0].filename))

    // 2. A store of its own outside the repository, with the package installed from the tarball.
    fs.cpSync(TEMPLATE, storeDir, { recursive: true })
    fs.writeFileSync(
      path.join(storeDir, "package.json"),
      JSON.stringify(
        {
          name: "a-merchants-store",
          version: "1.0.0",
          private: true,
          dependencies: {
            "@medusajs/admin-sdk": MEDUSA_VERSION,
            "@medusajs/cli": MEDUSA_VERSION,
            "@medusajs/framework": MEDUSA_VERSION,
            "@medusajs/medusa": MEDUSA_VERSION,
            [PACKAGE.name]: `file:${tarball}`,
            pg: PG_VERSION,
          },
        },
        null,
        2
      )
    )
    run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: storeDir, timeoutMs: 15 * 60_000 })

    // 3. Its database, migrations and data.
    await admin(`create database "${database}"`)
    const password = db.password ? `:${encodeURIComponent(db.password)}` : ""
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "development",
      DATABASE_URL: `postgres://${encodeURIComponent(db.user)}${password}@${db.host}:${db.port}/${database}`,
      NODE_OPTIONS: "",
      STRIPE_API_KEY: stripeTestKeys.apiKey,
      STRIPE_WEBHOOK_SECRET: stripeTestKeys.webhookSecret,
      ECPAY_MERCHANT_ID: ecpayTestKeys.merchantId,
      ECPAY_HASH_KEY: ecpayTestKeys.hashKey,
      ECPAY_HASH_IV: ecpayTestKeys.hashIv,
      ECPAY_PUBLIC_URL: "https://api.shop.example.com",
    }
    await stripeGateway.start()
    await ecpayGateway.start()
    env.STRIPE_API_BASE_URL = stripeGateway.origin
    env.ECPAY_API_BASE_URL = ecpayGateway.origin
    const cli = path.join(storeDir, "node_modules", "@medusajs", "cli", "cli.js")
    run(process.execPath, [cli, "db:migrate"], { cwd: storeDir, env, timeoutMs: 5 * 60_000 })
    const seeded = run(process.execPath, [cli, "exec", "./src/scripts/setup.js"], { cwd: storeDir, env, timeoutMs: 5 * 60_000 })
    const line = /^INSTALL_SETUP (.*)$/m.exec(seeded)
    if (!line) throw new Error(`the setup printed no INSTALL_SETUP line:\n${seeded.slice(-2000)}`)
    setup = JSON.parse(line[1]) as Setup

    // 4. The store, started as in production (`medusa start`).
    const port = await freePort()
    const log = fs.openSync(logFile, "a")
    medusa = spawn(process.execPath, [cli, "start"], { cwd: storeDir, env: { ...env, PORT: String(port) }, stdio: ["ignore", log, log] })
    baseUrl = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 3 * 60_000
    for (;;) {
      const healthy = await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false)
      if (healthy) break
      if (medusa.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the store did not start:\n${fs.readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n")}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  })

  afterAll(async () => {
    medusa?.kill("SIGTERM")
    await new Promise((resolve) => setTimeout(resolve, 1000))
    medusa?.kill("SIGKILL")
    stripeGateway.stop()
    ecpayGateway.stop()
    await admin(`drop database if exists "${database}" with (force)`).catch(() => {})
    fs.rmSync(work, { recursive: true, force: true })
  })

  afterEach(() => {
    stripeGateway.finish()
    ecpayGateway.finish()
  })

  it("ships the built plugin a store needs, and none of the sources or tests", () => {
    for (const needed of [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      ".medusa/server/src/providers/stripe/index.js",
      ".medusa/server/src/providers/paypal/index.js",
      ".medusa/server/src/providers/ecpay/index.js",
      ".medusa/server/src/providers/offline/index.js",
      ".medusa/server/src/providers/offline/cod/index.js",
      ".medusa/server/src/providers/offline/bank-transfer/index.js",
      ".medusa/server/src/api/middlewares.js",
      ".medusa/server/src/registry.js",
      ".medusa/server/src/registry.d.ts",
      ".medusa/server/src/admin/index.js",
      ".medusa/server/src/admin/index.mjs",
    ]) {
      expect(packedFiles).toContain(needed)
    }
    expect(packedFiles.filter((file) => /__tests__|integration-tests|^store\/|\.spec\./.test(file))).toEqual([])
    expect(packedFiles.filter((file) => /\.ts$/.test(file) && !/\.d\.ts$/.test(file))).toEqual([])
  })

  it("resolves every entry point of the package from the store, as its medusa-config does", () => {
    const script = [
      `for (const entry of ["${PACKAGE.name}", "${PACKAGE.name}/providers/stripe", "${PACKAGE.name}/providers/paypal", "${PACKAGE.name}/providers/ecpay",`,
      ` "${PACKAGE.name}/providers/offline", "${PACKAGE.name}/providers/offline/cod", "${PACKAGE.name}/providers/offline/bank-transfer",`,
      ` "${PACKAGE.name}/registry", "${PACKAGE.name}/admin", "${PACKAGE.name}/package.json"]) {`,
      `  const resolved = require.resolve(entry === "${PACKAGE.name}" ? entry + "/package.json" : entry)`,
      `  if (!resolved.startsWith(${JSON.stringify(path.join(storeDir, "node_modules"))})) throw new Error(entry + " resolved outside the store: " + resolved)`,
      `}`,
      `const { paymentProvidersFromEnv } = require("${PACKAGE.name}/registry")`,
      `console.log(JSON.stringify(paymentProvidersFromEnv({ COD_ENABLED: "true" }, () => {}).map((p) => p.resolve)))`,
    ].join("\n")
    const output = run(process.execPath, ["-e", script], { cwd: storeDir, timeoutMs: 60_000 })
    expect(JSON.parse(output.trim().split("\n").pop()!)).toEqual([`${PACKAGE.name}/providers/offline/cod`])
  })

  it("lists cash on delivery and Stripe in the store's region", async () => {
    const { payment_providers } = await json(await store(`/store/payment-providers?region_id=${setup.usdRegionId}`))
    expect(payment_providers.map((p: { id: string }) => p.id).sort()).toEqual(["pp_cod_offline", "pp_stripe_stripe"])
  })

  it("answers the eligibility listing and completes a cart with cash on delivery", async () => {
    const { cartId, session } = await cartWithSession(setup.usdRegionId, "pp_cod_offline", "us")
    expect(session.data).toEqual(expect.objectContaining({ method: "cod", amount: "100.00", currency_code: "USD" }))
    const listing = await json(await store(`/store/carts/${cartId}/payment-providers`))
    expect(listing.payment_providers).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: "pp_cod_offline", label: "Cash on delivery", is_eligible: true }),
        expect.objectContaining({ id: "pp_stripe_stripe", label: "Card payment", is_eligible: true }),
      ])
    )
    const completed = await json(await store(`/store/carts/${cartId}/complete`, { body: {} }))
    expect(completed.type).toBe("order")
    const { payment_status } = await json(await store(`/store/carts/${cartId}/payment-status`))
    expect(payment_status).toEqual(expect.objectContaining({ status: "awaiting_payment", order_id: completed.order.id, amount: "100.00" }))
  })

  it("completes a cart with Stripe over recorded traffic", async () => {
    stripeGateway.play(fixtureScenario("stripe", "http-cart-to-refund", "form", 3))
    const { cartId, session } = await cartWithSession(setup.usdRegionId, "pp_stripe_stripe", "us")
    expect(session.data).toEqual(expect.objectContaining({ id: "pi_3QfxHttpOrder0001", client_secret: expect.any(String), amount: 10000 }))
    await storefrontConfirms(String(session.data.id))
    const completed = await json(await store(`/store/carts/${cartId}/complete`, { body: {} }))
    expect(completed.type).toBe("order")
    const { payment_status } = await json(await store(`/store/carts/${cartId}/payment-status`))
    expect(payment_status).toEqual(expect.objectContaining({ status: "authorized", order_id: completed.order.id }))
  })

  it("turns a signed Stripe webhook at /hooks/payment/stripe_stripe into an order", async () => {
    stripeGateway.play(fixtureScenario("stripe", "http-webhook-completes-cart", "form", 3))
    const { cartId, session } = await cartWithSession(setup.usdRegionId, "pp_stripe_stripe", "us")
    await storefrontConfirms(String(session.data.id))
    const body = stripeEvent(
      "payment_intent.amount_capturable_updated",
      stripeIntent(session.id, { id: String(session.data.id), status: "requires_capture", amount: 10000, amount_capturable: 10000, amount_received: 0 })
    )
    const answer = await fetch(`${baseUrl}/hooks/payment/stripe_stripe`, { method: "POST", headers: signStripe(body), body })
    expect(answer.status).toBe(200)
    // Medusa processes the event about 5 seconds later.
    expect(await orderOf(cartId)).toMatch(/^order_/)
  })

  it("answers an ECPay notification at the plugin's notification route and places the order", async () => {
    const { cartId, session } = await cartWithSession(setup.twdRegionId, "pp_ecpay_ecpay", "tw")
    const replay = ecpayGateway.play(fixtureScenario("ecpay", "http-notification-to-refund", "form", 1))
    replay.bind("session_id", session.id)
    replay.bind("merchant_trade_no", String(session.data.merchant_trade_no))
    signFixtureAnswers(replay, "http-notification-to-refund")
    const fields = signEcpay(
      ecpayNotificationFields({ sessionId: session.id, merchantTradeNo: String(session.data.merchant_trade_no), amount: 100, tradeNo: "2611201000005678" })
    )
    const answer = await fetch(`${baseUrl}/hooks/ecpay/ecpay`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: formBody(fields),
    })
    expect(await answer.text()).toBe("1|OK")
    expect(await orderOf(cartId, 10_000)).toMatch(/^order_/)
  })
})
