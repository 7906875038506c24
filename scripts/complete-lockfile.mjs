// Completes package-lock.json for `npm ci` on registry mirrors that lack other platforms' builds.
//
// npm records an optional platform package (a Windows or macOS binary of swc or rollup)
// only when the registry serves that exact version. On a mirror that does not, `npm install`
// leaves it out of the lock, and `npm ci` then refuses the lock ("Missing: ... from lock
// file"). This adds those entries back: the version the parent pins, and the os/cpu/libc
// the package declares, so npm skips them on this platform as it would anyway.
//
// Run after every `npm install` that changes the lock: `npm run lock:complete`.
import fs from "node:fs"

const file = process.argv[2] ?? new URL("../package-lock.json", import.meta.url).pathname
const lock = JSON.parse(fs.readFileSync(file, "utf8"))
const packages = lock.packages
const missing = []
for (const [key, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    // Resolved as Node does: the nearest node_modules up the tree.
    let base = key
    let found = false
    while (true) {
      const candidate = (base ? base + "/" : "") + "node_modules/" + name
      if (packages[candidate]) { found = true; break }
      if (!base) break
      const idx = base.lastIndexOf("/node_modules/")
      base = idx === -1 ? "" : base.slice(0, idx)
    }
    if (!found) missing.push({ key, name, spec })
  }
}
if (!missing.length) {
  console.log("package-lock.json already lists every optional package")
  process.exit(0)
}

// Fill them in: version from the parent's exact spec, platform fields from the package's
// other versions (os/cpu/libc do not change between versions of a platform package).
const registry = (process.env.npm_config_registry || "https://registry.npmjs.org/").replace(/\/?$/, "/")
for (const m of missing) {
  if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(m.spec)) {
    console.warn(`skipped ${m.name}@${m.spec}: not an exact version, run npm install on a full registry`)
    continue
  }
  const res = await fetch(registry + m.name.replace("/", "%2f"))
  const doc = res.ok ? await res.json() : { versions: {} }
  const any = Object.values(doc.versions ?? {}).at(-1) ?? {}
  const entry = { version: m.spec, optional: true }
  for (const field of ["cpu", "os", "libc"]) if (any[field]) entry[field] = any[field]
  packages["node_modules/" + m.name] = entry
}
const sorted = Object.fromEntries(Object.keys(packages).sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))).map(k => [k, packages[k]]))
lock.packages = sorted
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n")
console.log(`added ${missing.length} optional platform packages to package-lock.json`)
