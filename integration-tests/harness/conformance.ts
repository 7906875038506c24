/**
 * One conformance suite for every provider of the collection. A provider declares what it
 * can do; the suite runs the same lifecycle against it, and where a capability is
 * missing it asserts a clear "not supported" error instead of skipping.
 *
 * Scenarios that talk to a gateway replay the provider's fixture of the same name
 * (`integration-tests/fixtures/<provider>/<scenario>.json`).
 */
import type {
  BigNumberInput,
  IPaymentProvider,
  PaymentActions,
  PaymentSessionStatus,
  ProviderWebhookPayload,
} from "@medusajs/framework/types"
import { findSecrets } from "../../src/lib/payments/redact"
import { describesPayments, inspectsPayments, type GatewayPaymentInspector, type PaymentDescription } from "../../src/lib/payments/outcomes/types"
import { FixtureSession } from "./fixtures"

export interface Capabilities {
  /** Change the amount of an open payment in place. */
  updateAmount: boolean
  /** Cancel (void) before capture. */
  cancel: boolean
  refund: boolean
  /** Several refunds adding up to the captured amount. */
  partialRefund: boolean
  /** The gateway can decline during authorization (cards). */
  decline: boolean
  /** Verified notifications mapped to Medusa's actions. */
  webhooks: boolean
}

export interface WebhookCase {
  label: string
  /** The exact body the gateway would post, before signing. */
  body: string
  expected: { action: `${PaymentActions}`; amount?: number }
}

/** What signing produced: headers only (Stripe, PayPal), or a new body too (ECPay signs inside the form). */
export type SignedWebhook = Record<string, string> | { headers: Record<string, string>; body: string }

export interface WebhookSigner {
  cases(sessionId: string): WebhookCase[]
  /**
   * Sign `body` with the gateway's real algorithm. `timestampSeconds` is when the gateway
   * says it sent it (for freshness checks); `secret` replaces the store's key (a forgery).
   */
  sign(body: string, options?: { timestampSeconds?: number; secret?: string }): Promise<SignedWebhook> | SignedWebhook
  /** Change what a signed body says about money, keeping its shape (defaults to the amount fields). */
  tamper?(signedBody: string): string
  /**
   * How old the stale delivery is, in seconds: beyond the provider's tolerance. A gateway that
   * redelivers a notification with its first timestamp for a day (Braintree) has a wider one.
   * @default 3600
   */
  staleSeconds?: number
}

export interface ConformanceSubject {
  /** The provider's identifier, e.g. "stripe". */
  name: string
  capabilities: Capabilities
  create(): IPaymentProvider
  /**
   * How its gateway is reached; absent for providers that call no network. `idempotencyHeader`
   * is the header every mutating request carries its key in; a gateway without keys (Braintree)
   * gives `lookupKeyOf` instead: the Medusa id a request carries for the lookup before a retry
   * (`"safe"` for a request its gateway's own state rules make safe to repeat, or that moves
   * nothing, such as a search), and `keyedOperations` (which of the lifecycle's Medusa ids
   * must be sent: a capture of the whole amount carries none at Braintree).
   */
  fixtures?: {
    origin: string
    bodyFormat?: "form" | "json"
    idempotencyHeader?: string
    lookupKeyOf?(request: { method: string; path: string; body: unknown }): string | "safe" | undefined
    keyedOperations?: Array<"session" | "capture" | "refund">
  }
  /** Currency of the lifecycle scenarios (lower-case ISO code). */
  currency: string
  /** The shopper's own step between initiate and authorize (confirming a card, approving). */
  buyerApproves?(replay: FixtureSession | undefined, data: Record<string, unknown>): Promise<void>
  /** The shopper's step that the gateway declines. */
  buyerIsDeclined?(replay: FixtureSession | undefined, data: Record<string, unknown>): Promise<void>
  /** The status a declined authorization maps to. */
  declineStatus?: `${PaymentSessionStatus}`
  /** Asserts that `data` describes a canceled payment. */
  expectCanceled(data: Record<string, unknown>): void
  /** Every gateway status and what it maps to, read through getPaymentStatus. */
  statuses: Array<{ label: string; data: Record<string, unknown>; expected: `${PaymentSessionStatus}` }>
  /** The amount in major units that `data` says the gateway holds, for exact round trips. */
  amountOf(data: Record<string, unknown>): BigNumberInput
  /**
   * Amounts as the storefront passes them: JPY, KWD and USD at least. A currency the gateway
   * does not take is declared with `refused`, the clear error initiatePayment must give
   * (before any gateway call); the provider's own currencies can be added.
   */
  amounts: Array<{ currency: string; amount: number | string; refused?: RegExp }>
  webhooks?: WebhookSigner
}

