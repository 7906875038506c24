/**
 * The store part of `npm run bench` (run by scripts/bench.mjs under ts-node and under the HTTP
 * tests' lock, since it boots the repository's store): checkout latency through Medusa's store API.
 *
 * One `medusa start` of store/ on a fresh PostgreSQL database (the helpers of
 * integration-tests/harness/topology.ts), with the collection's providers, Medusa's own
 * `@medusajs/payment-stripe` registered as `pp_stripe_official` (`BENCH_OFFICIAL_STRIPE=1`, the
 * guarded block of store/medusa-config.ts) and Medusa's `pp_system_default`. Stripe and Braintree
 * are answered inside that process by the stateful fakes of harness/fake-gateways.ts
 * (scripts/bench/checkout-preload.cjs), the same fake for both Stripe providers.
 *
 * A checkout is what a storefront does, one store API call after another: create the cart with one
 * item, create its payment collection, create the payment session; with cart changes, each
 * quantity edit (which makes Medusa delete the session) followed by a new session, as a storefront
 * does on its payment step; Stripe's confirmation by Stripe.js (the fake's confirm call, not a
 * store API call); complete the cart. Its latency is the sum of the store API calls. The subjects
 * are alternated run by run (the order rotated each run), one checkout per subject, cart-change
 * count and run; the preload's timestamps say which provider and gateway calls ran inside which
 * store API call.
 *
 * The latency from a signed Stripe webhook to the order: a cart whose intent the storefront
 * confirmed but which the shopper never completed, `payment_intent.amount_capturable_updated`
 * signed with Stripe's scheme and posted to `/hooks/payment/stripe_<id>`, until the cart is
 * completed (polled every 20 ms).
 *
 * Prints one JSON object on stdout; bench.mjs makes the tables. Progress goes to stderr.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import { performance } from "node:perf_hooks"
import { pathToFileURL } from "node:url"
import { FAKED_PROVIDERS_ENV } from "../../integration-tests/harness/provider-env"
import { signStripe, stripeEvent, stripeTestKeys } from "../../integration-tests/harness/stripe"
import { createAdminUser, freePort, freshDatabase, logTail, migrate, StoreApi } from "../../integration-tests/harness/topology"

const ROOT = path.resolve(__dirname, "..", "..")
const STORE_DIR = path.join(ROOT, "store")
const MEDUSA_CLI = path.join(ROOT, "node_modules", "@medusajs", "cli", "cli.js")
const LOG_DIR = path.join(ROOT, ".logs", "bench")
const PRELOAD = path.join(__dirname, "checkout-preload.cjs")

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=")
    return [k, v ?? "true"] as const
  })
)
const RUNS = Number(args.get("runs") ?? 7)
const EDITS = Number(args.get("edits") ?? 6)
if (args.get("debug")) process.env.BENCH_PRELOAD_DEBUG = "1"
const ONLY = args.get("only")?.split(",")
const CART_CHANGES = EDITS > 0 ? [0, EDITS] : [0]

const now = () => performance.timeOrigin + performance.now()
const log = (line: string) => process.stderr.write(`bench (store): ${line}\n`)

interface Subject {
  key: string
  label: string
  providerId: string
  gateway: "system" | "offline" | "stripe" | "braintree"
  sessionData?: Record<string, unknown>
  /** The storefront confirms the PaymentIntent with Stripe.js before completing. */
  stripeConfirm?: boolean
}

const ALL_SUBJECTS: Subject[] = [
  { key: "system", label: "Medusa's system provider (pp_system_default)", providerId: "pp_system_default", gateway: "system" },
  { key: "cod", label: "cash on delivery", providerId: "pp_cod_offline", gateway: "offline" },
  { key: "bank-transfer", label: "bank transfer", providerId: "pp_bank-transfer_offline", gateway: "offline" },
  { key: "stripe", label: "Stripe (ours)", providerId: "pp_stripe_stripe", gateway: "stripe", stripeConfirm: true },
  { key: "stripe-official", label: "Stripe (@medusajs/payment-stripe)", providerId: "pp_stripe_official", gateway: "stripe", stripeConfirm: true },
  // Drop-in's nonce reaches the store in the session's data; Braintree sees the nonce at authorize.
  { key: "braintree", label: "Braintree", providerId: "pp_braintree_braintree", gateway: "braintree", sessionData: { payment_method_nonce: "fake-valid-nonce" } },
]
/** The system provider is the baseline: always measured. `--only=stripe` keeps the Stripe ones. */
const SUBJECTS = ALL_SUBJECTS.filter((s) => s.gateway === "system" || !ONLY || ONLY.includes(s.gateway) || (s.gateway === "offline" && ONLY.some((o) => ["cod", "bank-transfer"].includes(o))))
const WEBHOOK_SUBJECTS = SUBJECTS.filter((s) => s.stripeConfirm)

