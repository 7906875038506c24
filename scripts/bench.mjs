#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only=stripe,paypal] [-- --skip-store]`: a benchmark, not a test. Measures, side by
// side in one run and over several runs (median, min and max; never one run):
//   - cold load: the collection's provider modules (the built .medusa/server) against
//     @medusajs/payment-stripe alone, each in a fresh process that has @medusajs/framework loaded;
//   - per operation: each provider's own cost over the gateway call it makes, its time against
//     the same requests sent raw, and the gateway round trips of a full lifecycle
//     (scripts/bench/micro.ts, against loopback replays of the recorded fixtures);
//   - webhooks: verification + mapping against the gateway's bare check, and deliveries per second;
//   - checkout through Medusa's store API (scripts/bench/checkout.ts, a `medusa start` of store/ under
//     the HTTP tests' lock): each provider against pp_system_default, ours against
//     @medusajs/payment-stripe, where the time goes, and a Stripe webhook to its order
//     (`--skip-store` leaves it out).
// Prints markdown tables with the machine and writes .bench/latest.json. docs/benchmarks.md
// explains each figure.
import { execFileSync, spawnSync } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const argv = process.argv.slice(2)
const quick = argv.includes("--quick")
const only = argv.find((a) => a.startsWith("--only="))?.slice("--only=".length)
const skipStore = argv.includes("--skip-store")
const RUNS = quick ? 3 : 7
const ITERATIONS = quick ? 10 : 30
const HOOK_ITERATIONS = quick ? 500 : 2000
const LOAD_RUNS = quick ? 3 : 7

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length })
const fmt = (s, digits = 1) => `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}–${s.max.toFixed(digits)}]`

const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? "unknown",
  memory_gb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  load_average: os.loadavg().map((l) => Number(l.toFixed(2))),
  date: new Date().toISOString(),
}

// ---- cold load ----------------------------------------------------------------------

const PROVIDERS_DIR = path.join(ROOT, ".medusa", "server", "src", "providers")

function ensureBuilt() {
  const newest = (dir) => {
    let latest = 0
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== "__tests__") latest = Math.max(latest, newest(full))
      } else if (/\.ts$/.test(entry.name)) latest = Math.max(latest, fs.statSync(full).mtimeMs)
    }
    return latest
  }
  const built = path.join(PROVIDERS_DIR, "stripe", "index.js")
  const stale = !fs.existsSync(built) || fs.statSync(built).mtimeMs < newest(path.join(ROOT, "src"))
  if (stale || argv.includes("--build")) {
    process.stderr.write("bench: building the plugin (npm run build) for the cold-load figures...\n")
    // Under the lock the HTTP tests take around their own build (docs/testing.md).
    execFileSync("flock", ["/tmp/medusa-http.lock", "npm", "run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] })
  }
}

function coldLoad() {
  ensureBuilt()
  const providers = fs
    .readdirSync(PROVIDERS_DIR)
    .filter((name) => fs.existsSync(path.join(PROVIDERS_DIR, name, "index.js")))
    .sort()
  const subjects = {
    "the collection (all provider modules)": providers.map((name) => path.join(PROVIDERS_DIR, name, "index.js")),
    "our Stripe provider alone": [path.join(PROVIDERS_DIR, "stripe", "index.js")],
    "@medusajs/payment-stripe alone": ["@medusajs/payment-stripe"],
  }
  const runs = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]))
  // Warm the file system cache once, then alternate the subjects run by run.
  for (const entries of Object.values(subjects)) loadOnce(entries)
  for (let run = 0; run < LOAD_RUNS; run++) {
    for (const [name, entries] of Object.entries(subjects)) runs[name].push(loadOnce(entries))
  }
  return Object.fromEntries(
    Object.entries(runs).map(([name, rs]) => [
      name,
      {
        modules: subjects[name].map((e) => path.relative(ROOT, e) || e),
        ms: stat(rs.map((r) => r.ms)),
        files: stat(rs.map((r) => r.files)),
        heap_mb: stat(rs.map((r) => r.heap_mb)),
        rss_mb: stat(rs.map((r) => r.rss_mb)),
        loads_stripe_sdk: rs[0].sdk.stripe,
        loads_braintree_sdk: rs[0].sdk.braintree,
        core_flows_files: rs[0].core_flows,
      },
    ])
  )
}

function loadOnce(entries) {
  const out = execFileSync(process.execPath, ["--expose-gc", path.join(ROOT, "scripts", "bench", "cold-load.cjs"), ...entries], { cwd: ROOT, encoding: "utf8" })
  return JSON.parse(out)
}

// ---- in-process figures ---------------------------------------------------------------

