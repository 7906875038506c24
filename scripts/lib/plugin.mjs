// The collection as the repository's own store installs it: built into `.medusa/server` by
// `medusa plugin:build` (what `npm publish` ships) and linked as
// `store/node_modules/medusa-payments-collection`, so `store/medusa-config.ts` resolves
// `medusa-payments-collection` and `medusa-payments-collection/providers/<gateway>` through the
// package's `exports`, exactly as a merchant's store resolves the installed package.
import { spawnSync } from "node:child_process"
import crypto from "node:crypto"
import fs from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
export const STORE_DIR = path.join(ROOT, "store")
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"))
export const PACKAGE_NAME = PACKAGE.name
const BUILD_DIR = path.join(ROOT, ".medusa", "server")
const FINGERPRINT_FILE = path.join(BUILD_DIR, ".source-fingerprint")
const MEDUSA_CLI = path.join(ROOT, "node_modules", "@medusajs", "cli", "cli.js")

function listFiles(dir) {
  let entries
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? listFiles(full) : [full]
  })
}

/** What the build depends on: the sources it compiles, the package and the compiler settings. */
function sourceFingerprint() {
  const hash = crypto.createHash("sha256")
  const files = [...listFiles(path.join(ROOT, "src")), path.join(ROOT, "package.json"), path.join(ROOT, "tsconfig.json")]
  for (const file of files.filter((f) => !f.includes(`${path.sep}__tests__${path.sep}`)).sort()) {
    hash.update(path.relative(ROOT, file))
    hash.update(fs.readFileSync(file))
  }
  return hash.digest("hex")
}

/**
 * Build the plugin unless `.medusa/server` already holds a build of these sources.
 * @returns whether it built
 */
export function buildPlugin({ log = console.log, force = false } = {}) {
  const fingerprint = sourceFingerprint()
  const built = fs.existsSync(FINGERPRINT_FILE) ? fs.readFileSync(FINGERPRINT_FILE, "utf8") : ""
  if (!force && built === fingerprint && fs.existsSync(path.join(BUILD_DIR, "src", "registry.js"))) {
    return false
  }
  const from = Date.now()
  log(`building the plugin (medusa plugin:build) ...`)
  const result = spawnSync(process.execPath, [MEDUSA_CLI, "plugin:build"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } })
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`
  if (result.status !== 0 || !fs.existsSync(path.join(BUILD_DIR, "src", "registry.js"))) {
    throw new Error(`medusa plugin:build failed (exit code ${result.status}):\n${output.trim().split("\n").slice(-40).join("\n")}`)
  }
  fs.writeFileSync(FINGERPRINT_FILE, fingerprint)
  log(`plugin built in ${((Date.now() - from) / 1000).toFixed(1)} s`)
  return true
}

/** `store/node_modules/<package>` -> the repository root, as `npm install` links a `file:` dependency. */
export function linkPluginIntoStore() {
  const modules = path.join(STORE_DIR, "node_modules")
  const link = path.join(modules, ...PACKAGE_NAME.split("/"))
  const target = path.relative(path.dirname(link), ROOT) || "."
  try {
    if (fs.readlinkSync(link) === target) return
    fs.rmSync(link, { force: true, recursive: true })
  } catch {
    // not there yet (or not a link)
    fs.rmSync(link, { force: true, recursive: true })
  }
  fs.mkdirSync(path.dirname(link), { recursive: true })
  fs.symlinkSync(target, link, "dir")
}

/** Both: what `npm test` and `npm run demo` do before the store starts. */
export function preparePlugin(options = {}) {
  const built = buildPlugin(options)
  linkPluginIntoStore()
  return built
}
