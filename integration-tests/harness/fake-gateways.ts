/**
 * Stateful stand-ins for Stripe and Braintree, in-process (nock), for the load test: many
 * payments at once cannot follow one recorded scenario in order, so these keep each
 * PaymentIntent or transaction and answer as the gateway would (Stripe's state rules and its
 * idempotency: a key answered once is answered the same again; Braintree's sale, settlement
 * and refund), in the gateways' documented shapes (the fixtures' objects), and count every
 * capture and refund so a test can prove none was made twice.
 *
 * Not a sandbox for people: only the calls the providers make in the lifecycle.
 */
import nock from "nock"
import qs from "qs"
import type Stripe from "stripe"
import { BRAINTREE_MERCHANT, BRAINTREE_ORIGIN, transactionXml, xml } from "./braintree"
import { STRIPE_ORIGIN, stripeIntent } from "./stripe"


export interface FakeCounts {
  requests: number
  captures: Map<string, number>
  refunds: Map<string, number>
}

function counts(): FakeCounts {
  return { requests: 0, captures: new Map(), refunds: new Map() }
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1)

/** Stripe's PaymentIntents and refunds, as the provider and the storefront's Stripe.js step call them. */
export class FakeStripe {
  readonly counts = counts()
  readonly intents: Map<string, Stripe.PaymentIntent> = new Map()
  /** The refunds of each PaymentIntent, in the order they were made. */
  readonly refunds: Map<string, Array<Record<string, unknown>>> = new Map()
  private readonly answered = new Map<string, [number, unknown]>()
  private next = 0

  start(): this {
    const fake = this
    nock(STRIPE_ORIGIN)
      .persist()
      .intercept(() => true, "GET")
      .reply(function (uri) {
        return fake.answer("GET", uri, {}, this.req.headers)
      })
      .intercept(() => true, "POST")
      .reply(function (uri, body) {
        return fake.answer("POST", uri, body, this.req.headers)
      })
    return this
  }

  /** A PaymentIntent the storefront confirmed (its card authorized), for webhook deliveries. */
  intent(id: string): Stripe.PaymentIntent {
    const intent = this.intents.get(id)
    if (!intent) throw new Error(`no intent ${id}`)
    return intent
  }

  private answer(method: string, uri: string, rawBody: unknown, headers: Record<string, unknown>): [number, unknown, Record<string, string>] {
    this.counts.requests += 1
    const key = typeof headers["idempotency-key"] === "string" ? `${method} ${uri} ${headers["idempotency-key"]}` : undefined
    if (key && this.answered.has(key)) {
      const [status, body] = this.answered.get(key)!
      return [status, body, { "content-type": "application/json", "idempotent-replayed": "true" }]
    }
    const body = (typeof rawBody === "string" ? qs.parse(rawBody) : rawBody ?? {}) as Record<string, any>
    const url = new URL(uri, STRIPE_ORIGIN)
    const [status, answer] = this.handle(method, url.pathname, body, url.searchParams)
    if (key) this.answered.set(key, [status, answer])
    return [status, answer, { "content-type": "application/json" }]
  }

