// What `npm run demo` remembers between runs (in the git-ignored `.data/`), so a second run
// skips the migrations and the seed when nothing they depend on has changed.
import crypto from "node:crypto"
import fs from "node:fs"
import path from "node:path"
import util from "node:util"
import pg from "pg"
import { ROOT } from "./demo-processes.mjs"

const DATA = path.join(ROOT, ".data")
const STATE_FILE = path.join(DATA, "demo-state.json")
const CREDENTIALS_FILE = path.join(DATA, "demo-admin.json")
export const DEFAULT_ADMIN_EMAIL = "admin@medusa-payments.local"
// Must match store/src/scripts/seed-demo.ts.
const API_KEY_TITLE = "Medusa Payments demo storefront"
const DEMO_MARKER = "medusa_payments_demo"

/** The variables of `.env` (what medusa-config's `loadEnv` reads in development). */
export function readDotEnv(file = path.join(ROOT, ".env")) {
  let text
  try {
    text = fs.readFileSync(file, "utf8")
  } catch {
    return {}
  }
  if (typeof util.parseEnv === "function") return util.parseEnv(text)
  const vars = {}
  for (const line of text.split(/\r?\n/)) {
    const match = line.match(/^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*?)\s*$/)
    if (!match) continue
    let value = match[2]
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1)
    else value = value.replace(/\s+#.*$/, "")
    vars[match[1]] = value
  }
  return vars
}

/** The admin's email and password: the environment, else `.data/demo-admin.json`, else new ones. */
export function adminCredentials(env = process.env) {
  if (env.DEMO_ADMIN_EMAIL && env.DEMO_ADMIN_PASSWORD) {
    return { email: env.DEMO_ADMIN_EMAIL, password: env.DEMO_ADMIN_PASSWORD, source: "environment" }
  }
  try {
    const saved = JSON.parse(fs.readFileSync(CREDENTIALS_FILE, "utf8"))
    if (typeof saved?.email === "string" && typeof saved?.password === "string") {
      return { email: saved.email, password: saved.password, source: ".data/demo-admin.json" }
    }
  } catch {
    // none yet
  }
  const credentials = { email: DEFAULT_ADMIN_EMAIL, password: crypto.randomBytes(12).toString("base64url") }
  fs.mkdirSync(DATA, { recursive: true })
  fs.writeFileSync(CREDENTIALS_FILE, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 })
  return { ...credentials, source: ".data/demo-admin.json (new)" }
}

function listFiles(dir) {
  let entries
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries
    .flatMap((entry) => {
      const full = path.join(dir, entry.name)
      return entry.isDirectory() ? listFiles(full) : [full]
    })
    .sort()
}

function hashFiles(hash, files) {
  for (const file of files) {
    hash.update(path.relative(ROOT, file))
    try {
      hash.update(fs.readFileSync(file))
    } catch {
      hash.update("<missing>")
    }
  }
}

/** Folders of Medusa modules the store and the plugin bring (with their migrations). */
function moduleDirs() {
  return [path.join(ROOT, "src", "modules"), path.join(ROOT, "store", "src", "modules")].flatMap((modules) => {
    try {
      return fs.readdirSync(modules).sort().map((name) => path.join(modules, name))
    } catch {
      return []
    }
  })
}

/**
 * What `medusa db:migrate` depends on: the installed Medusa (lock file), the config, the
 * custom modules' migrations and the link definitions.
 */
export function migrationsFingerprint() {
  const hash = crypto.createHash("sha256")
  hashFiles(hash, [
    path.join(ROOT, "package-lock.json"),
    path.join(ROOT, "node_modules", "@medusajs", "medusa", "package.json"),
    path.join(ROOT, "store", "medusa-config.ts"),
  ])
  for (const dir of moduleDirs()) {
    hash.update(path.relative(ROOT, dir))
    hashFiles(hash, listFiles(path.join(dir, "migrations")))
  }
  hashFiles(hash, [...listFiles(path.join(ROOT, "src", "links")), ...listFiles(path.join(ROOT, "store", "src", "links"))])
  return hash.digest("hex")
}

/**
 * What the seed depends on: the seed itself, the config, the provider declarations and
 * the values of every environment variable they name (a provider whose credentials were
 * added since the last run must be added to the regions).
 */
