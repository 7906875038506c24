// Loaded into the bench's Medusa process (`NODE_OPTIONS=--require`, scripts/bench/checkout.ts) before
// anything else. It answers the gateways inside that process and keeps simple timestamps:
//   - Stripe and Braintree are the stateful fakes of integration-tests/harness/fake-gateways.ts on
//     nock (https://api.stripe.com, Braintree's sandbox host): the official
//     `@medusajs/payment-stripe` has no base-URL option, so both Stripe providers meet the same
//     fake in the same process, which is what makes the comparison fair;
//   - every gateway call a provider makes (`https.request`, which stripe-node and the braintree
//     SDK call per request): method, host, path, start and end;
//   - every call of the Payment Module into a provider (`PaymentProviderService`: createSession,
//     authorizePayment ...): provider id, method, start and end;
//   - a control server on 127.0.0.1:$BENCH_CONTROL_PORT: `GET /bench/log` hands over the entries
//     since the last call, and `/v1/*` is the storefront's Stripe.js step (the confirmation), sent
//     on to the same fake through `fetch` so that it is neither logged nor counted as the store's.
// Timestamps are `performance.timeOrigin + performance.now()` (ms since the epoch), comparable
// with the bench process's.
"use strict"
const http = require("node:http")
const https = require("node:https")
const path = require("node:path")
const { performance } = require("node:perf_hooks")

const ROOT = path.resolve(__dirname, "..", "..")
const now = () => performance.timeOrigin + performance.now()
const entries = []

// The harness is TypeScript: compiled as the tests compile it (the repository's tsconfig, no type
// check). Medusa's CLI registers its own ts-node for the store's files after this.
require("ts-node").register({ project: path.join(ROOT, "tsconfig.json"), transpileOnly: true })
const { FakeBraintree, FakeStripe } = require(path.join(ROOT, "integration-tests", "harness", "fake-gateways.ts"))
new FakeStripe().start()
new FakeBraintree().start()

// After nock has patched `https.request`, so that this wrapper sees each request first.
const request = https.request
https.request = function benchTimedRequest(...args) {
  const start = now()
  const req = request.apply(this, args)
  const entry = { kind: "gateway", method: req.method, host: req.host, path: String(req.path).split("?")[0], start, end: undefined }
  entries.push(entry)
  if (process.env.BENCH_PRELOAD_DEBUG) process.stderr.write(`bench preload: ${entry.method} ${entry.host}${entry.path}\n`)
  // The stripe-node of @medusajs/payment-stripe 2.21 (v15) writes the request only once a connecting
  // socket says "secureConnect", and nock's mock socket connects only once the request is written:
  // each would wait for the other for ever. The mock socket says it here, right after the SDK listens.
  req.once("socket", (socket) => {
    if (!socket.connecting) return
    let secured = false
    socket.once("secureConnect", () => (secured = true))
    setImmediate(() => secured || socket.emit("secureConnect"))
  })
  req.once("response", (res) => {
    const done = () => (entry.end ??= now())
    res.once("end", done)
    res.once("close", done)
  })
  req.once("error", () => (entry.end ??= now()))
  return req
}

// The Payment Module's calls into its providers (the same file Medusa loads: one module instance).
const { default: PaymentProviderService } = require(path.join(ROOT, "node_modules", "@medusajs", "payment", "dist", "services", "payment-provider.js"))
const TIMED = ["createSession", "updateSession", "deleteSession", "authorizePayment", "getStatus", "capturePayment", "cancelPayment", "refundPayment", "getWebhookActionAndData"]
for (const method of TIMED) {
  const original = PaymentProviderService.prototype[method]
  if (typeof original !== "function") continue
  PaymentProviderService.prototype[method] = async function benchTimedProviderCall(providerId, ...rest) {
    const entry = { kind: "provider", provider: providerId, method, start: now(), end: undefined }
    entries.push(entry)
    try {
      return await original.call(this, providerId, ...rest)
    } finally {
      entry.end = now()
    }
  }
}

const port = Number(process.env.BENCH_CONTROL_PORT)
if (port) {
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method === "GET" && req.url === "/bench/log") {
        const taken = entries.splice(0, entries.length)
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify(taken))
        return
      }
      if (req.url?.startsWith("/v1/")) {
        const chunks = []
        for await (const chunk of req) chunks.push(chunk)
        const body = Buffer.concat(chunks).toString("utf8")
        const answer = await fetch(`https://api.stripe.com${req.url}`, {
          method: req.method,
          headers: { "content-type": "application/x-www-form-urlencoded", authorization: String(req.headers.authorization ?? "") },
          body: req.method === "GET" ? undefined : body,
        })
        res.writeHead(answer.status, { "content-type": "application/json" })
        res.end(await answer.text())
        return
      }
      res.writeHead(404).end()
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(String(error?.message ?? error))
    }
  })
  server.listen(port, "127.0.0.1")
  server.unref()
}
