import nock from "nock"
import { GatewayRejectedError, GatewayUnavailableError } from "../errors"
import { HttpClient, type HttpClientOptions, type HttpLogger } from "../http"
import { REDACTED } from "../redact"
import shapes from "./personal-data-shapes.json"

const ORIGIN = "https://gateway.test"

// Secret-looking values are assembled at runtime (the repository lints for literal keys).
const CLIENT_SECRET_TAIL = "Qw3Er4Ty5Ui6Op7"
const CLIENT_SECRET = "pi_" + "9ZyXwVu" + "_secret_" + CLIENT_SECRET_TAIL
const BEARER_TOKEN = "A" + "bC1dE2fG3hI4jK5lM6nO7pQ8rS9tU0".repeat(2)
const HEADER_TOKEN = "hdr-" + "Zz9Yy8Xx7Ww6".repeat(3)

interface GatewayErrorBody {
  error?: { code?: string; message?: string }
}

function client(overrides: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    gateway: "TestPay",
    baseUrl: `${ORIGIN}/v1/`,
    retryBaseDelayMs: 1,
    idempotencyHeader: "Idempotency-Key",
    parseError: (_status, body) => ({
      code: (body as GatewayErrorBody)?.error?.code,
      message: (body as GatewayErrorBody)?.error?.message,
    }),
    ...overrides,
  })
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    return error as Error
  }
  throw new Error("expected the request to fail, it succeeded")
}

/** Counts the requests the scope answered, and the idempotency key each carried. */
function track(scope: nock.Scope): { count: () => number; keys: Array<string | undefined> } {
  const keys: Array<string | undefined> = []
  scope.on("request", (req: { headers: Record<string, string | string[] | undefined> }) => {
    const key = req.headers["idempotency-key"]
    keys.push(Array.isArray(key) ? key.join(",") : key)
  })
  return { count: () => keys.length, keys }
}

beforeEach(() => {
  nock.disableNetConnect()
})

afterEach(() => {
  nock.abortPendingRequests()
  nock.cleanAll()
  nock.enableNetConnect()
})

describe("request bodies and headers", () => {
  it("sends an object as JSON with a JSON content type and parses the JSON answer", async () => {
    const scope = nock(ORIGIN)
      .post("/v1/orders", { amount: 1050, currency: "USD", items: [{ sku: "a" }] })
      .matchHeader("content-type", "application/json")
      .reply(201, { id: "ord_1", status: "CREATED" })
    const response = await client().request({
      method: "POST",
      path: "/orders",
      operation: "create the order",
      body: { amount: 1050, currency: "USD", items: [{ sku: "a" }] },
    })
    expect(response.status).toBe(201)
    expect(response.body).toEqual({ id: "ord_1", status: "CREATED" })
    expect(scope.isDone()).toBe(true)
  })

  it("sends URLSearchParams as a form with the form content type", async () => {
    let received = ""
    const scope = nock(ORIGIN)
      .post("/v1/payment_intents", (body) => {
        received = typeof body === "string" ? body : new URLSearchParams(body).toString()
        return true
      })
      .matchHeader("content-type", "application/x-www-form-urlencoded")
      .reply(200, { id: "pi_1" })
    await client().request({
      method: "POST",
      path: "payment_intents",
      operation: "create the payment",
      body: new URLSearchParams({ amount: "1050", currency: "usd", "metadata[order]": "A&B" }),
    })
    expect(scope.isDone()).toBe(true)
    const parsed = new URLSearchParams(received)
    expect(parsed.get("amount")).toBe("1050")
    expect(parsed.get("currency")).toBe("usd")
    expect(parsed.get("metadata[order]")).toBe("A&B")
  })

  it("sends a string body exactly as given", async () => {
    const raw = "<xml><amount>10.50</amount></xml>"
    const scope = nock(ORIGIN).post("/v1/raw", raw).reply(200, "OK", { "Content-Type": "text/plain" })
    const response = await client().request({
      method: "POST",
      path: "/raw",
      operation: "send raw",
      headers: { "Content-Type": "application/xml" },
      body: raw,
    })
    expect(scope.isDone()).toBe(true)
    expect(response.body).toBe("OK")
  })

  it("sets the idempotency header when the request carries a key", async () => {
    const scope = nock(ORIGIN).post("/v1/captures").matchHeader("idempotency-key", "key-123").reply(200, {})
    await client().request({
      method: "POST",
      path: "/captures",
      operation: "capture",
      body: {},
      idempotencyKey: "key-123",
    })
    expect(scope.isDone()).toBe(true)
  })

  it("uses the gateway's own idempotency header name", async () => {
    const scope = nock(ORIGIN).post("/v1/orders").matchHeader("paypal-request-id", "req-789").reply(200, {})
    await client({ idempotencyHeader: "PayPal-Request-Id" }).request({
      method: "POST",
      path: "/orders",
      operation: "create the order",
      body: {},
      idempotencyKey: "req-789",
    })
    expect(scope.isDone()).toBe(true)
  })

  it("sends no idempotency header when the request has no key", async () => {
    const scope = nock(ORIGIN, { badheaders: ["idempotency-key"] }).post("/v1/orders").reply(200, {})
    await client().request({ method: "POST", path: "/orders", operation: "create", body: {} })
    expect(scope.isDone()).toBe(true)
  })

  it("sends default headers, with per-request headers taking precedence", async () => {
    const scope = nock(ORIGIN)
      .get("/v1/me")
      .matchHeader("user-agent", "collection/1.0")
      .matchHeader("x-mode", "request")
      .reply(200, {})
    await client({ defaultHeaders: { "User-Agent": "collection/1.0", "X-Mode": "default" } }).request({
      method: "GET",
      path: "/me",
      operation: "read",
      headers: { "X-Mode": "request" },
    })
    expect(scope.isDone()).toBe(true)
  })

  it("adds query parameters and leaves out undefined ones", async () => {
    const scope = nock(ORIGIN)
      .get("/v1/orders")
      .query((q) => {
        expect(q).toEqual({ status: "open", limit: "10", q: "a b&c" })
        return true
      })
      .reply(200, [])
    const response = await client().request({
      method: "GET",
      path: "/orders",
      operation: "list",
      query: { status: "open", limit: 10, q: "a b&c", cursor: undefined },
    })
    expect(scope.isDone()).toBe(true)
    expect(response.body).toEqual([])
  })

  it("joins a base URL with a path prefix and a path with or without a leading slash", async () => {
    const scope = nock(ORIGIN).get("/v1/a").reply(200, {}).get("/v1/b").reply(200, {})
    await client({ baseUrl: `${ORIGIN}/v1///` }).request({ method: "GET", path: "/a", operation: "read" })
    await client({ baseUrl: `${ORIGIN}/v1` }).request({ method: "GET", path: "b", operation: "read" })
    expect(scope.isDone()).toBe(true)
  })
})

