#!/usr/bin/env node
// `npm run load [-- --ci]`: the load test (integration-tests/load/load.spec.ts) through the
// repository's store, bounded in count and time, on loopback. Full counts by default (50
// concurrent checkouts over the providers; 100 webhook events delivered 5 times each); `--ci`
// runs fewer, as `.ci/run` does. Prints a table and writes .logs/load/latest.json.
import { spawn } from "node:child_process"
import path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const ci = process.argv.includes("--ci")
const counts = ci
  ? { LOAD_CHECKOUTS: "16", LOAD_EVENTS: "20", LOAD_REPEATS: "5", LOAD_CONCURRENCY: "8" }
  : { LOAD_CHECKOUTS: "50", LOAD_EVENTS: "100", LOAD_REPEATS: "5", LOAD_CONCURRENCY: "25" }
const env = {
  ...process.env,
  ...Object.fromEntries(Object.entries(counts).filter(([name]) => !process.env[name])),
  // The memory figures are taken after a forced collection.
  NODE_OPTIONS: [process.env.NODE_OPTIONS, "--expose-gc"].filter(Boolean).join(" "),
}
const child = spawn(process.execPath, [path.join(ROOT, "scripts", "test.mjs"), "--selectProjects", "load"], { cwd: ROOT, env, stdio: "inherit" })
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
