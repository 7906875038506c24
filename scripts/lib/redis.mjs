// The Redis of the topology tests (`npm run test:topology`): the one at REDIS_URL or
// 127.0.0.1:6379 when it answers, otherwise Debian's `redis-server` started here on a free port
// with no persistence (installed with apt-get first when it is missing and this process may:
// root with apt-get). Never a downloaded binary. Each run gets a Redis database of its own
// (an empty one, from 1 to 15; 0 is left to whatever else uses that Redis), emptied when the
// run ends, so a run collides with nothing else on that Redis.
import { spawn, spawnSync } from "node:child_process"
import fs from "node:fs"
import net from "node:net"
import os from "node:os"
import path from "node:path"
import { freePort } from "./postgres.mjs"

/** The Redis a run uses when REDIS_URL says none: the machine's usual one. */
export const DEFAULT_REDIS = { host: "127.0.0.1", port: 6379 }

/**
 * One command over RESP (the few a run needs: PING, SELECT, DBSIZE, SET, FLUSHDB), answered as
 * a string (`+OK` → "OK", `:3` → "3"), or an error. No client library: the repository's
 * dependencies have none at the top level.
 */
export function redisCommand({ host, port }, commands, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port })
    const wanted = commands.length
    const answers = []
    let buffer = ""
    const done = (error) => {
      clearTimeout(timer)
      socket.destroy()
      if (error) reject(error)
      else resolve(answers)
    }
    const timer = setTimeout(() => done(new Error(`Redis at ${host}:${port} did not answer in ${timeoutMs} ms`)), timeoutMs)
    socket.on("error", done)
    socket.on("connect", () => {
      socket.write(commands.map((args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join("")}`).join(""))
    })
    socket.on("data", (chunk) => {
      buffer += chunk.toString("utf8")
      let end
      while (answers.length < wanted && (end = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (line.startsWith("-")) return done(new Error(`Redis: ${line.slice(1)}`))
        answers.push(line.slice(1))
      }
      if (answers.length >= wanted) done()
    })
  })
}

/** Whether a Redis answers PING at host:port. */
export async function redisAnswers(at) {
  try {
    const [pong] = await redisCommand(at, [["PING"]])
    return pong === "PONG"
  } catch {
    return false
  }
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      if (fs.statSync(file).isFile()) return file
    } catch {
      // not here
    }
  }
  return undefined
}

function run(command, args, log) {
  log(`$ ${command} ${args.join(" ")}`)
  const result = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, stdio: ["ignore", "pipe", "pipe"] })
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n")
    throw new Error(`${command} ${args.join(" ")} failed (exit code ${result.status ?? result.signal}):\n${output}`)
  }
}

/** `redis-server` on PATH, or Debian's package installed when this process may (root, apt-get). */
export function ensureRedisServer({ log = console.log } = {}) {
  const found = onPath("redis-server")
  if (found) return found
  const root = typeof process.getuid === "function" && process.getuid() === 0
  const aptGet = onPath("apt-get")
  if (!root || !aptGet) {
    throw new Error(
      "The topology tests need Redis: none answers at 127.0.0.1:6379 (or REDIS_URL) and redis-server is not installed. " +
        "Start one, point REDIS_URL at one, or install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`)."
    )
  }
  log("no Redis answers and redis-server is missing: installing Debian's redis-server with apt-get ...")
  run(aptGet, ["update"], log)
  run(aptGet, ["install", "-y", "--no-install-recommends", "redis-server"], log)
  const installed = onPath("redis-server")
  if (!installed) throw new Error("apt-get installed redis-server but no redis-server is on PATH")
  return installed
}

/** Starts `redis-server` on a free loopback port, in memory only; resolves once it answers. */
export async function startRedisServer({ log = console.log } = {}) {
  const binary = ensureRedisServer({ log })
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-payments-redis-"))
  const child = spawn(binary, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"], {
    stdio: ["ignore", "ignore", "pipe"],
  })
  let stderr = ""
  child.stderr.on("data", (chunk) => (stderr += chunk))
  const at = { host: "127.0.0.1", port }
  const deadline = Date.now() + 15_000
  while (!(await redisAnswers(at))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL")
      throw new Error(`redis-server did not start on port ${port}: ${stderr.trim().slice(-500)}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve))
      child.kill("SIGTERM")
      await exited
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return { ...at, stop }
}

/** host and port of a `redis://` URL (its database number is ours to choose). */
function parseRedisUrl(url) {
  const parsed = new URL(url)
  if (parsed.protocol !== "redis:") throw new Error("REDIS_URL must be a redis:// URL for the topology tests")
  return { host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || 6379), auth: parsed.username || parsed.password ? parsed : undefined }
}

/**
 * A Redis database no one uses (1–15, DBSIZE 0), claimed with a key so that a second run
 * choosing at the same time takes another one.
 */
async function claimDatabase(at, tag) {
  for (const db of [...Array(15).keys()].map((i) => i + 1)) {
    const [, claimed] = await redisCommand(at, [["SELECT", db], ["SET", "medusa-payments-collection:topology-run", tag, "NX"]]).catch(() => [undefined, undefined])
    if (claimed !== "OK") continue
    const [, size] = await redisCommand(at, [["SELECT", db], ["DBSIZE"]])
    if (size === "1") return db
    // Something else lives here too: leave it as it was.
    await redisCommand(at, [["SELECT", db], ["DEL", "medusa-payments-collection:topology-run"]])
  }
  throw new Error(`Redis at ${at.host}:${at.port} has no empty database among 1–15 for this run`)
}

/**
 * The Redis for a run: `{ url, stop }`, `url` naming the run's own database
 * (`redis://127.0.0.1:6379/<n>`). `stop()` empties that database, and stops the Redis this
 * started, if it started one.
 */
export async function ensureRedis({ log = console.log } = {}) {
  let at = DEFAULT_REDIS
  if (process.env.REDIS_URL) {
    const parsed = parseRedisUrl(process.env.REDIS_URL)
    if (parsed.auth) throw new Error("REDIS_URL with credentials is not supported by the topology tests: point it at a Redis without")
    at = { host: parsed.host, port: parsed.port }
  }
  let started
  if (await redisAnswers(at)) {
    log(`using Redis at ${at.host}:${at.port}`)
  } else {
    if (process.env.REDIS_URL) throw new Error(`REDIS_URL is set but no Redis answers at ${at.host}:${at.port}`)
    log(`no Redis answers at ${at.host}:${at.port}; starting redis-server`)
    started = await startRedisServer({ log })
    at = { host: started.host, port: started.port }
    log(`redis-server on port ${at.port} (no persistence)`)
  }
  const db = await claimDatabase(at, `pid ${process.pid} at ${new Date().toISOString()}`)
  log(`this run's Redis database: ${db}`)
  const stop = async () => {
    await redisCommand(at, [["SELECT", db], ["FLUSHDB"]]).catch(() => {})
    if (started) await started.stop()
  }
  return { url: `redis://${at.host}:${at.port}/${db}`, host: at.host, port: at.port, db, stop }
}
