/**
 * Every PayPal fixture's request and response bodies, the webhook events the tests sign and
 * the order the provider builds, validated against PayPal's own OpenAPI schemas (extracted
 * into integration-tests/vendor/paypal/ by scripts/extract-paypal-schemas.mjs).
 *
 * PayPal's schemas leave objects open (no `additionalProperties: false`), which would let a
 * misspelt field through. Here every object with declared properties is closed with
 * `unevaluatedProperties: false` where it is used (JSON Schema 2019-09, so closing works
 * across `allOf`), so a field name, a type or an enum value that departs from the spec fails.
 * Error bodies are checked open: PayPal's `error_details` omits the `description` its real
 * answers carry. Amounts are also checked against PayPal's decimals per currency (none for
 * HUF, JPY, TWD), which the schemas' pattern cannot express.
 */
import fs from "node:fs"
import path from "node:path"
import Ajv2019 from "ajv/dist/2019"
import type { ErrorObject, ValidateFunction } from "ajv"
import addFormats from "ajv-formats"
import { FIXTURES_DIR, FixtureFile, Interaction } from "../harness/fixtures"
import { PAYPAL_CERT_URL, paypalWebhookCases } from "../harness/paypal"
import { buildOrderRequest } from "../../src/providers/paypal/mapping"
import { PAYPAL_CURRENCY_RULES } from "../../src/providers/paypal/money"
import { gatewayExponent } from "../../src/lib/payments/money"
import { parsePaypalOptions } from "../../src/providers/paypal/options"

const VENDOR_DIR = path.resolve(__dirname, "..", "vendor", "paypal")
const SPECS = ["checkout_orders_v2", "payments_payment_v2", "notifications_webhooks_v1", "vault_payment_tokens_v3"] as const
type SpecName = (typeof SPECS)[number]

interface ExtractedSpec {
  operations: Record<string, { request: unknown; responses: Record<string, unknown> }>
  components: Record<string, Record<string, unknown>>
}

type Json = Record<string, unknown>

// ---- Schemas ---------------------------------------------------------------------------------

// unicodeRegExp: PayPal's e-mail `pattern` is not valid under the `u` flag.
const ajv = new Ajv2019({ strict: false, allErrors: true, unicodeRegExp: false })
addFormats(ajv)
// PayPal's own formats; their patterns sit next to most of them in the schemas.
ajv.addFormat("ppaas_common_currency_code_v2", /^[A-Z]{3}$/)
ajv.addFormat("ppaas_common_country_code_v2", /^([A-Z]{2}|C2)$/)
ajv.addFormat("ppaas_payer_id_v3", /^[2-9A-HJ-NP-Z]{13}$/)
ajv.addFormat("ppaas_date_time_v3", /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/)
ajv.addFormat("ppaas_date_notime_v2", /^\d{4}-\d{2}-\d{2}$/)
ajv.addFormat("merchant_common_email_address_v2", /^[^@\s]+@[^@\s]+\.[^@\s]+$/)
ajv.addFormat("ppaas_common_email_address_v2", /^[^@\s]+@[^@\s]+\.[^@\s]+$/)
ajv.addFormat("ppaas_common_language_v3", true)
ajv.addFormat("ppaas_ip_address_v1", true)
ajv.addFormat("payer_v1", true)

const specs = Object.fromEntries(
  SPECS.map((name) => [name, JSON.parse(fs.readFileSync(path.join(VENDOR_DIR, `${name}.json`), "utf8")) as ExtractedSpec])
) as Record<SpecName, ExtractedSpec>

function lookup(spec: ExtractedSpec, ref: string): Json | undefined {
  const [, , kind, key] = ref.split("/")
  return spec.components[kind]?.[key] as Json | undefined
}

/** An object schema with declared properties (through $ref and allOf), not a free-form one. */
function closes(spec: ExtractedSpec, node: unknown, depth = 0): boolean {
  if (!node || typeof node !== "object" || depth > 20) return false
  const schema = node as Json
  if (schema.additionalProperties === true || (schema.additionalProperties && typeof schema.additionalProperties === "object")) {
    return false
  }
  if (typeof schema.$ref === "string") return closes(spec, lookup(spec, schema.$ref), depth + 1)
  if (schema.properties && typeof schema.properties === "object") return true
  return Array.isArray(schema.allOf) && schema.allOf.some((branch) => closes(spec, branch, depth + 1))
}

/**
 * A copy of `node` whose refs point into `id` and, when `strict`, whose objects with
 * declared properties are closed where they are used (not where they are an allOf branch).
 */
