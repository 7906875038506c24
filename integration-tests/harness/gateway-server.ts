/**
 * A gateway stand-in for a store running in another process (the packed-package install test,
 * the browser tests), where nock cannot reach: one HTTP port for the store's whole life, the
 * recorded scenario playing now answering (the provider's `apiBaseUrl` option, from
 * `STRIPE_API_BASE_URL`/`ECPAY_API_BASE_URL`, points the SDK here). A request no scenario
 * expects is answered 418 with a Stripe-shaped error, so the test fails where it went wrong.
 */
import http from "node:http"
import type { AddressInfo } from "node:net"
import { FixtureSession, loadFixture } from "./fixtures"

export class GatewayServer {
  protected scenario: FixtureSession | undefined
  private readonly server = http.createServer((req, res) => this.handle(req, res))
  origin = ""

  /** One request: the scenario playing answers it, or 418 when none plays. */
  protected handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.scenario) {
      GatewayServer.refuse(res, `${req.method} ${req.url}`)
      return
    }
    this.scenario.handle(req, res)
  }

  /** The answer to a request no scenario expects: 418 with a Stripe-shaped error. */
  protected static refuse(res: http.ServerResponse, label: string): void {
    res.writeHead(418, { "content-type": "application/json" })
    res.end(JSON.stringify({ error: { type: "invalid_request_error", message: `no scenario is playing for ${label}` } }))
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve))
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  play(scenario: FixtureSession): FixtureSession {
    this.scenario = scenario
    return scenario
  }

  /** Ends the scenario playing; throws if a request did not match or an interaction went unused. */
  finish(): void {
    const scenario = this.scenario
    this.scenario = undefined
    scenario?.finish()
  }

  stop(): void {
    this.server.close()
    this.server.closeAllConnections()
  }
}

/** A scenario of the recorded fixtures, its first `count` interactions when given. */
export function fixtureScenario(provider: string, name: string, bodyFormat: "form" | "json", count?: number): FixtureSession {
  const fixture = loadFixture(provider, name)
  const interactions = count === undefined ? fixture.interactions : fixture.interactions.slice(0, count)
  return new FixtureSession({ ...fixture, interactions }, { origin: "http://127.0.0.1", bodyFormat })
}