export function seedFingerprint(env, extra = "") {
  const files = [
    path.join(ROOT, "store", "src", "scripts", "seed-demo.ts"),
    path.join(ROOT, "store", "medusa-config.ts"),
    path.join(ROOT, "src", "payment-providers.ts"),
    path.join(ROOT, "src", "lib", "payments", "registry.ts"),
    // Each provider's environment variables are named in its declaration.
    ...listFiles(path.join(ROOT, "src", "providers")).filter((file) => path.basename(file) === "declaration.ts"),
  ]
  const hash = crypto.createHash("sha256")
  hashFiles(hash, files)
  const names = new Set()
  for (const file of files) {
    let text = ""
    try {
      text = fs.readFileSync(file, "utf8")
    } catch {
      // missing
    }
    for (const [name] of text.matchAll(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g)) names.add(name)
  }
  for (const name of [...names].sort()) hash.update(`${name}=${env[name] ?? ""}\n`)
  hash.update(moduleDirs().map((d) => path.basename(d)).join(","))
  hash.update(extra)
  return hash.digest("hex")
}

function readState() {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, "utf8"))
  } catch {
    return {}
  }
}

export function loadDbState(dbKey) {
  return readState()[dbKey] ?? {}
}

export function saveDbState(dbKey, patch) {
  const state = readState()
  state[dbKey] = { ...(state[dbKey] ?? {}), ...patch }
  fs.mkdirSync(DATA, { recursive: true })
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2) + "\n")
}

/** `DATABASE_URL` with its password hidden. */
export function redactUrl(url) {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = "***"
    return parsed.toString()
  } catch {
    return url.replace(/:\/\/([^:/@]+):[^@]*@/, "://$1:***@")
  }
}

/**
 * Connect to the database of `url`; when the server answers but the database does not
 * exist, create it. Returns `{ dbKey, created, migrated }`: `dbKey` names this very database
 * (a database dropped and created again gets another oid, a new cluster another system
 * identifier, hence another key); `migrated` says whether Medusa's tables exist.
 */
export async function inspectDatabase(url) {
  const connect = async (connectionString) => {
    const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5000 })
    await client.connect()
    return client
  }
  let created = false
  let client
  try {
    client = await connect(url)
  } catch (error) {
    if (error.code !== "3D000") throw error
    const parsed = new URL(url)
    const name = decodeURIComponent(parsed.pathname.slice(1))
    parsed.pathname = "/postgres"
    const admin = await connect(parsed.toString())
    try {
      await admin.query(`create database "${name.replace(/"/g, '""')}"`)
      created = true
    } finally {
      await admin.end().catch(() => {})
    }
    client = await connect(url)
  }
  try {
    const { rows } = await client.query(
      "select oid::text as oid, current_database() as db, inet_server_port() as port from pg_database where datname = current_database()"
    )
    // The cluster's identity, where the user may read it (a new initdb reuses database oids).
    const system = await client
      .query("select system_identifier::text as id from pg_control_system()")
      .then((r) => r.rows[0]?.id ?? "")
      .catch(() => "")
    // Whether Medusa's tables are there at all (a fresh database needs the migrations whatever the state file says).
    const migrated = await client
      .query("select to_regclass('public.region') is not null and to_regclass('public.script_migrations') is not null as ok")
      .then((r) => !!r.rows[0]?.ok)
      .catch(() => false)
    const parsed = new URL(url)
    const dbKey = `${parsed.hostname}:${rows[0].port ?? parsed.port}/${rows[0].db}#${rows[0].oid}${system ? `@${system}` : ""}`
    return { dbKey, created, migrated }
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Whether the demo data a previous seed made is still there: the publishable key, the
 * demo regions with the providers it set, and the admin user. Returns the key's token,
 * or null (then seed again).
 */
export async function findSeededData(url, { email, regionCount, providers }) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    const key = await client.query(
      `select token from api_key where type = 'publishable' and title = $1 and revoked_at is null and deleted_at is null
       order by created_at limit 1`,
      [API_KEY_TITLE]
    )
    const regions = await client.query(
      `select count(*)::int as n from region where deleted_at is null and metadata ? $1`,
      [DEMO_MARKER]
    )
    const user = await client.query(`select 1 from "user" where email = $1 and deleted_at is null`, [email])
    const identity = await client.query(
      `select 1 from provider_identity where provider = 'emailpass' and entity_id = $1 and deleted_at is null`,
      [email]
    )
    if (!key.rowCount || regions.rows[0].n < regionCount || !user.rowCount || !identity.rowCount) return null
    // Each demo region still offers exactly the providers the last seed set (someone may
    // have changed them in the admin, or run the seed with another configuration).
    const links = await client.query(
      `select r.id, coalesce(array_agg(l.payment_provider_id order by l.payment_provider_id)
                             filter (where l.payment_provider_id is not null), '{}') as providers
       from region r left join region_payment_provider l on l.region_id = r.id and l.deleted_at is null
       where r.deleted_at is null and r.metadata ? $1 group by r.id`,
      [DEMO_MARKER]
    )
    const expected = [...(providers ?? [])].sort().join(",")
    if (links.rows.some((row) => [...row.providers].sort().join(",") !== expected)) return null
    return key.rows[0].token
  } catch {
    return null
  } finally {
    await client.end().catch(() => {})
  }
}
