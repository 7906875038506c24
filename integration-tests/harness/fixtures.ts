/**
 * Recorded HTTP fixtures: one JSON file per scenario per provider, replayed through nock
 * with the network off.
 *
 * Replay is strict, like ActiveMerchant's comm_stub and stripe-node's test server:
 * interactions are consumed in order, a request that does not match the next one fails
 * the test (and gets a 418 so no SDK retries it), and an interaction left unused fails it
 * too. Values that change from run to run are placeholders:
 *
 * - in a request, `"{{name}}"` must equal the bound value of `name`, or binds it when it
 *   has none yet (so a session id sent in the first request flows into later responses);
 *   `"{{*}}"` matches anything;
 * - in a response, `{{name}}` anywhere in a string is replaced by its bound value.
 *
 * A response body that is a string is served verbatim (with its `headers`, text/plain by
 * default), for gateways that answer urlencoded or plain text; any other body as JSON.
 *
 * Record mode (`PAYMENTS_RECORD=stripe,paypal`) lets the same tests talk to the real
 * sandbox through nock's recorder and rewrites the fixture files, without secrets or personal
 * data (`redactForLog`, as the logs) and with bound values turned back into placeholders.
 */
import fs from "node:fs"
import http from "node:http"
import type { AddressInfo } from "node:net"
import path from "node:path"
import nock from "nock"
import qs from "qs"
import zlib from "node:zlib"
import { REDACTED, isPersonalKey, isSensitiveKey, kindsOfPath, redactForLog, redactText } from "../../src/lib/payments/redact"

export const FIXTURES_DIR = path.resolve(__dirname, "..", "fixtures")

export interface FixtureRequest {
  method: string
  path: string
  query?: Record<string, unknown>
  headers?: Record<string, string>
  body?: unknown
}

export interface FixtureResponse {
  status: number
  headers?: Record<string, string>
  body?: unknown
}

export interface Interaction {
  /** What this step is, for people reading the file ("the storefront confirms the card"). */
  note?: string
  /**
   * Consecutive interactions marked `unordered` may be requested in any order among
   * themselves (Medusa runs some steps in parallel: a new payment session is created while
   * the old one is deleted). Each is still used exactly once.
   */
  unordered?: boolean
  request: FixtureRequest
  response: FixtureResponse
}

export interface FixtureFile {
  provider: string
  scenario: string
  /** The gateway API version the bodies follow. */
  api_version?: string
  /** ISO date of the recording, or of the authoring for hand-written files. */
  recorded_at?: string
  /** Where the bodies come from: a sandbox recording or the vendor's documented shapes. */
  source: string
  interactions: Interaction[]
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, unknown>
  headers: Record<string, string>
  body: unknown
}

export function fixturePath(provider: string, scenario: string): string {
  return path.join(FIXTURES_DIR, provider, `${scenario}.json`)
}

