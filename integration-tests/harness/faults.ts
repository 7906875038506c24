/**
 * Faults between a provider and its gateway: a stand-in gateway on 127.0.0.1 that answers from
 * a strict fixture (fixtures.ts) and, for the requests a test names, spoils the answer the way
 * networks and gateways do. The provider's client is pointed here through its `apiBaseUrl`
 * option, so its own timeouts and retries (stripe-node's, the shared HttpClient's, the
 * Braintree SDK's) are what is tested.
 *
 * Faults are keyed by the request's number in order of arrival (1 = the first request the
 * gateway sees), so a test reads "the 2nd request, the capture, times out":
 *
 * - `5xx`: the gateway fails *before* acting: it answers `status` (503) and the fixture's
 *   interaction is not used, so the retry must match it;
 * - `timeout`: the gateway *acts* (the interaction is used) and its answer never arrives: held
 *   until the client gives up and closes the connection; the next attempt sees the new state;
 * - `reset`: the connection is destroyed, after the gateway acted (the default) or before it
 *   saw the request (`acted: false`, the interaction is not used);
 * - `slow`: the gateway acts and answers after `delayMs`, past the client's timeout;
 * - `hold`: the answer waits until `release()` (or forever), after the gateway acted (the
 *   default) or before it did (`acted: false`: the interaction is not used, and `release()`
 *   resets the connection): for a test that kills the calling process meanwhile.
 *
 * Every request is kept (`requests`), with its headers, so a test shows that the retry carried
 * the same idempotency key as the attempt that failed. `finish()` fails the test when the
 * fixture was not played exactly, or when a declared fault never fired. One server can play
 * scenario after scenario (`play`) for a store booted once against its origin.
 */
import http from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { FixtureSession, loadFixture } from "./fixtures"

export type Fault =
  | { kind: "5xx"; status?: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "timeout" }
  | { kind: "reset"; acted?: boolean }
  | { kind: "slow"; delayMs: number }
  | { kind: "hold"; acted?: boolean }

export interface SeenRequest {
  /** 1-based, in order of arrival. */
  number: number
  method: string
  path: string
  headers: http.IncomingHttpHeaders
  body: string
  fault?: Fault["kind"]
}

/** What a 5xx says when the test gives no body: a generic server error in JSON. */
const SERVER_ERROR = { error: { type: "api_error", message: "An unknown error occurred" } }

export class FaultyGateway {
  readonly requests: SeenRequest[] = []
  origin = ""
  private readonly server: http.Server
  private readonly sockets = new Set<Socket>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly held: Array<() => void> = []
  private readonly waiting: Array<{ number: number; resolve: (request: SeenRequest) => void }> = []

  constructor(
    private current?: FixtureSession,
    private faults: Record<number, Fault> = {}
  ) {
    this.server = http.createServer((req, res) => this.receive(req, res))
    this.server.on("connection", (socket) => {
      this.sockets.add(socket)
      socket.on("close", () => this.sockets.delete(socket))
    })
  }

  /** A scenario of `integration-tests/fixtures/<provider>/<name>.json` behind the faults. */
  static of(provider: string, name: string, faults: Record<number, Fault> = {}, options: { bodyFormat?: "form" | "json"; vars?: Record<string, string> } = {}): FaultyGateway {
    const scenario = new FixtureSession(loadFixture(provider, name), { origin: "http://127.0.0.1", bodyFormat: options.bodyFormat ?? "json", vars: options.vars })
    return new FaultyGateway(scenario, faults)
  }

  /** The scenario playing now. */
  get scenario(): FixtureSession {
    if (!this.current) throw new Error("no scenario is playing")
    return this.current
  }

  /**
   * Plays another scenario behind `faults` on the same port (a store booted once against this
   * origin): request numbers count from 1 again.
   */
  play(scenario: FixtureSession, faults: Record<number, Fault> = {}): FixtureSession {
    this.current = scenario
    this.faults = faults
    this.requests.length = 0
    this.held.splice(0)
    return scenario
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve))
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this.origin
  }

  /** Resolves when the gateway has seen its `number`-th request. */
  arrival(number: number): Promise<SeenRequest> {
    const seen = this.requests.find((r) => r.number === number)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve) => this.waiting.push({ number, resolve }))
  }

  /** Lets the held answers (`hold`) go out. */
  release(): void {
    for (const send of this.held.splice(0)) send()
  }

  /** The idempotency key (or any header) each request carried, in order. */
  headerOf(name: string, filter: (request: SeenRequest) => boolean = () => true): Array<string | undefined> {
    return this.requests.filter(filter).map((r) => {
      const value = r.headers[name.toLowerCase()]
      return Array.isArray(value) ? value.join(", ") : value
    })
  }

  /** Ends the scenario; throws if it was not played exactly or a fault never fired. */
  finish(): void {
    const unfired = Object.keys(this.faults)
      .map(Number)
      .filter((n) => !this.requests.some((r) => r.number === n))
    const problems: string[] = []
    const scenario = this.current
    this.current = undefined
    try {
      scenario?.finish()
    } catch (error) {
      problems.push((error as Error).message)
    }
    if (unfired.length) problems.push(`fault(s) for request(s) ${unfired.join(", ")} never fired: only ${this.requests.length} request(s) came`)
    if (problems.length) throw new Error(problems.join("\n"))
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.held.splice(0)
    this.server.close()
    for (const socket of this.sockets) socket.destroy()
  }

  private receive(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (raw += chunk))
    req.on("end", () => {
      if (!this.current) {
        res.writeHead(418, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: { type: "invalid_request_error", message: `no scenario is playing for ${req.method} ${req.url}` } }))
        return
      }
      const number = this.requests.length + 1
      const fault = this.faults[number]
      const url = String(req.url ?? "/")
      const seen: SeenRequest = { number, method: String(req.method), path: new URL(url, "http://127.0.0.1").pathname, headers: req.headers, body: raw, fault: fault?.kind }
      this.requests.push(seen)
      for (const waiter of this.waiting.filter((w) => w.number === number)) waiter.resolve(seen)

      if (fault?.kind === "5xx") {
        res.writeHead(fault.status ?? 503, { "content-type": "application/json", ...(fault.headers ?? {}) })
        res.end(typeof fault.body === "string" ? fault.body : JSON.stringify(fault.body ?? SERVER_ERROR))
        return
      }
      if (fault?.kind === "reset" && fault.acted === false) {
        req.socket.destroy()
        return
      }
      if (fault?.kind === "hold" && fault.acted === false) {
        this.held.push(() => req.socket.destroy())
        return
      }
      // The gateway acts: the interaction is matched and used, whatever becomes of its answer.
      const answer = this.current.answer(String(req.method ?? "GET"), url, raw, req.headers)
      const send = () => {
        if (res.destroyed || res.writableEnded) return
        res.writeHead(answer.status, answer.headers)
        res.end(answer.body)
      }
      switch (fault?.kind) {
        case undefined:
          send()
          return
        case "reset":
          req.socket.destroy()
          return
        case "timeout":
          // Never answered; the client's timeout closes the connection.
          return
        case "slow": {
          const timer = setTimeout(() => {
            this.timers.delete(timer)
            send()
          }, fault.delayMs)
          this.timers.add(timer)
          return
        }
        case "hold":
          this.held.push(send)
          return
        default: {
          const unknown: never = fault
          throw new Error(`unknown fault ${JSON.stringify(unknown)}`)
        }
      }
    })
  }
}