const LIFECYCLE = { initial: 100, updated: 120, firstRefund: 20, rest: 100, beyond: 0.01 }

/** What a payment description may hold (`PaymentDescription`): ids and links, nothing else. */
const DESCRIPTION_KEYS = ["label", "gateway", "reference", "dashboard_url", "mode"]

/** A buyer's details, in the shapes gateways and Medusa give them, put into session data: none may come out. */
const BUYER_VALUES = ["ines.moreau@example.com", "Inès", "Moreau", "+33 6 12 34 56 78", "12 rue des Lilas", "Lyon", "69003", "7704"]
const BUYER_DATA = {
  email: BUYER_VALUES[0],
  customer: { email: BUYER_VALUES[0], first_name: BUYER_VALUES[1], last_name: BUYER_VALUES[2], phone: BUYER_VALUES[3] },
  billing_details: { name: `${BUYER_VALUES[1]} ${BUYER_VALUES[2]}`, address: { line1: BUYER_VALUES[4], city: BUYER_VALUES[5], postal_code: BUYER_VALUES[6], country: "FR" } },
  shipping: { name: `${BUYER_VALUES[1]} ${BUYER_VALUES[2]}`, address: { line1: BUYER_VALUES[4], city: BUYER_VALUES[5], postal_code: BUYER_VALUES[6], country: "FR" } },
  payer: { email_address: BUYER_VALUES[0], name: { given_name: BUYER_VALUES[1], surname: BUYER_VALUES[2] } },
  card: { last4: BUYER_VALUES[7], brand: "visa", exp_month: 12, exp_year: 2030 },
}

function sessionId(suffix: string): string {
  return `payses_01CONFORMANCE${suffix.toUpperCase().replace(/[^A-Z0-9]/g, "").padEnd(12, "0").slice(0, 12)}`
}