function prepare(spec: ExtractedSpec, id: string, node: unknown, strict: boolean, useSite: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => prepare(spec, id, n, strict, false))
  if (!node || typeof node !== "object") return node
  const schema = node as Json
  const out: Json = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$ref" && typeof value === "string") {
      out.$ref = `${id}${value}`
    } else if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(
        Object.entries(value as Json).map(([name, sub]) => [name, prepare(spec, id, sub, strict, true)])
      )
    } else if (key === "items" || (key === "additionalProperties" && typeof value === "object")) {
      out[key] = prepare(spec, id, value, strict, true)
    } else if (key === "allOf" || key === "anyOf" || key === "oneOf") {
      out[key] = (value as unknown[]).map((branch) => prepare(spec, id, branch, strict, false))
    } else {
      out[key] = value
    }
  }
  if (strict && useSite && closes(spec, schema)) {
    out.unevaluatedProperties = false
  }
  return out
}

for (const name of SPECS) {
  for (const strict of [true, false]) {
    const id = `paypal:${name}:${strict ? "strict" : "open"}`
    const spec = specs[name]
    const components = Object.fromEntries(
      Object.entries(spec.components).map(([kind, entries]) => [
        kind,
        Object.fromEntries(Object.entries(entries).map(([key, schema]) => [key, prepare(spec, id, schema, strict, false)])),
      ])
    )
    ajv.addSchema({ $id: id, components })
  }
}

const compiled = new Map<string, ValidateFunction>()
function validator(name: SpecName, schema: unknown, strict: boolean, key: string): ValidateFunction {
  const cacheKey = `${name}|${strict}|${key}`
  let validate = compiled.get(cacheKey)
  if (!validate) {
    const id = `paypal:${name}:${strict ? "strict" : "open"}`
    validate = ajv.compile(prepare(specs[name], id, schema, strict, true) as Json)
    compiled.set(cacheKey, validate)
  }
  return validate
}

function componentValidator(name: SpecName, component: string, strict = true): ValidateFunction {
  return validator(name, { $ref: `#/components/schemas/${component}` }, strict, `component:${component}`)
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""}`)
}

// ---- Amounts: PayPal's decimals per currency -------------------------------------------------

/** Every PayPal money object ({currency_code, value}) must carry exactly PayPal's decimals. */
function amountProblems(body: unknown, at = "$"): string[] {
  if (Array.isArray(body)) return body.flatMap((item, i) => amountProblems(item, `${at}[${i}]`))
  if (!body || typeof body !== "object") return []
  const obj = body as Json
  const problems: string[] = []
  if (typeof obj.currency_code === "string" && typeof obj.value === "string") {
    const decimals = gatewayExponent(obj.currency_code, PAYPAL_CURRENCY_RULES)
    const shape = decimals === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${decimals}}$`)
    if (!shape.test(obj.value)) {
      problems.push(`${at}: ${obj.value} ${obj.currency_code} does not have PayPal's ${decimals} decimal(s)`)
    }
  }
  for (const [key, value] of Object.entries(obj)) problems.push(...amountProblems(value, `${at}.${key}`))
  return problems
}

// ---- Fixtures -> operations ------------------------------------------------------------------