// ---- the store ------------------------------------------------------------------------

const ADMIN = { email: "admin@bench.test", password: "correct horse battery staple" }

function storeEnv(controlPort: number, databaseUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  // The shell's gateway credentials, Redis and ts-node settings would change what the store registers.
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(STRIPE|PAYPAL|ECPAY|BRAINTREE|BANK_TRANSFER|COD|PAYMENTS|TS_NODE)_/.test(name) || ["REDIS_URL", "MEDUSA_WORKER_MODE", "NODE_OPTIONS"].includes(name)) continue
    env[name] = value
  }
  return {
    ...env,
    NODE_ENV: "development",
    DATABASE_URL: databaseUrl,
    MEDUSA_DISABLE_TELEMETRY: "true",
    MEDUSA_ADMIN_DISABLED: "true",
    BENCH_OFFICIAL_STRIPE: "1",
    BENCH_CONTROL_PORT: String(controlPort),
    ...FAKED_PROVIDERS_ENV,
    // The reconciliation job would ask the gateways about open sessions in the middle of a run.
    PAYMENTS_RECONCILE_DISABLED: "true",
  }
}

/**
 * `medusa start` with the preload. Like topology.ts's `startStoreProcess`, which clears
 * NODE_OPTIONS for every store process (jest's flags are not the store's), so it cannot pass the preload.
 */