export function describeConformance(subject: ConformanceSubject): void {
  const caps = subject.capabilities

  describe(`${subject.name}: conformance`, () => {
    let replay: FixtureSession | undefined

    const play = (scenario: string, vars: Record<string, string> = {}) => {
      if (!subject.fixtures) return undefined
      replay = FixtureSession.load(subject.name, scenario, {
        origin: subject.fixtures.origin,
        bodyFormat: subject.fixtures.bodyFormat,
        vars,
      }).start()
      return replay
    }

    afterEach(() => {
      replay?.stop()
      replay = undefined
    })

    it("runs initiate -> update -> authorize -> capture -> refund part -> refund the rest, and rejects a refund beyond the capture", async () => {
      const provider = subject.create()
      const session_id = sessionId("lifecycle")
      const keys = { session_id, capture_id: "capt_01CONFORMANCE0001", refund_1: "ref_01CONFORMANCE0001", refund_2: "ref_01CONFORMANCE0002" }
      const fixture = play("lifecycle-manual-capture", keys)

      const initiated = await provider.initiatePayment({
        amount: LIFECYCLE.initial,
        currency_code: subject.currency,
        data: { session_id },
        context: { idempotency_key: session_id },
      })
      expect(initiated.id).toEqual(expect.any(String))
      expect(initiated.status ?? "pending").toBe("pending")
      let data: Record<string, unknown> = { session_id, ...(initiated.data ?? {}) }
      expect(Number(subject.amountOf(data))).toBe(LIFECYCLE.initial)

      if (caps.updateAmount) {
        const updated = await provider.updatePayment({ amount: LIFECYCLE.updated, currency_code: subject.currency, data })
        data = { ...data, ...(updated.data ?? {}) }
        expect(Number(subject.amountOf(data))).toBe(LIFECYCLE.updated)
        if (initiated.id && typeof data.id === "string") {
          // Updated in place: the same gateway object, not a new one.
          expect(data.id).toBe(initiated.id)
        }
      } else {
        await expect(
          provider.updatePayment({ amount: LIFECYCLE.updated, currency_code: subject.currency, data })
        ).rejects.toThrow(/not supported/i)
      }
      const authorizedAmount = caps.updateAmount ? LIFECYCLE.updated : LIFECYCLE.initial

      await subject.buyerApproves?.(fixture, data)
      const authorized = await provider.authorizePayment({ data, context: { idempotency_key: session_id } })
      expect(authorized.status).toBe("authorized")
      data = { ...data, ...(authorized.data ?? {}) }

      const captured = await provider.capturePayment({ data, context: { idempotency_key: keys.capture_id } })
      data = { ...data, ...(captured.data ?? {}) }

      if (!caps.refund) {
        await expect(
          provider.refundPayment({ amount: LIFECYCLE.firstRefund, data, context: { idempotency_key: keys.refund_1 } })
        ).rejects.toThrow(/not supported/i)
        fixture?.finish()
        return
      }
      const rest = authorizedAmount - LIFECYCLE.firstRefund
      if (caps.partialRefund) {
        const first = await provider.refundPayment({ amount: LIFECYCLE.firstRefund, data, context: { idempotency_key: keys.refund_1 } })
        data = { ...data, ...(first.data ?? {}) }
        const second = await provider.refundPayment({ amount: rest, data, context: { idempotency_key: keys.refund_2 } })
        data = { ...data, ...(second.data ?? {}) }
      } else {
        await expect(
          provider.refundPayment({ amount: LIFECYCLE.firstRefund, data, context: { idempotency_key: keys.refund_1 } })
        ).rejects.toThrow(/not supported/i)
        const full = await provider.refundPayment({ amount: authorizedAmount, data, context: { idempotency_key: keys.refund_2 } })
        data = { ...data, ...(full.data ?? {}) }
      }
      const requestsBefore = fixture?.requests.length ?? 0
      await expect(
        provider.refundPayment({ amount: LIFECYCLE.beyond, data, context: { idempotency_key: "ref_01CONFORMANCE0003" } })
      ).rejects.toThrow(/refund/i)
      // Refused before any gateway call.
      expect(fixture?.requests.length ?? 0).toBe(requestsBefore)
      fixture?.finish()

      if (subject.fixtures && fixture) {
        const { idempotencyHeader, lookupKeyOf, keyedOperations = ["session", "capture", "refund"] } = subject.fixtures
        const keyOf = (r: { method: string; path: string; body: unknown; headers: Record<string, string> }) =>
          lookupKeyOf ? lookupKeyOf(r) : r.headers[String(idempotencyHeader).toLowerCase()]
        const mutating = fixture.mutatingRequests().filter((r) => !isBuyerStep(r.path) && keyOf(r) !== "safe")
        expect(mutating.length).toBeGreaterThan(0)
        for (const request of mutating) {
          expect({ path: request.path, key: keyOf(request) }).toEqual({
            path: request.path,
            key: expect.stringMatching(/\S{8,}/),
          })
        }
        const sent = mutating.map(keyOf)
        const expected = { session: session_id, capture: keys.capture_id, refund: keys.refund_2 }
        expect(sent).toEqual(expect.arrayContaining(keyedOperations.map((operation) => expected[operation])))
      }
    })

    it("cancels an initiated payment", async () => {
      const provider = subject.create()
      const session_id = sessionId("cancel")
      const fixture = play("cancel-before-authorize", { session_id, payment_id: "pay_01CONFORMANCE0001" })
      const initiated = await provider.initiatePayment({
        amount: LIFECYCLE.initial,
        currency_code: subject.currency,
        data: { session_id },
        context: { idempotency_key: session_id },
      })
      const data: Record<string, unknown> = { session_id, ...(initiated.data ?? {}) }
      if (!caps.cancel) {
        await expect(provider.cancelPayment({ data, context: { idempotency_key: "pay_01CONFORMANCE0001" } })).rejects.toThrow(/not supported/i)
        fixture?.finish()
        return
      }
      const canceled = await provider.cancelPayment({ data, context: { idempotency_key: "pay_01CONFORMANCE0001" } })
      subject.expectCanceled({ ...data, ...(canceled.data ?? {}) })
      fixture?.finish()
    })

    it(caps.decline ? "maps a decline to a status, not a crash" : "has no gateway decline to map", async () => {
      if (!caps.decline) {
        expect(subject.buyerIsDeclined).toBeUndefined()
        return
      }
      const provider = subject.create()
      const session_id = sessionId("decline")
      const fixture = play("decline-card", { session_id })
      const initiated = await provider.initiatePayment({
        amount: LIFECYCLE.initial,
        currency_code: subject.currency,
        data: { session_id },
        context: { idempotency_key: session_id },
      })
      const data: Record<string, unknown> = { session_id, ...(initiated.data ?? {}) }
      await subject.buyerIsDeclined!(fixture, data)
      const result = await provider.authorizePayment({ data, context: { idempotency_key: session_id } })
      expect(result.status).toBe(subject.declineStatus)
      expect(["authorized", "captured"]).not.toContain(result.status)
      fixture?.finish()
    })

    it("maps every gateway status", async () => {
      const provider = subject.create()
      expect(subject.statuses.length).toBeGreaterThan(0)
      const fixture = play("status-mapping")
      const seen: Record<string, string> = {}
      for (const testCase of subject.statuses) {
        const { status } = await provider.getPaymentStatus({ data: testCase.data })
        seen[testCase.label] = status
      }
      expect(seen).toEqual(Object.fromEntries(subject.statuses.map((c) => [c.label, c.expected])))
      fixture?.finish()
    })

    it("names its payments for the admin from their data alone, from empty data too, and copies nothing of the buyer's", () => {
      const provider: unknown = subject.create()
      // Every provider of the collection describes its payments (`GatewayPaymentInspector`);
      // one that calls a gateway can also be asked about them (the reconciliation's check).
      expect(describesPayments(provider)).toBe(true)
      if (subject.fixtures) expect(inspectsPayments(provider)).toBe(true)
      const inspector = provider as GatewayPaymentInspector
      const shapeOf = (description: PaymentDescription) => {
        expect(Object.keys(description).filter((key) => !DESCRIPTION_KEYS.includes(key))).toEqual([])
        expect(description.label).toEqual(expect.stringMatching(/\S/))
        expect(description.gateway).toEqual(expect.stringMatching(/^[a-z0-9-]+$/))
        if (description.reference) expect(Object.keys(description.reference).sort()).toEqual(["label", "value"])
        if (description.dashboard_url) expect(new URL(description.dashboard_url).protocol).toBe("https:")
        if (description.mode) expect(["test", "live"]).toContain(description.mode)
        expect(findSecrets(JSON.stringify(description))).toEqual([])
      }
      const empty = inspector.describePayment({})
      shapeOf(empty)
      expect({ reference: empty.reference, dashboard_url: empty.dashboard_url }).toEqual({ reference: undefined, dashboard_url: undefined })
      for (const { label, data } of subject.statuses) {
        const description = inspector.describePayment({ ...data, ...BUYER_DATA })
        shapeOf(description)
        expect(description.label).toBe(empty.label)
        const text = JSON.stringify(description)
        expect({ label, leaked: BUYER_VALUES.filter((value) => text.includes(value)) }).toEqual({ label, leaked: [] })
      }
    })

    it("converts JPY, KWD and USD amounts exactly, or refuses a currency the gateway does not take", async () => {
      const provider = subject.create()
      expect(subject.amounts.map((a) => a.currency.toLowerCase())).toEqual(expect.arrayContaining(["jpy", "kwd", "usd"]))
      const vars = Object.fromEntries(subject.amounts.map((a) => [`session_${a.currency}`, sessionId(`amount${a.currency}`)]))
      const fixture = play("amounts-jpy-kwd-usd", vars)
      for (const { currency, amount, refused } of subject.amounts) {
        const session_id = vars[`session_${currency}`]
        const attempt = provider.initiatePayment({
          amount,
          currency_code: currency,
          data: { session_id },
          context: { idempotency_key: session_id },
        })
        if (refused) {
          const before = fixture?.requests.length ?? 0
          await expect(attempt).rejects.toThrow(refused)
          expect({ currency, requests: fixture?.requests.length ?? 0 }).toEqual({ currency, requests: before })
          continue
        }
        const result = await attempt
        expect({ currency, amount: String(subject.amountOf({ session_id, ...(result.data ?? {}) })) }).toEqual({
          currency,
          amount: String(amount),
        })
      }
      fixture?.finish()
    })

    if (!caps.webhooks) {
      it("answers every notification as not supported", async () => {
        const provider = subject.create()
        const result = await provider.getWebhookActionAndData({ data: { any: "thing" }, rawData: Buffer.from("{}"), headers: {} })
        expect(result.action).toBe("not_supported")
      })
      return
    }

    describe("webhooks", () => {
      const hooks = () => {
        if (!subject.webhooks) throw new Error(`${subject.name} declares webhooks but gives no webhook cases`)
        return subject.webhooks
      }
      const payload = (body: string, headers: Record<string, string>): ProviderWebhookPayload["payload"] => ({
        data: parseWebhookBody(body, headers),
        rawData: Buffer.from(body),
        headers,
      })
      const signed = async (body: string, options?: { timestampSeconds?: number; secret?: string }) => {
        const result = await hooks().sign(body, options)
        return isSignedBody(result) ? result : { headers: result, body }
      }

      it("maps each signed event to Medusa's action with the amount in major units", async () => {
        const provider = subject.create()
        const cases = hooks().cases(sessionId("webhook"))
        expect(cases.length).toBeGreaterThan(0)
        for (const testCase of cases) {
          const event = await signed(testCase.body)
          const result = await provider.getWebhookActionAndData(payload(event.body, event.headers))
          const expected = testCase.expected.amount === undefined
            ? { label: testCase.label, action: testCase.expected.action }
            : { label: testCase.label, action: testCase.expected.action, session_id: sessionId("webhook"), amount: testCase.expected.amount }
          const actual = testCase.expected.amount === undefined
            ? { label: testCase.label, action: result.action }
            : { label: testCase.label, action: result.action, session_id: result.data?.session_id, amount: Number(result.data?.amount) }
          expect(actual).toEqual(expected)
        }
      })

      const acted = (action: string) => !["not_supported"].includes(action)

      it("ignores a forged event signed with another secret", async () => {
        const provider = subject.create()
        const [first] = hooks().cases(sessionId("forged")).filter((c) => acted(c.expected.action))
        const forged = await signed(first.body, { secret: "forged-secret-that-is-not-the-store-one" })
        const result = await provider.getWebhookActionAndData(payload(forged.body, forged.headers))
        expect(result).toEqual({ action: "not_supported" })
      })

      it("ignores an event whose body was changed after signing", async () => {
        const provider = subject.create()
        const [first] = hooks().cases(sessionId("tampered")).filter((c) => acted(c.expected.action))
        const event = await signed(first.body)
        const tampered = (hooks().tamper ?? tamperAmount)(event.body)
        expect(tampered).not.toBe(event.body)
        const result = await provider.getWebhookActionAndData(payload(tampered, event.headers))
        expect(result).toEqual({ action: "not_supported" })
      })

      it("ignores a stale event replayed outside the tolerance", async () => {
        const provider = subject.create()
        const [first] = hooks().cases(sessionId("stale")).filter((c) => acted(c.expected.action))
        const stale = await signed(first.body, { timestampSeconds: Math.floor(Date.now() / 1000) - (hooks().staleSeconds ?? 3600) })
        const result = await provider.getWebhookActionAndData(payload(stale.body, stale.headers))
        expect(result).toEqual({ action: "not_supported" })
      })

      it("ignores an unsigned event", async () => {
        const provider = subject.create()
        const [first] = hooks().cases(sessionId("unsigned")).filter((c) => acted(c.expected.action))
        const result = await provider.getWebhookActionAndData(payload(first.body, contentTypeOnly(first.body)))
        expect(result).toEqual({ action: "not_supported" })
      })
    })
  })
}

