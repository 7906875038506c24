// Child processes of `npm run demo`: the Medusa CLI runs in its own process group so the
// demo can stop it (and whatever it forked) in a controlled order.
import { execFileSync, spawn } from "node:child_process"
import fs from "node:fs"
import http from "node:http"
import net from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
// What `node_modules/.bin/medusa` points at, run with this Node (no shell, no shebang).
export const MEDUSA_CLI = path.join(ROOT, "node_modules", "@medusajs", "cli", "cli.js")
// The Medusa app the demo runs: the repository's store, which installs the collection.
export const STORE_DIR = path.join(ROOT, "store")
const GROUPS = process.platform !== "win32"

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Run `medusa <args>` to completion with its output in `logFile` (under `.logs/`).
 * Resolves with `{ code, output }`; `onChild` receives the child while it runs.
 */
export function runMedusa(args, { env, logFile, onChild }) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true })
  const log = fs.createWriteStream(logFile)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MEDUSA_CLI, ...args], { cwd: STORE_DIR, env, detached: GROUPS, stdio: ["ignore", "pipe", "pipe"] })
    onChild?.(child)
    let output = ""
    const collect = (chunk) => {
      output += chunk.toString("utf8")
      log.write(chunk)
    }
    child.stdout.on("data", collect)
    child.stderr.on("data", collect)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      onChild?.(null)
      log.end()
      resolve({ code: code ?? (signal ? 1 : 0), signal, output })
    })
  })
}

/** Start a long-running `medusa <args>` with its output on the demo's terminal. */
export function startMedusa(args, { env }) {
  return spawn(process.execPath, [MEDUSA_CLI, ...args], { cwd: STORE_DIR, env, detached: GROUPS, stdio: ["ignore", "inherit", "inherit"] })
}

/** Whether any process of the group led by `pid` is alive. */
export function groupAlive(pid) {
  try {
    process.kill(GROUPS ? -pid : pid, 0)
    return true
  } catch (error) {
    return error.code === "EPERM"
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(GROUPS ? -pid : pid, signal)
  } catch {
    // already gone
  }
}

/** Direct children of `pid` (Linux and macOS `ps`); empty when `ps` is unavailable. */
function childrenOf(pid) {
  try {
    return execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter(([child, parent]) => parent === pid && child)
      .map(([child]) => child)
  } catch {
    return []
  }
}

async function waitUntil(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await sleep(100)
  }
  return check()
}

/**
 * Stop a Medusa CLI process and everything it started. `medusa develop` forks the server
 * (`medusa start`), which shuts down gracefully on SIGTERM, but does not pass signals on:
 * so the server gets SIGTERM first (alone: signalling the whole group would also stop the
 * admin's esbuild service under it), then the watcher, then whatever is left of the group;
 * anything still alive after that is killed.
 */
export async function stopTree(child, { timeoutMs = 15000, force = false } = {}) {
  if (!child?.pid) return
  const pid = child.pid
  if (!force) {
    const children = GROUPS ? childrenOf(pid) : []
    for (const c of children) {
      try {
        process.kill(c, "SIGTERM")
      } catch {
        // gone
      }
    }
    const alive = (p) => {
      try {
        process.kill(p, 0)
        return true
      } catch (error) {
        return error.code === "EPERM"
      }
    }
    if (children.length) await waitUntil(() => !children.some(alive), timeoutMs)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
    await waitUntil(() => !groupAlive(pid), 3000)
    // Left over, e.g. the server of a `medusa develop` that died: the whole group, gently first.
    if (groupAlive(pid)) {
      signalGroup(pid, "SIGTERM")
      await waitUntil(() => !groupAlive(pid), timeoutMs)
    }
  }
  if (groupAlive(pid)) {
    signalGroup(pid, "SIGKILL")
    await waitUntil(() => !groupAlive(pid), 3000)
  }
}

/** Synchronous last resort when the demo itself is exiting. */
export function killTreeNow(child) {
  if (child?.pid && groupAlive(child.pid)) signalGroup(child.pid, "SIGKILL")
}

/** Whether `port` can be bound the way Medusa binds it (all interfaces). */
export function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once("error", () => resolve(false))
    server.listen(port, () => server.close(() => resolve(true)))
  })
}

/** GET/POST a JSON endpoint of the local server. */
export function request(url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = http.request(
      url,
      {
        method,
        headers: { ...headers, ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}) },
        timeout: 10000,
      },
      (res) => {
        let text = ""
        res.on("data", (chunk) => (text += chunk))
        res.on("end", () => {
          let json
          try {
            json = JSON.parse(text)
          } catch {
            json = undefined
          }
          resolve({ status: res.statusCode, text, json })
        })
      }
    )
    req.on("timeout", () => req.destroy(new Error("timeout")))
    req.on("error", reject)
    if (payload) req.write(payload)
    req.end()
  })
}

/** Poll `url` until it answers 200, the child exits, or `timeoutMs` passes. */
export async function waitForHealth(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false
    try {
      const { status } = await request(url)
      if (status === 200) return true
    } catch {
      // not listening yet
    }
    await sleep(500)
  }
  return false
}