  private handle(method: string, path: string, body: Record<string, any>, query: URLSearchParams): [number, unknown] {
    const intentPath = path.match(/^\/v1\/payment_intents\/([^/]+)(?:\/(confirm|capture|cancel))?$/)
    if (method === "POST" && path === "/v1/payment_intents") {
      this.next += 1
      const id = `pi_3QfxLoad${String(this.next).padStart(8, "0")}`
      const template = stripeIntent(String(body.metadata?.session_id ?? ""))
      const intent = {
        ...template,
        id,
        client_secret: `${id}_secret_load`,
        amount: Number(body.amount),
        amount_capturable: 0,
        amount_received: 0,
        currency: String(body.currency),
        capture_method: body.capture_method ?? "manual",
        customer: body.customer ?? null,
        payment_method: body.payment_method ?? null,
        latest_charge: null,
        metadata: body.metadata ?? {},
        status: body.payment_method ? "requires_confirmation" : "requires_payment_method",
      } as Stripe.PaymentIntent
      this.intents.set(id, intent)
      return [200, intent]
    }
    if (!intentPath) {
      if (method === "POST" && path === "/v1/refunds") return this.refund(body)
      if (method === "GET" && path === "/v1/refunds") return this.listRefunds(query)
      return [404, { error: { type: "invalid_request_error", message: `the load fake has no ${method} ${path}` } }]
    }
    const [, id, action] = intentPath
    const intent = this.intents.get(id)
    if (!intent) return [404, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such payment_intent: '${id}'` } }]
    if (method === "GET") return [200, intent]
    if (!action) {
      if (!["requires_payment_method", "requires_confirmation", "requires_action"].includes(intent.status)) {
        return [400, { error: { type: "invalid_request_error", code: "payment_intent_unexpected_state", message: "This PaymentIntent's amount could not be updated", payment_intent: intent } }]
      }
      Object.assign(intent, { amount: Number(body.amount ?? intent.amount), metadata: { ...intent.metadata, ...(body.metadata ?? {}) } })
      return [200, intent]
    }
    if (action === "confirm") {
      Object.assign(intent, { status: "requires_capture", amount_capturable: intent.amount, payment_method: body.payment_method ?? intent.payment_method ?? "pm_card_visa", latest_charge: `ch_3QfxLoad${id.slice(-8)}` })
      return [200, intent]
    }
    if (action === "capture") {
      if (intent.status !== "requires_capture") {
        return [400, { error: { type: "invalid_request_error", code: "payment_intent_unexpected_state", message: `This PaymentIntent could not be captured because it has a status of ${intent.status}.`, payment_intent: intent } }]
      }
      bump(this.counts.captures, id)
      const captured = Number(body.amount_to_capture ?? intent.amount_capturable)
      Object.assign(intent, { status: "succeeded", amount_received: captured, amount_capturable: 0 })
      return [200, intent]
    }
    Object.assign(intent, { status: "canceled", amount_capturable: 0 })
    return [200, intent]
  }

  private refund(body: Record<string, any>): [number, unknown] {
    const intent = this.intents.get(String(body.payment_intent))
    if (!intent || intent.status !== "succeeded") return [400, { error: { type: "invalid_request_error", code: "charge_not_captured", message: "This charge has not been captured" } }]
    bump(this.counts.refunds, intent.id)
    const id = `re_3QfxLoad${String(this.counts.refunds.size).padStart(4, "0")}${String(this.counts.refunds.get(intent.id)).padStart(2, "0")}${intent.id.slice(-6)}`
    const refund = { id, object: "refund", amount: Number(body.amount), currency: intent.currency, payment_intent: intent.id, charge: intent.latest_charge, status: "succeeded", metadata: body.metadata ?? {}, created: 1764590400, reason: null }
    this.refunds.set(intent.id, [...(this.refunds.get(intent.id) ?? []), refund])
    return [200, refund]
  }

  /** `GET /v1/refunds?payment_intent=`: the intent's refunds, newest first, as Stripe lists them (https://docs.stripe.com/api/refunds/list). */
  private listRefunds(query: URLSearchParams): [number, unknown] {
    const intentId = query.get("payment_intent")
    if (!intentId) return [400, { error: { type: "invalid_request_error", message: "the load fake lists refunds by payment_intent only" } }]
    const data = [...(this.refunds.get(intentId) ?? [])].reverse()
    return [200, { object: "list", url: "/v1/refunds", has_more: false, data }]
  }
}

/** Braintree's sale, settlement and refund, answered in its XML. */
export class FakeBraintree {
  readonly counts = counts()
  private readonly transactions = new Map<string, Record<string, unknown>>()
  private next = 0

  start(): this {
    const fake = this
    const xmlAnswer = (status: number, root: string, value: unknown): [number, string, Record<string, string>] => [
      status,
      `<?xml version="1.0" encoding="UTF-8"?>\n${xml(root, value)}\n`,
      { "content-type": "application/xml; charset=utf-8" },
    ]
    const base = `/merchants/${BRAINTREE_MERCHANT}/transactions`
    nock(BRAINTREE_ORIGIN)
      .persist()
      .intercept(() => true, "GET")
      .reply(function (uri) {
        fake.counts.requests += 1
        const id = uri.split("/").pop()!
        const transaction = fake.transactions.get(id)
        return transaction ? xmlAnswer(200, "transaction", transaction) : [404, ""]
      })
      .intercept(() => true, "POST")
      .reply(function (uri, body) {
        fake.counts.requests += 1
        const request = (typeof body === "string" ? JSON.parse(body) : body) as { transaction: Record<string, any> }
        if (uri === base) {
          fake.next += 1
          const id = `txload${String(fake.next).padStart(6, "0")}`
          const transaction = transactionXml({ id, amount: request.transaction.amount, "order-id": request.transaction.order_id, status: request.transaction.options?.submit_for_settlement ? "submitted_for_settlement" : "authorized" })
          fake.transactions.set(id, transaction)
          return xmlAnswer(201, "transaction", transaction)
        }
        const refund = uri.match(/\/transactions\/([^/]+)\/refund$/)
        if (refund) {
          const sale = fake.transactions.get(refund[1])!
          bump(fake.counts.refunds, refund[1])
          const id = `rfload${String(fake.counts.refunds.get(refund[1])).padStart(2, "0")}${refund[1].slice(-6)}`
          sale["refund-ids"] = [...((sale["refund-ids"] as string[]) ?? []), id]
          const credit = transactionXml({ id, type: "credit", status: "submitted_for_settlement", amount: request.transaction.amount, "order-id": request.transaction.order_id ?? null, "refunded-transaction-id": refund[1] })
          fake.transactions.set(id, credit)
          return xmlAnswer(201, "transaction", credit)
        }
        return [404, ""]
      })
      .intercept(() => true, "PUT")
      .reply(function (uri) {
        fake.counts.requests += 1
        const settle = uri.match(/\/transactions\/([^/]+)\/submit_for_settlement$/)
        const sale = settle ? fake.transactions.get(settle[1]) : undefined
        if (!settle || !sale) return [404, ""]
        bump(fake.counts.captures, settle[1])
        // Settled at once: the load test refunds right after capturing.
        sale.status = "settled"
        return xmlAnswer(200, "transaction", sale)
      })
    return this
  }
}
