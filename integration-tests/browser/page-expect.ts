/**
 * Assertions on what a page shows that wait for it, as Playwright's test runner's do
 * (playwright-core, which these tests use alone, has none): each retries until the page
 * agrees or the timeout passes, then fails saying what the page showed instead.
 */
import type { Locator } from "playwright-core"

const TIMEOUT_MS = 30_000
const INTERVAL_MS = 100

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, describe: (value: T | undefined) => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  let failure: unknown
  for (;;) {
    try {
      last = await read()
      failure = undefined
      if (ok(last)) return
    } catch (error) {
      failure = error
    }
    if (Date.now() > deadline) {
      throw new Error(`${describe(last)}${failure ? ` (${String(failure).split("\n")[0]})` : ""}`)
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS))
  }
}

const matches = (text: string, expected: string | RegExp) => (typeof expected === "string" ? text.includes(expected) : expected.test(text))
const normalize = (text: string) => text.replace(/\s+/g, " ").trim()

export function expect(locator: Locator, { timeout = TIMEOUT_MS }: { timeout?: number } = {}) {
  return {
    /** Exactly one element, and it is visible. */
    toBeVisible: () =>
      until(
        () => locator.isVisible(),
        (visible) => visible,
        () => `expected ${locator} to be visible`,
        timeout
      ),
    /** Its text (whitespace collapsed) matches. */
    toHaveText: (expected: string | RegExp) =>
      until(
        async () => normalize(await locator.innerText({ timeout: INTERVAL_MS * 5 })),
        (text) => (typeof expected === "string" ? text === expected : expected.test(text)),
        (text) => `expected ${locator} to have text ${expected}, it has ${JSON.stringify(text)}`,
        timeout
      ),
    /** Its text (whitespace collapsed) contains `expected`. */
    toContainText: (expected: string | RegExp) =>
      until(
        async () => normalize(await locator.innerText({ timeout: INTERVAL_MS * 5 })),
        (text) => matches(text, expected),
        (text) => `expected ${locator} to contain ${expected}, it has ${JSON.stringify(text)}`,
        timeout
      ),
    /** This many elements match. */
    toHaveCount: (count: number) =>
      until(
        () => locator.count(),
        (n) => n === count,
        (n) => `expected ${count} of ${locator}, found ${n}`,
        timeout
      ),
  }
}