function micro() {
  const args = [
    "-r",
    "ts-node/register/transpile-only",
    path.join(ROOT, "scripts", "bench", "micro.ts"),
    `--runs=${RUNS}`,
    `--iterations=${ITERATIONS}`,
    `--hook-iterations=${HOOK_ITERATIONS}`,
    ...(only ? [`--only=${only}`] : []),
  ]
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"), NODE_ENV: "test" },
  })
  if (result.status !== 0) {
    process.stderr.write(result.stderr)
    throw new Error(`bench: scripts/bench/micro.ts exited with ${result.status}`)
  }
  return JSON.parse(result.stdout)
}

// ---- checkout through the store API ---------------------------------------------------

function checkout() {
  const env = { ...process.env }
  // ts-node finds the repository's tsconfig from the working directory; the store's own ts-node must not get it.
  delete env.TS_NODE_PROJECT
  process.stderr.write("bench: checkout through the store API (waits for the HTTP tests' lock, boots the store)...\n")
  const args = [
    "/tmp/medusa-http.lock",
    process.execPath,
    "-r",
    "ts-node/register/transpile-only",
    path.join(ROOT, "scripts", "bench", "checkout.ts"),
    `--runs=${RUNS}`,
    ...(only ? [`--only=${only}`] : []),
  ]
  const result = spawnSync("flock", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env, stdio: ["ignore", "pipe", "inherit"] })
  if (result.status !== 0) throw new Error(`bench: scripts/bench/checkout.ts exited with ${result.status}`)
  return JSON.parse(result.stdout)
}

// ---- report ---------------------------------------------------------------------------

function tables(report) {
  const lines = []
  const m = report.machine
  lines.push(`Machine: ${m.cpus} × ${m.cpu}, ${m.memory_gb} GB, Node ${m.node}, ${m.platform}; load average ${m.load_average.join(" / ")} at the start; ${m.date}.`)
  lines.push(`Runs: ${report.settings.runs} (cold load: ${report.settings.load_runs} fresh processes each); figures are median [min–max] over the runs.`)
  lines.push("")
  lines.push("**Cold load** (after `@medusajs/framework`, fresh process each run)")
  lines.push("")
  lines.push("| modules | time (ms) | files loaded | heap (MB) | RSS (MB) | stripe SDK | braintree SDK | core-flows files |")
  lines.push("| --- | --- | --- | --- | --- | --- | --- | --- |")
  for (const [name, r] of Object.entries(report.cold_load)) {
    lines.push(`| ${name} | ${fmt(r.ms)} | ${fmt(r.files, 0)} | ${fmt(r.heap_mb)} | ${fmt(r.rss_mb)} | ${r.loads_stripe_sdk ? "loaded" : "not loaded"} | ${r.loads_braintree_sdk ? "loaded" : "not loaded"} | ${r.core_flows_files} |`)
  }
  if (report.micro.steady) {
    lines.push("")
    lines.push("**Own cost, steady state** (one provider, its SDK call answered at once with a canned object; µs per operation)")
    lines.push("")
    lines.push("| gateway | operation | own cost (µs) |")
    lines.push("| --- | --- | --- |")
    for (const [gateway, ops] of Object.entries(report.micro.steady)) {
      for (const [op, r] of Object.entries(ops)) lines.push(`| ${gateway} | ${op} | ${fmt(r.own_us, 2)} |`)
    }
  }
  if (report.micro.lifecycle) {
    lines.push("")
    lines.push("**Per operation in a lifecycle** (µs; a new provider and a new fixture replay per lifecycle)")
    lines.push("")
    lines.push("| gateway | operation | requests | own cost, gateway stubbed in-process | provider, loopback | same requests raw, loopback | provider − raw |")
    lines.push("| --- | --- | --- | --- | --- | --- | --- |")
    for (const [gateway, g] of Object.entries(report.micro.lifecycle)) {
      for (const [op, r] of Object.entries(g.ops)) {
        lines.push(`| ${gateway} | ${op} | ${r.requests} | ${fmt(r.own_us, 0)} | ${fmt(r.provider_us, 0)} | ${fmt(r.raw_us, 0)} | ${fmt(r.overhead_us, 0)} |`)
      }
    }
    lines.push("")
    lines.push("**Gateway round trips per lifecycle** (initiate, three amount changes, authorize, capture, two refunds; counted at the fake)")
    lines.push("")
    lines.push("| gateway | initiate | per amount change | authorize | capture | refund 1 | refund 2 | full lifecycle |")
    lines.push("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (const [gateway, g] of Object.entries(report.micro.lifecycle)) {
      const n = (op) => g.ops[op]?.requests ?? "—"
      lines.push(`| ${gateway} | ${n("initiate")} | ${g.amount_changes_supported ? n("update") : "not supported (a new session)"} | ${n("authorize")} | ${n("capture")} | ${n("refund 1")} | ${n("refund 2")} | ${g.round_trips_full_lifecycle} |`)
    }
  }
  if (report.micro.webhooks) {
    lines.push("")
    lines.push("**Webhooks** (one signed delivery of an event the store acts on; µs per delivery, in-process)")
    lines.push("")
    lines.push("| gateway | Medusa action | provider (verify + map) | bare verification | provider − bare | deliveries per second |")
    lines.push("| --- | --- | --- | --- | --- | --- |")
    for (const [gateway, r] of Object.entries(report.micro.webhooks)) {
      lines.push(`| ${gateway} | ${r.action} | ${fmt(r.provider_us)} | ${fmt(r.bare_us)} | ${fmt(r.overhead_us)} | ${fmt(r.per_second, 0)} |`)
    }
  }
  if (report.checkout) checkoutTables(lines, report.checkout)
  return lines.join("\n")
}

