import { SharedStatusThrottle, StatusCheckThrottle, statusThrottleKey, type SharedThrottleStore } from "../hosted/throttle"

/**
 * One store shared by several "processes" (throttles): an expiring value per key, and a
 * lock that runs one job per key at a time, as Medusa's Cache and Locking modules do on Redis.
 */
function sharedStore(clock: { nowMs: number }) {
  const values = new Map<string, { value: number; until: number }>()
  const held = new Map<string, Promise<unknown>>()
  const calls = { get: 0, set: 0, locks: 0 }
  let failing: Error | undefined
  const store: SharedThrottleStore = {
    async withLock(key, job) {
      if (failing) throw failing
      calls.locks++
      while (held.has(key)) await held.get(key)
      const running = (async () => {
        // Let the other "process" reach the lock while this one holds it.
        await new Promise((resolve) => setImmediate(resolve))
        return job()
      })()
      held.set(key, running.catch(() => undefined))
      try {
        return await running
      } finally {
        held.delete(key)
      }
    },
    async get(key) {
      calls.get++
      const entry = values.get(key)
      return entry && clock.nowMs < entry.until ? entry.value : undefined
    },
    async set(key, value, ttlSeconds) {
      calls.set++
      values.set(key, { value, until: clock.nowMs + ttlSeconds * 1000 })
    },
  }
  return { store, values, calls, fail: (error?: Error) => (failing = error) }
}

describe("the status-query throttle", () => {
  it("lets one query per session per interval through in one process, and says how long to wait", () => {
    const throttle = new StatusCheckThrottle()
    expect(throttle.wait("payses_1", 1_000, 10_000)).toBe(0)
    expect(throttle.wait("payses_1", 4_000, 10_000)).toBe(7)
    expect(throttle.wait("payses_2", 4_000, 10_000)).toBe(0)
    expect(throttle.wait("payses_1", 11_000, 10_000)).toBe(0)
  })

  it("holds across processes: a second server asked right after the first does not query the gateway", async () => {
    const clock = { nowMs: 100_000 }
    const { store } = sharedStore(clock)
    const serverA = new SharedStatusThrottle(store)
    const serverB = new SharedStatusThrottle(store)
    expect(await serverA.wait("payses_1", clock.nowMs, 10_000)).toBe(0)
    clock.nowMs += 3_000
    expect(await serverB.wait("payses_1", clock.nowMs, 10_000)).toBe(7)
    clock.nowMs += 7_000
    expect(await serverB.wait("payses_1", clock.nowMs, 10_000)).toBe(0)
    expect(await serverA.wait("payses_1", clock.nowMs, 10_000)).toBe(10)
  })

  it("lets exactly one of two servers asked at the same moment through", async () => {
    const clock = { nowMs: 100_000 }
    const { store } = sharedStore(clock)
    const servers = [new SharedStatusThrottle(store), new SharedStatusThrottle(store), new SharedStatusThrottle(store)]
    const waits = await Promise.all(servers.map((server) => server.wait("payses_1", clock.nowMs, 10_000)))
    expect(waits.sort()).toEqual([0, 10, 10])
  })

  it("answers a check this process made from memory, without asking the shared store", async () => {
    const clock = { nowMs: 100_000 }
    const { store, calls } = sharedStore(clock)
    const server = new SharedStatusThrottle(store)
    expect(await server.wait("payses_1", clock.nowMs, 10_000)).toBe(0)
    const before = { ...calls }
    expect(await server.wait("payses_1", clock.nowMs + 1_000, 10_000)).toBe(9)
    expect(calls).toEqual(before)
  })

  it("keeps each session's last query under its own key, for as long as the interval", async () => {
    const clock = { nowMs: 100_000 }
    const { store, values } = sharedStore(clock)
    await new SharedStatusThrottle(store).wait("payses_1", clock.nowMs, 10_000)
    expect(values.get(statusThrottleKey("payses_1"))).toEqual({ value: 100_000, until: 110_000 })
    expect(statusThrottleKey("payses_1")).toBe("payments-collection:status-check:payses_1")
  })

  it("throttles in the process alone while the shared store fails, reporting it once", async () => {
    const clock = { nowMs: 100_000 }
    const shared = sharedStore(clock)
    const reported: unknown[] = []
    const server = new SharedStatusThrottle(shared.store, (error) => reported.push(error))
    shared.fail(new Error("Redis unreachable"))
    expect(await server.wait("payses_1", clock.nowMs, 10_000)).toBe(0)
    expect(await server.wait("payses_1", clock.nowMs + 2_000, 10_000)).toBe(8)
    expect(await server.wait("payses_2", clock.nowMs, 10_000)).toBe(0)
    expect(reported).toHaveLength(1)
    expect(String(reported[0])).toContain("Redis unreachable")
  })

  it("does not take a time from the future (a clock set back elsewhere) as a recent query", async () => {
    const clock = { nowMs: 100_000 }
    const { store } = sharedStore(clock)
    await store.set(statusThrottleKey("payses_1"), 105_000, 10)
    expect(await new SharedStatusThrottle(store).wait("payses_1", clock.nowMs, 10_000)).toBe(0)
  })
})