async function startStore(env: NodeJS.ProcessEnv): Promise<{ url: string; stop: () => Promise<void>; child: ChildProcess; logFile: string }> {
  const port = await freePort()
  fs.mkdirSync(LOG_DIR, { recursive: true })
  const logFile = path.join(LOG_DIR, "store.log")
  const out = fs.openSync(logFile, "w")
  const child = spawn(process.execPath, [MEDUSA_CLI, "start"], {
    cwd: STORE_DIR,
    env: { ...env, PORT: String(port), NODE_OPTIONS: `--require ${PRELOAD}` },
    stdio: ["ignore", out, out],
    detached: true,
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name)
    } catch {
      // gone already
    }
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      signal("SIGTERM")
      const timer = setTimeout(() => signal("SIGKILL"), 10_000)
      await exited
      clearTimeout(timer)
    }
    fs.closeSync(out)
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 3 * 60_000
  for (;;) {
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`the bench's store did not start (log: ${path.relative(ROOT, logFile)}):\n${logTail(logFile)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { url, stop, child, logFile }
}

interface Shop {
  store: StoreApi
  regionId: string
  salesChannelId: string
  variantId: string
}

async function setUpShop(url: string): Promise<Shop> {
  const { data: login } = await new StoreApi(url).post("/auth/user/emailpass", ADMIN)
  const admin = new StoreApi(url, { authorization: `Bearer ${login.token}` })
  const { data: channel } = await admin.post("/admin/sales-channels", { name: "Webshop" })
  const { data: key } = await admin.post("/admin/api-keys", { title: "Storefront", type: "publishable" })
  await admin.post(`/admin/api-keys/${key.api_key.id}/sales-channels`, { add: [channel.sales_channel.id] })
  const { data: region } = await admin.post("/admin/regions", {
    name: "United States",
    currency_code: "usd",
    countries: ["us"],
    automatic_taxes: false,
    payment_providers: ALL_SUBJECTS.map((s) => s.providerId),
  })
  const { data: product } = await admin.post("/admin/products", {
    title: "Espresso cup",
    status: "published",
    options: [{ title: "Colour", values: ["White"] }],
    variants: [{ title: "White", options: { Colour: "White" }, manage_inventory: false, prices: [{ amount: 100, currency_code: "usd" }] }],
    sales_channels: [{ id: channel.sales_channel.id }],
  })
  return {
    store: new StoreApi(url, { "x-publishable-api-key": key.api_key.token }),
    regionId: region.region.id,
    salesChannelId: channel.sales_channel.id,
    variantId: product.product.variants[0].id,
  }
}

// ---- one checkout ---------------------------------------------------------------------

interface LogEntry {
  kind: "gateway" | "provider"
  start: number
  end?: number
  method: string
  provider?: string
  host?: string
  path?: string
}

interface Step {
  name: string
  start: number
  end: number
  /** A store API call (the storefront's Stripe.js step is not one). */
  store: boolean
}

interface StepFigures {
  ms: number
  calls: number
  provider_ms: number
  provider_calls: Record<string, number>
  gateway_calls: number
  gateway_ms: number
}

interface CheckoutFigures {
  total_ms: number
  gateway_calls: number
  steps: Record<string, StepFigures>
}

class Control {
  constructor(readonly url: string) {}
  async takeLog(): Promise<LogEntry[]> {
    return (await fetch(`${this.url}/bench/log`)).json() as Promise<LogEntry[]>
  }
  /** The storefront's Stripe.js step against the fake in the store's process. */
  async stripe(method: "GET" | "POST", pathname: string, form = ""): Promise<any> {
    const answer = await fetch(`${this.url}${pathname}`, { method, body: method === "GET" ? undefined : form, headers: { authorization: `Bearer ${stripeTestKeys.apiKey}` } })
    const body = await answer.json()
    if (!answer.ok) throw new Error(`Stripe fake ${method} ${pathname} answered ${answer.status}: ${JSON.stringify(body).slice(0, 300)}`)
    return body
  }
}

let shopperCounter = 0

async function timed<T>(steps: Step[], name: string, run: () => Promise<T>, store = true): Promise<T> {
  const start = now()
  try {
    return await run()
  } finally {
    steps.push({ name, start, end: now(), store })
  }
}

/** Which step each provider and gateway call ran in, from the timestamps. */
function attribute(steps: Step[], entries: LogEntry[]): CheckoutFigures {
  const figures: Record<string, StepFigures> = {}
  const blank = (): StepFigures => ({ ms: 0, calls: 0, provider_ms: 0, provider_calls: {}, gateway_calls: 0, gateway_ms: 0 })
  for (const step of steps) {
    const f = (figures[step.name] ??= blank())
    f.ms += step.end - step.start
    f.calls += 1
  }
  // A millisecond of slack: the two processes' clocks come from one system clock, read apart.
  const stepOf = (entry: LogEntry) => steps.find((s) => entry.start >= s.start - 1 && entry.start <= s.end + 1)?.name ?? "outside any store API call"
  for (const entry of entries) {
    const f = (figures[stepOf(entry)] ??= blank())
    const ms = (entry.end ?? entry.start) - entry.start
    if (entry.kind === "provider") {
      f.provider_ms += ms
      f.provider_calls[entry.method] = (f.provider_calls[entry.method] ?? 0) + ms
    } else {
      f.gateway_calls += 1
      f.gateway_ms += ms
    }
  }
  return {
    total_ms: steps.filter((s) => s.store).reduce((sum, s) => sum + (s.end - s.start), 0),
    gateway_calls: entries.filter((e) => e.kind === "gateway").length,
    steps: figures,
  }
}

async function checkout(shop: Shop, control: Control, subject: Subject, edits: number): Promise<CheckoutFigures> {
  await control.takeLog()
  const { store } = shop
  const steps: Step[] = []
  shopperCounter += 1
  const { data: cartBody } = await timed(steps, "create cart", () =>
    store.post("/store/carts", {
      region_id: shop.regionId,
      sales_channel_id: shop.salesChannelId,
      email: `shopper.${shopperCounter}@example.com`,
      items: [{ variant_id: shop.variantId, quantity: 1 }],
    })
  )
  const cartId: string = cartBody.cart.id
  const lineId: string = cartBody.cart.items[0].id
  const { data: collectionBody } = await timed(steps, "create payment collection", () => store.post("/store/payment-collections", { cart_id: cartId }))
  const collectionId: string = collectionBody.payment_collection.id
  const createSession = async (name: string) => {
    const { data } = await timed(steps, name, () =>
      store.post(`/store/payment-collections/${collectionId}/payment-sessions`, { provider_id: subject.providerId, ...(subject.sessionData ? { data: subject.sessionData } : {}) })
    )
    const session = data.payment_collection.payment_sessions.find((s: { provider_id: string }) => s.provider_id === subject.providerId)
    if (!session) throw new Error(`no ${subject.providerId} session for cart ${cartId}`)
    return session as { id: string; data: Record<string, unknown> }
  }
  let session = await createSession("create payment session")
  for (let edit = 0; edit < edits; edit++) {
    // 2, 1, 2, 1 ...: each edit changes the total, so Medusa deletes the session and the storefront makes a new one.
    await timed(steps, `quantity edits (${edits})`, () => store.post(`/store/carts/${cartId}/line-items/${lineId}`, { quantity: edit % 2 === 0 ? 2 : 1 }))
    session = await createSession(`payment session after each edit (${edits})`)
  }
  if (subject.stripeConfirm) {
    await timed(steps, "storefront confirms at Stripe (Stripe.js, not the store)", () => control.stripe("POST", `/v1/payment_intents/${session.data.id}/confirm`, "payment_method=pm_card_visa"), false)
  }
  const { data: completed } = await timed(steps, "complete cart", () => store.post(`/store/carts/${cartId}/complete`))
  if (completed.type !== "order") throw new Error(`cart ${cartId} (${subject.providerId}) did not become an order: ${JSON.stringify(completed).slice(0, 300)}`)
  return attribute(steps, await control.takeLog())
}

interface WebhookFigures {
  answered_ms: number
  to_order_ms: number
  gateway_calls: number
}

/** A confirmed intent whose shopper never came back: the signed webhook completes the cart. */
async function webhookToOrder(shop: Shop, control: Control, subject: Subject): Promise<WebhookFigures> {
  const { store } = shop
  shopperCounter += 1
  const { data: cartBody } = await store.post("/store/carts", {
    region_id: shop.regionId,
    sales_channel_id: shop.salesChannelId,
    email: `away.${shopperCounter}@example.com`,
    items: [{ variant_id: shop.variantId, quantity: 1 }],
  })
  const cartId: string = cartBody.cart.id
  const { data: collectionBody } = await store.post("/store/payment-collections", { cart_id: cartId })
  const { data } = await store.post(`/store/payment-collections/${collectionBody.payment_collection.id}/payment-sessions`, { provider_id: subject.providerId })
  const session = data.payment_collection.payment_sessions.find((s: { provider_id: string }) => s.provider_id === subject.providerId)
  await control.stripe("POST", `/v1/payment_intents/${session.data.id}/confirm`, "payment_method=pm_card_visa")
  const intent = await control.stripe("GET", `/v1/payment_intents/${session.data.id}`)
  const body = stripeEvent("payment_intent.amount_capturable_updated", intent)
  await control.takeLog()
  const hook = `/hooks/payment/${subject.providerId.slice("pp_".length)}`
  const start = now()
  await new StoreApi(store.baseUrl).post(hook, body, signStripe(body))
  const answered = now()
  const deadline = start + 60_000
  for (;;) {
    const { data: cart } = await store.get(`/store/carts/${cartId}?fields=id,completed_at`)
    if (cart.cart.completed_at) break
    if (now() > deadline) throw new Error(`the webhook for cart ${cartId} (${subject.providerId}) made no order in 60 s`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const ordered = now()
  const entries = await control.takeLog()
  return { answered_ms: answered - start, to_order_ms: ordered - start, gateway_calls: entries.filter((e) => e.kind === "gateway").length }
}

// ---- the run --------------------------------------------------------------------------

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const stat = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length })
const rotate = <T>(xs: T[], by: number) => xs.map((_, i) => xs[(i + by) % xs.length])

function summarise(runs: CheckoutFigures[], systemRuns: CheckoutFigures[]) {
  const stepNames = [...new Set(runs.flatMap((r) => Object.keys(r.steps)))]
  const steps = Object.fromEntries(
    stepNames.map((name) => {
      const of = (pick: (f: StepFigures) => number) => stat(runs.map((r) => (r.steps[name] ? pick(r.steps[name]) : 0)))
      const methods = [...new Set(runs.flatMap((r) => Object.keys(r.steps[name]?.provider_calls ?? {})))]
      return [
        name,
        {
          calls: runs[0].steps[name]?.calls ?? 0,
          ms: of((f) => f.ms),
          provider_ms: of((f) => f.provider_ms),
          provider_calls_ms: Object.fromEntries(methods.map((m) => [m, stat(runs.map((r) => r.steps[name]?.provider_calls[m] ?? 0))])),
          gateway_calls: of((f) => f.gateway_calls),
          gateway_ms: of((f) => f.gateway_ms),
        },
      ]
    })
  )
  return {
    total_ms: stat(runs.map((r) => r.total_ms)),
    vs_system_ms: stat(runs.map((r, i) => r.total_ms - systemRuns[i].total_ms)),
    gateway_calls: stat(runs.map((r) => r.gateway_calls)),
    steps,
  }
}

async function main() {
  // The built plugin linked into the store (scripts/lib/plugin.mjs), as `npm test` prepares it.
  const prepared = spawnSync(process.execPath, ["-e", "import(process.argv[1]).then((m) => m.preparePlugin({ log: (l) => console.error(l) }))", pathToFileURL(path.join(ROOT, "scripts", "lib", "plugin.mjs")).href], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
  })
  if (prepared.status !== 0) throw new Error("bench: could not build and link the plugin")

  const controlPort = await freePort()
  const database = await freshDatabase(`medusa_bench_${process.pid}`)
  const env = storeEnv(controlPort, database.url)
  const extra = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>
  let store: Awaited<ReturnType<typeof startStore>> | undefined
  try {
    let from = Date.now()
    log(`database ${database.name}: migrating`)
    await migrate(database.url, extra)
    await createAdminUser(database.url, ADMIN, extra)
    const migrateSeconds = (Date.now() - from) / 1000
    from = Date.now()
    store = await startStore(env)
    const bootSeconds = (Date.now() - from) / 1000
    log(`store up in ${bootSeconds.toFixed(1)} s (log: ${path.relative(ROOT, store.logFile)})`)
    const shop = await setUpShop(store.url)
    const control = new Control(`http://127.0.0.1:${controlPort}`)

    // One of each first, not counted: the first call of each route and provider warms the process.
    for (const subject of SUBJECTS) for (const edits of CART_CHANGES) await checkout(shop, control, subject, edits)
    for (const subject of WEBHOOK_SUBJECTS) await webhookToOrder(shop, control, subject)

    const runs: Record<string, Record<number, CheckoutFigures[]>> = Object.fromEntries(SUBJECTS.map((s) => [s.key, Object.fromEntries(CART_CHANGES.map((e) => [e, []]))]))
    for (let run = 0; run < RUNS; run++) {
      for (const edits of CART_CHANGES) {
        for (const subject of rotate(SUBJECTS, run)) runs[subject.key][edits].push(await checkout(shop, control, subject, edits))
      }
      log(`checkout run ${run + 1}/${RUNS}`)
    }
    const webhooks: Record<string, WebhookFigures[]> = Object.fromEntries(WEBHOOK_SUBJECTS.map((s) => [s.key, []]))
    for (let run = 0; run < RUNS; run++) {
      for (const subject of rotate(WEBHOOK_SUBJECTS, run)) webhooks[subject.key].push(await webhookToOrder(shop, control, subject))
      log(`webhook run ${run + 1}/${RUNS}`)
    }

    const checkoutFigures = Object.fromEntries(
      SUBJECTS.map((s) => [s.key, { label: s.label, provider_id: s.providerId, by_cart_changes: Object.fromEntries(CART_CHANGES.map((e) => [e, summarise(runs[s.key][e], runs.system[e])])) }])
    )
    const ours = runs.stripe
    const official = runs["stripe-official"]
    const result = {
      settings: { runs: RUNS, cart_changes: CART_CHANGES, subjects: SUBJECTS.map((s) => s.key), node_env: "development" },
      boot: { migrate_and_admin_s: migrateSeconds, start_s: bootSeconds },
      checkout: checkoutFigures,
      stripe_ours_minus_official_ms:
        ours && official ? Object.fromEntries(CART_CHANGES.map((e) => [e, stat(ours[e].map((r, i) => r.total_ms - official[e][i].total_ms))])) : null,
      webhook_to_order: Object.fromEntries(
        WEBHOOK_SUBJECTS.map((s) => [
          s.key,
          {
            label: s.label,
            answered_ms: stat(webhooks[s.key].map((w) => w.answered_ms)),
            to_order_ms: stat(webhooks[s.key].map((w) => w.to_order_ms)),
            gateway_calls: stat(webhooks[s.key].map((w) => w.gateway_calls)),
          },
        ])
      ),
    }
    process.stdout.write(JSON.stringify(result) + "\n")
  } finally {
    await store?.stop()
    await database.drop().catch(() => undefined)
  }
}

main().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`)
  process.exit(1)
})
