/**
 * The module graph (STYLE.md section 1, "arrows point down only"): a provider module loads
 * no more than its SDK, and `src/lib/payments` never imports Medusa's workflow layer.
 * Importing `@medusajs/core-flows` from a provider pulls about 1,450 files into every process
 * that loads it; workflows belong to the routes, subscribers and jobs, which hand them in.
 *
 * Checked twice: statically, by walking the TypeScript imports of each provider's entry point
 * (it names the file and the chain of imports that reaches the workflow layer), and by loading
 * each entry point in a fresh Node process (it also catches a package that loads the workflow
 * layer behind an innocent-looking import).
 */
import { execFileSync } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import ts from "typescript"

const ROOT = path.resolve(__dirname, "..", "..")

/** The module providers a store registers (`<package>/providers/<name>`). */
const PROVIDER_ENTRIES = [
  "src/providers/stripe/index.ts",
  "src/providers/paypal/index.ts",
  "src/providers/ecpay/index.ts",
  "src/providers/braintree/index.ts",
  "src/providers/offline/index.ts",
  "src/providers/offline/cod/index.ts",
  "src/providers/offline/bank-transfer/index.ts",
]

/** The gateways' SDKs, which a provider module loads only on its first gateway call. */
const GATEWAY_SDKS = ["stripe", "braintree"]

/** Medusa's workflow layer, by import specifier (a package or any of its subpaths). */
const WORKFLOW_LAYER = [
  "@medusajs/core-flows",
  "@medusajs/medusa/core-flows",
  "@medusajs/workflows-sdk",
  "@medusajs/framework/workflows-sdk",
]

/** The same, as installed files a process may have loaded. */
const WORKFLOW_LAYER_FILES = [/[\\/]node_modules[\\/]@medusajs[\\/]core-flows[\\/]/, /[\\/]node_modules[\\/]@medusajs[\\/]workflows-sdk[\\/]/]

function isWorkflowLayer(specifier: string): boolean {
  return WORKFLOW_LAYER.some((name) => specifier === name || specifier.startsWith(`${name}/`))
}

const compilerOptions = (() => {
  const file = path.join(ROOT, "tsconfig.json")
  const { config } = ts.readConfigFile(file, ts.sys.readFile)
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options
})()

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/")

/** Every import specifier of a source file: static, type-only, re-exports, `require()` and `import()`. */
function specifiersOf(file: string): string[] {
  return ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true).importedFiles.map((ref) => ref.fileName)
}

interface Offence {
  file: string
  specifier: string
  /** From the entry point to `file`. */
  via: string[]
}

/**
 * The repository's own files reachable from `entries` through their imports, and every
 * import of Medusa's workflow layer among them.
 */
function walk(entries: string[]): { files: string[]; offences: Offence[] } {
  const seen = new Map<string, string[]>()
  const offences: Offence[] = []
  const queue: Array<{ file: string; via: string[] }> = entries.map((entry) => ({ file: path.join(ROOT, entry), via: [] }))
  while (queue.length) {
    const { file, via } = queue.shift()!
    if (seen.has(file)) continue
    const chain = [...via, rel(file)]
    seen.set(file, chain)
    for (const specifier of specifiersOf(file)) {
      if (isWorkflowLayer(specifier)) {
        offences.push({ file: rel(file), specifier, via: chain })
        continue
      }
      const resolved = ts.resolveModuleName(specifier, file, compilerOptions, ts.sys).resolvedModule
      if (!resolved || resolved.isExternalLibraryImport) continue
      const target = path.resolve(resolved.resolvedFileName)
      if (!target.startsWith(ROOT + path.sep) || target.includes(`${path.sep}node_modules${path.sep}`)) continue
      if (!/\.(ts|tsx|js|mjs|cjs)$/.test(target) || target.endsWith(".d.ts")) continue
      queue.push({ file: target, via: chain })
    }
  }
  return { files: [...seen.keys()].map(rel).sort(), offences }
}

const describeOffence = (o: Offence) => `${o.file} imports ${o.specifier} (${o.via.join(" > ")})`

/** The non-test source files under a folder of the repository. */
function sourcesUnder(folder: string): string[] {
  const out: string[] = []
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== "__tests__") visit(full)
      } else if (/\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        out.push(rel(full))
      }
    }
  }
  visit(path.join(ROOT, folder))
  return out.sort()
}

describe("module graph", () => {
  it.each(PROVIDER_ENTRIES)("%s reaches no file that imports Medusa's workflow layer", (entry) => {
    const { files, offences } = walk([entry])
    // The walk follows the provider's own files (its service at least).
    expect(files.length).toBeGreaterThan(1)
    expect(offences.map(describeOffence)).toEqual([])
  })

  it("src/lib/payments imports none of Medusa's workflow layer", () => {
    const files = sourcesUnder("src/lib/payments")
    expect(files).toContain("src/lib/payments/money.ts")
    const offences = files.flatMap((file) =>
      specifiersOf(path.join(ROOT, file))
        .filter(isWorkflowLayer)
        .map((specifier) => `${file} imports ${specifier}`)
    )
    expect(offences).toEqual([])
  })

  it.each(PROVIDER_ENTRIES)("%s loads in a fresh process without Medusa's workflow layer", (entry) => {
    // ts-node (with swc, tsconfig.json's "ts-node") compiles the sources on the fly; the child
    // prints the files it has loaded once the module is required.
    const script = `require(${JSON.stringify(path.join(ROOT, entry))}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`
    const output = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") },
    })
    const loaded = JSON.parse(output) as string[]
    expect(loaded).toContain(path.join(ROOT, entry))
    const workflowFiles = loaded.filter((file) => WORKFLOW_LAYER_FILES.some((pattern) => pattern.test(file)))
    expect({ entry, workflowFiles: workflowFiles.length, first: workflowFiles.slice(0, 3) }).toEqual({ entry, workflowFiles: 0, first: [] })
    // Nor a gateway SDK: each provider loads its SDK when it first calls the gateway, so a
    // store registering the whole collection pays for no SDK it does not use.
    const sdkFiles = loaded.filter((file) => GATEWAY_SDKS.some((name) => file.includes(`${path.sep}node_modules${path.sep}${name}${path.sep}`)))
    expect({ entry, sdkFiles: sdkFiles.slice(0, 3) }).toEqual({ entry, sdkFiles: [] })
  })
})