describe("response bodies", () => {
  it("parses JSON even without a JSON content type", async () => {
    nock(ORIGIN).get("/v1/x").reply(200, '{"ok":true}', { "Content-Type": "text/plain" })
    const response = await client().request({ method: "GET", path: "/x", operation: "read" })
    expect(response.body).toEqual({ ok: true })
  })

  it("returns text that is not JSON as a string, and an empty body as undefined", async () => {
    nock(ORIGIN).get("/v1/text").reply(200, "status=ok", { "Content-Type": "text/plain" }).delete("/v1/thing").reply(204)
    expect((await client().request({ method: "GET", path: "/text", operation: "read" })).body).toBe("status=ok")
    const deleted = await client().request({ method: "DELETE", path: "/thing", operation: "delete" })
    expect(deleted.status).toBe(204)
    expect(deleted.body).toBeUndefined()
  })

  it("exposes the response headers", async () => {
    nock(ORIGIN).get("/v1/h").reply(200, {}, { "Request-Id": "req_abc" })
    const response = await client().request({ method: "GET", path: "/h", operation: "read" })
    expect(response.headers.get("request-id")).toBe("req_abc")
  })

  it("hands back an accepted error status instead of throwing", async () => {
    nock(ORIGIN).get("/v1/orders/missing").reply(404, { error: { code: "not_found", message: "No such order" } })
    const response = await client().request({
      method: "GET",
      path: "/orders/missing",
      operation: "look up the order",
      acceptStatuses: [404],
    })
    expect(response.status).toBe(404)
    expect(response.body).toEqual({ error: { code: "not_found", message: "No such order" } })
  })
})

describe("gateway refusals (4xx)", () => {
  it("throws GatewayRejectedError carrying parseError's code and message, status and request id", async () => {
    nock(ORIGIN)
      .post("/v1/captures")
      .reply(402, { error: { code: "card_declined", message: "Your card was declined." } }, { "Request-Id": "req_42" })
    const error = await rejection(
      client().request({ method: "POST", path: "/captures", operation: "capture the payment", body: {}, idempotencyKey: "k" })
    )
    expect(error).toBeInstanceOf(GatewayRejectedError)
    const rejected = error as GatewayRejectedError
    expect(rejected.message).toBe("TestPay refused to capture the payment: Your card was declined. (card_declined)")
    expect(rejected.details).toEqual({
      gateway: "TestPay",
      operation: "capture the payment",
      status: 402,
      code: "card_declined",
      requestId: "req_42",
    })
  })

  it("takes the request id from PayPal-Debug-Id", async () => {
    nock(ORIGIN).post("/v1/orders").reply(422, { name: "UNPROCESSABLE_ENTITY" }, { "PayPal-Debug-Id": "dbg_7" })
    const error = (await rejection(
      client().request({ method: "POST", path: "/orders", operation: "create the order", body: {} })
    )) as GatewayRejectedError
    expect(error.details.requestId).toBe("dbg_7")
  })

  it("falls back to the HTTP status when there is no parseError", async () => {
    nock(ORIGIN).get("/v1/orders/x").reply(404, "nope")
    const error = await rejection(
      client({ parseError: undefined }).request({ method: "GET", path: "/orders/x", operation: "look up the order" })
    )
    expect(error).toBeInstanceOf(GatewayRejectedError)
    expect(error.message).toBe("TestPay refused to look up the order: HTTP 404")
  })

  it("does not retry a refusal, even with an idempotency key", async () => {
    const scope = nock(ORIGIN).post("/v1/refunds").times(3).reply(400, { error: { message: "bad" } })
    const seen = track(scope)
    await expect(
      client().request({ method: "POST", path: "/refunds", operation: "refund", body: {}, idempotencyKey: "k" })
    ).rejects.toBeInstanceOf(GatewayRejectedError)
    expect(seen.count()).toBe(1)
  })

  it("scrubs a secret the gateway echoes in its error message", async () => {
    nock(ORIGIN)
      .post("/v1/confirm")
      .reply(400, { error: { code: "invalid", message: `bad client secret ${CLIENT_SECRET}` } })
    const error = await rejection(client().request({ method: "POST", path: "/confirm", operation: "confirm", body: {} }))
    expect(error.message).not.toContain(CLIENT_SECRET_TAIL)
  })
})

