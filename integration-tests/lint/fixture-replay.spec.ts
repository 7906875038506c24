/**
 * Replay's strictness, and its one exception: a run of interactions marked `unordered`
 * (Medusa creates a new payment session while it deletes the old one, in parallel) matches in
 * any order, each interaction once; everything else is consumed in order.
 */
import { FixtureSession, type FixtureFile } from "../harness/fixtures"

const ORIGIN = "https://gateway.replay.test"

function fixture(interactions: FixtureFile["interactions"]): FixtureFile {
  return { provider: "replay-selftest", scenario: "unordered", source: "authored for the harness's own test", interactions }
}

const step = (path: string, unordered = false) => ({
  ...(unordered ? { unordered: true } : {}),
  request: { method: "POST", path },
  response: { status: 200, body: { path } },
})

async function post(path: string): Promise<number> {
  return (await fetch(`${ORIGIN}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status
}

describe("fixture replay", () => {
  it("consumes an unordered run in the order the requests come, each interaction once", async () => {
    const replay = new FixtureSession(fixture([step("/first"), step("/create", true), step("/cancel", true), step("/last")]), { origin: ORIGIN }).start()
    expect(await post("/first")).toBe(200)
    expect(await post("/cancel")).toBe(200)
    expect(await post("/create")).toBe(200)
    expect(await post("/last")).toBe(200)
    replay.finish()
  })

  it("still fails a request out of order outside a run, and one used twice within it", async () => {
    const outOfOrder = new FixtureSession(fixture([step("/first"), step("/second")]), { origin: ORIGIN }).start()
    expect(await post("/second")).toBe(418)
    expect(() => outOfOrder.finish()).toThrow(/does not match/)

    const twice = new FixtureSession(fixture([step("/create", true), step("/cancel", true)]), { origin: ORIGIN }).start()
    expect(await post("/create")).toBe(200)
    expect(await post("/create")).toBe(418)
    expect(() => twice.finish()).toThrow(/does not match[\s\S]*never requested, starting with POST \/cancel/)
  })
})
