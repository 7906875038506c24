// The browser of the real-browser tests (`integration-tests/browser/`): Debian's `chromium`,
// driven by `playwright-core` (which downloads no browser of its own). `npm test` calls
// `ensureChromium()` before jest when the browser project is selected: it finds a Chromium on
// PATH, or installs Debian's package when it can (root with apt-get), or says how to.
import { spawnSync } from "node:child_process"
import fs from "node:fs"
import path from "node:path"

/** Executable names tried on PATH, in order. */
const NAMES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"]
/** What apt-get installs: the browser and a font with Latin metrics for stable screenshots. */
const PACKAGES = ["chromium", "fonts-liberation"]

/** The first executable called `name` on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      if (fs.statSync(file).isFile()) return file
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * The Chromium to use: `CHROMIUM_PATH` when set (it must exist), else the first of
 * chromium, chromium-browser, google-chrome-stable, google-chrome on PATH.
 */
export function findChromium() {
  const configured = process.env.CHROMIUM_PATH
  if (configured) {
    if (!fs.existsSync(configured)) throw new Error(`CHROMIUM_PATH is set to ${configured}, which does not exist`)
    return configured
  }
  for (const name of NAMES) {
    const found = onPath(name)
    if (found) return found
  }
  return undefined
}

function run(command, args, log) {
  log(`$ ${command} ${args.join(" ")}`)
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    stdio: ["ignore", "pipe", "pipe"],
  })
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n")
    throw new Error(`${command} ${args.join(" ")} failed (exit code ${result.status ?? result.signal}):\n${output}`)
  }
}

/**
 * The path of a Chromium executable, installing Debian's `chromium` first when there is none
 * and this process may (root, apt-get on PATH); otherwise an error that says how to get one.
 */
export function ensureChromium({ log = console.log } = {}) {
  const found = findChromium()
  if (found) return found
  const root = typeof process.getuid === "function" && process.getuid() === 0
  const aptGet = onPath("apt-get")
  if (!root || !aptGet) {
    throw new Error(
      "The browser tests need Chromium and none was found on PATH. Install it " +
        "(Debian/Ubuntu: `sudo apt-get install chromium`; macOS: `brew install --cask chromium`) " +
        "or point CHROMIUM_PATH at a Chromium or Chrome executable."
    )
  }
  const from = Date.now()
  log(`no Chromium on PATH: installing Debian's ${PACKAGES.join(" ")} with apt-get ...`)
  run(aptGet, ["update"], log)
  run(aptGet, ["install", "-y", "--no-install-recommends", ...PACKAGES], log)
  const installed = findChromium()
  if (!installed) throw new Error(`apt-get installed ${PACKAGES.join(" ")} but no Chromium executable is on PATH`)
  log(`installed ${installed} in ${((Date.now() - from) / 1000).toFixed(1)} s`)
  return installed
}
