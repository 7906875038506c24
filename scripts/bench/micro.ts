/**
 * The in-process part of `npm run bench` (run by scripts/bench.mjs under ts-node, as the
 * tests run the sources): each provider's own cost per operation over the raw call it makes,
 * the gateway round trips of a lifecycle, and webhook verification + mapping.
 *
 * Per operation: the provider runs the conformance lifecycle (initiate, update, authorize,
 * capture, two refunds) against a loopback server replaying the gateway's recorded fixture
 * (integration-tests/fixtures/<gateway>/lifecycle-manual-capture.json, strict: a request the
 * fixture does not expect fails the run); then the very requests it made are sent again, raw,
 * through a fresh replay of the same fixture (Stripe through stripe-node's own `rawRequest` on an
 * SDK instance made like the provider's, Braintree through the `braintree` SDK's calls, PayPal
 * and ECPay as plain `fetch`es, what their HTTP client is built on), run by run (A B A B ...).
 * The provider's own cost: the same lifecycle with the gateway answered in-process (no socket),
 * each operation's time less the time inside its gateway calls (Braintree, whose SDK has no
 * fetch transport, on loopback).
 *
 * Webhooks: the provider's `getWebhookActionAndData` against the gateway's bare check
 * (Stripe's `constructEvent`, PayPal's RSA signature over the transmission with the certificate
 * already fetched, ECPay's CheckMacValue, Braintree's `webhookNotification.parse`).
 *
 * Prints one JSON object on stdout; bench.mjs makes the table.
 */
import { createVerify, X509Certificate } from "node:crypto"
import { performance } from "node:perf_hooks"
import type { IPaymentProvider } from "@medusajs/framework/types"
import { FixtureSession, loadFixture, type RecordedRequest } from "../../integration-tests/harness/fixtures"
import { GatewayServer } from "../../integration-tests/harness/gateway-server"
import { quietLogger } from "../../integration-tests/harness/loggers"
import { signStripe, stripeEvent, stripeIntent, stripeTestOptions } from "../../integration-tests/harness/stripe"
import { paypalTestOptions, paypalWebhookCases, signPaypal, TEST_LEAF_CERT } from "../../integration-tests/harness/paypal"
import { ecpayNotificationFields, ecpayTestKeys, ecpayTestOptions, formBody, signFixtureAnswers, signNotificationForm } from "../../integration-tests/harness/ecpay"
import { braintreeTestOptions, braintreeWebhookCases, signBraintree } from "../../integration-tests/harness/braintree"
import StripeProviderService from "../../src/providers/stripe/service"
import PaypalProviderService from "../../src/providers/paypal/service"
import EcpayProviderService from "../../src/providers/ecpay/service"
import BraintreeProviderService from "../../src/providers/braintree/service"
import { createStripeClient, stripeSdk } from "../../src/providers/stripe/client"
import { BraintreeClient } from "../../src/providers/braintree/client"
import { checkMacValue } from "../../src/providers/ecpay/checkmac"
import { signedMessage } from "../../src/providers/paypal/webhook"

const args = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, "").split("=")
    return [k, v ?? "true"] as const
  })
)
const RUNS = Number(args.get("runs") ?? 7)
const ITERATIONS = Number(args.get("iterations") ?? 40)
const HOOK_ITERATIONS = Number(args.get("hook-iterations") ?? 2000)
const ONLY = args.get("only")?.split(",")

type Op = "initiate" | "update" | "approve" | "authorize" | "capture" | "refund 1" | "refund 2"
const OPS: Op[] = ["initiate", "update", "approve", "authorize", "capture", "refund 1", "refund 2"]
/** The shopper's own step: replayed, never timed or counted as the provider's. */
const UNTIMED: Op[] = ["approve"]

interface Gateway {
  name: string
  /** Its gateway calls go through `fetch` (or can), so the own-cost runs need no socket. */
  stubbable: boolean
  bodyFormat: "form" | "json"
  currency: string
  updates: boolean
  create(origin: string): IPaymentProvider
  /** The shopper's step between initiate and authorize (not timed; its requests are replayed untimed). */
  buyerApproves?(replay: FixtureSession, data: Record<string, unknown>, origin: string): Promise<void> | void
  raw(origin: string): (request: RecordedRequest) => Promise<unknown>
}


