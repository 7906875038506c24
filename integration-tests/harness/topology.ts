/**
 * The repository's store run as Medusa documents production (docs/deployment.md): several
 * `medusa start` processes on one PostgreSQL database and one Redis, each with its
 * `MEDUSA_WORKER_MODE` (`server` answers HTTP, `worker` runs subscribers and scheduled jobs),
 * with the Redis event bus, workflow engine, locking and cache (`REDIS_URL`, read by
 * store/medusa-config.ts). Gateways are local stand-ins replaying the recorded fixtures
 * (`GatewayStandIn`), reached through the providers' `*_API_BASE_URL` variables.
 *
 * For the topology test and for any test that starts, kills and restarts store processes
 * (a crash in the middle of a capture, a load test): `freshDatabase`, `migrate`,
 * `createAdminUser`, `startStoreProcess` (its `url`, `port`, `stop()`, `kill()`), `StoreApi`.
 *
 * Needs the built plugin linked into the store (`node scripts/test.mjs` does it for the
 * topology project) and a Redis URL: `TOPOLOGY_REDIS_URL`, the run's own Redis database,
 * which `node scripts/test.mjs --selectProjects topology` sets (scripts/lib/redis.mjs).
 */
import { ChildProcess, spawn } from "node:child_process"
import fs from "node:fs"
import http from "node:http"
import net from "node:net"
import path from "node:path"
import { Client } from "pg"
import { FixtureFile, FixtureSession, Interaction, loadFixture } from "./fixtures"
import { GatewayServer } from "./gateway-server"
import { STORE_DIR } from "./medusa"

const ROOT = path.resolve(__dirname, "..", "..")
const MEDUSA_CLI = path.join(ROOT, "node_modules", "@medusajs", "cli", "cli.js")
/** Where each process's output goes (git-ignored). */
export const TOPOLOGY_LOG_DIR = path.join(ROOT, ".logs", "topology")

export type WorkerMode = "server" | "worker" | "shared"

/** The run's Redis (its own database on it), as scripts/test.mjs hands it over. */
export function topologyRedisUrl(): string {
  const url = process.env.TOPOLOGY_REDIS_URL
  if (!url) {
    throw new Error("TOPOLOGY_REDIS_URL is not set: run the topology tests with `npm run test:topology` (node scripts/test.mjs --selectProjects topology), which finds or starts Redis")
  }
  return url
}

function pgSettings() {
  return {
    host: process.env.DB_HOST || "localhost",
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USERNAME || "postgres",
    password: process.env.DB_PASSWORD || "",
  }
}

async function pgAdmin(sql: string): Promise<void> {
  const client = new Client({ ...pgSettings(), database: "postgres" })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

export interface Database {
  name: string
  url: string
  drop(): Promise<void>
}

/** A new, empty PostgreSQL database (an old one of the same name is dropped first). */
export async function freshDatabase(name: string): Promise<Database> {
  if (!/^[a-z0-9_-]+$/.test(name)) throw new Error(`database name ${name}: lower-case letters, digits, - and _ only`)
  await pgAdmin(`drop database if exists "${name}" with (force)`)
  await pgAdmin(`create database "${name}"`)
  const { host, port, user, password } = pgSettings()
  const auth = `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ""}`
  return { name, url: `postgres://${auth}@${host}:${port}/${name}`, drop: () => pgAdmin(`drop database if exists "${name}" with (force)`) }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

export function logTail(file: string, lines = 40): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n")
  } catch {
    return "(no log)"
  }
}

/** The environment of a store process: the test's, the database, Redis and `extra`. */
function processEnv(databaseUrl: string, redisUrl: string | undefined, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "development",
    ...extra,
    DATABASE_URL: databaseUrl,
    // Jest's flag is for jest's module system, not for the store.
    NODE_OPTIONS: "",
    MEDUSA_DISABLE_TELEMETRY: "true",
    MEDUSA_ADMIN_DISABLED: "true",
  }
  delete env.TOPOLOGY_REDIS_URL
  if (redisUrl) env.REDIS_URL = redisUrl
  else delete env.REDIS_URL
  return env
}

/** Runs the Medusa CLI in the store to its end; throws with the output's tail when it fails. */
async function medusaCli(args: string[], databaseUrl: string, env: Record<string, string>, logName: string): Promise<string> {
  fs.mkdirSync(TOPOLOGY_LOG_DIR, { recursive: true })
  const logFile = path.join(TOPOLOGY_LOG_DIR, `${logName}.log`)
  const log = fs.openSync(logFile, "w")
  // No Redis for one-off commands: they run no subscriber, job or lock another process needs.
  const child = spawn(process.execPath, [MEDUSA_CLI, ...args], { cwd: STORE_DIR, env: processEnv(databaseUrl, undefined, env), stdio: ["ignore", log, log] })
  const code = await new Promise<number | null>((resolve) => child.on("exit", (exitCode) => resolve(exitCode)))
  fs.closeSync(log)
  if (code !== 0) throw new Error(`medusa ${args.join(" ")} failed (exit code ${code}):\n${logTail(logFile)}`)
  return fs.readFileSync(logFile, "utf8")
}

