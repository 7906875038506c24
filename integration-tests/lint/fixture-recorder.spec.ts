/**
 * Record mode, end to end against a local server standing in for a sandbox: what the tests
 * send and get back is written as a fixture, without secrets or personal data, and replays.
 */
import fs from "node:fs"
import http from "node:http"
import type { AddressInfo } from "node:net"
import zlib from "node:zlib"
import { FixtureSession, fixturePath, loadFixture } from "../harness/fixtures"

const PROVIDER = "recorder-selftest"
const BRAINTREE_CUSTOMER =
  '<?xml version="1.0" encoding="UTF-8"?>\n<customer><id>cus_1</id><email>sam.shopper@example.com</email><first-name>Sam</first-name>' +
  '<credit-cards type="array"><credit-card><cardholder-name>Sam Shopper</cardholder-name><last-4>1111</last-4><token>tok1</token></credit-card></credit-cards></customer>\n'
const SCENARIO = "round-trip"

let server: http.Server
let origin: string
const recordedBefore = process.env.PAYMENTS_RECORD

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = ""
    req.on("data", (chunk) => (body += chunk))
    req.on("end", () => {
      if (req.url?.startsWith("/merchants/")) {
        // Braintree's way: XML, gzip-compressed when the client accepts it (its SDK always does).
        res.setHeader("content-type", "application/xml; charset=utf-8")
        res.setHeader("content-encoding", "gzip")
        res.end(zlib.gzipSync(BRAINTREE_CUSTOMER))
        return
      }
      res.setHeader("content-type", "application/json")
      res.end(JSON.stringify({ id: "ord_1", status: "CREATED", payer: { email_address: "sam.shopper@example.com" }, echoed: JSON.parse(body || "{}").amount }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  process.env.PAYMENTS_RECORD = recordedBefore
  if (recordedBefore === undefined) delete process.env.PAYMENTS_RECORD
  fs.rmSync(fixturePath(PROVIDER, SCENARIO).replace(/[^/]+$/, ""), { recursive: true, force: true })
  await new Promise((resolve) => server.close(resolve))
})

it("writes what was sent and answered, without the buyer's e-mail, and the file replays", async () => {
  process.env.PAYMENTS_RECORD = PROVIDER
  const recording = FixtureSession.load(PROVIDER, SCENARIO, { origin }).start()
  const answer = await fetch(`${origin}/v2/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "paypal-request-id": "req-1" },
    body: JSON.stringify({ amount: "10.00", payer: { email_address: "sam.shopper@example.com" } }),
  })
  expect(await answer.json()).toEqual(expect.objectContaining({ id: "ord_1", echoed: "10.00" }))
  recording.finish()

  const file = loadFixture(PROVIDER, SCENARIO)
  expect(file.interactions).toHaveLength(1)
  expect(file.interactions[0].request).toEqual(
    expect.objectContaining({ method: "POST", path: "/v2/orders", body: { amount: "10.00", payer: { email_address: "{{*}}" } } })
  )
  expect(file.interactions[0].response.body).toEqual(expect.objectContaining({ id: "ord_1", payer: { email_address: "[REDACTED]" } }))
  expect(JSON.stringify(file)).not.toContain("sam.shopper@example.com")

  delete process.env.PAYMENTS_RECORD
  const replay = FixtureSession.load(PROVIDER, SCENARIO, { origin }).start()
  const replayed = await fetch(`${origin}/v2/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "paypal-request-id": "req-2" },
    body: JSON.stringify({ amount: "10.00", payer: { email_address: "another.shopper@example.com" } }),
  })
  expect(await replayed.json()).toEqual(expect.objectContaining({ id: "ord_1", status: "CREATED" }))
  replay.finish()
})

it("writes a gzip-compressed XML answer as its text, with its content type, without the buyer, and the file replays", async () => {
  process.env.PAYMENTS_RECORD = PROVIDER
  const scenario = "xml-round-trip"
  const recording = FixtureSession.load(PROVIDER, scenario, { origin }).start()
  const answer = await fetch(`${origin}/merchants/acme/customers/cus_1`, { headers: { accept: "application/xml", "accept-encoding": "gzip" } })
  expect(await answer.text()).toBe(BRAINTREE_CUSTOMER)
  recording.finish()

  const file = loadFixture(PROVIDER, scenario)
  const response = file.interactions[0].response
  expect(response.headers).toEqual({ "content-type": "application/xml; charset=utf-8" })
  expect(response.body).toBe(
    '<?xml version="1.0" encoding="UTF-8"?>\n<customer><id>cus_1</id><email>[REDACTED]</email><first-name>[REDACTED]</first-name>' +
      '<credit-cards type="array"><credit-card><cardholder-name>[REDACTED]</cardholder-name><last-4>1111</last-4><token>tok1</token></credit-card></credit-cards></customer>\n'
  )

  delete process.env.PAYMENTS_RECORD
  const replay = FixtureSession.load(PROVIDER, scenario, { origin }).start()
  const replayed = await fetch(`${origin}/merchants/acme/customers/cus_1`)
  expect(replayed.headers.get("content-type")).toBe("application/xml; charset=utf-8")
  expect(await replayed.text()).toContain("<last-4>1111</last-4>")
  replay.finish()
})