/**
 * Time spent inside the gateway calls of the operation being timed (µs): the SDK call a
 * provider hands its client (Stripe, Braintree), or `fetch` with the answer's body read
 * (PayPal, ECPay, whose shared HTTP client is built on it). An operation's own cost is its
 * time less this, both measured in the same call, so the machine's noise mostly cancels.
 */
const meter = { inside: 0, calls: 0 }

async function metered<T>(fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  try {
    return await fn()
  } finally {
    meter.inside += (performance.now() - t0) * 1000
    meter.calls += 1
  }
}

/** Meter the SDK calls a provider's client makes (`client_.call(operation, request, options)`). */
function meterClient(provider: IPaymentProvider): IPaymentProvider {
  const client = (provider as unknown as { client_: { call: (...a: unknown[]) => Promise<unknown> } }).client_
  const call = client.call.bind(client)
  client.call = (operation: unknown, request: unknown, options: unknown) =>
    call(operation, (sdk: unknown) => metered(() => (request as (s: unknown) => Promise<unknown>)(sdk)), options)
  return provider
}

const realFetch = globalThis.fetch
/**
 * When set, `fetch` is answered in-process by this replay (no socket, no server): the
 * "own cost" runs, where the time inside the gateway call is only the fixture's matching.
 */
let stub: FixtureSession | undefined

async function stubbedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = new URL(String(input instanceof Request ? input.url : input))
  const headers = Object.fromEntries(new Headers(init?.headers as HeadersInit).entries())
  const body = init?.body === undefined || init?.body === null ? "" : String(init.body)
  const answer = stub!.answer(String(init?.method ?? "GET"), url.pathname + url.search, body, headers)
  return new Response(answer.status === 204 ? null : answer.body, { status: answer.status, headers: answer.headers })
}

/** Meter `fetch` (and reading the answer) for the providers on the shared HTTP client. */
function meterFetch(): void {
  globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
    metered(async () => {
      const response = await (stub ? stubbedFetch : realFetch)(input, init)
      const body = await response.arrayBuffer()
      return new Response(response.status === 204 ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers })
    })) as typeof fetch
}

/** One request as recorded, sent again with `fetch` (what the providers' HTTP client is built on); the answer read (and parsed when JSON). */
function plainHttp(origin: string, format: "form" | "json") {
  return async (request: RecordedRequest) => {
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(request.headers)) {
        if (!["host", "content-length", "connection", "accept-encoding", "transfer-encoding"].includes(name)) headers[name] = value
      }
      let body: string | undefined
      if (request.body !== undefined && request.method !== "GET") {
        const sent = String(request.headers["content-type"] ?? "")
        const json = sent ? sent.includes("json") : format === "json"
        body = json
          ? JSON.stringify(request.body)
          : new URLSearchParams(request.body as Record<string, string>).toString()
        headers["content-type"] ??= json ? "application/json" : "application/x-www-form-urlencoded"
        headers["content-length"] = String(Buffer.byteLength(body))
      }
      delete headers["content-length"]
      const query = new URLSearchParams(request.query as Record<string, string>).toString()
      const response = await realFetch(`${origin}${request.path}${query ? `?${query}` : ""}`, { method: request.method, headers, body })
      const text = await response.text()
      return String(response.headers.get("content-type") ?? "").includes("json") && text ? JSON.parse(text) : text
  }
}

const snakeToCamel = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(snakeToCamel)
  if (!value || typeof value !== "object") return value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), snakeToCamel(v)]))
}