/** `medusa db:migrate`: Medusa's, the plugin's module's and the links' tables. */
export async function migrate(databaseUrl: string, env: Record<string, string> = {}): Promise<void> {
  await medusaCli(["db:migrate"], databaseUrl, env, "migrate")
}

/** An admin user who logs in with e-mail and password (`medusa user`). */
export async function createAdminUser(databaseUrl: string, credentials: { email: string; password: string }, env: Record<string, string> = {}): Promise<void> {
  await medusaCli(["user", "-e", credentials.email, "-p", credentials.password], databaseUrl, env, "create-admin")
}

export interface StoreProcess {
  /** A name for logs and messages ("server-a"). */
  name: string
  mode: WorkerMode
  /** Where it listens: a server's API, a worker's `/health` only. */
  port: number
  url: string
  logFile: string
  child: ChildProcess
  /** Whether it has exited (stopped, killed or crashed). */
  exited(): boolean
  /** SIGTERM (Medusa's graceful shutdown), SIGKILL after 10 s. */
  stop(): Promise<void>
  /** An abrupt death (SIGKILL by default): no shutdown hook runs, locks are left to expire. */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** The process's output so far. */
  log(): string
}

export interface StoreProcessOptions {
  name: string
  mode: WorkerMode
  databaseUrl: string
  /** The run's Redis; `undefined` runs the store with Medusa's in-memory modules. */
  redisUrl: string | undefined
  /** The providers' credentials and base URLs, job settings... */
  env?: Record<string, string>
  /** A port of its own; a free one by default (a restart may pass the old one). */
  port?: number
  /** How long to wait for `/health`. @default 3 minutes */
  readyTimeoutMs?: number
}

/**
 * `medusa start` in the store with `MEDUSA_WORKER_MODE=<mode>`, resolved once `/health`
 * answers (a worker answers it too: Medusa's start command serves it in every mode).
 * Output is appended to `.logs/topology/<name>.log`.
 */
