#!/usr/bin/env node
// Extracts from PayPal's published OpenAPI specs only what the PayPal provider's fixtures
// and tests use: the request and response schemas of the operations it calls, with the
// closure of the components they reference. The output is committed in
// integration-tests/vendor/paypal/ (with PayPal's Apache-2.0 LICENSE), so the spec
// validation test runs on a clean clone without the full specs.
//
//   node scripts/extract-paypal-schemas.mjs [<dir with PayPal's specs>]
//
// The directory defaults to $PAYPAL_SPECS_DIR, then ../shared/vendor/paypal. The specs are
// PayPal's paypal-rest-api-specifications (openapi/*.json).
import fs from "node:fs"
import path from "node:path"

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
const SOURCE = path.resolve(process.argv[2] ?? process.env.PAYPAL_SPECS_DIR ?? path.join(ROOT, "..", "shared", "vendor", "paypal"))
const TARGET = path.join(ROOT, "integration-tests", "vendor", "paypal")

/** The operations the provider calls (and, for the vault, the create that shows why it saves during a purchase only). */
const OPERATIONS = {
  checkout_orders_v2: [
    "POST /v2/checkout/orders",
    "GET /v2/checkout/orders/{id}",
    "PATCH /v2/checkout/orders/{id}",
    "POST /v2/checkout/orders/{id}/authorize",
    "POST /v2/checkout/orders/{id}/capture",
  ],
  payments_payment_v2: [
    "GET /v2/payments/authorizations/{authorization_id}",
    "POST /v2/payments/authorizations/{authorization_id}/capture",
    "POST /v2/payments/authorizations/{authorization_id}/reauthorize",
    "POST /v2/payments/authorizations/{authorization_id}/void",
    "GET /v2/payments/captures/{capture_id}",
    "POST /v2/payments/captures/{capture_id}/refund",
    "GET /v2/payments/refunds/{refund_id}",
  ],
  notifications_webhooks_v1: ["POST /v1/notifications/verify-webhook-signature"],
  vault_payment_tokens_v3: [
    "POST /v3/vault/payment-tokens",
    "GET /v3/vault/payment-tokens",
    "GET /v3/vault/payment-tokens/{id}",
    "DELETE /v3/vault/payment-tokens/{id}",
  ],
}

/** Components referenced outside any operation: the webhook event and the resources it carries. */
const EXTRA_SCHEMAS = {
  checkout_orders_v2: ["order"],
  payments_payment_v2: ["authorization-2", "capture-2", "refund"],
  notifications_webhooks_v1: ["event"],
  vault_payment_tokens_v3: [],
}

/** Prose and examples are left out: only what validation reads is kept. */
const DROPPED_KEYS = new Set(["description", "example", "examples", "externalDocs"])

function strip(node) {
  if (Array.isArray(node)) return node.map(strip)
  if (!node || typeof node !== "object") return node
  const out = {}
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYS.has(key) && typeof value !== "object") continue
    if (DROPPED_KEYS.has(key) && key !== "description") continue
    out[key] = strip(value)
  }
  return out
}

function refsIn(node, out = new Set()) {
  if (Array.isArray(node)) {
    node.forEach((n) => refsIn(n, out))
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") out.add(value)
      else refsIn(value, out)
    }
  }
  return out
}

function resolvePointer(spec, ref) {
  if (!ref.startsWith("#/")) throw new Error(`external $ref ${ref} is not supported`)
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((node, key) => {
      if (!node || !(key in node)) throw new Error(`dangling $ref ${ref}`)
      return node[key]
    }, spec)
}

function extract(name) {
  const file = path.join(SOURCE, `${name}.json`)
  const spec = JSON.parse(fs.readFileSync(file, "utf8"))
  const operations = {}
  const roots = []
  for (const id of OPERATIONS[name]) {
    const [method, route] = id.split(" ")
    const op = spec.paths?.[route]?.[method.toLowerCase()]
    if (!op) throw new Error(`${name}: no operation ${id}`)
    let request = null
    const body = op.requestBody
    if (body) {
      const resolved = body.$ref ? resolvePointer(spec, body.$ref) : body
      request = resolved.content?.["application/json"]?.schema ?? null
    }
    const responses = {}
    for (const [status, response] of Object.entries(op.responses ?? {})) {
      const resolved = response.$ref ? resolvePointer(spec, response.$ref) : response
      responses[status] = resolved.content?.["application/json"]?.schema ?? null
    }
    operations[id] = { operationId: op.operationId, request, responses }
    roots.push(request, ...Object.values(responses))
  }
  for (const schema of EXTRA_SCHEMAS[name]) {
    roots.push({ $ref: `#/components/schemas/${schema}` })
  }

  // The closure of referenced components.
  const components = {}
  const pending = [...refsIn(roots)]
  const seen = new Set()
  while (pending.length) {
    const ref = pending.pop()
    if (seen.has(ref)) continue
    seen.add(ref)
    const [, , kind, key] = ref.split("/")
    const target = resolvePointer(spec, ref)
    components[kind] ??= {}
    components[kind][key] = target
    for (const next of refsIn(target)) pending.push(next)
  }
  for (const kind of Object.keys(components)) {
    components[kind] = Object.fromEntries(Object.keys(components[kind]).sort().map((k) => [k, components[kind][k]]))
  }

  return strip({
    $comment:
      `Extracted by scripts/extract-paypal-schemas.mjs from PayPal's ${name}.json ` +
      `(paypal/paypal-rest-api-specifications, Apache-2.0, see LICENSE). Do not edit; regenerate.`,
    source: { file: `${name}.json`, title: spec.info?.title, version: spec.info?.version, openapi: spec.openapi },
    operations,
    components,
  })
}

fs.mkdirSync(TARGET, { recursive: true })
for (const name of Object.keys(OPERATIONS)) {
  const extracted = extract(name)
  const out = path.join(TARGET, `${name}.json`)
  fs.writeFileSync(out, JSON.stringify(extracted, null, 2) + "\n")
  const count = Object.values(extracted.components).reduce((n, kind) => n + Object.keys(kind).length, 0)
  console.log(`${path.relative(ROOT, out)}: ${Object.keys(extracted.operations).length} operation(s), ${count} component(s)`)
}
fs.copyFileSync(path.join(SOURCE, "LICENSE"), path.join(TARGET, "LICENSE"))
console.log(`${path.relative(ROOT, path.join(TARGET, "LICENSE"))}: copied`)