const GATEWAYS: Gateway[] = [
  {
    name: "stripe",
    stubbable: true,
    bodyFormat: "form",
    currency: "usd",
    updates: true,
    create: (origin) => {
      const provider = new StripeProviderService({ logger: quietLogger } as never, { ...stripeTestOptions, apiBaseUrl: origin })
      // The own-cost runs: the same SDK on its fetch transport, which the stub answers.
      if (stub) {
        const Stripe = stripeSdk()
        const client = (provider as unknown as { client_: { stripe_: unknown } }).client_
        client.stripe_ = new Stripe(stripeTestOptions.apiKey, { httpClient: Stripe.createFetchHttpClient((i, o) => stubbedFetch(i as never, o as never)), host: "127.0.0.1", port: 80, protocol: "http", telemetry: false, maxNetworkRetries: 0 })
      }
      return meterClient(provider)
    },
    // Stripe.js confirming the intent with a card, played by the SDK.
    buyerApproves: async (_replay, data, origin) => {
      const Stripe = stripeSdk()
      const storefront = stub
        ? new Stripe(stripeTestOptions.apiKey, { httpClient: Stripe.createFetchHttpClient((i, o) => stubbedFetch(i as never, o as never)), host: "127.0.0.1", port: 80, protocol: "http", telemetry: false })
        : createStripeClient({ ...stripeTestOptions, apiBaseUrl: origin, timeoutMs: 30_000 } as never)
      await storefront.paymentIntents.confirm(String(data.id), { payment_method: "pm_card_visa" })
    },
    raw: (origin) => {
      // The SDK instance made as the provider makes it, so both sides pay the SDK's own cost.
      const stripe = createStripeClient({ ...stripeTestOptions, apiBaseUrl: origin, timeoutMs: 30_000 } as never)
      return (request) => {
        const key = request.headers["idempotency-key"]
        // stripe-node's rawRequest takes params on POST only: a GET's query goes in the path
        // (the refund list before each refund: /v1/refunds?payment_intent=...).
        if (request.method === "GET") {
          const query = new URLSearchParams(Object.entries((request.query ?? {}) as Record<string, string>)).toString()
          return stripe.rawRequest("GET", query ? `${request.path}?${query}` : request.path, null as never, key ? { idempotencyKey: key } : {})
        }
        return stripe.rawRequest(request.method as "POST", request.path, (request.body ?? {}) as Record<string, unknown>, key ? { idempotencyKey: key } : {})
      }
    },
  },
  {
    name: "paypal",
    stubbable: true,
    bodyFormat: "json",
    currency: "usd",
    updates: true,
    create: (origin) => new PaypalProviderService({ logger: quietLogger } as never, { ...paypalTestOptions, apiBaseUrl: origin }),
    raw: (origin) => plainHttp(origin, "json"),
  },
  {
    name: "ecpay",
    stubbable: true,
    bodyFormat: "form",
    currency: "twd",
    updates: false,
    create: (origin) => new EcpayProviderService({ logger: quietLogger } as never, ecpayTestOptions({ capture: "manual", apiBaseUrl: origin })),
    buyerApproves: (replay, data) => {
      replay.bind("merchant_trade_no", String(data.merchant_trade_no))
      signFixtureAnswers(replay, "lifecycle-manual-capture")
    },
    raw: (origin) => plainHttp(origin, "form"),
  },
  {
    name: "braintree",
    stubbable: false,
    bodyFormat: "json",
    currency: "usd",
    updates: true,
    create: (origin) => meterClient(new BraintreeProviderService({ logger: quietLogger } as never, { ...braintreeTestOptions, apiBaseUrl: origin })),
    buyerApproves: (_replay, data) => {
      data.payment_method_nonce = "fake-valid-nonce"
    },
    raw: (origin) => {
      const { gateway } = new BraintreeClient({ ...braintreeTestOptions, apiBaseUrl: origin, timeoutMs: 30_000 } as never, quietLogger as never)
      return (request) => {
        const body = snakeToCamel(request.body) as { transaction?: Record<string, unknown> } | undefined
        const parts = request.path.split("/")
        const id = parts[4]
        if (request.method === "POST" && parts.length === 4) return gateway.transaction.sale(body!.transaction as never)
        if (request.method === "GET") return gateway.transaction.find(id)
        if (parts[5] === "submit_for_settlement") return gateway.transaction.submitForSettlement(id, body?.transaction?.amount as string)
        if (parts[5] === "refund") return gateway.transaction.refund(id, body?.transaction as never)
        if (parts[5] === "void") return gateway.transaction.void(id)
        throw new Error(`bench: no raw Braintree call for ${request.method} ${request.path}`)
      }
    },
  },
]