const ROUTES: Array<{ method: string; path: RegExp; spec: SpecName; operation: string }> = [
  { method: "POST", path: /^\/v2\/checkout\/orders$/, spec: "checkout_orders_v2", operation: "POST /v2/checkout/orders" },
  { method: "GET", path: /^\/v2\/checkout\/orders\/[A-Z0-9]+$/, spec: "checkout_orders_v2", operation: "GET /v2/checkout/orders/{id}" },
  { method: "PATCH", path: /^\/v2\/checkout\/orders\/[A-Z0-9]+$/, spec: "checkout_orders_v2", operation: "PATCH /v2/checkout/orders/{id}" },
  { method: "POST", path: /^\/v2\/checkout\/orders\/[A-Z0-9]+\/authorize$/, spec: "checkout_orders_v2", operation: "POST /v2/checkout/orders/{id}/authorize" },
  { method: "POST", path: /^\/v2\/checkout\/orders\/[A-Z0-9]+\/capture$/, spec: "checkout_orders_v2", operation: "POST /v2/checkout/orders/{id}/capture" },
  { method: "POST", path: /^\/v2\/payments\/authorizations\/[A-Z0-9]+\/capture$/, spec: "payments_payment_v2", operation: "POST /v2/payments/authorizations/{authorization_id}/capture" },
  { method: "POST", path: /^\/v2\/payments\/authorizations\/[A-Z0-9]+\/reauthorize$/, spec: "payments_payment_v2", operation: "POST /v2/payments/authorizations/{authorization_id}/reauthorize" },
  { method: "POST", path: /^\/v2\/payments\/authorizations\/[A-Z0-9]+\/void$/, spec: "payments_payment_v2", operation: "POST /v2/payments/authorizations/{authorization_id}/void" },
  { method: "GET", path: /^\/v2\/payments\/authorizations\/[A-Z0-9]+$/, spec: "payments_payment_v2", operation: "GET /v2/payments/authorizations/{authorization_id}" },
  { method: "GET", path: /^\/v2\/payments\/captures\/[A-Z0-9]+$/, spec: "payments_payment_v2", operation: "GET /v2/payments/captures/{capture_id}" },
  { method: "GET", path: /^\/v2\/payments\/refunds\/[A-Z0-9]+$/, spec: "payments_payment_v2", operation: "GET /v2/payments/refunds/{refund_id}" },
  { method: "POST", path: /^\/v2\/payments\/captures\/[A-Z0-9]+\/refund$/, spec: "payments_payment_v2", operation: "POST /v2/payments/captures/{capture_id}/refund" },
  { method: "POST", path: /^\/v1\/notifications\/verify-webhook-signature$/, spec: "notifications_webhooks_v1", operation: "POST /v1/notifications/verify-webhook-signature" },
  { method: "GET", path: /^\/v3\/vault\/payment-tokens$/, spec: "vault_payment_tokens_v3", operation: "GET /v3/vault/payment-tokens" },
  { method: "GET", path: /^\/v3\/vault\/payment-tokens\/[0-9a-zA-Z_-]+$/, spec: "vault_payment_tokens_v3", operation: "GET /v3/vault/payment-tokens/{id}" },
  { method: "DELETE", path: /^\/v3\/vault\/payment-tokens\/[0-9a-zA-Z_-]+$/, spec: "vault_payment_tokens_v3", operation: "DELETE /v3/vault/payment-tokens/{id}" },
]

/** Calls no spec of the four describes, named so that nothing else slips through unchecked. */
const OUTSIDE_THE_SPECS: Array<{ method: string; path: RegExp; why: string }> = [
  { method: "POST", path: /^\/v1\/oauth2\/token$/, why: "the OAuth2 token endpoint has no OpenAPI spec among PayPal's published ones" },
]

const SAMPLE_SESSION = "payses_01FIXTURESAMPLE000000000"
const WILDCARD_SAMPLES: Json = {
  cert_url: PAYPAL_CERT_URL,
  transmission_id: "8c2ab3d0-c86d-11f0-9a7a-6b4f2f1e4a11",
  transmission_sig: "c2lnbmF0dXJlLWJ5dGVzLWZvci12YWxpZGF0aW9uLW9ubHk=",
  transmission_time: "2026-11-23T09:00:00Z",
  webhook_event: JSON.parse(paypalWebhookCases(SAMPLE_SESSION)[0].body),
}

/** Fixture placeholders replaced by values of the right shape, so the bodies can be validated. */
function withSamples(value: unknown, field = ""): unknown {
  if (typeof value === "string") {
    if (value === "{{*}}") {
      if (!(field in WILDCARD_SAMPLES)) throw new Error(`no sample for a {{*}} in ${field}`)
      return WILDCARD_SAMPLES[field]
    }
    return value.replace(/\{\{(session[A-Za-z0-9_]*)\}\}/g, SAMPLE_SESSION)
  }
  if (Array.isArray(value)) return value.map((v) => withSamples(v, field))
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withSamples(v, k)]))
  }
  return value
}

function paypalFixtures(): FixtureFile[] {
  const dir = path.join(FIXTURES_DIR, "paypal")
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as FixtureFile)
}

