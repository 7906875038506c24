/** Loggers for provider tests: one that drops everything, one that keeps every line. */
import type { Logger } from "@medusajs/framework/types"

export const quietLogger = {
  // As Medusa's logger below LOG_LEVEL=debug: the HTTP layer then builds no debug line (the
  // redaction of a body it would drop), as in a store (capturingLogger keeps them all).
  shouldLog: (level: string) => level !== "debug",
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  log: () => {},
} as unknown as Logger

/**
 * A logger that keeps each line as "<level> <message>", for assertions on what was logged
 * (and that no secret was). `sink` also receives every line, for checks across a file.
 */
export function capturingLogger(sink?: string[]): { logger: Logger; lines: string[] } {
  const lines: string[] = []
  const log = (level: string) => (message: unknown) => {
    const line = `${level} ${String(message)}`
    lines.push(line)
    sink?.push(line)
  }
  const logger = { info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug"), log: log("log") }
  return { logger: logger as unknown as Logger, lines }
}