const LIFECYCLE = { initial: 100, updated: 120, firstRefund: 20 }
const KEYS = { session_id: "payses_01CONFORMANCELIFECYCLE", capture_id: "capt_01CONFORMANCE0001", refund_1: "ref_01CONFORMANCE0001", refund_2: "ref_01CONFORMANCE0002" }

interface LifecycleRun {
  times: Partial<Record<Op, number>>
  /** Each operation's time less the time inside its gateway calls. */
  own: Partial<Record<Op, number>>
  requests: RecordedRequest[]
  /** Index in `requests` where each operation's requests start. */
  starts: Partial<Record<Op, number>>
  vars: Record<string, string>
}

function session(gateway: Gateway, vars: Record<string, string>): FixtureSession {
  const fixture = loadFixture(gateway.name, "lifecycle-manual-capture")
  return new FixtureSession(fixture, { origin: "http://127.0.0.1", bodyFormat: gateway.bodyFormat, vars })
}

/** The conformance lifecycle through the provider, each operation timed (in µs). */
async function providerLifecycle(gateway: Gateway, server: GatewayServer, stubbed = false): Promise<LifecycleRun> {
  const replay = stubbed ? (stub = session(gateway, { ...KEYS })) : server.play(session(gateway, { ...KEYS }))
  const provider = gateway.create(server.origin)
  const times: LifecycleRun["times"] = {}
  const starts: LifecycleRun["starts"] = {}
  const own: LifecycleRun["own"] = {}
  const timed = async <T>(op: Op, fn: () => Promise<T>): Promise<T> => {
    starts[op] = replay.requests.length
    meter.inside = 0
    meter.calls = 0
    const t0 = performance.now()
    const result = await fn()
    times[op] = (performance.now() - t0) * 1000
    own[op] = times[op]! - meter.inside
    return result
  }
  const { session_id } = KEYS
  const initiated = await timed("initiate", () =>
    provider.initiatePayment({ amount: LIFECYCLE.initial, currency_code: gateway.currency, data: { session_id }, context: { idempotency_key: session_id } } as never)
  )
  let data: Record<string, unknown> = { session_id, ...(initiated.data ?? {}) }
  if (gateway.updates) {
    const updated = await timed("update", () => provider.updatePayment({ amount: LIFECYCLE.updated, currency_code: gateway.currency, data } as never))
    data = { ...data, ...(updated.data ?? {}) }
  }
  starts.approve = replay.requests.length
  await gateway.buyerApproves?.(replay, data, server.origin)
  const authorized = await timed("authorize", () => provider.authorizePayment({ data, context: { idempotency_key: session_id } } as never))
  if (authorized.status !== "authorized") throw new Error(`bench: ${gateway.name} authorized as ${authorized.status}`)
  data = { ...data, ...(authorized.data ?? {}) }
  const captured = await timed("capture", () => provider.capturePayment({ data, context: { idempotency_key: KEYS.capture_id } } as never))
  data = { ...data, ...(captured.data ?? {}) }
  const authorizedAmount = gateway.updates ? LIFECYCLE.updated : LIFECYCLE.initial
  const first = await timed("refund 1", () => provider.refundPayment({ amount: LIFECYCLE.firstRefund, data, context: { idempotency_key: KEYS.refund_1 } } as never))
  data = { ...data, ...(first.data ?? {}) }
  await timed("refund 2", () => provider.refundPayment({ amount: authorizedAmount - LIFECYCLE.firstRefund, data, context: { idempotency_key: KEYS.refund_2 } } as never))
  if (stubbed) {
    stub = undefined
    replay.finish()
  } else {
    server.finish()
  }
  return { times, own, requests: [...replay.requests], starts, vars: { ...replay.vars } }
}

/** The same requests, sent raw, grouped and timed by the operation that made them. */
async function rawLifecycle(gateway: Gateway, server: GatewayServer, send: (r: RecordedRequest) => Promise<unknown>, recorded: LifecycleRun): Promise<Partial<Record<Op, number>>> {
  const replay = server.play(session(gateway, { ...recorded.vars }))
  if (gateway.name === "ecpay") signFixtureAnswers(replay, "lifecycle-manual-capture")
  const times: Partial<Record<Op, number>> = {}
  const ops = OPS.filter((op) => recorded.starts[op] !== undefined)
  for (const [i, op] of ops.entries()) {
    const end = i + 1 < ops.length ? recorded.starts[ops[i + 1]]! : recorded.requests.length
    const requests = recorded.requests.slice(recorded.starts[op], end)
    const t0 = performance.now()
    for (const request of requests) await send(request)
    if (!UNTIMED.includes(op)) times[op] = (performance.now() - t0) * 1000
  }
  server.finish()
  return times
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const stat = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length })