/** Problems of one interaction with the spec; empty when it follows it. */
function interactionProblems(interaction: Interaction): string[] {
  const { request, response } = interaction
  const method = request.method.toUpperCase()
  const route = ROUTES.find((r) => r.method === method && r.path.test(request.path))
  if (!route) {
    return OUTSIDE_THE_SPECS.some((o) => o.method === method && o.path.test(request.path))
      ? []
      : [`${method} ${request.path} is not an operation of PayPal's specs the provider is known to call`]
  }
  const operation = specs[route.spec].operations[route.operation]
  const problems: string[] = []
  const requestBody = withSamples(request.body)
  if (operation.request) {
    const validate = validator(route.spec, operation.request, true, `${route.operation} request`)
    if (!validate(requestBody ?? {})) problems.push(...describeErrors(validate.errors).map((e) => `request ${e}`))
    problems.push(...amountProblems(requestBody).map((p) => `request ${p}`))
  } else if (requestBody !== undefined) {
    problems.push(`request: ${route.operation} takes no body`)
  }
  const status = String(response.status)
  // `default` describes PayPal's errors: a success the operation does not list is a departure.
  if (!(status in operation.responses) && (response.status < 400 || !("default" in operation.responses))) {
    return [...problems, `response: ${route.operation} has no ${status} answer in the spec`]
  }
  const schema = operation.responses[status] ?? (status in operation.responses ? null : operation.responses.default)
  const body = withSamples(response.body)
  if (schema === null || schema === undefined) {
    if (body !== undefined) problems.push(`response ${status}: the spec gives it no body`)
    return problems
  }
  const strict = response.status < 400
  const validate = validator(route.spec, schema, strict, `${route.operation} ${status}`)
  if (!validate(body)) problems.push(...describeErrors(validate.errors).map((e) => `response ${status} ${e}`))
  problems.push(...amountProblems(body).map((p) => `response ${status} ${p}`))
  return problems
}

/** The resource schema of a webhook event, by its resource_type. */
const RESOURCES: Record<string, [SpecName, string]> = {
  "checkout-order": ["checkout_orders_v2", "order"],
  authorization: ["payments_payment_v2", "authorization-2"],
  capture: ["payments_payment_v2", "capture-2"],
  refund: ["payments_payment_v2", "refund"],
}

function eventProblems(body: string): string[] {
  const event = JSON.parse(body) as Json
  const problems: string[] = []
  const validateEvent = componentValidator("notifications_webhooks_v1", "event")
  if (!validateEvent(event)) problems.push(...describeErrors(validateEvent.errors).map((e) => `event ${e}`))
  const resourceSchema = RESOURCES[String(event.resource_type)]
  if (resourceSchema) {
    const validate = componentValidator(resourceSchema[0], resourceSchema[1])
    if (!validate(event.resource)) problems.push(...describeErrors(validate.errors).map((e) => `resource ${e}`))
  }
  problems.push(...amountProblems(event.resource))
  return problems
}

// ---- Tests -----------------------------------------------------------------------------------

describe("PayPal fixtures follow PayPal's OpenAPI specs", () => {
  const fixtures = paypalFixtures()

  it("finds the PayPal fixtures", () => {
    expect(fixtures.length).toBeGreaterThan(10)
  })

  it.each(fixtures.map((f) => [f.scenario, f] as const))("%s: every request and response body follows the spec", (_name, fixture) => {
    const problems = fixture.interactions.flatMap((interaction, i) =>
      interactionProblems(interaction).map((p) => `#${i + 1} ${interaction.request.method} ${interaction.request.path}: ${p}`)
    )
    expect(problems).toEqual([])
  })

  it("every webhook event the tests sign follows the event schema and its resource's", () => {
    const cases = paypalWebhookCases(SAMPLE_SESSION)
    expect(cases.length).toBeGreaterThan(5)
    const problems = cases.flatMap((c) => eventProblems(c.body).map((p) => `${c.label}: ${p}`))
    expect(problems).toEqual([])
  })

  it("the order the provider builds with every option set follows the spec", () => {
    const options = parsePaypalOptions({
      clientId: "test-client-id",
      clientSecret: "test-client-secret",
      brandName: "Espresso & Co",
      // Not GUEST_CHECKOUT: PayPal's spec lists it in the enum but caps the field at 13
      // characters, so its own value fails its own schema. PayPal's docs accept it.
      landingPage: "LOGIN",
      userAction: "CONTINUE",
      shippingPreference: "GET_FROM_FILE",
      locale: "de-DE",
      returnUrl: "https://shop.example.com/checkout/paypal/return",
      cancelUrl: "https://shop.example.com/checkout/paypal/cancel",
      intent: "capture",
    })
    for (const [amount, currency] of [[12.5, "eur"], [1500, "huf"], [300, "twd"], [1000, "jpy"]] as const) {
      const body = buildOrderRequest({ amount, currency_code: currency, session_id: SAMPLE_SESSION }, options)
      const validate = validator("checkout_orders_v2", specs.checkout_orders_v2.operations["POST /v2/checkout/orders"].request, true, "POST /v2/checkout/orders request")
      expect({ currency, errors: validate(body) ? [] : describeErrors(validate.errors), amounts: amountProblems(body) }).toEqual({ currency, errors: [], amounts: [] })
    }
  })
})

