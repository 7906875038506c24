/**
 * The status-query throttle shared by every process of the store (see
 * `lib/payments/hosted/throttle.ts`): the time of each session's last gateway query is kept in
 * Medusa's Cache Module and read and written under Medusa's Locking Module. With the Redis
 * cache and locking modules (docs/deployment.md) it holds across server instances; with
 * Medusa's in-memory ones it holds within the one process, as before.
 */
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { redactText } from "../lib/payments/redact"
import { SharedStatusThrottle, type SharedThrottleStore } from "../lib/payments/hosted/throttle"

type Container = Pick<MedusaContainer, "resolve">

interface CachePort {
  get<T>(key: string): Promise<T | null>
  set(key: string, data: unknown, ttl?: number): Promise<void>
}

interface LockingPort {
  execute<T>(keys: string | string[], job: () => Promise<T>, args?: { timeout?: number }): Promise<T>
}

/** How long a status check waits for another process's check of the same session, in seconds. */
const LOCK_TIMEOUT_SECONDS = 5

/** The shared store over the container's Cache and Locking modules. */
export function cacheAndLockStore(container: Container): SharedThrottleStore {
  const cache = () => container.resolve(Modules.CACHE) as unknown as CachePort
  const locking = () => container.resolve(Modules.LOCKING) as unknown as LockingPort
  return {
    withLock: (key, job) => locking().execute(key, job, { timeout: LOCK_TIMEOUT_SECONDS }),
    async get(key) {
      const value = await cache().get<number | string>(key)
      if (value === null || value === undefined) return undefined
      const number = Number(value)
      return Number.isFinite(number) ? number : undefined
    },
    set: (key, value, ttlSeconds) => cache().set(key, value, ttlSeconds),
  }
}

let throttle: SharedStatusThrottle | undefined
let throttleStore: SharedThrottleStore | undefined
let throttleContainer: unknown

/**
 * The process's shared throttle over `container`'s modules: one per app (the routes pass
 * `req.scope`, whose modules are the app's), so that checks this process made are answered
 * from memory.
 */
export function statusThrottle(container: Container): SharedStatusThrottle {
  const root = rootOf(container)
  if (!throttle || throttleContainer !== root) {
    throttleContainer = root
    throttleStore = cacheAndLockStore(container)
    const logger = container.resolve(ContainerRegistrationKeys.LOGGER) as { warn(message: string): void }
    throttle = new SharedStatusThrottle(throttleStore, (error) =>
      logger.warn(
        redactText(
          `Payment status throttle: the cache or locking module failed (${error instanceof Error ? error.message : String(error)}); ` +
            "until it answers again, each process throttles on its own"
        )
      )
    )
  }
  return throttle
}

/** The app's module instance a request scope resolves (the same for every request of one app). */
function rootOf(container: Container): unknown {
  try {
    return container.resolve(Modules.CACHE)
  } catch {
    return container
  }
}
