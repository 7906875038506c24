/**
 * What the real-browser tests run against: the repository's store (`store/`, with the built
 * plugin linked in by `npm test`) on a fresh database, served by `medusa start` in
 * development mode so the admin dashboard is at `/app` (Vite, nothing fetched from the
 * network), plus the same app's container in the test process to seed data with Medusa's
 * workflows and the plugin's modules; and headless Chromium (Debian's, driven by
 * playwright-core), logged in through the dashboard's login page.
 */
import { ChildProcess, spawn } from "node:child_process"
import fs from "node:fs"
import net from "node:net"
import path from "node:path"
import express from "express"
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core"
import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { createUsersWorkflow } from "@medusajs/core-flows"
import { STORE_DIR, type Api } from "../harness/medusa"

const ROOT = path.resolve(__dirname, "..", "..")
const MEDUSA_CLI = path.join(ROOT, "node_modules", "@medusajs", "cli", "cli.js")
const LOG_DIR = path.join(ROOT, ".logs")

/** A fresh database per test file, as the topology tests make them. */
export { freePort, freshDatabase, type Database } from "../harness/topology"
import { freePort } from "../harness/topology"


function logTail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return "(no log)"
  }
}

/** The environment of the store's processes: the test's, with the database and `extra`. */
function storeEnv(databaseUrl: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...extra,
    DATABASE_URL: databaseUrl,
    // Jest's flag is for jest's module system, not for the store.
    NODE_OPTIONS: "",
    MEDUSA_DISABLE_TELEMETRY: "true",
  }
}

/** `medusa db:migrate` in the store: Medusa's, the plugin's module's and the links' tables. */
export async function migrate(databaseUrl: string, env: Record<string, string>): Promise<void> {
  fs.mkdirSync(LOG_DIR, { recursive: true })
  const logFile = path.join(LOG_DIR, "browser-migrate.log")
  const log = fs.openSync(logFile, "w")
  const child = spawn(process.execPath, [MEDUSA_CLI, "db:migrate"], {
    cwd: STORE_DIR,
    env: storeEnv(databaseUrl, { ...env, NODE_ENV: "development" }),
    stdio: ["ignore", log, log],
  })
  const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)))
  fs.closeSync(log)
  if (code !== 0) throw new Error(`medusa db:migrate failed (exit code ${code}):\n${logTail(logFile)}`)
}

export interface StoreServer {
  url: string
  logFile: string
  stop(): Promise<void>
}

/**
 * `medusa start` with NODE_ENV=development: what `medusa develop` forks, without its file
 * watcher (which would restart the server when another process rebuilds the plugin). The
 * admin dashboard is served at `/app` by Vite in development mode.
 */