describe("retries", () => {
  it.each([500, 502, 503, 504, 429, 408])(
    "retries a POST with an idempotency key after HTTP %i, reusing the same key",
    async (status) => {
      const scope = nock(ORIGIN).post("/v1/captures").reply(status, "").post("/v1/captures").reply(200, { id: "cap_1" })
      const seen = track(scope)
      const response = await client().request({
        method: "POST",
        path: "/captures",
        operation: "capture",
        body: { amount: 1 },
        idempotencyKey: "idem-1",
      })
      expect(response.body).toEqual({ id: "cap_1" })
      expect(seen.keys).toEqual(["idem-1", "idem-1"])
    }
  )

  it("retries after a network error, reusing the same key", async () => {
    const scope = nock(ORIGIN)
      .post("/v1/captures")
      .replyWithError({ code: "ECONNRESET", message: "socket hang up" })
      .post("/v1/captures")
      .replyWithError({ code: "ECONNRESET", message: "socket hang up" })
      .post("/v1/captures")
      .reply(200, { id: "cap_2" })
    const seen = track(scope)
    const response = await client().request({
      method: "POST",
      path: "/captures",
      operation: "capture",
      body: {},
      idempotencyKey: "idem-net",
    })
    expect(response.body).toEqual({ id: "cap_2" })
    expect(seen.keys).toEqual(["idem-net", "idem-net", "idem-net"])
  })

  it("stops after maxRetries further attempts and throws an indeterminate GatewayUnavailableError", async () => {
    const scope = nock(ORIGIN).post("/v1/captures").times(10).reply(503, "Service Unavailable")
    const seen = track(scope)
    const error = await rejection(
      client({ maxRetries: 3 }).request({
        method: "POST",
        path: "/captures",
        operation: "capture the payment",
        body: {},
        idempotencyKey: "idem-max",
      })
    )
    expect(seen.count()).toBe(4) // the first attempt and 3 retries
    expect(new Set(seen.keys)).toEqual(new Set(["idem-max"]))
    expect(error).toBeInstanceOf(GatewayUnavailableError)
    const unavailable = error as GatewayUnavailableError
    expect(unavailable.indeterminate).toBe(true)
    expect(unavailable.details.status).toBe(503)
    expect(unavailable.message).toContain("TestPay could not be reached to capture the payment")
    expect(unavailable.message).toContain("HTTP 503")
  })

  it("makes 3 attempts by default (maxRetries 2)", async () => {
    const scope = nock(ORIGIN).get("/v1/status").times(10).reply(500, "")
    const seen = track(scope)
    await expect(client().request({ method: "GET", path: "/status", operation: "read" })).rejects.toBeInstanceOf(
      GatewayUnavailableError
    )
    expect(seen.count()).toBe(3)
  })

  it("makes exactly one attempt with maxRetries 0", async () => {
    const scope = nock(ORIGIN).get("/v1/status").times(10).reply(500, "")
    const seen = track(scope)
    await expect(
      client({ maxRetries: 0 }).request({ method: "GET", path: "/status", operation: "read" })
    ).rejects.toBeInstanceOf(GatewayUnavailableError)
    expect(seen.count()).toBe(1)
  })

  it("gives up after the last network error; a lookup moved no money, so it is not indeterminate", async () => {
    const scope = nock(ORIGIN).get("/v1/status").times(10).replyWithError({ code: "ECONNREFUSED", message: "refused" })
    const seen = track(scope)
    const error = await rejection(client({ maxRetries: 1 }).request({ method: "GET", path: "/status", operation: "read" }))
    expect(seen.count()).toBe(2)
    expect(error).toBeInstanceOf(GatewayUnavailableError)
    expect((error as GatewayUnavailableError).indeterminate).toBe(false)
    expect(error.message).toMatch(/^TestPay could not be reached to read; no money was moved and it can be tried again/)
  })

  it("reads a mutating call that cannot move money (movesMoney: false) as retryable, with the client's hint", async () => {
    nock(ORIGIN).post("/v1/token").times(10).replyWithError({ code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND gateway.test" })
    const error = await rejection(
      client({ maxRetries: 0, unavailableHint: "TestPay is registered with placeholder credentials" }).request({
        method: "POST",
        path: "/token",
        operation: "sign in",
        body: {},
        idempotencyKey: "idem-token",
        movesMoney: false,
      })
    )
    expect((error as GatewayUnavailableError).indeterminate).toBe(false)
    expect(error.message).toMatch(/no money was moved and it can be tried again .*\. TestPay is registered with placeholder credentials$/)
  })

  it("keeps a mutating call indeterminate by default: it may have moved money", async () => {
    nock(ORIGIN).post("/v1/captures").times(10).replyWithError({ code: "ECONNRESET", message: "socket hang up" })
    const error = await rejection(
      client({ maxRetries: 0 }).request({ method: "POST", path: "/captures", operation: "capture the payment", body: {}, idempotencyKey: "idem-c" })
    )
    expect((error as GatewayUnavailableError).indeterminate).toBe(true)
    expect(error.message).toMatch(/the outcome is unknown/)
  })

  it("does not retry a POST without an idempotency key after a 5xx", async () => {
    const scope = nock(ORIGIN).post("/v1/orders").times(10).reply(503, "")
    const seen = track(scope)
    const error = await rejection(client().request({ method: "POST", path: "/orders", operation: "create", body: {} }))
    expect(seen.count()).toBe(1)
    expect(error).toBeInstanceOf(GatewayUnavailableError)
    expect((error as GatewayUnavailableError).indeterminate).toBe(true)
  })

  it("does not retry a POST without an idempotency key after a network error", async () => {
    const scope = nock(ORIGIN).post("/v1/orders").times(10).replyWithError({ code: "ECONNRESET", message: "reset" })
    const seen = track(scope)
    await expect(
      client().request({ method: "POST", path: "/orders", operation: "create", body: {} })
    ).rejects.toBeInstanceOf(GatewayUnavailableError)
    expect(seen.count()).toBe(1)
  })

  it.each(["PATCH", "PUT", "DELETE"] as const)("does not retry a %s without an idempotency key", async (method) => {
    const scope = nock(ORIGIN).intercept("/v1/thing", method).times(10).reply(502, "")
    const seen = track(scope)
    await expect(client().request({ method, path: "/thing", operation: "change" })).rejects.toBeInstanceOf(
      GatewayUnavailableError
    )
    expect(seen.count()).toBe(1)
  })

  it("retries a GET without an idempotency key", async () => {
    const scope = nock(ORIGIN).get("/v1/orders/1").reply(503, "").get("/v1/orders/1").reply(200, { id: "1" })
    const seen = track(scope)
    const response = await client().request({ method: "GET", path: "/orders/1", operation: "read" })
    expect(response.body).toEqual({ id: "1" })
    expect(seen.count()).toBe(2)
  })
})

describe("timeouts", () => {
  it("turns a response slower than timeoutMs into an indeterminate GatewayUnavailableError", async () => {
    nock(ORIGIN).post("/v1/captures").delay(2_000).reply(200, { id: "late" })
    const error = await rejection(
      client({ timeoutMs: 50, maxRetries: 0 }).request({
        method: "POST",
        path: "/captures",
        operation: "capture the payment",
        body: {},
        idempotencyKey: "idem-timeout",
      })
    )
    expect(error).toBeInstanceOf(GatewayUnavailableError)
    expect((error as GatewayUnavailableError).indeterminate).toBe(true)
    // Plain Node gives "(timed out)". Under jest the DOMException that fetch rejects with comes from
    // another realm, so describeNetworkError's `instanceof Error` misses it and prints
    // "TimeoutError: ..." instead; both say the call timed out.
    expect(error.message).toMatch(/\((timed out|TimeoutError: [^)]*timeout)\)/)
  })

  it("retries a timed-out GET and succeeds when the gateway answers in time", async () => {
    const scope = nock(ORIGIN)
      .get("/v1/slow")
      .delay(2_000)
      .reply(200, { id: "late" })
      .get("/v1/slow")
      .reply(200, { id: "fast" })
    const seen = track(scope)
    const response = await client({ timeoutMs: 50, maxRetries: 1 }).request({ method: "GET", path: "/slow", operation: "read" })
    expect(response.body).toEqual({ id: "fast" })
    expect(seen.count()).toBe(2)
  })
})

describe("logging", () => {
  function recordingLogger(): HttpLogger & { lines: string[] } {
    const lines: string[] = []
    return { lines, debug: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) }
  }

  it("logs each attempt and answer with redacted request and response bodies", async () => {
    nock(ORIGIN)
      .post("/v1/confirm")
      .reply(200, { id: "pi_1", client_secret: CLIENT_SECRET, echoed: `Bearer ${BEARER_TOKEN}` })
    const logger = recordingLogger()
    await client({ logger }).request({
      method: "POST",
      path: "/confirm",
      operation: "confirm",
      headers: { Authorization: `Bearer ${HEADER_TOKEN}` },
      body: {
        amount: 1050,
        client_secret: CLIENT_SECRET,
        authorization: `Bearer ${BEARER_TOKEN}`,
        note: `forwarded header Bearer ${BEARER_TOKEN}`,
        nested: { password: "hunter2-plain-pw" },
      },
      idempotencyKey: "idem-log",
    })
    expect(logger.lines.length).toBeGreaterThanOrEqual(2)
    const all = logger.lines.join("\n")
    // the logs are useful: they name the gateway, the request and what is not secret
    expect(all).toContain("[TestPay] POST /confirm attempt 1")
    expect(all).toContain("-> 200")
    expect(all).toContain("1050")
    for (const secret of [CLIENT_SECRET, CLIENT_SECRET_TAIL, BEARER_TOKEN, HEADER_TOKEN, "hunter2-plain-pw"]) {
      expect(all).not.toContain(secret)
    }
  })

  it("redacts form bodies and the client's extra keys", async () => {
    nock(ORIGIN).post("/v1/form").reply(200, { merchant_pin: "pin-4455-secret" })
    const logger = recordingLogger()
    await client({ logger, redactKeys: ["merchantPin"] }).request({
      method: "POST",
      path: "/form",
      operation: "post form",
      body: new URLSearchParams({ client_secret: CLIENT_SECRET, merchant_pin: "pin-4455-secret", amount: "1050" }),
    })
    const all = logger.lines.join("\n")
    expect(all).toContain("1050")
    expect(all).not.toContain(CLIENT_SECRET_TAIL)
    expect(all).not.toContain("pin-4455-secret")
  })

  it("logs every retry attempt", async () => {
    nock(ORIGIN).get("/v1/r").reply(503, "").get("/v1/r").reply(200, {})
    const logger = recordingLogger()
    await client({ logger }).request({ method: "GET", path: "/r", operation: "read" })
    expect(logger.lines.filter((l) => l.includes("GET /r attempt"))).toHaveLength(2)
    expect(logger.lines.some((l) => l.includes("-> 503"))).toBe(true)
  })

  // Medusa's logger drops debug lines below LOG_LEVEL=debug (`http` by default) and says so
  // through shouldLog: the lines, and the redaction of every body they carry, are not made.
  it("makes no debug line when the logger's level drops it, and redacts the ones it keeps", async () => {
    nock(ORIGIN).post("/v1/quiet").times(2).reply(200, { id: "pi_1", client_secret: CLIENT_SECRET })
    const request = { method: "POST" as const, path: "/quiet", operation: "confirm", body: { client_secret: CLIENT_SECRET, amount: 1050 } }
    const dropped = jest.fn()
    const levels: string[] = []
    await client({ logger: { debug: dropped, warn: () => {}, shouldLog: (level) => (levels.push(level), false) } }).request(request)
    expect(dropped).not.toHaveBeenCalled()
    expect(levels).toEqual(["debug"])
    const kept: string[] = []
    await client({ logger: { debug: (line) => kept.push(line), warn: () => {}, shouldLog: () => true } }).request(request)
    expect(kept).toHaveLength(2)
    expect(kept.join("\n")).toContain("1050")
    expect(kept.join("\n")).not.toContain(CLIENT_SECRET_TAIL)
  })

  it("works with a logger that has no debug method", async () => {
    nock(ORIGIN).get("/v1/q").reply(200, { ok: 1 })
    const warn = jest.fn()
    const response = await client({ logger: { warn } }).request({ method: "GET", path: "/q", operation: "read" })
    expect(response.body).toEqual({ ok: 1 })
  })
})

