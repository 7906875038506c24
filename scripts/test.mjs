#!/usr/bin/env node
// `npm test`: the whole suite (unit, conformance, fixture lint, HTTP integration through a
// real Medusa app, the admin widgets in a real browser). Uses the PostgreSQL at
// DB_HOST/DB_PORT/DB_USERNAME when one answers there, otherwise starts an embedded one for
// the duration of the run.
import { spawn } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { canConnect, startEmbedded } from "./lib/postgres.mjs"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

// Record mode talks to the gateways' sandboxes with the keys in the git-ignored .env.record.
if (process.env.PAYMENTS_RECORD) {
  const file = path.join(ROOT, ".env.record")
  if (!fs.existsSync(file)) {
    console.error(`[test] PAYMENTS_RECORD=${process.env.PAYMENTS_RECORD} needs sandbox keys in .env.record`)
    process.exit(2)
  }
  process.loadEnvFile(file)
}

// The HTTP tests boot the repository's store, which installs the collection as a merchant's
// store does: build the plugin (when its sources changed) and link it into store/ first.
if (needsStore(process.argv.slice(2))) {
  const { preparePlugin } = await import("./lib/plugin.mjs")
  try {
    preparePlugin({ log: (line) => console.log(`[test] ${line}`) })
  } catch (error) {
    console.error(`[test] ${error.message}`)
    process.exit(1)
  }
}

// The browser tests drive Debian's Chromium: find it, or install it (root with apt-get), first.
if (selects(process.argv.slice(2), ["browser"])) {
  const { ensureChromium } = await import("./lib/chromium.mjs")
  try {
    process.env.CHROMIUM_PATH = ensureChromium({ log: (line) => console.log(`[test] ${line}`) })
  } catch (error) {
    console.error(`[test] ${error.message}`)
    process.exit(1)
  }
}

/** Whether the jest arguments select tests that boot the store (the http, browser, install, load or topology project, or a file of them). */
function needsStore(args) {
  return selects(args, ["http", "browser", "install", "load", "topology"])
}

/**
 * Whether the jest arguments name the topology project or a file of it (the whole suite,
 * `npm test` without arguments, leaves it out: it has its own command, `npm run test:topology`).
 */
function choosesTopology(args) {
  if (args.includes("--selectProjects")) return selects(args, ["topology"])
  return args.some((arg) => !arg.startsWith("-") && /integration-tests[/\\]topology/.test(arg))
}

/**
 * Whether the jest arguments select tests of one of these projects (whose tests are in
 * `integration-tests/<project>/`): by `--selectProjects`, by a path, or by selecting nothing
 * (the whole suite).
 */
function selects(args, wanted) {
  // `--selectProjects unit conformance`: the names up to the next flag.
  const at = args.indexOf("--selectProjects")
  const projects = at < 0 ? [] : args.slice(at + 1, args.findIndex((arg, i) => i > at && arg.startsWith("-")) >>> 0)
  if (at >= 0) return projects.some((project) => wanted.includes(project))
  const paths = args.filter((arg) => !arg.startsWith("-") && /[/\\.]/.test(arg))
  const folders = new RegExp(`integration-tests[/\\\\](${wanted.join("|")})|^integration-tests\\/?$`)
  return paths.length === 0 || paths.some((p) => folders.test(p))
}

const settings = {
  host: process.env.DB_HOST || "localhost",
  port: Number(process.env.DB_PORT || 5432),
  user: process.env.DB_USERNAME || "postgres",
  password: process.env.DB_PASSWORD || "",
}

let embedded
if (await canConnect(settings)) {
  console.log(`[test] using PostgreSQL at ${settings.host}:${settings.port} as ${settings.user}`)
} else {
  console.log(`[test] no PostgreSQL answers at ${settings.host}:${settings.port}; starting an embedded one`)
  embedded = await startEmbedded({ name: "test-pg", preferredPort: 54329, persistent: false })
  Object.assign(settings, { host: embedded.host, port: embedded.port, user: embedded.user, password: embedded.password })
  console.log(`[test] embedded PostgreSQL on port ${embedded.port}`)
}

// The topology tests run the store as production does, on Redis: the one at REDIS_URL or
// 127.0.0.1:6379, or a redis-server started here (installed with apt-get when root); each run
// has a Redis database of its own (scripts/lib/redis.mjs), handed on as TOPOLOGY_REDIS_URL.
let redis
if (choosesTopology(process.argv.slice(2))) {
  const { ensureRedis } = await import("./lib/redis.mjs")
  try {
    redis = await ensureRedis({ log: (line) => console.log(`[test] ${line}`) })
  } catch (error) {
    console.error(`[test] ${error.message}`)
    if (embedded) await embedded.stop()
    process.exit(1)
  }
}

const env = {
  ...process.env,
  ...(redis ? { TOPOLOGY_REDIS_URL: redis.url } : {}),
  DB_HOST: settings.host,
  DB_PORT: String(settings.port),
  DB_USERNAME: settings.user,
  DB_PASSWORD: settings.password,
  NODE_ENV: "test",
  // The Payment Module's provider loader uses a dynamic import.
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--experimental-vm-modules"].filter(Boolean).join(" "),
}
// The store switches to Redis and a worker mode on these (store/medusa-config.ts): the other
// tests run the store in one process with Medusa's in-memory modules, whatever the shell exports.
// The topology tests set them per process from TOPOLOGY_REDIS_URL.
delete env.REDIS_URL
delete env.MEDUSA_WORKER_MODE

const jest = path.join(ROOT, "node_modules", "jest", "bin", "jest.js")
// The install test (a separate store installing the packed package) has its own command,
// `npm run test:install`; the whole suite is every other project.
const args = process.argv.slice(2)
const chosen = args.includes("--selectProjects") || args.some((arg) => !arg.startsWith("-") && /[/\\.]/.test(arg))
const projects = chosen ? [] : ["--selectProjects", "unit", "conformance", "lint", "http", "browser"]
const child = spawn(process.execPath, [jest, "--forceExit", ...projects, ...args], { cwd: ROOT, env, stdio: "inherit" })

const stop = async (code) => {
  if (redis) await redis.stop()
  if (embedded) await embedded.stop()
  process.exit(code)
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => child.kill(signal))
}
child.on("exit", (code, signal) => stop(code ?? (signal ? 1 : 0)))