async function lifecycles() {
  const results: Record<string, unknown> = {}
  for (const gateway of GATEWAYS) {
    if (ONLY && !ONLY.includes(gateway.name)) continue
    const server = await new GatewayServer().start()
    const send = gateway.raw(server.origin)
    // Warm-up: JIT, keep-alive sockets, the SDK loaded.
    let recorded = await providerLifecycle(gateway, server)
    await rawLifecycle(gateway, server, send, recorded)
    const perRun: Record<string, { provider: number[]; raw: number[]; overhead: number[]; own: number[] }> = {}
    for (const op of OPS.filter((o) => !UNTIMED.includes(o))) perRun[op] = { provider: [], raw: [], overhead: [], own: [] }
    for (let run = 0; run < RUNS; run++) {
      const p: Record<string, number[]> = {}
      const r: Record<string, number[]> = {}
      const o: Record<string, number[]> = {}
      for (let i = 0; i < ITERATIONS; i++) {
        recorded = await providerLifecycle(gateway, server)
        const raw = await rawLifecycle(gateway, server, send, recorded)
        if (gateway.stubbable) recorded.own = (await providerLifecycle(gateway, server, true)).own
        for (const op of OPS) {
          if (recorded.times[op] === undefined || UNTIMED.includes(op)) continue
          ;(p[op] ??= []).push(recorded.times[op]!)
          ;(r[op] ??= []).push(raw[op]!)
          ;(o[op] ??= []).push(recorded.own[op]!)
        }
      }
      for (const op of Object.keys(p)) {
        const pm = median(p[op])
        const rm = median(r[op])
        perRun[op].provider.push(pm)
        perRun[op].raw.push(rm)
        perRun[op].overhead.push(pm - rm)
        perRun[op].own.push(median(o[op]))
      }
    }
    server.stop()
    const requestsPerOp: Record<string, number> = {}
    const ops = OPS.filter((op) => recorded.starts[op] !== undefined)
    for (const [i, op] of ops.entries()) {
      const end = i + 1 < ops.length ? recorded.starts[ops[i + 1]]! : recorded.requests.length
      if (!UNTIMED.includes(op)) requestsPerOp[op] = end - recorded.starts[op]!
    }
    // The full lifecycle of the table: initiate, three amount changes, authorize, capture, two refunds.
    const fullLifecycle = Object.entries(requestsPerOp).reduce((sum, [op, n]) => sum + (op === "update" ? 3 * n : n), 0)
    results[gateway.name] = {
      ops: Object.fromEntries(
        Object.entries(perRun)
          .filter(([, v]) => v.provider.length)
          .map(([op, v]) => [op, { own_us: stat(v.own), provider_us: stat(v.provider), raw_us: stat(v.raw), overhead_us: stat(v.overhead), requests: requestsPerOp[op] }])
      ),
      requests_recorded_lifecycle: Object.values(requestsPerOp).reduce((a, b) => a + b, 0),
      round_trips_full_lifecycle: fullLifecycle,
      amount_changes_supported: gateway.updates,
    }
  }
  return results
}

// ---- webhooks -------------------------------------------------------------------------

interface Hook {
  name: string
  provider(): IPaymentProvider
  /** A signed delivery of an event the store acts on. */
  delivery(): { body: string; headers: Record<string, string> }
  /** The gateway's bare check of the same delivery (no mapping). */
  bare(): (delivery: { body: string; headers: Record<string, string> }) => unknown
}

const SESSION = "payses_01BENCHWEBHOOK0000001"