// The tests below describe behaviour http.ts should have and does not yet (see the report).
describe("http.ts regressions found in review", () => {
  it("does not log a secret inside a pre-serialized (string) JSON body", async () => {
    // Gateways that sign the exact body bytes send a string; only shape-based redaction applies to it.
    nock(ORIGIN).post("/v1/signed").reply(200, {})
    const lines: string[] = []
    await client({ logger: { debug: (l) => lines.push(l), warn: () => {} } }).request({
      method: "POST",
      path: "/signed",
      operation: "signed call",
      body: JSON.stringify({ amount: 1050, password: "hunter2-plain-pw" }),
    })
    expect(lines.join("\n")).not.toContain("hunter2-plain-pw")
  })

  it("sends a single Content-Type when defaultHeaders spells it in lower case", async () => {
    let contentType: string | string[] | undefined
    nock(ORIGIN)
      .post("/v1/json")
      .reply(function () {
        contentType = this.req.headers["content-type"]
        return [200, {}]
      })
    await client({ defaultHeaders: { "content-type": "application/vnd.gateway+json" } }).request({
      method: "POST",
      path: "/json",
      operation: "post",
      body: { a: 1 },
    })
    expect(contentType).toBe("application/vnd.gateway+json")
  })
})

// Personal data in logged traffic. HttpClient is configured here as a gateway's client would
// be, with no list of its own: the shared list has to cover every gateway's documented shapes.
describe("personal data in logged traffic", () => {
  function recordingLogger(): HttpLogger & { lines: string[] } {
    const lines: string[] = []
    return { lines, debug: (line: string) => lines.push(line), warn: (line: string) => lines.push(line) }
  }

  /** The body a debug line shows, parsed back ("[PayPal] GET /x -> 200 {...}"). */
  function loggedBody(lines: string[], marker: string): unknown {
    const line = lines.find((l) => l.includes(marker))
    if (!line) throw new Error(`no log line contains ${marker}:\n${lines.join("\n")}`)
    return JSON.parse(line.slice(line.indexOf(marker) + marker.length + 1))
  }

  /** Every leaf of a JSON value with its path ("purchase_units[0].shipping.name.full_name"). */
  function leaves(value: unknown, path = ""): Array<[string, unknown]> {
    if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, `${path}[${i}]`))
    if (value !== null && typeof value === "object") {
      return Object.entries(value).flatMap(([key, item]) => leaves(item, path ? `${path}.${key}` : key))
    }
    return [[path, value]]
  }

  /** Whether a path lies under one of the prefixes, written with `[]` for any array index. */
  function isUnder(path: string, prefixes: readonly string[]): boolean {
    const generic = path.replace(/\[\d+\]/g, "[]")
    return prefixes.some((p) => generic === p || generic.startsWith(`${p}.`) || generic.startsWith(`${p}[`))
  }

  /** The value at a path, or REDACTED when it or one of its ancestors was replaced. */
  function valueAt(value: unknown, path: string): unknown {
    let current = value
    for (const part of path.match(/[^.[\]]+/g) ?? []) {
      if (current === REDACTED) return REDACTED
      if (current === null || typeof current !== "object") return undefined
      current = (current as Record<string, unknown>)[part]
    }
    return current
  }

  /**
   * Compares what was sent or answered with what was logged: every leaf under a personal
   * prefix is gone (replaced, or inside a replaced object), every other leaf is logged as it was.
   */
  function personalLeft(original: unknown, logged: unknown, personal: readonly string[]) {
    const leaked: string[] = []
    const altered: string[] = []
    for (const [path, value] of leaves(original)) {
      if (value === null || value === "") continue
      const shown = valueAt(logged, path)
      if (isUnder(path, personal)) {
        if (shown !== REDACTED) leaked.push(`${path} = ${JSON.stringify(shown)}`)
      } else if (shown !== value) {
        altered.push(`${path}: ${JSON.stringify(value)} logged as ${JSON.stringify(shown)}`)
      }
    }
    return { leaked, altered }
  }

  /**
   * The personal string values that are not also part of a value that stays, so a log line
   * can be searched for them (a country code or "MOBILE" occurs in both).
   */
  function distinctivePersonalValues(original: unknown, personal: readonly string[]): string[] {
    const all = leaves(original)
    const kept = all.filter(([p]) => !isUnder(p, personal)).map(([, v]) => String(v))
    return [
      ...new Set(
        all
          .filter(([p, v]) => isUnder(p, personal) && typeof v === "string" && v.length >= 3)
          .map(([, v]) => v as string)
          .filter((v) => !kept.some((k) => k.includes(v)))
      ),
    ]
  }

  // Where PayPal's Orders v2 spec (checkout_orders_v2.json, components/schemas) puts personal data
  // in an order: `[]` is any array index. Everything else in the order must reach the log unchanged.
  const PAYPAL_ORDER_PERSONAL = [
    // card_response: "The card holder's name as it appears on the card", `expiry`, `bin_details`
    // (bin_details: the BIN, issuing bank...); card_from_request.expiry
    "payment_source.card.name",
    "payment_source.card.expiry",
    "payment_source.card.from_request.expiry",
    "payment_source.card.bin_details",
    // vault_response.customer (card, paypal and venmo attributes): e-mail and phone_with_type
    "payment_source.card.attributes.vault.customer.email_address",
    "payment_source.card.attributes.vault.customer.phone",
    // paypal_wallet_response: the account holder's e-mail, name, phone, birth date, tax info, address
    "payment_source.paypal.email_address",
    "payment_source.paypal.name",
    "payment_source.paypal.phone_number",
    "payment_source.paypal.birth_date",
    "payment_source.paypal.tax_info",
    "payment_source.paypal.address",
    "payment_source.paypal.attributes.vault.customer.email_address",
    "payment_source.paypal.attributes.vault.customer.phone",
    "payment_source.paypal.attributes.cobranded_cards[].payee.email_address",
    // bank methods (bancontact, blik, eps, giropay, ideal, mybank, p24, sofort, trustly): "The name of
    // the account holder", the e-mail, and the payer's bank account (its BIC and the IBAN's last characters)
    ...["bancontact", "blik", "eps", "giropay", "ideal", "mybank", "p24", "sofort", "trustly"].map((m) => `payment_source.${m}.name`),
    "payment_source.blik.email",
    "payment_source.p24.email",
    ...["bancontact", "eps", "giropay", "ideal", "mybank", "sofort", "trustly"].map((m) => `payment_source.${m}.bic`),
    ...["bancontact", "ideal", "mybank", "sofort", "trustly"].map((m) => `payment_source.${m}.iban_last_chars`),
    // venmo_wallet_response: e-mail, "The Venmo user name chosen by the user", name, phone, address
    "payment_source.venmo.email_address",
    "payment_source.venmo.user_name",
    "payment_source.venmo.name",
    "payment_source.venmo.phone_number",
    "payment_source.venmo.address",
    "payment_source.venmo.attributes.vault.customer.email_address",
    "payment_source.venmo.attributes.vault.customer.phone",
    // payer (deprecated, still answered): e-mail, name, phone, birth date, tax info, address
    "payer.email_address",
    "payer.name",
    "payer.phone",
    "payer.birth_date",
    "payer.tax_info",
    "payer.address",
    // purchase_unit: e-mails of the payee and platform, shipping_detail's name and address_portable,
    // level 3 card data's shipping_address
    "purchase_units[].payee.email_address",
    "purchase_units[].payment_instruction.platform_fees[].payee.email_address",
    "purchase_units[].shipping.name",
    "purchase_units[].shipping.address",
    "purchase_units[].supplementary_data.card.level_3.shipping_address",
    "purchase_units[].payments.captures[].seller_receivable_breakdown.platform_fees[].payee.email_address",
    "purchase_units[].payments.refunds[].seller_payable_breakdown.platform_fees[].payee.email_address",
    "purchase_units[].payments.refunds[].payer.email_address",
  ]

  const PAYPAL_ORIGIN = "https://api-m.sandbox.paypal.test"
  const order = shapes.paypal.order

  function paypal(logger: HttpLogger): HttpClient {
    return new HttpClient({ gateway: "PayPal", baseUrl: PAYPAL_ORIGIN, retryBaseDelayMs: 1, logger })
  }

  it("logs a PayPal order with every field Orders v2 defines without the buyer's data, and with its ids, statuses, amounts and links", async () => {
    nock(PAYPAL_ORIGIN).get(`/v2/checkout/orders/${order.id}`).reply(200, order)
    const logger = recordingLogger()
    const response = await paypal(logger).request({ method: "GET", path: `/v2/checkout/orders/${order.id}`, operation: "look up the order" })
    // the caller still gets the whole answer: only the log is redacted
    expect(response.body).toEqual(order)

    const logged = loggedBody(logger.lines, "-> 200")
    expect(personalLeft(order, logged, PAYPAL_ORDER_PERSONAL)).toEqual({ leaked: [], altered: [] })

    const all = logger.lines.join("\n")
    const personal = distinctivePersonalValues(order, PAYPAL_ORDER_PERSONAL)
    expect(personal.length).toBeGreaterThan(30)
    expect(personal.filter((value) => all.includes(value))).toEqual([])
    // the fields PayPal's own list missed, by name
    const card = order.payment_source.card
    for (const value of [
      card.name,
      card.expiry,
      card.bin_details.bin,
      card.bin_details.issuing_bank,
      order.payment_source.venmo.user_name,
      order.purchase_units[0].shipping.address.address_line_3,
      order.payer.address.address_details.building_name,
    ]) {
      expect(all).not.toContain(value)
    }
    // what the line is for
    const capture = order.purchase_units[0].payments.captures[0]
    for (const value of [order.id, order.status, capture.id, capture.status, capture.amount.value, order.purchase_units[0].reference_id]) {
      expect(all).toContain(`"${value}"`)
    }
    expect(all).toContain(`"href":"https://api-m.paypal.com/v2/payments/captures/${capture.id}/refund"`)
    expect(all).toContain(`"last_digits":"${card.last_digits}"`)
    expect(all).toContain(`"name":"${order.purchase_units[0].items[0].name}"`)
  })

  it("logs PayPal's documented request examples without the payer's name, e-mail or address", async () => {
    // checkout_orders_v2.json: the confirm-payment-source example (`confirm_order_request`) and the
    // tracker patch example (`orders_patch_request`), which replaces a shipping address under `value`.
    const confirm = {
      payment_source: {
        paypal: {
          name: { given_name: "John", surname: "Doe" },
          email_address: "customer@example.com",
          experience_context: {
            payment_method_preference: "IMMEDIATE_PAYMENT_REQUIRED",
            payment_method_selected: "PAYPAL",
            brand_name: "EXAMPLE INC",
            locale: "en-US",
            landing_page: "LOGIN",
            shipping_preference: "SET_PROVIDED_ADDRESS",
            user_action: "PAY_NOW",
            return_url: "https://example.com/returnUrl",
            cancel_url: "https://example.com/cancelUrl",
          },
        },
      },
    }
    const patch = [
      {
        op: "replace",
        path: "/purchase_units/@reference_id=='PUHF'/shipping/address",
        value: {
          address_line_1: "2211 N First Street",
          address_line_2: "Building 17",
          admin_area_2: "San Jose",
          admin_area_1: "CA",
          postal_code: "95131",
          country_code: "US",
        },
      },
    ]
    nock(PAYPAL_ORIGIN)
      .post(`/v2/checkout/orders/${order.id}/confirm-payment-source`)
      .reply(200, { id: order.id, status: "APPROVED" })
      .patch(`/v2/checkout/orders/${order.id}`)
      .reply(204)
    const logger = recordingLogger()
    const client = paypal(logger)
    await client.request({
      method: "POST",
      path: `/v2/checkout/orders/${order.id}/confirm-payment-source`,
      operation: "confirm the payment source",
      body: confirm,
    })
    await client.request({ method: "PATCH", path: `/v2/checkout/orders/${order.id}`, operation: "update the order", body: patch })
    const all = logger.lines.join("\n")
    for (const value of ["John", "Doe", "customer@example.com", "2211 N First Street", "Building 17", "San Jose", "95131"]) {
      expect(all).not.toContain(value)
    }
    for (const value of ["EXAMPLE INC", "SET_PROVIDED_ADDRESS", "https://example.com/returnUrl", "/purchase_units/@reference_id=='PUHF'/shipping/address", "APPROVED"]) {
      expect(all).toContain(value)
    }
  })

  it("keeps PayPal's error name, issue and debug id in the log", async () => {
    // components/schemas/error_422 and the INSTRUMENT_DECLINED issue of Orders v2
    const error = {
      name: "UNPROCESSABLE_ENTITY",
      message: "The requested action could not be performed, semantically incorrect, or failed business validation.",
      debug_id: "f2e6e2f1d3a8c",
      details: [{ issue: "INSTRUMENT_DECLINED", description: "The instrument presented was either declined by the processor or bank." }],
      links: [{ href: "https://developer.paypal.com/docs/api/orders/v2/#error-INSTRUMENT_DECLINED", rel: "information_link", method: "GET" }],
    }
    nock(PAYPAL_ORIGIN).post(`/v2/checkout/orders/${order.id}/capture`).reply(422, error)
    const logger = recordingLogger()
    await expect(
      paypal(logger).request({ method: "POST", path: `/v2/checkout/orders/${order.id}/capture`, operation: "capture", body: {} })
    ).rejects.toBeInstanceOf(GatewayRejectedError)
    expect(loggedBody(logger.lines, "-> 422")).toEqual(error)
  })

  it("logs a form body posted to /customers without the customer's name, e-mail or address", async () => {
    // Stripe's create-customer form (https://docs.stripe.com/api/customers/create): `name` at the top
    // level is a person's because of where it is posted
    nock(ORIGIN).post("/v1/customers").reply(200, { id: "cus_QfxCustomer0001", object: "customer", name: "Ada Lovelace" })
    const logger = recordingLogger()
    await client({ logger }).request({
      method: "POST",
      path: "/customers",
      operation: "create the customer",
      body: new URLSearchParams({
        name: "Ada Lovelace",
        email: "ada@example.com",
        "address[line1]": "12 St James's Square",
        "address[postal_code]": "SW1Y 4JH",
        "metadata[medusa_customer_id]": "cus_01JD",
      }),
    })
    const all = logger.lines.join("\n")
    for (const value of ["Ada Lovelace", "ada@example.com", "St James", "SW1Y 4JH"]) {
      expect(all).not.toContain(value)
    }
    expect(all).toContain('"metadata[medusa_customer_id]":"cus_01JD"')
    expect(all).toContain('"id":"cus_QfxCustomer0001"')
  })

  // ECPay answers QueryTradeInfo (https://developers.ecpay.com.tw/?p=2890) as `name=value&...`
  // text. With NeedExtraPaidInfo=Y the answer and the payment notification also carry the
  // "additional parameters" (https://developers.ecpay.com.tw/?p=16562): card6no "First 6 digits of
  // credit card", card4no the last 4, ATMAccBank / WebATMAccBank the payer's bank code, ATMAccNo /
  // WebATMAccNo "Last 5 digits of the payer's bank account", WebATMBankName the bank's name,
  // PaymentNo the convenience-store payment code ECPay issues, PayFrom the store chain.
  const ECPAY_ORIGIN = "https://payment-stage.ecpay.test"
  const ECPAY_BASE = {
    MerchantID: "3002607",
    MerchantTradeNo: "pay1042x7k2",
    StoreID: "",
    TradeNo: "2611201000005678",
    TradeAmt: "1050",
    PaymentDate: "2026/11/20 10:01:30",
    HandlingCharge: "0",
    PaymentTypeChargeFee: "21",
    TradeDate: "2026/11/20 10:00:00",
    TradeStatus: "1",
    ItemName: "Order 1042",
    CustomField1: "payses_01JD4K7R9",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
    CheckMacValue: "6A8B31B7C2F04D0E9A1F5C3D2E7B8A90C1D2E3F405162738495A6B7C8D9E0F12",
  }
  const ECPAY_ANSWERS: Array<{ method: string; fields: Record<string, string>; personal: string[] }> = [
    {
      method: "a card",
      fields: {
        ...ECPAY_BASE,
        PaymentType: "Credit_CreditCard",
        gwsr: "11718189",
        process_date: "2026/11/20 10:01:30",
        auth_code: "777777",
        amount: "1050",
        stage: "0",
        stast: "0",
        staed: "0",
        eci: "5",
        card4no: "2222",
        card6no: "431195",
        red_dan: "0",
        red_de_amt: "0",
        red_ok_amt: "0",
        red_yet: "0",
      },
      personal: ["card6no"],
    },
    {
      method: "WebATM",
      fields: { ...ECPAY_BASE, PaymentType: "WebATM_TAISHIN", WebATMAccBank: "812", WebATMAccNo: "80213", WebATMBankName: "TAISHIN" },
      personal: ["WebATMAccBank", "WebATMAccNo", "WebATMBankName"],
    },
    {
      method: "an ATM transfer",
      fields: { ...ECPAY_BASE, PaymentType: "ATM_LAND", ATMAccBank: "005", ATMAccNo: "51234" },
      personal: ["ATMAccBank", "ATMAccNo"],
    },
    {
      method: "a convenience store code",
      fields: { ...ECPAY_BASE, PaymentType: "CVS_CVS", PaymentNo: "LLL19336898591", PayFrom: "family" },
      personal: [],
    },
  ]

  it.each(ECPAY_ANSWERS)("logs ECPay's QueryTradeInfo answer for $method without the payer's card or bank account details", async ({ fields, personal }) => {
    nock(ECPAY_ORIGIN)
      .post("/Cashier/QueryTradeInfo/V5")
      .reply(200, new URLSearchParams(fields).toString(), { "Content-Type": "text/html; charset=utf-8" })
    const logger = recordingLogger()
    await new HttpClient({ gateway: "ECPay", baseUrl: ECPAY_ORIGIN, logger }).request({
      method: "POST",
      path: "/Cashier/QueryTradeInfo/V5",
      operation: "check the payment",
      body: new URLSearchParams({ MerchantID: "3002607", MerchantTradeNo: fields.MerchantTradeNo, TimeStamp: "1763604090" }),
      idempotencyKey: "payses_01JD4K7R9",
    })
    const logged = loggedBody(logger.lines, "-> 200") as Record<string, string>
    const expected = Object.fromEntries(
      Object.entries(fields).map(([key, value]) => [key, personal.includes(key) ? REDACTED : value])
    )
    expect(logged).toEqual(expected)
    const line = logger.lines.find((l) => l.includes("-> 200")) ?? ""
    for (const key of personal) {
      expect(line).not.toContain(`"${key}":"${fields[key]}"`)
    }
  })
})