function checkoutTables(lines, c) {
  const edits = c.settings.cart_changes
  const editLabel = (e) => (e === 0 ? "0" : `${e} quantity edits`)
  lines.push("")
  lines.push(`**Checkout through the store API** (ms: the sum of the store API calls from cart to order; one \`medusa start\` on PostgreSQL, gateways faked in its process; median [min–max] over ${c.settings.runs} runs)`)
  lines.push("")
  lines.push("| provider | cart edits | checkout (ms) | − system provider, run by run (ms) | gateway calls per order |")
  lines.push("| --- | --- | --- | --- | --- |")
  for (const [, s] of Object.entries(c.checkout)) {
    for (const e of edits) {
      const f = s.by_cart_changes[e]
      lines.push(`| ${s.label} | ${editLabel(e)} | ${fmt(f.total_ms, 0)} | ${s.provider_id === "pp_system_default" ? "—" : fmt(f.vs_system_ms, 0)} | ${fmt(f.gateway_calls, 0)} |`)
    }
  }
  if (c.stripe_ours_minus_official_ms) {
    lines.push("")
    lines.push(`Stripe, ours − \`@medusajs/payment-stripe\`, run by run: ${edits.map((e) => `${e} cart edits ${fmt(c.stripe_ours_minus_official_ms[e], 0)} ms`).join("; ")}.`)
  }
  lines.push("")
  lines.push("**Where the time of one checkout goes** (ms per store API call; provider calls are the Payment Module's calls into the provider, gateway calls those it made, both timed in the store's process)")
  lines.push("")
  lines.push("| provider | cart edits | call | time (ms) | provider calls in it (ms) | gateway calls |")
  lines.push("| --- | --- | --- | --- | --- | --- |")
  for (const [, s] of Object.entries(c.checkout)) {
    for (const e of edits) {
      for (const [step, f] of Object.entries(s.by_cart_changes[e].steps)) {
        // At e edits only what the edits add; the rest is the 0-edit checkout's.
        if (e !== 0 && !step.includes(`(${e})`)) continue
        const calls = Object.entries(f.provider_calls_ms).map(([m, st]) => `${m} ${fmt(st)}`).join("; ") || "—"
        lines.push(`| ${s.label} | ${editLabel(e)} | ${step} | ${fmt(f.ms)} | ${calls} | ${fmt(f.gateway_calls, 0)} |`)
      }
    }
  }
  if (Object.keys(c.webhook_to_order).length) {
    lines.push("")
    lines.push("**Stripe webhook to order** (a confirmed intent whose shopper never came back: `payment_intent.amount_capturable_updated`, signed, posted once; ms)")
    lines.push("")
    lines.push("| provider | delivery answered | delivery → order | gateway calls |")
    lines.push("| --- | --- | --- | --- |")
    for (const [, w] of Object.entries(c.webhook_to_order)) lines.push(`| ${w.label} | ${fmt(w.answered_ms)} | ${fmt(w.to_order_ms, 0)} | ${fmt(w.gateway_calls, 0)} |`)
  }
  lines.push("")
  lines.push(`Store: migrations and admin ${c.boot.migrate_and_admin_s.toFixed(1)} s, \`medusa start\` ${c.boot.start_s.toFixed(1)} s (NODE_ENV=${c.settings.node_env}).`)
}

const started = Date.now()
const report = {
  machine,
  settings: { quick, runs: RUNS, iterations: ITERATIONS, hook_iterations: HOOK_ITERATIONS, load_runs: LOAD_RUNS, only: only ?? null, skip_store: skipStore },
  cold_load: coldLoad(),
  micro: micro(),
  checkout: skipStore ? null : checkout(),
}
report.seconds = (Date.now() - started) / 1000
const table = tables(report)
fs.mkdirSync(path.join(ROOT, ".bench"), { recursive: true })
fs.writeFileSync(path.join(ROOT, ".bench", "latest.json"), JSON.stringify(report, null, 2) + "\n")
fs.writeFileSync(path.join(ROOT, ".bench", "latest.md"), table + "\n")
process.stdout.write(table + "\n\n")
process.stdout.write(`Written to .bench/latest.json and .bench/latest.md (${report.seconds.toFixed(0)} s).\n`)