export function loadFixture(provider: string, scenario: string): FixtureFile {
  const file = fixturePath(provider, scenario)
  if (!fs.existsSync(file)) {
    throw new Error(`No fixture ${path.relative(process.cwd(), file)}`)
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as FixtureFile
}

export function isRecording(provider: string): boolean {
  return (process.env.PAYMENTS_RECORD ?? "")
    .split(",")
    .map((p) => p.trim())
    .includes(provider)
}

const PLACEHOLDER = /^\{\{([A-Za-z0-9_*.-]+)\}\}$/

export interface FixtureSessionOptions {
  /** Scheme, host and port the gateway client calls ("https://api.stripe.com"). */
  origin: string
  /** Values known before the scenario runs. */
  vars?: Record<string, string>
  /** How the gateway's request bodies are encoded when the content type does not say. */
  bodyFormat?: "form" | "json"
}

/**
 * One scenario's interactions, replayed (or recorded) between `start()` and `finish()`.
 */
export class FixtureSession {
  readonly requests: RecordedRequest[] = []
  readonly vars: Record<string, string>
  private readonly problems: string[] = []
  private next = 0
  /** Interactions at or after `next` already used out of order (an unordered run). */
  private readonly usedAhead = new Set<number>()
  private active = false
  private server: http.Server | undefined
  private readonly recording: boolean

  constructor(
    private readonly fixture: FixtureFile,
    private readonly options: FixtureSessionOptions
  ) {
    this.vars = { ...(options.vars ?? {}) }
    this.recording = isRecording(fixture.provider)
  }

  static load(provider: string, scenario: string, options: FixtureSessionOptions): FixtureSession {
    if (isRecording(provider) && !fs.existsSync(fixturePath(provider, scenario))) {
      return new FixtureSession({ provider, scenario, source: "", interactions: [] }, options)
    }
    return new FixtureSession(loadFixture(provider, scenario), options)
  }

  bind(name: string, value: string): void {
    this.vars[name] = value
  }

  start(): this {
    if (this.active) return this
    this.active = true
    if (this.recording) {
      nock.restore()
      nock.recorder.clear()
      nock.enableNetConnect()
      nock.activate()
      nock.recorder.rec({ output_objects: true, dont_print: true, enable_reqheaders_recording: true })
      return this
    }
    if (!nock.isActive()) nock.activate()
    nock.disableNetConnect()
    // Medusa's own HTTP server and the database stay reachable.
    nock.enableNetConnect((host) => /^(localhost|127\.0\.0\.1|\[::1\]|::1)(:\d+)?$/.test(host))
    const session = this
    const scope = nock(this.options.origin).persist()
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      scope.intercept(() => true, method).reply(function (this: nock.ReplyFnContext, uri, body) {
        return session.reply(method, uri, body, this.req.headers)
      })
    }
    return this
  }

  /**
   * Replay on a real HTTP server on 127.0.0.1 instead of intercepting this process's
   * requests, for a gateway client in another process (a Medusa app started with
   * `medusa start`, pointed at `origin` through the provider's base-URL option). Same strict
   * matching; `finish()` stops the server too.
   */
  async listen(): Promise<string> {
    if (this.recording) throw new Error("A fixture server only replays; record in-process")
    const server = http.createServer((req, res) => this.handle(req, res))
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    this.server = server
    this.active = true
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  /**
   * Answer one HTTP request of a server (`listen`, or a server of the test's own that hands
   * requests to the scenario playing now) from the next interaction.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let raw = ""
    req.setEncoding("utf8")
    req.on("data", (chunk: string) => (raw += chunk))
    req.on("end", () => {
      const { status, body, headers } = this.answer(String(req.method ?? "GET"), String(req.url ?? "/"), raw, req.headers)
      res.writeHead(status, headers)
      res.end(body)
    })
  }

  /**
   * The next interaction's answer to one request, matched (and used) as `handle` does, without
   * writing it anywhere: the fault harness (faults.ts) decides how, or whether, it arrives.
   */
  answer(method: string, url: string, rawBody: string, headers: http.IncomingHttpHeaders): { status: number; body: string; headers: Record<string, string> } {
    const [status, body, answerHeaders] = this.reply(method, url, rawBody, headers as Record<string, string | string[]>) as [number, string, Record<string, string>]
    return { status, body, headers: answerHeaders }
  }

  /** Stop intercepting; throw if a request did not match or an interaction was left unused. */
  finish(): void {
    if (this.recording) {
      // Written before stop(), which clears the recorder.
      if (this.active) this.writeRecording()
      this.stop()
      return
    }
    this.stop()
    const unused = this.fixture.interactions.slice(this.next).filter((_, i) => !this.usedAhead.has(this.next + i))
    const problems = [...this.problems]
    if (unused.length) {
      problems.push(
        `${unused.length} interaction(s) of ${this.fixture.provider}/${this.fixture.scenario} were never requested, ` +
          `starting with ${unused[0].request.method} ${unused[0].request.path}`
      )
    }
    if (problems.length) {
      throw new Error(`Fixture replay failed:\n- ${problems.join("\n- ")}`)
    }
  }

  /** Stop intercepting without checking (for afterEach clean-up after a failure). */
  stop(): void {
    if (this.server) {
      this.server.close()
      this.server.closeAllConnections?.()
      this.server = undefined
      this.active = false
      return
    }
    if (!this.active) return
    this.active = false
    if (this.recording) {
      nock.recorder.clear()
    }
    nock.cleanAll()
    nock.enableNetConnect()
  }

  /** Requests that change something at the gateway. */
  mutatingRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== "GET")
  }

  private reply(
    method: string,
    uri: string,
    rawBody: unknown,
    rawHeaders: Record<string, string | string[]>
  ): nock.ReplyFnResult {
    const url = new URL(uri, this.options.origin)
    const headers = lowerHeaders(rawHeaders)
    const request: RecordedRequest = {
      method,
      path: url.pathname,
      query: qs.parse(url.search.replace(/^\?/, "")) as Record<string, unknown>,
      headers,
      body: parseBody(rawBody, headers["content-type"], this.options.bodyFormat),
    }
    this.requests.push(request)
    const label = `${method} ${url.pathname}`
    if (this.next >= this.fixture.interactions.length) {
      return this.mismatch(`unexpected request ${label}: the fixture has no interaction left`)
    }
    let matched: { index: number; captured: Record<string, string> } | undefined
    let firstDifferences: string[] | undefined
    for (const index of this.candidates()) {
      const candidate = this.fixture.interactions[index]
      const differences: string[] = []
      const captured: Record<string, string> = {}
      if (candidate.request.method.toUpperCase() !== method) {
        differences.push(`method ${method} != ${candidate.request.method}`)
      }
      this.matchValue(candidate.request.path, url.pathname, "path", differences, captured, true)
      this.matchValue(candidate.request.query ?? {}, request.query, "query", differences, captured)
      if (candidate.request.body !== undefined) {
        this.matchValue(candidate.request.body, request.body ?? {}, "body", differences, captured)
      }
      for (const [name, value] of Object.entries(candidate.request.headers ?? {})) {
        this.matchValue(value, headers[name.toLowerCase()], `header ${name}`, differences, captured)
      }
      if (!differences.length) {
        matched = { index, captured }
        break
      }
      firstDifferences ??= differences
    }
    if (!matched) {
      return this.mismatch(
        `request #${this.next + 1} of ${this.fixture.provider}/${this.fixture.scenario} (${label}) does not match: ` +
          (firstDifferences ?? []).join("; ")
      )
    }
    Object.assign(this.vars, matched.captured)
    this.usedAhead.add(matched.index)
    while (this.usedAhead.has(this.next)) {
      this.usedAhead.delete(this.next)
      this.next += 1
    }
    const expected = this.fixture.interactions[matched.index]
    const response = expected.response
    const body = response.body === undefined ? undefined : this.interpolate(response.body)
    // A string body is served as it is (gateways that answer urlencoded or plain text);
    // anything else as JSON.
    if (typeof body === "string") {
      return [response.status, body, { "content-type": "text/plain; charset=utf-8", ...(response.headers ?? {}) }]
    }
    return [
      response.status,
      body === undefined ? "" : JSON.stringify(body),
      { "content-type": "application/json", ...(response.headers ?? {}) },
    ]
  }

  /** The interactions the next request may match: the next one, or every unused one of its unordered run. */
  private candidates(): number[] {
    const all = this.fixture.interactions
    if (!all[this.next]?.unordered) return [this.next]
    const out: number[] = []
    for (let i = this.next; i < all.length && all[i].unordered; i++) {
      if (!this.usedAhead.has(i)) out.push(i)
    }
    return out
  }

  private mismatch(problem: string): nock.ReplyFnResult {
    this.problems.push(problem)
    return [
      418,
      JSON.stringify({ error: { type: "invalid_request_error", message: `Fixture mismatch: ${problem}` } }),
      { "content-type": "application/json" },
    ]
  }

  private matchValue(
    expected: unknown,
    actual: unknown,
    where: string,
    differences: string[],
    captured: Record<string, string>,
    isPath = false
  ): void {
    if (typeof expected === "string") {
      if (isPath) {
        const expectedParts = expected.split("/")
        const actualParts = String(actual).split("/")
        if (expectedParts.length !== actualParts.length) {
          differences.push(`${where} ${String(actual)} != ${expected}`)
          return
        }
        expectedParts.forEach((part, i) => this.matchValue(part, actualParts[i], where, differences, captured))
        return
      }
      const placeholder = expected.match(PLACEHOLDER)
      if (placeholder) {
        const name = placeholder[1]
        if (name === "*") {
          if (actual === undefined) differences.push(`${where} is missing`)
          return
        }
        const known = this.vars[name] ?? captured[name]
        if (known === undefined) {
          if (actual === undefined || typeof actual === "object") {
            differences.push(`${where} should bind {{${name}}} but is ${JSON.stringify(actual)}`)
          } else {
            captured[name] = String(actual)
          }
        } else if (String(actual) !== known) {
          differences.push(`${where} ${JSON.stringify(actual)} != {{${name}}} (${JSON.stringify(known)})`)
        }
        return
      }
      if (String(actual) !== expected || (actual !== null && typeof actual === "object")) {
        differences.push(`${where} ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`)
      }
      return
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual) || actual.length !== expected.length) {
        differences.push(`${where} ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`)
        return
      }
      expected.forEach((item, i) => this.matchValue(item, actual[i], `${where}[${i}]`, differences, captured))
      return
    }
    if (expected !== null && typeof expected === "object") {
      if (actual === null || typeof actual !== "object" || Array.isArray(actual)) {
        differences.push(`${where} ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`)
        return
      }
      const expectedKeys = Object.keys(expected as object)
      const actualKeys = Object.keys(actual as object)
      for (const key of actualKeys) {
        if (!expectedKeys.includes(key)) differences.push(`${where}.${key} was sent but is not in the fixture`)
      }
      for (const key of expectedKeys) {
        this.matchValue(
          (expected as Record<string, unknown>)[key],
          (actual as Record<string, unknown>)[key],
          `${where}.${key}`,
          differences,
          captured
        )
      }
      return
    }
    // Numbers and booleans: form bodies arrive as strings.
    if (actual === undefined || String(actual) !== String(expected)) {
      differences.push(`${where} ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`)
    }
  }

  private interpolate(value: unknown): unknown {
    if (typeof value === "string") {
      const whole = value.match(PLACEHOLDER)
      if (whole && whole[1] !== "*") {
        return this.lookup(whole[1])
      }
      return value.replace(/\{\{([A-Za-z0-9_.-]+)\}\}/g, (_m, name: string) => String(this.lookup(name)))
    }
    if (Array.isArray(value)) return value.map((v) => this.interpolate(v))
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.interpolate(v)]))
    }
    return value
  }

  private lookup(name: string): string {
    const value = this.vars[name]
    if (value === undefined) {
      this.problems.push(`the fixture's response uses {{${name}}}, which no request bound`)
      return `{{${name}}}`
    }
    return value
  }

  private writeRecording(): void {
    const defs = nock.recorder.play() as nock.Definition[]
    nock.recorder.clear()
    nock.restore()
    nock.activate()
    const origin = new URL(this.options.origin)
    const interactions: Interaction[] = defs
      .filter((def) => {
        try {
          return new URL(String(def.scope)).hostname === origin.hostname
        } catch {
          return false
        }
      })
      .map((def) => {
        const url = new URL(String(def.path), this.options.origin)
        const reqHeaders = lowerHeaders((def.reqheaders ?? {}) as Record<string, string>)
        const headers: Record<string, string> = {}
        for (const name of ["idempotency-key", "paypal-request-id", "prefer"]) {
          if (reqHeaders[name]) headers[name] = name === "prefer" ? String(reqHeaders[name]) : "{{*}}"
        }
        const rawResponse = decodedResponse(def)
        const responseType = headerOf(def.rawHeaders, "content-type")
        return {
          request: {
            method: String(def.method).toUpperCase(),
            path: url.pathname,
            ...(url.search ? { query: qs.parse(url.search.slice(1)) as Record<string, unknown> } : {}),
            ...(Object.keys(headers).length ? { headers } : {}),
            ...(def.body !== undefined && def.body !== ""
              ? { body: parseBody(def.body, reqHeaders["content-type"], this.options.bodyFormat) }
              : {}),
          },
          response: {
            status: def.status ?? 200,
            // A text answer that is not JSON (Braintree's XML, a form) keeps its content type,
            // which replay serves it with (the SDK parses XML only when it says so).
            ...(typeof rawResponse === "string" && typeof safeJson(rawResponse) === "string" && responseType ? { headers: { "content-type": responseType } } : {}),
            body: typeof rawResponse === "string" ? safeJson(rawResponse) : rawResponse,
          },
        }
      })
    const file: FixtureFile = {
      provider: this.fixture.provider,
      scenario: this.fixture.scenario,
      api_version: this.fixture.api_version,
      recorded_at: new Date().toISOString(),
      source: `recorded against the ${this.fixture.provider} sandbox with PAYMENTS_RECORD`,
      interactions: this.placeholdersFor(interactions.map(redactRecorded)),
    }
    const target = fixturePath(this.fixture.provider, this.fixture.scenario)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, stableStringify(file) + "\n")
  }

  /** Replace bound values (session ids, dynamic ids) with their placeholders. */
  private placeholdersFor<T>(value: T): T {
    const entries = Object.entries(this.vars).filter(([, v]) => v && v.length >= 6)
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") {
        let out = v
        for (const [name, bound] of entries) out = out.split(bound).join(`{{${name}}}`)
        return out
      }
      if (Array.isArray(v)) return v.map(walk)
      if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]))
      return v
    }
    return walk(value) as T
  }
}

