/**
 * `npm run new-gateway` writes a skeleton that follows the gateway contract
 * (docs/adding-a-gateway.md) and compiles: generated into a temporary root that shares the
 * repository's `src/lib`, harness and node_modules, it type-checks with the repository's
 * compiler settings, and its unit test runs.
 */
import { spawnSync } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"

const ROOT = path.resolve(__dirname, "..", "..")
const NAME = "acme-pay"

jest.setTimeout(180_000)

describe("npm run new-gateway", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "new-gateway-"))
  let written: string[] = []

  beforeAll(() => {
    const generated = spawnSync(process.execPath, [path.join(ROOT, "scripts", "new-gateway.mjs"), NAME, "--label", "Acme Pay", "--out", out], { encoding: "utf8" })
    if (generated.status !== 0) throw new Error(`the generator failed: ${generated.stderr}`)
    written = generated.stdout.split("\n").filter((line) => line.startsWith("  ") && !line.includes(" ", 2)).map((line) => line.trim())
    // What the skeleton imports from the repository.
    fs.mkdirSync(path.join(out, "src"), { recursive: true })
    fs.symlinkSync(path.join(ROOT, "src", "lib"), path.join(out, "src", "lib"), "dir")
    fs.symlinkSync(path.join(ROOT, "integration-tests", "harness"), path.join(out, "integration-tests", "harness"), "dir")
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(out, "node_modules"), "dir")
  })

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }))

  it("writes the fixed file set, its tests and the fixtures' README", () => {
    const provider = `src/providers/${NAME}`
    expect(written.sort()).toEqual(
      [
        ...["README.md", "__tests__/mapping.unit.spec.ts", "__tests__/service.unit.spec.ts", "client.ts", "declaration.ts", "index.ts", "mapping.ts", "options.ts", "service.ts", "webhook.ts"].map(
          (file) => `${provider}/${file}`
        ),
        `integration-tests/conformance/${NAME}.spec.ts`,
        `integration-tests/http/${NAME}.spec.ts`,
        `integration-tests/fixtures/${NAME}/README.md`,
      ].sort()
    )
    const service = fs.readFileSync(path.join(out, provider, "service.ts"), "utf8")
    expect(service).toContain('static override identifier = "acme-pay"')
    expect(service).toMatch(/class AcmePayProviderService\s+extends AbstractPaymentProvider<AcmePayOptions>\s+implements GatewayEventSource, Required<GatewayPaymentInspector>/)
    // One verification for Medusa's action and the plugin's outcome; the admin's description and check.
    for (const method of ["getWebhookActionAndData(", "readGatewayEvent(", "describePayment(", "inspectPayment(", "verifiedEvent("]) {
      expect(service).toContain(method)
    }
    expect(fs.readFileSync(path.join(out, provider, "declaration.ts"), "utf8")).toContain('requiredEnv: ["ACME_PAY_API_KEY"]')
    // No placeholder is left.
    for (const file of written) {
      expect(fs.readFileSync(path.join(out, file), "utf8")).not.toMatch(/__(gateway|Gateway|GATEWAY|gatewayVar|Label)__/)
    }
  })

  it("refuses to write over a gateway that exists", () => {
    const again = spawnSync(process.execPath, [path.join(ROOT, "scripts", "new-gateway.mjs"), NAME, "--out", out], { encoding: "utf8" })
    expect(again.status).toBe(2)
    expect(again.stderr).toMatch(/refusing to write over src\/providers\/acme-pay\//)
    const bad = spawnSync(process.execPath, [path.join(ROOT, "scripts", "new-gateway.mjs"), "Acme Pay", "--out", out], { encoding: "utf8" })
    expect(bad.stderr).toMatch(/must be lower-case letters and digits with dashes/)
  })

  it("type-checks with the repository's compiler settings", () => {
    fs.writeFileSync(
      path.join(out, "tsconfig.json"),
      JSON.stringify({
        extends: path.join(ROOT, "tsconfig.json"),
        compilerOptions: { noEmit: true, rootDir: out },
        include: [`src/providers/${NAME}/**/*`, `integration-tests/conformance/${NAME}.spec.ts`, `integration-tests/http/${NAME}.spec.ts`],
        exclude: [],
      })
    )
    const tsc = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(out, "tsconfig.json")], {
      encoding: "utf8",
    })
    expect(`${tsc.stdout}${tsc.stderr}`).toBe("")
    expect(tsc.status).toBe(0)
  })

  it("has unit tests that run and pass: the mapping, the webhook verdicts the plugin's route acts on, and the inspection", () => {
    const config = {
      rootDir: out,
      testEnvironment: "node",
      transform: { "^.+\\.[jt]s$": [path.join(ROOT, "node_modules", "@swc", "jest"), { jsc: { parser: { syntax: "typescript", decorators: true }, target: "es2021" } }] },
      testMatch: ["<rootDir>/src/providers/**/__tests__/*.unit.spec.ts"],
    }
    const jest = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "jest", "bin", "jest.js"), "--config", JSON.stringify(config), "--ci"], {
      encoding: "utf8",
      cwd: out,
    })
    expect(jest.stderr).toMatch(/Tests:\s+15 passed, 15 total/)
    expect(jest.status).toBe(0)
  })
})
