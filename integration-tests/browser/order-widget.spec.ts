/**
 * The collection's admin widgets in a real browser: the repository's store with its admin
 * dashboard, Debian's Chromium, an admin logged in through the login page. What is asserted
 * is what a person sees on the page.
 */
import fs from "node:fs"
import path from "node:path"
import Stripe from "stripe"
import { expect as expectPage } from "./page-expect"
import { GatewayServer, fixtureScenario } from "../harness/gateway-server"
import { cartWithSession, setUpStore, type TestStore } from "../harness/medusa"
import { signStripe, stripeEvent, stripeTestKeys } from "../harness/stripe"
import { stripeDispute, stripeRefund } from "../harness/stripe-objects"
import {
  createAdmin,
  freshDatabase,
  httpApi,
  loadApp,
  loggedInAdmin,
  migrate,
  startStoreServer,
  type AdminBrowser,
  type Database,
  type InProcessApp,
  type StoreServer,
} from "./admin-app"

// The store reads its providers from the environment, as in production. Stripe's API is a
// stand-in playing recorded traffic (STRIPE_API_BASE_URL, set once it listens).
const STORE_ENV: Record<string, string> = {
  STRIPE_API_KEY: stripeTestKeys.apiKey,
  STRIPE_WEBHOOK_SECRET: stripeTestKeys.webhookSecret,
  COD_ENABLED: "true",
  BANK_TRANSFER_ACCOUNT_HOLDER: "Example Store GmbH",
  BANK_TRANSFER_IBAN: "DE89 3704 0044 0532 0130 00",
  BANK_TRANSFER_BIC: "COBADEFFXXX",
  BANK_TRANSFER_BANK_NAME: "Example Bank",
}
const COD = "pp_cod_offline"
const BANK_TRANSFER = "pp_bank-transfer_offline"
const STRIPE = "pp_stripe_stripe"
/** Medusa's own manual provider: not one of the collection's. */
const SYSTEM = "pp_system_default"
const ADMIN = { email: "bea@payments.test", password: "a browser admin's password" }
const ROOT = path.resolve(__dirname, "..", "..")
/**
 * The picture of the widget in the README. Its reference and dates differ on every run, so it
 * is rewritten only when asked (`UPDATE_SCREENSHOTS=1`); every run leaves one in `.logs/browser/`.
 */
const SCREENSHOT = process.env.UPDATE_SCREENSHOTS === "1" ? path.join(ROOT, "docs", "images", "order-widget.png") : path.join(ROOT, ".logs", "browser", "order-widget.png")
/** The plugin's payment-events module, as the store loaded it (the built package). */
const { PAYMENT_EVENTS_MODULE } = require(path.join(ROOT, ".medusa", "server", "src", "modules", "payment-events")) as {
  PAYMENT_EVENTS_MODULE: string
}

interface PaymentEventsService {
  createPaymentGatewayStates(data: Array<Record<string, unknown>>): Promise<unknown>
}

/** Prints how long each step of the set-up took (the first dashboard visit compiles it). */
function stopwatch() {
  let last = Date.now()
  return (what: string) => {
    process.stderr.write(`[browser] ${what}: ${((Date.now() - last) / 1000).toFixed(1)} s\n`)
    last = Date.now()
  }
}

const DAY = 24 * 60 * 60 * 1000
/** An RF reference as the page prints it, in groups of four. */
const grouped = (reference: string) => reference.replace(/(.{4})(?=.)/g, "$1 ")
/** How the page writes a date (en-US, UTC: the browser's settings), without the time. */
const day = (date: Date) => new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(date)

jest.setTimeout(240_000)

