#!/usr/bin/env node
// `npm run new-gateway -- <name> [--label "Name"] [--out <dir>]`: a new gateway's skeleton from
// templates/gateway (docs/adding-a-gateway.md): src/providers/<name>/ with the fixed file set,
// its unit test, its conformance and HTTP specs and the README of its fixtures. Refuses to
// write over anything that exists. `--out` writes under another root (the lint test uses it).
import fs from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const TEMPLATES = path.join(ROOT, "templates", "gateway")

function parseArgs(argv) {
  const args = { name: undefined, label: undefined, out: ROOT }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === "--label") args.label = argv[++i]
    else if (arg === "--out") args.out = path.resolve(argv[++i])
    else if (!arg.startsWith("-") && !args.name) args.name = arg
    else throw new Error(`unknown argument ${JSON.stringify(arg)}`)
  }
  return args
}

/** The names a gateway goes by: `acme-pay` -> AcmePay, acmePay, ACME_PAY, "Acme Pay". */
export function namesOf(name, label) {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name ?? "")) {
    throw new Error(`the gateway's name must be lower-case letters and digits with dashes (its identifier, e.g. acme-pay), not ${JSON.stringify(name)}`)
  }
  const words = name.split("-")
  const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join("")
  return {
    "__gateway__": name,
    "__Gateway__": pascal,
    "__gatewayVar__": pascal[0].toLowerCase() + pascal.slice(1),
    "__GATEWAY__": words.join("_").toUpperCase(),
    "__Label__": label ?? words.map((w) => w[0].toUpperCase() + w.slice(1)).join(" "),
  }
}

function fill(text, names) {
  // __GATEWAY__ and __gatewayVar__ before __gateway__, which they do not contain but sit beside.
  let out = text
  for (const key of ["__GATEWAY__", "__gatewayVar__", "__Gateway__", "__Label__", "__gateway__"]) {
    out = out.split(key).join(names[key])
  }
  return out
}

/** Template file -> where it goes, relative to the root. */
function targets(name) {
  const list = []
  const walk = (dir, rel = "") => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const relative = path.join(rel, entry.name)
      if (entry.isDirectory()) walk(dir, relative)
      else if (entry.name.endsWith(".tmpl")) list.push(relative)
    }
  }
  walk(path.join(TEMPLATES, "provider"))
  return [
    ...list.map((file) => [path.join("provider", file), path.join("src", "providers", name, file.replace(/\.tmpl$/, ""))]),
    ["conformance.spec.ts.tmpl", path.join("integration-tests", "conformance", `${name}.spec.ts`)],
    ["http.spec.ts.tmpl", path.join("integration-tests", "http", `${name}.spec.ts`)],
    ["fixtures-README.md.tmpl", path.join("integration-tests", "fixtures", name, "README.md")],
  ]
}

export function generate({ name, label, out = ROOT }) {
  const names = namesOf(name, label)
  const plan = targets(name)
  const existing = plan.map(([, target]) => target).filter((target) => fs.existsSync(path.join(out, target)))
  if (existing.length) throw new Error(`refusing to write over ${existing.join(", ")}`)
  for (const [template, target] of plan) {
    const file = path.join(out, target)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, fill(fs.readFileSync(path.join(TEMPLATES, template), "utf8"), names))
  }
  return plan.map(([, target]) => target)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    const args = parseArgs(process.argv.slice(2))
    const written = generate(args)
    const names = namesOf(args.name, args.label)
    console.log(`Wrote ${written.length} files:\n${written.map((file) => `  ${file}`).join("\n")}`)
    console.log(
      [
        "",
        "Next (docs/adding-a-gateway.md):",
        `  1. fill in every TODO(${args.name}) from ${names.__Label__}'s API reference, with its links;`,
        `  2. author the fixtures integration-tests/fixtures/${args.name}/README.md lists;`,
        `  3. add ${names.__gatewayVar__}Declaration to src/payment-providers.ts, its variables to .env.template,`,
        `     and the provider to the root README's table;`,
        "  4. npm test.",
      ].join("\n")
    )
  } catch (error) {
    console.error(`new-gateway: ${error.message}`)
    process.exit(2)
  }
}