const HOOKS: Hook[] = [
  {
    name: "stripe",
    provider: () => new StripeProviderService({ logger: quietLogger } as never, stripeTestOptions),
    delivery: () => {
      const body = stripeEvent("payment_intent.amount_capturable_updated", stripeIntent(SESSION, { status: "requires_capture", amount: 12000, amount_capturable: 12000, amount_received: 0 }))
      return { body, headers: signStripe(body) }
    },
    bare: () => (d) => stripeSdk().webhooks.constructEvent(d.body, d.headers["stripe-signature"], stripeTestOptions.webhookSecret, 300),
  },
  {
    name: "paypal",
    provider: () => new PaypalProviderService({ logger: quietLogger } as never, paypalTestOptions),
    delivery: () => {
      const body = paypalWebhookCases(SESSION)[1].body
      return { body, headers: signPaypal(body) }
    },
    bare: () => {
      const key = new X509Certificate(TEST_LEAF_CERT).publicKey
      return (d) =>
        createVerify("sha256")
          .update(signedMessage({ id: d.headers["paypal-transmission-id"], time: d.headers["paypal-transmission-time"] }, paypalTestOptions.webhookId, Buffer.from(d.body)))
          .verify(key, d.headers["paypal-transmission-sig"], "base64") && JSON.parse(d.body)
    },
  },
  {
    name: "ecpay",
    provider: () => new EcpayProviderService({ logger: quietLogger } as never, ecpayTestOptions({ capture: "manual" })),
    delivery: () => {
      const fields = ecpayNotificationFields({ sessionId: SESSION, merchantTradeNo: "BENCHHOOK261120001", amount: 120 })
      return signNotificationForm(formBody(Object.fromEntries(Object.entries({ ...fields, PaymentType: "ATM_TAISHIN" }).map(([k, v]) => [k, String(v)]))))
    },
    bare: () => (d) => {
      const { CheckMacValue, ...rest } = Object.fromEntries(new URLSearchParams(d.body))
      return checkMacValue(rest, ecpayTestKeys.hashKey, ecpayTestKeys.hashIv) === CheckMacValue
    },
  },
  {
    name: "braintree",
    provider: () => new BraintreeProviderService({ logger: quietLogger } as never, braintreeTestOptions),
    delivery: () => signBraintree(braintreeWebhookCases(SESSION)[0].body),
    bare: () => {
      const { gateway } = new BraintreeClient({ ...braintreeTestOptions, timeoutMs: 30_000 } as never, quietLogger as never)
      return (d) => {
        const form = new URLSearchParams(d.body)
        return gateway.webhookNotification.parse(form.get("bt_signature")!, form.get("bt_payload")!)
      }
    },
  },
]

function payloadOf(d: { body: string; headers: Record<string, string> }) {
  const form = String(d.headers["content-type"] ?? "").includes("x-www-form-urlencoded")
  return { data: form ? Object.fromEntries(new URLSearchParams(d.body)) : JSON.parse(d.body), rawData: Buffer.from(d.body), headers: d.headers }
}

async function officialStripeHook() {
  // @medusajs/payment-stripe 2.21.x, as a store registers it: its own getWebhookActionAndData
  // over its own stripe-node (v15) constructEvent.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { StripeProviderService: Official } = require("@medusajs/payment-stripe/dist/services") as { StripeProviderService: new (c: unknown, o: unknown) => IPaymentProvider & { stripe_: { webhooks: { constructEvent: Function } } } }
  const provider = new Official({ logger: quietLogger }, { apiKey: stripeTestOptions.apiKey, webhookSecret: stripeTestOptions.webhookSecret })
  return {
    provider,
    bare: (d: { body: string; headers: Record<string, string> }) => provider.stripe_.webhooks.constructEvent(d.body, d.headers["stripe-signature"], stripeTestOptions.webhookSecret),
  }
}