/**
 * A recorded interaction without secrets or personal data, by the redaction the logs use. In
 * the request a personal value becomes the `{{*}}` wildcard, so that replay, which compares
 * requests with the file and does not redact, still matches the shopper's e-mail or address;
 * in the response it becomes [REDACTED]. The path says what the bodies are (a customer posted
 * to /v1/customers), as in the logs.
 */
function redactRecorded({ request, response, ...rest }: Interaction): Interaction {
  const kinds = kindsOfPath(request.path)
  const part = <T extends { body?: unknown }>({ body, ...line }: T, personalReplacement?: string): T =>
    ({
      ...redactForLog(line, { personalReplacement }),
      ...(body !== undefined
        ? { body: typeof body === "string" && isXml(body) ? redactXml(body, kinds) : redactForLog(body, { personalReplacement, kinds }) }
        : {}),
    }) as T
  return { ...rest, request: part(request, "{{*}}"), response: part(response) }
}

/** JSON with object keys sorted, two-space indented: readable diffs. */
export function stableStringify(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])])
      )
    }
    return v
  }
  return JSON.stringify(sort(value), null, 2)
}

function lowerHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value)
  }
  return out
}

function parseBody(body: unknown, contentType: string | undefined, fallback: "form" | "json" = "json"): unknown {
  if (body === undefined || body === null || body === "") return undefined
  if (typeof body === "object") return body
  const text = String(body)
  const type = contentType ?? ""
  if (type.includes("application/x-www-form-urlencoded") || (!type && fallback === "form")) {
    return qs.parse(text)
  }
  return safeJson(text)
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** A recorded answer as text: nock's recorder keeps a compressed one (Braintree's gzip) as hex chunks. */
function decodedResponse(def: nock.Definition): unknown {
  const raw = def.response
  if (!Array.isArray(raw) || !raw.every((chunk) => typeof chunk === "string" && /^[0-9a-f]*$/i.test(chunk))) return raw
  const bytes = Buffer.from(raw.join(""), "hex")
  const encoding = headerOf(def.rawHeaders, "content-encoding")
  return (encoding === "gzip" ? zlib.gunzipSync(bytes) : bytes).toString("utf8")
}

