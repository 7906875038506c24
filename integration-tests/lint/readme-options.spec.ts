/**
 * Each provider's README lists its options and their environment variables in a table
 * (`## Options`: option, variable, meaning). These tests keep that table in step with the
 * options schema the provider parses and with the variables its declaration reads, so a new
 * option, a renamed one or a new variable cannot ship undocumented.
 */
import fs from "node:fs"
import path from "node:path"
import type { z } from "../../src/lib/payments/options"
import type { ProviderDeclaration } from "../../src/lib/payments/registry"
import { paymentProviders } from "../../src/payment-providers"
import { stripeOptionsSchema } from "../../src/providers/stripe/options"
import { paypalOptionsSchema } from "../../src/providers/paypal/options"
import { ecpayOptionsSchema } from "../../src/providers/ecpay/options"
import { braintreeOptionsSchema } from "../../src/providers/braintree/options"
import { bankTransferOptionsSchema, codOptionsSchema } from "../../src/providers/offline/options"

const ROOT = path.resolve(__dirname, "..", "..")

function keysOf(schema: z.ZodType): string[] {
  return Object.keys((schema as unknown as { shape: Record<string, unknown> }).shape)
}

/** The option names a schema (or a schema of sections) accepts: `apiKey`, `cod.fee`... */
const OPTIONS: Record<string, string[]> = {
  stripe: keysOf(stripeOptionsSchema),
  paypal: keysOf(paypalOptionsSchema),
  ecpay: keysOf(ecpayOptionsSchema),
  braintree: keysOf(braintreeOptionsSchema),
  offline: [
    "cod",
    ...keysOf(codOptionsSchema).map((key) => `cod.${key}`),
    "bankTransfer",
    ...keysOf(bankTransferOptionsSchema).map((key) => `bankTransfer.${key}`),
  ],
}

/** The folder of a declaration: `medusa-payments-collection/providers/offline/cod` -> offline. */
function folderOf(declaration: ProviderDeclaration): string {
  return declaration.resolve.split("/providers/")[1].split("/")[0]
}

/** Every variable a declaration reads, whatever the environment holds. */
function variablesOf(declaration: ProviderDeclaration): Set<string> {
  const read = new Set<string>()
  const env = new Proxy({} as NodeJS.ProcessEnv, {
    get: (_target, name) => {
      if (typeof name === "string") read.add(name)
      return undefined
    },
  })
  if (typeof declaration.requiredEnv === "function") declaration.requiredEnv(env)
  else declaration.requiredEnv.forEach((name) => read.add(name))
  declaration.enabled?.(env)
  declaration.options(env)
  // Variables that are not configuration.
  read.delete("NODE_ENV")
  return read
}

interface OptionRow {
  option: string
  variables: string[]
}

/** The `## Options` table of a README. */
function optionsTable(readme: string): OptionRow[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith("Options"))
  if (!section) throw new Error("the README has no '## Options' section")
  return section
    .split("\n")
    .filter((line) => /^\| `/.test(line))
    .map((line) => {
      const [, option, variable] = line.split("|").map((cell) => cell.trim())
      return { option: option.replace(/`/g, ""), variables: [...variable.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]) }
    })
}

describe.each(Object.keys(OPTIONS))("the %s README", (folder) => {
  const file = path.join(ROOT, "src", "providers", folder, "README.md")
  const readme = fs.readFileSync(file, "utf8")
  const rows = optionsTable(readme)

  it("lists exactly the options its schema accepts, each once", () => {
    const listed = rows.map((row) => row.option)
    expect([...listed].sort()).toEqual([...OPTIONS[folder]].sort())
    expect(new Set(listed).size).toBe(listed.length)
  })

  it("names exactly the environment variables its declaration reads", () => {
    const declarations = paymentProviders.filter((declaration) => folderOf(declaration) === folder)
    expect(declarations.length).toBeGreaterThan(0)
    const read = new Set(declarations.flatMap((declaration) => [...variablesOf(declaration)]))
    const documented = new Set(rows.flatMap((row) => row.variables))
    expect([...documented].sort()).toEqual([...read].sort())
  })

  it("shows the module a store registers", () => {
    for (const declaration of paymentProviders.filter((d) => folderOf(d) === folder)) {
      expect(readme).toContain(declaration.resolve)
    }
  })
})

describe("the root README and .env.template", () => {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8")
  const template = fs.readFileSync(path.join(ROOT, ".env.template"), "utf8")

  it("link every provider's README and name every module", () => {
    for (const folder of Object.keys(OPTIONS)) {
      expect(readme).toContain(`](src/providers/${folder}/README.md)`)
    }
    for (const declaration of paymentProviders) {
      expect(readme).toContain(folderOf(declaration) === "offline" ? "medusa-payments-collection/providers/offline" : declaration.resolve)
    }
  })

  it("lists every variable a declaration reads in .env.template", () => {
    const missing = paymentProviders.flatMap((declaration) => [...variablesOf(declaration)]).filter((name) => !template.includes(name))
    expect(missing).toEqual([])
  })
})

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-")
}

describe("links between the READMEs and docs", () => {
  const files = [
    "README.md",
    "CHANGELOG.md",
    ...fs.readdirSync(path.join(ROOT, "docs")).map((name) => path.join("docs", name)),
    ...Object.keys(OPTIONS).map((folder) => path.join("src", "providers", folder, "README.md")),
  ].filter((file) => file.endsWith(".md"))

  it.each(files)("%s links to files and headings that exist", (file) => {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8")
    const broken: string[] = []
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:)/.test(target)) continue
      const [relative, anchor] = target.split("#")
      const resolved = relative ? path.resolve(path.dirname(path.join(ROOT, file)), relative) : path.join(ROOT, file)
      if (!fs.existsSync(resolved)) {
        broken.push(target)
        continue
      }
      if (anchor && resolved.endsWith(".md")) {
        const headings = [...fs.readFileSync(resolved, "utf8").matchAll(/^#+ (.+)$/gm)].map((m) => anchorOf(m[1]))
        if (!headings.includes(anchor)) broken.push(target)
      }
    }
    expect(broken).toEqual([])
  })
})