describe("the spec validation can fail", () => {
  const lifecycle = paypalFixtures().find((f) => f.scenario === "lifecycle-manual-capture")!
  const createOrder = lifecycle.interactions.find((i) => i.request.method === "POST" && i.request.path === "/v2/checkout/orders")!
  const captureCall = lifecycle.interactions.find((i) => /\/authorizations\/[A-Z0-9]+\/capture$/.test(i.request.path))!
  const mutate = (interaction: Interaction, change: (copy: Interaction) => void): Interaction => {
    const copy = JSON.parse(JSON.stringify(interaction)) as Interaction
    change(copy)
    return copy
  }

  it("accepts the untouched interactions it is given below", () => {
    expect(interactionProblems(createOrder)).toEqual([])
    expect(interactionProblems(captureCall)).toEqual([])
  })

  it("rejects a misspelt field name in a request", () => {
    const wrong = mutate(createOrder, (c) => {
      const unit = (c.request.body as { purchase_units: Json[] }).purchase_units[0]
      unit.customId = unit.custom_id
      delete unit.custom_id
    })
    expect(interactionProblems(wrong).join("\n")).toMatch(/unevaluated properties.*customId/)
  })

  it("rejects an amount sent as a number", () => {
    const wrong = mutate(createOrder, (c) => {
      ;(c.request.body as { purchase_units: Array<{ amount: Json }> }).purchase_units[0].amount.value = 100
    })
    expect(interactionProblems(wrong).join("\n")).toMatch(/amount\/value must be string/)
  })

  it("rejects decimals PayPal does not take (HUF)", () => {
    const wrong = mutate(createOrder, (c) => {
      ;(c.request.body as { purchase_units: Array<{ amount: Json }> }).purchase_units[0].amount = { currency_code: "HUF", value: "1500.00" }
    })
    expect(interactionProblems(wrong).join("\n")).toMatch(/1500\.00 HUF does not have PayPal's 0 decimal/)
  })

  it("rejects a status the spec does not know, in a response", () => {
    const wrong = mutate(captureCall, (c) => {
      ;(c.response.body as Json).status = "SETTLED"
    })
    expect(interactionProblems(wrong).join("\n")).toMatch(/response 201 \/status must be equal to one of the allowed values/)
  })

  it("rejects a response status the operation does not answer with", () => {
    const wrong = mutate(captureCall, (c) => {
      c.response.status = 202
    })
    expect(interactionProblems(wrong).join("\n")).toMatch(/no 202 answer/)
  })

  it("rejects a webhook resource in the shape of PayPal's older v1 API", () => {
    const event = JSON.parse(paypalWebhookCases(SAMPLE_SESSION)[4].body) as Json
    ;(event.resource as Json).amount = { total: "120.00", currency: "USD" }
    expect(eventProblems(JSON.stringify(event)).join("\n")).toMatch(/resource \/amount must have required property 'currency_code'/)
  })

  it("rejects an interaction with an operation no spec covers", () => {
    const wrong = mutate(createOrder, (c) => {
      c.request.path = "/v1/payments/payment"
    })
    expect(interactionProblems(wrong)).toEqual(["POST /v1/payments/payment is not an operation of PayPal's specs the provider is known to call"])
  })

  // Why PayPal accounts are saved during a purchase only (savePaymentMethod refuses): the
  // Vault v3 spec only makes a payment token from a billing agreement, not from an approved
  // setup token.
  it("rejects a payment token made from a setup token (Vault v3 allows BILLING_AGREEMENT only)", () => {
    const request = specs.vault_payment_tokens_v3.operations["POST /v3/vault/payment-tokens"].request
    const validate = validator("vault_payment_tokens_v3", request, true, "POST /v3/vault/payment-tokens request")
    expect(validate({ payment_source: { token: { id: "5C991763VB2781612", type: "BILLING_AGREEMENT" } } })).toBe(true)
    expect(validate({ payment_source: { token: { id: "5C991763VB2781612", type: "SETUP_TOKEN" } } })).toBe(false)
    expect(describeErrors(validate.errors).join("\n")).toMatch(/\/payment_source\/token\/type must be equal to one of the allowed values/)
  })
})