/** A header of nock's recorded raw headers (a flat name, value list, or an object). */
function headerOf(rawHeaders: unknown, name: string): string | undefined {
  if (Array.isArray(rawHeaders)) {
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      if (String(rawHeaders[i]).toLowerCase() === name) return String(rawHeaders[i + 1])
    }
    return undefined
  }
  if (rawHeaders && typeof rawHeaders === "object") {
    const entry = Object.entries(rawHeaders as Record<string, unknown>).find(([key]) => key.toLowerCase() === name)
    return entry ? String(entry[1]) : undefined
  }
  return undefined
}

export function isXml(text: string): boolean {
  return /^\s*<(\?xml|[A-Za-z])/.test(text)
}

/**
 * An XML body (Braintree's answers) without secrets or personal data, as `redactForLog` does
 * for JSON: the text of each element whose name is a secret's or a personal field's, with its
 * parent element (and the path's kinds) as the object it sits in, becomes [REDACTED]
 * (`<customer><email>…` under /customers, a card's `<cardholder-name>`).
 */
export function redactXml(xml: string, kinds: readonly string[] = []): string {
  const stack: string[] = []
  return xml.replace(/<(\/?)([A-Za-z][\w.-]*)((?:\s[^>]*?)?)(\/?)>([^<]*)/g, (whole, close: string, name: string, attributes: string, selfClosing: string, text: string) => {
    if (close) {
      stack.pop()
      return whole
    }
    const parent = stack[stack.length - 1]
    if (selfClosing) return whole
    stack.push(name)
    if (!text.trim() || text === REDACTED) return whole
    const inside = [...kinds, ...(parent ? [parent] : [])]
    return isSensitiveKey(name) || isPersonalKey(name, inside) ? `<${name}${attributes}>${REDACTED}` : `<${name}${attributes}>${redactText(text)}`
  })
}