async function webhooks() {
  const results: Record<string, unknown> = {}
  const subjects: Array<{ name: string; provider: IPaymentProvider; bare: (d: { body: string; headers: Record<string, string> }) => unknown; delivery: () => { body: string; headers: Record<string, string> } }> = []
  for (const hook of HOOKS) {
    if (ONLY && !ONLY.includes(hook.name)) continue
    subjects.push({ name: hook.name, provider: hook.provider(), bare: hook.bare(), delivery: hook.delivery })
  }
  if (!ONLY || ONLY.includes("stripe")) {
    const official = await officialStripeHook()
    subjects.push({ name: "stripe (@medusajs/payment-stripe)", provider: official.provider, bare: official.bare, delivery: HOOKS[0].delivery })
  }
  for (const subject of subjects) {
    const deliveries = Array.from({ length: 64 }, () => subject.delivery())
    const check = await subject.provider.getWebhookActionAndData(payloadOf(deliveries[0]) as never)
    if (check.action === "not_supported") throw new Error(`bench: ${subject.name}'s signed delivery was not acted on`)
    const payloads = deliveries.map(payloadOf)
    // Warm-up (PayPal fetches its certificate once here).
    for (let i = 0; i < 200; i++) {
      await subject.provider.getWebhookActionAndData(payloads[i % 64] as never)
      subject.bare(deliveries[i % 64])
    }
    const provider: number[] = []
    const bare: number[] = []
    const overhead: number[] = []
    for (let run = 0; run < RUNS; run++) {
      let t0 = performance.now()
      for (let i = 0; i < HOOK_ITERATIONS; i++) await subject.provider.getWebhookActionAndData(payloads[i % 64] as never)
      const p = ((performance.now() - t0) * 1000) / HOOK_ITERATIONS
      t0 = performance.now()
      for (let i = 0; i < HOOK_ITERATIONS; i++) subject.bare(deliveries[i % 64])
      const b = ((performance.now() - t0) * 1000) / HOOK_ITERATIONS
      provider.push(p)
      bare.push(b)
      overhead.push(p - b)
    }
    results[subject.name] = {
      action: check.action,
      provider_us: stat(provider),
      bare_us: stat(bare),
      overhead_us: stat(overhead),
      per_second: stat(provider.map((us) => 1e6 / us)),
    }
  }
  return results
}

/**
 * Stripe's initiate and update in a tight loop on one provider, its SDK call answered at once
 * with a canned intent: the provider's own steady-state cost per operation, without the
 * per-lifecycle set-up (a new provider, a new replay) the lifecycle figures carry.
 */
async function steady() {
  const provider = new StripeProviderService({ logger: quietLogger } as never, stripeTestOptions) as unknown as IPaymentProvider & { client_: { call: unknown } }
  const intent = stripeIntent("payses_01BENCHSTEADY", { status: "requires_payment_method", amount: 10000, amount_capturable: 0, amount_received: 0 } as never)
  const updated = { ...intent, amount: 12000 }
  const sdk = { paymentIntents: { create: async () => intent, update: async () => updated } }
  provider.client_.call = async (_op: string, request: (s: unknown) => Promise<unknown>) => request(sdk)
  const init = await provider.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01BENCHSTEADY" }, context: { idempotency_key: "payses_01BENCHSTEADY" } } as never)
  const ops: Record<string, () => Promise<unknown>> = {
    initiate: () => provider.initiatePayment({ amount: 100, currency_code: "usd", data: { session_id: "payses_01BENCHSTEADY" }, context: { idempotency_key: "payses_01BENCHSTEADY" } } as never),
    update: () => provider.updatePayment({ amount: 120, currency_code: "usd", data: { session_id: "payses_01BENCHSTEADY", ...init.data } } as never),
  }
  const out: Record<string, unknown> = {}
  for (const [name, fn] of Object.entries(ops)) {
    for (let i = 0; i < 2000; i++) await fn()
    const perRun: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const n = 10 * HOOK_ITERATIONS
      const t0 = performance.now()
      for (let i = 0; i < n; i++) await fn()
      perRun.push(((performance.now() - t0) * 1000) / n)
    }
    out[name] = { own_us: stat(perRun) }
  }
  return { stripe: out }
}

async function main() {
  const out: Record<string, unknown> = { runs: RUNS, iterations: ITERATIONS, hook_iterations: HOOK_ITERATIONS }
  const part = args.get("part")
  meterFetch()
  if (!part || part === "lifecycle") out.lifecycle = await lifecycles()
  if (!part || part === "webhooks") out.webhooks = await webhooks()
  if (!part || part === "steady") out.steady = await steady()
  process.stdout.write(JSON.stringify(out))
  process.exit(0)
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
