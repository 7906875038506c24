/**
 * How often the store may ask a gateway for a session's status. Gateways rate-limit their
 * order query, and both the return page's polling and a replayed stale notification would
 * otherwise ask on every request: one query per session per interval, whichever asks.
 *
 * Two throttles: `StatusCheckThrottle` remembers in this process only; `SharedStatusThrottle`
 * holds across every process of the store (several server instances behind a load balancer)
 * through a `SharedThrottleStore` the routes hand in (Medusa's Locking and Cache modules, see
 * src/runtime/status-throttle.ts), so this file imports nothing of Medusa.
 */

/** Least time between two gateway queries for one session, unless a caller says otherwise. */
export const DEFAULT_MIN_INTERVAL_MS = 10_000

/** What the notification pipeline and the status check ask before querying a gateway. */
export interface StatusThrottle {
  /**
   * `0` when the gateway may be asked about `sessionId` now (and records that it is), or the
   * whole seconds to wait before it may.
   */
  wait(sessionId: string, nowMs: number, minIntervalMs: number): number | Promise<number>
}

/** Remembers when each session's gateway was last asked (the most recent `maxTracked` sessions). */
export class StatusCheckThrottle implements StatusThrottle {
  private readonly lastChecks = new Map<string, number>()

  constructor(private readonly maxTracked = 10_000) {}

  /**
   * `0` when the gateway may be asked about `sessionId` now (and records that it is), or the
   * whole seconds to wait before it may.
   */
  wait(sessionId: string, nowMs: number, minIntervalMs: number): number {
    const remaining = this.remaining(sessionId, nowMs, minIntervalMs)
    if (remaining > 0) return remaining
    this.record(sessionId, nowMs)
    return 0
  }

  /** The whole seconds left before `sessionId` may be asked about, without recording anything. */
  remaining(sessionId: string, nowMs: number, minIntervalMs: number): number {
    const last = this.lastChecks.get(sessionId)
    return last !== undefined && nowMs - last < minIntervalMs ? secondsLeft(last, nowMs, minIntervalMs) : 0
  }

  /** Note that the gateway was asked about `sessionId` at `nowMs`. */
  record(sessionId: string, nowMs: number): void {
    if (this.lastChecks.size >= this.maxTracked) {
      const oldest = this.lastChecks.keys().next().value
      if (oldest !== undefined) this.lastChecks.delete(oldest)
    }
    this.lastChecks.delete(sessionId)
    this.lastChecks.set(sessionId, nowMs)
  }

  reset(): void {
    this.lastChecks.clear()
  }
}

function secondsLeft(lastMs: number, nowMs: number, minIntervalMs: number): number {
  return Math.max(1, Math.ceil((minIntervalMs - (nowMs - lastMs)) / 1000))
}

/**
 * Where the store's processes keep the time of each session's last gateway query: an
 * expiring value per key, read and written under a lock that holds across processes.
 */
export interface SharedThrottleStore {
  /** Runs `job` holding the lock on `key` across every process of the store; rejects when it cannot be had soon. */
  withLock<T>(key: string, job: () => Promise<T>): Promise<T>
  /** The value stored under `key`, if any and not expired. */
  get(key: string): Promise<number | undefined>
  /** Stores `value` under `key` for `ttlSeconds`. */
  set(key: string, value: number, ttlSeconds: number): Promise<void>
}

/** Keys of the shared throttle, apart from anything else in the store's cache and locks. */
export function statusThrottleKey(sessionId: string): string {
  return `payments-collection:status-check:${sessionId}`
}

/**
 * One gateway query per session per interval across every process of the store. A check
 * this process made itself is answered from memory (no round trip); otherwise the last
 * query's time is read and written in the shared store under the session's lock, so two
 * servers asked at the same moment query the gateway once. When the shared store fails
 * (Redis unreachable), it decides from this process's memory and says so once per failure
 * streak, rather than failing the shopper's return page.
 */
export class SharedStatusThrottle implements StatusThrottle {
  private readonly local: StatusCheckThrottle
  private failing = false

  constructor(
    private readonly store: SharedThrottleStore,
    private readonly onStoreError: (error: unknown) => void = () => undefined,
    maxTracked?: number
  ) {
    this.local = new StatusCheckThrottle(maxTracked)
  }

  async wait(sessionId: string, nowMs: number, minIntervalMs: number): Promise<number> {
    const remembered = this.local.remaining(sessionId, nowMs, minIntervalMs)
    if (remembered > 0) return remembered
    const key = statusThrottleKey(sessionId)
    let shared: number
    try {
      shared = await this.store.withLock(key, async () => {
        const last = await this.store.get(key)
        if (last !== undefined && Number.isFinite(last) && nowMs - last < minIntervalMs && last <= nowMs) {
          return secondsLeft(last, nowMs, minIntervalMs)
        }
        await this.store.set(key, nowMs, Math.max(1, Math.ceil(minIntervalMs / 1000)))
        return 0
      })
      this.failing = false
    } catch (error) {
      if (!this.failing) this.onStoreError(error)
      this.failing = true
      return this.local.wait(sessionId, nowMs, minIntervalMs)
    }
    if (shared === 0) this.local.record(sessionId, nowMs)
    return shared
  }
}

/** The process's throttle, shared by the notification route and the status route (when a route hands in no other). */
export const sharedStatusThrottle = new StatusCheckThrottle()

/** Forget the process's throttling state (tests). */
export function resetStatusThrottle(): void {
  sharedStatusThrottle.reset()
}