/**
 * The leaf elements of an XML body, each with its parent, after checking that every element
 * closes in order (a well-formedness check enough for the gateways' answers; the SDK's own
 * parser reads the same text at replay). Throws on an element left open or closed out of turn.
 */
export function xmlLeaves(xml: string): Array<{ name: string; parent?: string; text: string }> {
  const stack: string[] = []
  const leaves: Array<{ name: string; parent?: string; text: string }> = []
  const tag = /<(\/?)([A-Za-z][\w.-]*)((?:\s[^>]*?)?)(\/?)>([^<]*)/g
  const body = xml.replace(/^\s*<\?xml[^>]*\?>/, "")
  let match: RegExpExecArray | null
  let consumed = 0
  while ((match = tag.exec(body))) {
    if (body.slice(consumed, match.index).trim()) throw new Error(`text outside an element before <${match[2]}>`)
    consumed = tag.lastIndex
    const [, close, name, , selfClosing, text] = match
    if (close) {
      const open = stack.pop()
      if (open !== name) throw new Error(`</${name}> closes <${open ?? "nothing"}>`)
      continue
    }
    if (!selfClosing) stack.push(name)
    const next = body.slice(tag.lastIndex).match(/^<\/([A-Za-z][\w.-]*)>/)
    if (!selfClosing && next && next[1] === name) leaves.push({ name, parent: stack[stack.length - 2], text })
  }
  if (stack.length) throw new Error(`<${stack[stack.length - 1]}> is never closed`)
  return leaves
}
