/**
 * The gateway contract (docs: /STYLE.md section 2, "one provider, one folder, one choke
 * point"): every folder in src/providers holds the same files, only `client.ts` goes out to
 * the gateway, and the files of a provider never import each other in a circle.
 */
import fs from "node:fs"
import path from "node:path"
import ts from "typescript"

const PROVIDERS_DIR = path.resolve(__dirname, "..", "..", "src", "providers")

/** What every provider folder holds, whether or not it calls a gateway. */
const EVERY_PROVIDER = ["index.ts", "service.ts", "mapping.ts", "options.ts", "declaration.ts"] as const

/**
 * What each provider talks to. `client`: it calls a gateway, so `client.ts` is its one way
 * out. `verification`: the file that checks the gateway's signature on what it sends.
 * Offline (cash on delivery, bank transfer) has no gateway: nothing to call, nothing signed.
 * A new provider folder has to be declared here.
 */
const CONTRACT: Readonly<Record<string, { client: boolean; verification: string | null }>> = {
  stripe: { client: true, verification: "webhook.ts" },
  paypal: { client: true, verification: "webhook.ts" },
  // Braintree signs with the API key pair; the SDK checks it (webhookNotification.parse).
  braintree: { client: true, verification: "webhook.ts" },
  // ECPay signs with its CheckMacValue, on notifications and on its answers alike.
  ecpay: { client: true, verification: "checkmac.ts" },
  offline: { client: false, verification: null },
}

function providerFolders(): string[] {
  return fs
    .readdirSync(PROVIDERS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
}

/** A provider's source files (not its tests), relative to its folder, subfolders included. */
function sourceFiles(provider: string): string[] {
  const root = path.join(PROVIDERS_DIR, provider)
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== "__tests__") walk(full)
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        out.push(path.relative(root, full).split(path.sep).join("/"))
      }
    }
  }
  walk(root)
  return out.sort()
}

/** Every module a file names: imports (type-only ones too), re-exports, require() and import(). */
function importsOf(file: string): string[] {
  return ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName)
}

/**
 * The provider's own files a file imports, by relative path. Type-only imports count: a
 * circle of types is still two files that cannot be read (or moved) one without the other.
 */
function localImports(provider: string, file: string): string[] {
  const root = path.join(PROVIDERS_DIR, provider)
  const from = path.dirname(path.join(root, file))
  const out: string[] = []
  for (const spec of importsOf(path.join(root, file))) {
    if (!spec.startsWith(".")) continue
    const base = path.resolve(from, spec)
    const target = [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => fs.existsSync(candidate))
    if (!target) continue
    const relative = path.relative(root, target)
    if (relative.startsWith("..") || path.isAbsolute(relative)) continue
    out.push(relative.split(path.sep).join("/"))
  }
  return out
}

/** Each import cycle among a provider's files, as "a.ts -> b.ts -> a.ts". */
function importCycles(provider: string): string[] {
  const files = sourceFiles(provider)
  const edges = new Map(files.map((file) => [file, localImports(provider, file)]))
  const cycles = new Set<string>()
  const state = new Map<string, "visiting" | "done">()
  const stack: string[] = []
  const visit = (file: string) => {
    state.set(file, "visiting")
    stack.push(file)
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === "visiting") {
        const loop = stack.slice(stack.indexOf(next))
        // One spelling per cycle, whichever file the walk met it from.
        const start = loop.indexOf([...loop].sort()[0])
        const rotated = [...loop.slice(start), ...loop.slice(0, start)]
        cycles.add([...rotated, rotated[0]].join(" -> "))
      } else if (!state.has(next)) {
        visit(next)
      }
    }
    stack.pop()
    state.set(file, "done")
  }
  for (const file of files) {
    if (!state.has(file)) visit(file)
  }
  return [...cycles].sort()
}

/** What in a file goes out to the network: the shared HttpClient, fetch, Node's http(s), HTTP libraries. */
function httpUses(text: string, imports: string[]): string[] {
  const found: string[] = []
  for (const spec of imports) {
    if (/(^|\/)lib\/payments\/http$/.test(spec)) found.push(`imports ${spec} (HttpClient)`)
    if (/^(node:)?(http|https|http2|net)$/.test(spec)) found.push(`imports ${spec}`)
    if (/^(undici|axios|node-fetch|got|superagent)$/.test(spec)) found.push(`imports ${spec}`)
  }
  if (/(^|[^.\w])fetch\s*\(/.test(text)) found.push("calls fetch()")
  if (/\bnew\s+HttpClient\b/.test(text)) found.push("builds an HttpClient")
  return found
}

const folders = providerFolders()

describe("the gateway contract", () => {
  it("finds the provider folders, each declared in this test", () => {
    expect(folders.length).toBeGreaterThan(0)
    expect(folders).toEqual(Object.keys(CONTRACT).sort())
  })

  describe.each(folders)("src/providers/%s", (provider) => {
    const root = path.join(PROVIDERS_DIR, provider)
    const contract = CONTRACT[provider] ?? { client: true, verification: null }

    it.each(EVERY_PROVIDER)("has %s", (file) => {
      expect(fs.existsSync(path.join(root, file))).toBe(true)
    })

    if (contract.client) {
      it("has client.ts, its one way out to the gateway", () => {
        expect(fs.existsSync(path.join(root, "client.ts"))).toBe(true)
      })
    } else {
      it("has no client.ts: it calls no gateway", () => {
        expect(fs.existsSync(path.join(root, "client.ts"))).toBe(false)
      })
    }

    if (contract.verification) {
      it(`verifies what the gateway signs in ${contract.verification}`, () => {
        expect(fs.existsSync(path.join(root, contract.verification!))).toBe(true)
      })
    }

    it("calls the gateway from client.ts only: service.ts imports no SDK and no HTTP", () => {
      const service = path.join(root, "service.ts")
      const imports = importsOf(service)
      const sdk = imports.filter((spec) => spec === "stripe" || spec.startsWith("stripe/") || /^@paypal\//.test(spec))
      expect(sdk).toEqual([])
      expect(httpUses(fs.readFileSync(service, "utf8"), imports)).toEqual([])
    })

    it("goes out over HTTP from client.ts only", () => {
      const offenders = sourceFiles(provider)
        .filter((file) => file !== "client.ts")
        .flatMap((file) => {
          const full = path.join(root, file)
          return httpUses(fs.readFileSync(full, "utf8"), importsOf(full)).map((use) => `${file} ${use}`)
        })
      expect(offenders).toEqual([])
    })

    it("has no import cycle among its files", () => {
      expect(importCycles(provider)).toEqual([])
    })
  })

  // Last on purpose: the providers' README.md files are being written separately; this is
  // the expectation that waits for them.
  it.each(folders)("src/providers/%s has a README.md", (provider) => {
    expect(fs.existsSync(path.join(PROVIDERS_DIR, provider, "README.md"))).toBe(true)
  })
})