export async function startStoreProcess(options: StoreProcessOptions): Promise<StoreProcess> {
  const port = options.port ?? (await freePort())
  fs.mkdirSync(TOPOLOGY_LOG_DIR, { recursive: true })
  const logFile = path.join(TOPOLOGY_LOG_DIR, `${options.name}.log`)
  const log = fs.openSync(logFile, "a")
  fs.writeSync(log, `\n--- ${new Date().toISOString()} medusa start (${options.mode}) on port ${port}\n`)
  const child = spawn(process.execPath, [MEDUSA_CLI, "start"], {
    cwd: STORE_DIR,
    env: processEnv(options.databaseUrl, options.redisUrl, { ...(options.env ?? {}), PORT: String(port), MEDUSA_WORKER_MODE: options.mode }),
    stdio: ["ignore", log, log],
    detached: process.platform !== "win32",
  })
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  let closed = false
  const closeLog = () => {
    if (closed) return
    closed = true
    fs.closeSync(log)
  }
  const exited = () => child.exitCode !== null || child.signalCode !== null
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid && process.platform !== "win32") process.kill(-child.pid, name)
      else child.kill(name)
    } catch {
      // gone already
    }
  }
  const kill = async (name: NodeJS.Signals = "SIGKILL") => {
    if (!exited()) {
      signal(name)
      await exitedPromise
    }
    closeLog()
  }
  const stop = async () => {
    if (!exited()) {
      signal("SIGTERM")
      const timer = setTimeout(() => signal("SIGKILL"), 10_000)
      await exitedPromise
      clearTimeout(timer)
    }
    closeLog()
  }
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (options.readyTimeoutMs ?? 3 * 60_000)
  for (;;) {
    const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (healthy) break
    if (exited() || Date.now() > deadline) {
      await stop()
      throw new Error(`${options.name} (${options.mode}) did not start (log: ${path.relative(ROOT, logFile)}):\n${logTail(logFile)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { name: options.name, mode: options.mode, port, url, logFile, child, exited, stop, kill, log: () => fs.readFileSync(logFile, "utf8") }
}

/** A JSON answer of a store process; a non-2xx one rejects with `status` and `body`. */
export interface ApiAnswer<T = any> {
  status: number
  data: T
  text: string
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown
  ) {
    super(message)
  }
}

/** Medusa's HTTP API of one server process, with the store's or the admin's headers. */
export class StoreApi {
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {}
  ) {}

  with(headers: Record<string, string>): StoreApi {
    return new StoreApi(this.baseUrl, { ...this.headers, ...headers })
  }

  async request<T = any>(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
    const raw = typeof body === "string"
    const response = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers: { ...(raw ? {} : { "content-type": "application/json" }), ...this.headers, ...headers },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    })
    const text = await response.text()
    let data: any = text
    try {
      data = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON
    }
    if (!response.ok) throw new ApiError(`${method} ${pathname} at ${this.baseUrl} answered ${response.status}: ${text.slice(0, 500)}`, response.status, data)
    return { status: response.status, data, text }
  }

  get<T = any>(pathname: string, headers?: Record<string, string>) {
    return this.request<T>("GET", pathname, undefined, headers)
  }

  post<T = any>(pathname: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.request<T>("POST", pathname, body, headers)
  }
}

/**
 * A gateway's local stand-in for store processes (the providers' `*_API_BASE_URL`): it plays
 * one recorded scenario at a time, strictly (see fixtures.ts), and remembers every request
 * that came while none was playing, or that the scenario did not expect, so a test can
 * assert that a process made no gateway call it should not have (`stray`).
 */
export class GatewayStandIn extends GatewayServer {
  /** Requests no scenario expected: `METHOD path` and when. */
  readonly stray: Array<{ label: string; at: number }> = []
  /** Every request, in arrival order. */
  readonly seen: Array<{ label: string; at: number }> = []
  private responder: ((method: string, url: string) => { status: number; body: unknown } | undefined) | undefined
  /** Requests the responder answered. */
  readonly answered: Array<{ label: string; at: number }> = []

  constructor(readonly name: string) {
    super()
  }

  protected override handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const label = `${req.method} ${req.url}`
    this.seen.push({ label, at: Date.now() })
    const scenario = this.scenario
    if (!scenario && this.responder) {
      const answer = this.responder(String(req.method), String(req.url))
      if (answer) {
        this.answered.push({ label, at: Date.now() })
        res.writeHead(answer.status, { "content-type": "application/json" })
        res.end(JSON.stringify(answer.body))
        return
      }
    }
    if (!scenario) {
      this.stray.push({ label, at: Date.now() })
      GatewayServer.refuse(res, label)
      return
    }
    // A request the scenario does not match is answered 418 by it: remembered here too.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse
    ;(res as unknown as { writeHead: (...args: unknown[]) => http.ServerResponse }).writeHead = (...args: unknown[]) => {
      if (args[0] === 418) this.stray.push({ label, at: Date.now() })
      return writeHead(...args)
    }
    scenario.handle(req, res)
  }

  /**
   * While no scenario plays, answer the requests `responder` knows (as often as they come:
   * a gateway's read that a scheduled job repeats), and count them in `answered`; the others
   * are stray.
   */
  respond(responder: (method: string, url: string) => { status: number; body: unknown } | undefined): void {
    this.responder = responder
  }

  /** Ends the scenario playing without checking it (clean-up after a failure). */
  drop(): void {
    this.scenario = undefined
  }
}

/** Where the interactions of a composed scenario come from: a fixture file's, by index. */
export interface FixturePart {
  scenario: string
  /** Indexes into the file's interactions, in the order wanted; all of them by default. */
  take?: number[]
  /** Mark them `unordered`: requested in any order among the neighbouring unordered ones. */
  unordered?: boolean
}

/**
 * A scenario made of recorded interactions of `provider`'s fixture files, for requests that
 * several processes make in an order no one fixes (two servers verifying the same delivery,
 * each signing in to PayPal once). Each interaction is still used exactly once.
 */
export function composedScenario(provider: string, name: string, parts: FixturePart[], bodyFormat: "form" | "json"): FixtureSession {
  const interactions: Interaction[] = []
  let source = ""
  for (const part of parts) {
    const file = loadFixture(provider, part.scenario)
    source ||= file.source
    const picked = part.take ? part.take.map((index) => file.interactions[index]) : file.interactions
    for (const interaction of picked) {
      if (!interaction) throw new Error(`${provider}/${part.scenario} has no interaction at one of ${JSON.stringify(part.take)}`)
      interactions.push({ ...interaction, ...(part.unordered ? { unordered: true } : {}) })
    }
  }
  const fixture: FixtureFile = { provider, scenario: name, source, interactions }
  return new FixtureSession(fixture, { origin: "http://127.0.0.1", bodyFormat })
}

/** A fixture file's scenario as it is, its first `count` interactions when given. */
export function recordedScenario(provider: string, scenario: string, bodyFormat: "form" | "json", count?: number): FixtureSession {
  return composedScenario(provider, scenario, [{ scenario, take: count === undefined ? undefined : [...Array(count).keys()] }], bodyFormat)
}

/** Poll until something is so (the in-process tests' helper). */
export { eventually } from "./medusa"