describe("the admin's view of an order's payments, in a browser", () => {
  let db: Database
  let app: InProcessApp
  let server: StoreServer
  let admin: AdminBrowser
  let store: TestStore
  const stripeGateway = new GatewayServer()

  beforeAll(async () => {
    const step = stopwatch()
    await stripeGateway.start()
    STORE_ENV.STRIPE_API_BASE_URL = stripeGateway.origin
    db = await freshDatabase(`medusa-payments-browser-${process.env.JEST_WORKER_ID ?? "1"}`)
    await migrate(db.url, STORE_ENV)
    step("migrations")
    ;[server, app] = await Promise.all([startStoreServer(db.url, STORE_ENV), loadApp(db.url, STORE_ENV)])
    step("store started, and its container loaded here")
    store = await setUpStore(app.container, httpApi(server.url), { currency: "eur", countries: ["de", "at"], providers: [COD, BANK_TRANSFER, STRIPE, SYSTEM], price: 100 })
    await createAdmin(app.container, ADMIN.email, ADMIN.password)
    step("data")
    admin = await loggedInAdmin(server.url, ADMIN)
    step("logged in through the dashboard")
  }, 600_000)

  // What the page showed at the end of each test, for a failure's post-mortem.
  afterEach(async () => {
    const name = (expect.getState().currentTestName ?? "test").replace(/[^a-z0-9]+/gi, "-").slice(0, 80)
    fs.mkdirSync(path.join(ROOT, ".logs", "browser"), { recursive: true })
    // The dashboard scrolls inside its own pane: bring the widget into the picture when it is there.
    await admin?.page.getByRole("heading", { name: "Payment details" }).scrollIntoViewIfNeeded({ timeout: 500 }).catch(() => undefined)
    await admin?.page.screenshot({ path: path.join(ROOT, ".logs", "browser", `${name}.png`) }).catch(() => undefined)
  })

  afterAll(async () => {
    await admin?.close()
    await server?.stop()
    await app?.shutdown().catch(() => undefined)
    await db?.drop().catch(() => undefined)
    stripeGateway.stop()
  })

  /** An order placed through the store API, paid with `provider`; its id, payment and session data. */
  async function placeOrder(provider: string) {
    const api = httpApi(server.url)
    const { cartId, session } = await cartWithSession(api, store, provider, { country: "de" })
    const { data } = await api.post(`/store/carts/${cartId}/complete`, {}, store.store)
    expect(data.type).toBe("order")
    const { data: placed } = await api.get(`/admin/orders/${data.order.id}?fields=id,display_id,*payment_collections.payments`, store.admin)
    const order = placed.order
    return {
      id: String(order.id),
      displayId: Number(order.display_id),
      paymentId: String(order.payment_collections[0].payments[0].id),
      sessionId: String(session.id),
      reference: String((session.data.instructions as { reference?: string } | undefined)?.reference ?? ""),
    }
  }

  /** The plugin's own records beside Medusa's payments, through its module in the app's container. */
  const paymentEvents = () => app.container.resolve<PaymentEventsService>(PAYMENT_EVENTS_MODULE)
  /** The widget's section of the order page. */
  const paymentDetails = () => admin.page.locator("section", { has: admin.page.getByRole("heading", { name: "Bank transfer" }) })
  const amountRow = (label: string) => admin.page.getByRole("row", { name: new RegExp(`^${label}\\b`) })

  it("shows a bank-transfer order's method and reference, and records the transfer as it arrives in two parts", async () => {
    const order = await placeOrder(BANK_TRANSFER)
    expect(order.reference).toMatch(/^RF\d{2}[0-9A-Z]+$/)
    const page = admin.page

    await page.goto(`/app/orders/${order.id}`)
    await expectPage(page.getByRole("heading", { name: "Payment details" })).toBeVisible()
    const section = paymentDetails()
    await expectPage(section.getByText("Payment reference")).toBeVisible()
    await expectPage(section.getByText(grouped(order.reference), { exact: true })).toBeVisible()
    await expectPage(amountRow("Amount")).toHaveText(/100\.00 EUR/)
    await expectPage(amountRow("Received")).toHaveText(/0\.00 EUR/)
    await expectPage(amountRow("Still to receive")).toHaveText(/100\.00 EUR/)

    // 30 EUR arrive first.
    await section.getByLabel("Amount received").fill("30")
    await section.getByRole("button", { name: "Record receipt" }).click()
    await expectPage(amountRow("Received")).toHaveText(/30\.00 EUR/)
    await expectPage(amountRow("Still to receive")).toHaveText(/70\.00 EUR/)
    await expectPage(section.getByText("Partially captured", { exact: true }).first()).toBeVisible()

    // More than is still due is refused, with the route's reason.
    await section.getByLabel("Amount received").fill("80")
    await section.getByRole("button", { name: "Record receipt" }).click()
    await expectPage(section.getByRole("alert")).toHaveText(/80\.00 EUR is more than the 70\.00 EUR still to be received/)
    await expectPage(amountRow("Received")).toHaveText(/30\.00 EUR/)

    // Then the rest: the order is paid and nothing is left to record.
    await section.getByLabel("Amount received").fill("70.00")
    await section.getByRole("button", { name: "Record receipt" }).click()
    await expectPage(amountRow("Received")).toHaveText(/100\.00 EUR/)
    await expectPage(amountRow("Still to receive")).toHaveText(/0\.00 EUR/)
    await expectPage(section.getByLabel("Amount received")).toHaveCount(0)
    await expectPage(section.getByText("Captured", { exact: true }).first()).toBeVisible()
    // Medusa's own payment section of the page follows.
    await expectPage(page.getByText("Total paid by customer").locator("..")).toContainText("100.00")
  })

  it("finds an order from the bank-transfer reference typed in the orders list, in any case and spacing", async () => {
    const order = await placeOrder(BANK_TRANSFER)
    const page = admin.page
    const typed = order.reference.toLowerCase().replace(/(.{4})/g, "$1 ").trim()

    await page.goto("/app/orders")
    const finder = page.getByRole("search", { name: "Find an order by bank-transfer reference" })
    await finder.getByLabel("Payment reference").fill(typed)
    await finder.getByRole("button", { name: "Find order" }).click()
    await page.getByRole("link", { name: `Order #${order.displayId}` }).click()
    await page.waitForURL(`**/app/orders/${order.id}`)
    await expectPage(paymentDetails().getByText(grouped(order.reference), { exact: true })).toBeVisible()

    await page.goto("/app/orders")
    await finder.getByLabel("Payment reference").fill("RF00 0000 0000 0000")
    await finder.getByRole("button", { name: "Find order" }).click()
    await expectPage(page.getByText("No order carries the reference RF00 0000 0000 0000.")).toBeVisible()
  })

  it("warns where the gateway's last answer and Medusa disagree, and of an authorization about to lapse", async () => {
    const order = await placeOrder(COD)
    await paymentEvents().createPaymentGatewayStates([
      {
        provider_id: COD,
        session_id: order.sessionId,
        payment_id: order.paymentId,
        status: "captured",
        gateway_status: "settled",
        currency_code: "eur",
        authorized_amount: "100.00",
        captured_amount: "100.00",
        refunded_amount: "0.00",
        authorization_expires_at: new Date(Date.now() + DAY),
        checked_at: new Date(),
      },
    ])

    const page = admin.page
    await page.goto(`/app/orders/${order.id}`)
    const section = page.locator("section", { has: page.getByRole("heading", { name: "Cash on delivery" }) })
    await expectPage(section.getByRole("columnheader", { name: "At the gateway" })).toBeVisible()
    await expectPage(amountRow("Status")).toHaveText(/Authorized Captured \(settled\)/)
    await expectPage(amountRow("Received")).toHaveText(/0\.00 EUR 100\.00 EUR/)
    await expectPage(section.getByText("Captured: 0 EUR in Medusa, 100 EUR at the gateway")).toBeVisible()
    await expectPage(section.getByText(/The authorization expires on .* and nothing is captured yet/)).toBeVisible()
    await expectPage(section.getByText(/Last checked with the gateway/)).toBeVisible()
  })

  it("adds nothing to the page of an order paid otherwise", async () => {
    const order = await placeOrder(SYSTEM)
    const page = admin.page
    const answered = page.waitForResponse((response) => response.url().includes(`/admin/payments-collection/orders/${order.id}`))
    await page.goto(`/app/orders/${order.id}`)
    expect((await answered).status()).toBe(200)
    await expectPage(page.getByRole("heading", { name: "Payments", exact: true })).toBeVisible()
    await expectPage(page.getByRole("heading", { name: "Payment details" })).toHaveCount(0)
  })

  it("names the region's payment methods of the collection as the plugin does", async () => {
    const page = admin.page
    await page.goto(`/app/settings/regions/${store.regionId}`)
    const methods = page.getByRole("list", { name: "Payment methods of the Payments Collection" }).getByRole("listitem")
    await expectPage(methods).toHaveCount(3)
    await expectPage(methods.filter({ hasText: STRIPE })).toContainText("Card payment (Stripe)")
    await expectPage(methods.filter({ hasText: BANK_TRANSFER })).toContainText("Bank transfer")
    await expectPage(methods.filter({ hasText: COD })).toContainText("Cash on delivery")
  })

  it("shows a Stripe payment as Stripe's signed events left it: a refund made in the dashboard, its redeliveries, and an urgent chargeback", async () => {
    const replay = stripeGateway.play(fixtureScenario("stripe", "browser-order-widget", "form"))
    const api = httpApi(server.url)
    const { cartId, session } = await cartWithSession(api, store, STRIPE, { country: "de" })
    const intentId = String(session.data.id)
    // What Stripe.js does with the client secret, against the stand-in.
    const origin = new URL(stripeGateway.origin)
    await new Stripe(stripeTestKeys.apiKey, { host: origin.hostname, port: Number(origin.port), protocol: "http", maxNetworkRetries: 0, telemetry: false }).paymentIntents.confirm(intentId, {
      payment_method: "pm_card_visa",
    })
    const { data: completed } = await api.post(`/store/carts/${cartId}/complete`, {}, store.store)
    expect(completed.type).toBe("order")
    const orderId = String(completed.order.id)
    const { data: placed } = await api.get(`/admin/orders/${orderId}?fields=id,*payment_collections.payments`, store.admin)
    await api.post(`/admin/payments/${placed.order.payment_collections[0].payments[0].id}/capture`, {}, store.admin)

    // Stripe's signed events, as its servers post them to the store.
    const deliver = async (body: string) => {
      const response = await fetch(`${server.url}/hooks/payment/stripe_stripe`, { method: "POST", headers: signStripe(body), body })
      expect(response.status).toBe(200)
      return ((await response.json()) as { outcome: string }).outcome
    }
    // 25.00 EUR refunded in Stripe's dashboard; Stripe delivers the event three times.
    const refundCreated = stripeEvent("refund.created", stripeRefund({ id: "re_3QfxBrowserRefund1", amount: 2500, currency: "eur", payment_intent: intentId }))
    expect([await deliver(refundCreated), await deliver(refundCreated), await deliver(refundCreated)]).toEqual(["acted_on", "duplicate", "duplicate"])
    // A chargeback of 75.00 EUR whose evidence is due in two days.
    const dueBy = new Date(Math.floor((Date.now() + 2 * DAY) / 1000) * 1000)
    const dispute = stripeDispute({
      id: "dp_3QfxBrowserDispute",
      amount: 7500,
      currency: "eur",
      payment_intent: intentId,
      evidence_details: { due_by: dueBy.getTime() / 1000, has_evidence: false, past_due: false, submission_count: 0 } as Stripe.Dispute.EvidenceDetails,
    })
    expect(await deliver(stripeEvent("charge.dispute.created", dispute))).toBe("acted_on")

    const page = admin.page
    await page.goto(`/app/orders/${orderId}`)
    const section = page.locator("section", { has: page.getByRole("heading", { name: "Card payment (Stripe)" }) })
    await expectPage(section.getByText("Test mode", { exact: true })).toBeVisible()
    await expectPage(section.getByText("PaymentIntent", { exact: true })).toBeVisible()
    await expectPage(section.getByText(intentId, { exact: true })).toBeVisible()
    const dashboardLink = section.getByRole("link", { name: /Open in the Stripe dashboard/ })
    await expectPage(dashboardLink).toBeVisible()
    expect(await dashboardLink.getAttribute("href")).toBe(`https://dashboard.stripe.com/test/payments/${intentId}`)
    await expectPage(amountRow("Captured")).toHaveText(/100\.00 EUR/)
    await expectPage(amountRow("Refunded")).toHaveText(/25\.00 EUR/)

    // One line per event, however often Stripe delivered it, with what the store did.
    const timeline = section.getByRole("list", { name: "Gateway events" })
    await expectPage(timeline.getByRole("listitem")).toHaveCount(2)
    const refund = timeline.getByRole("listitem").nth(0)
    await expectPage(refund).toContainText("refund.created")
    await expectPage(refund).toContainText("Acted on")
    await expectPage(refund).toContainText("3 deliveries")
    await expectPage(refund).toContainText("re_3QfxBrowserRefund1")
    const chargeback = timeline.getByRole("listitem").nth(1)
    await expectPage(chargeback).toContainText("charge.dispute.created")
    await expectPage(chargeback).toContainText("1 delivery")

    const disputeCard = section.getByRole("list", { name: "Disputes" }).getByRole("listitem").filter({ hasText: "dp_3QfxBrowserDispute" })
    await expectPage(disputeCard).toContainText("Opened")
    await expectPage(disputeCard).toContainText("Urgent")
    await expectPage(disputeCard).toContainText("75.00 EUR")
    await expectPage(disputeCard).toContainText("Reason: Fraudulent")
    await expectPage(disputeCard).toContainText(`Evidence due by ${day(dueBy)}`)
    // Medusa's own payment section of the page shows the refund the event recorded.
    await expectPage(page.getByText("Total paid by customer").locator("..")).toContainText("75.00")

    // The admin asks Stripe: its answer fills the gateway's column, and it agrees with Medusa.
    await expectPage(amountRow("Status")).toHaveText(/Not checked yet/)
    await section.getByRole("button", { name: "Check with the gateway" }).click()
    await expectPage(section.getByRole("status").filter({ hasText: "Checked with the gateway." })).toContainText("Gateway reports captured; Medusa is in line.")
    await expectPage(amountRow("Captured")).toHaveText(/100\.00 EUR 100\.00 EUR/)
    await expectPage(amountRow("Refunded")).toHaveText(/25\.00 EUR 25\.00 EUR/)
    await expectPage(section.getByText(/Last checked with the gateway/)).toBeVisible()
    await expectPage(section.getByText(/in Medusa, .* at the gateway/)).toHaveCount(0)
    replay.finish()

    // The picture in the README.
    await page.getByRole("heading", { name: "Payment details" }).scrollIntoViewIfNeeded()
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page
      .locator("div", { has: page.getByRole("heading", { name: "Payment details" }) })
      .filter({ has: page.getByRole("heading", { name: "Card payment (Stripe)" }) })
      .last()
      .screenshot({ path: SCREENSHOT, animations: "disabled", caret: "hide" })
  })
})