function isSignedBody(value: SignedWebhook): value is { headers: Record<string, string>; body: string } {
  return typeof (value as { body?: unknown }).body === "string" && typeof (value as { headers?: unknown }).headers === "object"
}

const isForm = (body: string) => !/^\s*[[{]/.test(body)

/** The body as Medusa's route hands it to the provider: parsed JSON or form fields. */
function parseWebhookBody(body: string, headers: Record<string, string>): Record<string, unknown> {
  const type = Object.entries(headers).find(([k]) => k.toLowerCase() === "content-type")?.[1] ?? ""
  if (type.includes("application/x-www-form-urlencoded") || (!type && isForm(body))) {
    return Object.fromEntries(new URLSearchParams(body))
  }
  return JSON.parse(body)
}

function contentTypeOnly(body: string): Record<string, string> {
  return { "content-type": isForm(body) ? "application/x-www-form-urlencoded" : "application/json" }
}

/**
 * Multiply the first amount in a signed body by ten: a JSON number (`"amount":12000`), a
 * JSON decimal string (`"value":"120.00"`) or a form field (`TradeAmt=120`).
 */
export function tamperAmount(body: string): string {
  const json = /"(amount(?:_received|_capturable)?|value)"(\s*:\s*)("?)(\d+)(\.\d+)?("?)/
  if (json.test(body)) {
    return body.replace(json, (_m, key, colon, open, whole, fraction = "", close) => `"${key}"${colon}${open}${Number(whole) * 10}${fraction}${close}`)
  }
  const form = /(^|&)(TradeAmt|amount|value)=(\d+)/i
  return body.replace(form, (_m, lead, key, digits) => `${lead}${key}=${Number(digits) * 10}`)
}

/** Storefront calls in a fixture (confirm, approve) are the shopper's, not the provider's. */
function isBuyerStep(path: string): boolean {
  return /\/confirm$|\/approve$/.test(path)
}
