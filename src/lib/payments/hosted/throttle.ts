/**
 * How often the store may ask a gateway for a session's status. Gateways rate-limit their
 * order query, and both the return page's polling and a replayed stale notification would
 * otherwise ask on every request: one query per session per interval, whichever asks.
 */

/** Least time between two gateway queries for one session, unless a caller says otherwise. */
export const DEFAULT_MIN_INTERVAL_MS = 10_000

/** Remembers when each session's gateway was last asked (the most recent `maxTracked` sessions). */
export class StatusCheckThrottle {
  private readonly lastChecks = new Map<string, number>()

  constructor(private readonly maxTracked = 10_000) {}

  /**
   * `0` when the gateway may be asked about `sessionId` now (and records that it is), or the
   * whole seconds to wait before it may.
   */
  wait(sessionId: string, nowMs: number, minIntervalMs: number): number {
    const last = this.lastChecks.get(sessionId)
    if (last !== undefined && nowMs - last < minIntervalMs) {
      return Math.ceil((minIntervalMs - (nowMs - last)) / 1000)
    }
    if (this.lastChecks.size >= this.maxTracked) {
      const oldest = this.lastChecks.keys().next().value
      if (oldest !== undefined) this.lastChecks.delete(oldest)
    }
    this.lastChecks.delete(sessionId)
    this.lastChecks.set(sessionId, nowMs)
    return 0
  }

  reset(): void {
    this.lastChecks.clear()
  }
}

/** The process's throttle, shared by the notification route and the status route. */
export const sharedStatusThrottle = new StatusCheckThrottle()

/** Forget the process's throttling state (tests). */
export function resetStatusThrottle(): void {
  sharedStatusThrottle.reset()
}