export async function startStoreServer(databaseUrl: string, env: Record<string, string>): Promise<StoreServer> {
  const port = await freePort()
  fs.mkdirSync(LOG_DIR, { recursive: true })
  const logFile = path.join(LOG_DIR, "browser-store.log")
  const log = fs.openSync(logFile, "w")
  const child: ChildProcess = spawn(process.execPath, [MEDUSA_CLI, "start"], {
    cwd: STORE_DIR,
    env: storeEnv(databaseUrl, {
      ...env,
      NODE_ENV: "development",
      PORT: String(port),
      // As in a merchant's store, where the plugin is in the store's own node_modules: the
      // admin bundler resolves `medusa-payments-collection/admin` from its own folder to find
      // the plugin's files for Tailwind, and from the repository root only NODE_PATH leads there.
      NODE_PATH: path.join(STORE_DIR, "node_modules"),
    }),
    stdio: ["ignore", log, log],
    detached: process.platform !== "win32",
  })
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once("exit", resolve))
    const signal = (name: NodeJS.Signals) => {
      try {
        if (child.pid && process.platform !== "win32") process.kill(-child.pid, name)
        else child.kill(name)
      } catch {
        // gone already
      }
    }
    signal("SIGTERM")
    const timer = setTimeout(() => signal("SIGKILL"), 10_000)
    await exited
    clearTimeout(timer)
    fs.closeSync(log)
  }
  const deadline = Date.now() + 3 * 60_000
  for (;;) {
    const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (healthy) break
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`the store did not start (log: ${path.relative(ROOT, logFile)}):\n${logTail(logFile)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { url, logFile, stop }
}

export interface InProcessApp {
  container: MedusaContainer
  shutdown(): Promise<void>
}

/**
 * The store's app in this process, without its HTTP server, routes, subscribers or jobs (as
 * `medusa exec` loads it): the container the tests seed data through, on the same database
 * as the server the browser talks to.
 */
export async function loadApp(databaseUrl: string, env: Record<string, string>): Promise<InProcessApp> {
  const previous = { ...process.env }
  Object.assign(process.env, env, { DATABASE_URL: databaseUrl, MEDUSA_WORKER_MODE: "server" })
  // The store's config names each provider it leaves out; the server's log has those lines already.
  const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined)
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const loaders = require("@medusajs/medusa/loaders/index").default
    const { container, shutdown } = await loaders({ directory: STORE_DIR, expressApp: express(), skipLoadingEntryPoints: true })
    return { container, shutdown }
  } finally {
    warn.mockRestore()
    for (const key of Object.keys(process.env)) if (!(key in previous)) delete process.env[key]
    Object.assign(process.env, previous)
  }
}

/** Medusa's store and admin API of the running server, as the harness's `Api` (axios-like: a non-2xx rejects with `response`). */
export function httpApi(baseUrl: string): Api {
  const call = async (method: string, url: string, body?: unknown, config?: { headers?: Record<string, string> }) => {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { "content-type": "application/json", ...(config?.headers ?? {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    let data: any = text
    try {
      data = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON
    }
    if (!response.ok) {
      throw Object.assign(new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 500)}`), {
        response: { status: response.status, data },
      })
    }
    return { status: response.status, data }
  }
  return {
    get: (url, config) => call("GET", url, undefined, config as never),
    post: (url, body, config) => call("POST", url, body ?? {}, config as never),
    delete: (url, config) => call("DELETE", url, undefined, config as never),
  }
}

/** An admin user who logs in with e-mail and password (the dashboard's login form). */
export async function createAdmin(container: MedusaContainer, email: string, password: string): Promise<void> {
  const {
    result: [user],
  } = await createUsersWorkflow(container).run({ input: { users: [{ email, first_name: "Bea", last_name: "Browser" }] } })
  const auth = container.resolve(Modules.AUTH)
  const registered = await auth.register("emailpass", { body: { email, password } } as never)
  if (!registered.success || !registered.authIdentity) throw new Error(`could not register ${email}: ${registered.error}`)
  await auth.updateAuthIdentities({ id: registered.authIdentity.id, app_metadata: { user_id: user.id } })
}

/** The Chromium `npm test` found or installed (`scripts/lib/chromium.mjs` sets CHROMIUM_PATH), else one on PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const name of ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"]) {
      const file = path.join(dir, name)
      if (fs.existsSync(file)) return file
    }
  }
  throw new Error("no Chromium found: run the browser tests with `node scripts/test.mjs --selectProjects browser`, which installs it, or set CHROMIUM_PATH")
}

export interface AdminBrowser {
  browser: Browser
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

/**
 * Headless Chromium with a fixed locale, time zone and window, logged in to the dashboard of
 * `baseUrl` through its login page.
 */
export async function loggedInAdmin(baseUrl: string, credentials: { email: string; password: string }): Promise<AdminBrowser> {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Chromium's sandbox cannot run as root (CI and containers run tests as root).
    args: isRoot ? ["--no-sandbox"] : [],
  })
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: "en-US",
    timezoneId: "UTC",
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
    reducedMotion: "reduce",
  })
  const page = await context.newPage()
  // The first visit compiles the dashboard (Vite's dependency pre-bundling and Tailwind): a
  // minute or two on a cold cache on two cores; later visits take a second or two.
  page.setDefaultTimeout(30_000)
  await page.goto("/app/login", { timeout: 240_000 })
  await page.getByPlaceholder("Email").waitFor({ timeout: 240_000 })
  await page.getByPlaceholder("Email").fill(credentials.email)
  await page.getByPlaceholder("Password").fill(credentials.password)
  await page.getByRole("button", { name: "Continue with Email" }).click()
  await page.waitForURL(/\/app\/orders/, { timeout: 60_000 })
  return { browser, context, page, close: () => browser.close() }
}
