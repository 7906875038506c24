/**
 * The fixture lint: fixtures are well-formed, key-sorted and redacted, and no committed
 * file holds something that looks like a live or test secret key, a bearer token, a
 * webhook signing secret, a client secret or a Luhn-valid card number.
 */
import { execFileSync } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import { REDACTED, findSecrets, isSensitiveKey } from "../../src/lib/payments/redact"
import { FIXTURES_DIR, FixtureFile, isXml, stableStringify, xmlLeaves } from "../harness/fixtures"

const ROOT = path.resolve(__dirname, "..", "..")

function fixtureFiles(): string[] {
  const out: string[] = []
  for (const provider of fs.readdirSync(FIXTURES_DIR)) {
    const dir = path.join(FIXTURES_DIR, provider)
    if (!fs.statSync(dir).isDirectory()) continue
    for (const file of fs.readdirSync(dir)) {
      if (file.endsWith(".json")) out.push(path.join(dir, file))
    }
  }
  return out.sort()
}

/** Files git tracks or would track (new, not ignored): what a commit can carry. */
function committableFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  })
  return listed
    .split("\0")
    .filter(Boolean)
    .filter((file) => file !== "package-lock.json")
    .filter((file) => fs.existsSync(path.join(ROOT, file)))
}

function sensitiveValues(value: unknown, at = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => sensitiveValues(item, `${at}[${i}]`))
  if (!value || typeof value !== "object") return []
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => {
    const here = `${at}.${key}`
    if (isSensitiveKey(key) && item !== null && item !== "" && item !== REDACTED && !/^\{\{.+\}\}$/.test(String(item))) {
      return [here]
    }
    return sensitiveValues(item, here)
  })
}

describe("fixture lint", () => {
  const files = fixtureFiles()

  it("finds the fixtures", () => {
    expect(files.length).toBeGreaterThan(0)
  })

  it.each(files.map((f) => [path.relative(ROOT, f), f]))("%s is a well-formed, sorted, redacted fixture", (_name, file) => {
    const text = fs.readFileSync(file, "utf8")
    const fixture = JSON.parse(text) as FixtureFile
    expect(fixture.provider).toBe(path.basename(path.dirname(file)))
    expect(fixture.scenario).toBe(path.basename(file, ".json"))
    expect(fixture.source).toEqual(expect.stringMatching(/\S{10,}/))
    expect(Array.isArray(fixture.interactions)).toBe(true)
    for (const interaction of fixture.interactions) {
      expect(interaction.request.method).toMatch(/^(GET|POST|PUT|PATCH|DELETE)$/)
      expect(interaction.request.path).toMatch(/^\//)
      expect(Number.isInteger(interaction.response.status)).toBe(true)
    }
    // Pretty-printed and key-sorted, so a re-recording diffs cleanly.
    expect(text).toBe(stableStringify(fixture) + "\n")
    expect(findSecrets(text)).toEqual([])
    expect(sensitiveValues(fixture)).toEqual([])
    // XML bodies (Braintree's answers): well-formed, served as XML, and no secret in an element.
    fixture.interactions.forEach((interaction, index) => {
      const body = interaction.response.body
      if (typeof body !== "string" || !isXml(body)) return
      expect({ index, type: interaction.response.headers?.["content-type"] }).toEqual({ index, type: expect.stringMatching(/^application\/xml/) })
      const secrets = xmlLeaves(body)
        .filter((leaf) => isSensitiveKey(leaf.name) && leaf.text !== REDACTED && !/^\{\{.+\}\}$/.test(leaf.text))
        .map((leaf) => `interaction ${index + 1}: <${leaf.name}>`)
      expect(secrets).toEqual([])
    })
  })
})

describe("fixture lint of XML bodies", () => {
  it("reads an XML answer's leaves with their parents, and refuses one that is not well-formed", () => {
    expect(xmlLeaves('<?xml version="1.0"?>\n<customer><id>c1</id><credit-cards type="array"><credit-card><last-4>1111</last-4></credit-card></credit-cards><token nil="true"/></customer>')).toEqual([
      { name: "id", parent: "customer", text: "c1" },
      { name: "last-4", parent: "credit-card", text: "1111" },
    ])
    expect(() => xmlLeaves("<customer><id>c1</customer>")).toThrow("</customer> closes <id>")
    expect(() => xmlLeaves("<customer><id>c1</id>")).toThrow("<customer> is never closed")
  })
})

describe("secrets lint", () => {
  it("recognises what it must refuse (built at run time, so this file stays clean)", () => {
    const planted = [
      ["sk", "live", "0123456789abcdefABCDEF01"].join("_"),
      ["rk", "test", "0123456789abcdefABCDEF01"].join("_"),
      "whsec_" + "0123456789abcdefABCDEF0123456789",
      "Authorization: " + "Bearer " + ["A21AA", "F0123456789abcdefghijklmnopqrstuvwxyz"].join(""),
      ["4242", "4242", "4242", "4242"].join(" "),
      "pi_3Qfx0123456789_secret_" + "abcdefghijklmnop",
    ]
    for (const secret of planted) {
      expect({ secret: secret.slice(0, 6), found: findSecrets(`value: "${secret}"`).length > 0 }).toEqual({
        secret: secret.slice(0, 6),
        found: true,
      })
    }
    expect(findSecrets("created 1763856000123 and sk_test_fake_conformance")).toEqual([])
  })

  it("finds no secret-looking string in any committable file", () => {
    const hits: string[] = []
    const files = committableFiles()
    expect(files).toEqual(expect.arrayContaining(["README.md", "package.json"]))
    for (const file of files) {
      const buffer = fs.readFileSync(path.join(ROOT, file))
      if (buffer.includes(0)) continue // binary
      for (const finding of findSecrets(buffer.toString("utf8"))) {
        hits.push(`${file}: ${finding.kind} ${finding.preview}`)
      }
    }
    expect(hits).toEqual([])
  })
})

describe("lock file", () => {
  it("lists every optional package its dependencies pin, so `npm ci` accepts it (npm run lock:complete)", () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>
    }
    const missing: string[] = []
    for (const [key, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        let base = key
        let found = false
        for (;;) {
          if (lock.packages[`${base ? `${base}/` : ""}node_modules/${name}`]) {
            found = true
            break
          }
          if (!base) break
          const at = base.lastIndexOf("/node_modules/")
          base = at === -1 ? "" : base.slice(0, at)
        }
        if (!found) missing.push(`${key || "(root)"} -> ${name}`)
      }
    }
    expect(missing).toEqual([])
  })
})
