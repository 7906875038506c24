import { headerValue, rawBodyOf } from "../webhooks"

describe("a webhook's header", () => {
  it("is found whatever the case of its name", () => {
    const headers = { "Stripe-Signature": "t=1,v1=abc", "paypal-transmission-id": "tx-1" }
    expect(headerValue(headers, "stripe-signature")).toBe("t=1,v1=abc")
    expect(headerValue(headers, "PAYPAL-TRANSMISSION-ID")).toBe("tx-1")
  })

  it("is the first of a repeated header, trimmed", () => {
    expect(headerValue({ "x-sig": ["  first ", "second"] }, "x-sig")).toBe("first")
  })

  it("is undefined when absent, blank or not text", () => {
    expect(headerValue(undefined, "x-sig")).toBeUndefined()
    expect(headerValue(null, "x-sig")).toBeUndefined()
    expect(headerValue({}, "x-sig")).toBeUndefined()
    expect(headerValue({ "x-sig": "   " }, "x-sig")).toBeUndefined()
    expect(headerValue({ "x-sig": [] }, "x-sig")).toBeUndefined()
    expect(headerValue({ "x-sig": 42 }, "x-sig")).toBeUndefined()
    expect(headerValue({ "x-sig": [7, "later"] }, "x-sig")).toBeUndefined()
  })
})

describe("a webhook's raw body", () => {
  const text = '{"id":"evt_1","amount":"10.00","name":"Zoë"}'

  it("is the very bytes that arrived, from a Buffer", () => {
    const raw = Buffer.from(text, "utf8")
    expect(rawBodyOf(raw)).toBe(raw)
  })

  it("is read from a string as UTF-8", () => {
    expect(rawBodyOf(text)?.equals(Buffer.from(text, "utf8"))).toBe(true)
    expect(rawBodyOf("")?.length).toBe(0)
  })

  it("is rebuilt from a Buffer's JSON form, as the event bus hands it over", () => {
    const serialised = JSON.parse(JSON.stringify(Buffer.from(text, "utf8")))
    expect(serialised.type).toBe("Buffer")
    expect(rawBodyOf(serialised)?.toString("utf8")).toBe(text)
  })

  it("is undefined for anything else", () => {
    expect(rawBodyOf(undefined)).toBeUndefined()
    expect(rawBodyOf(null)).toBeUndefined()
    expect(rawBodyOf({ id: "evt_1" })).toBeUndefined()
    expect(rawBodyOf({ type: "Buffer", data: "not bytes" })).toBeUndefined()
    expect(rawBodyOf(42)).toBeUndefined()
  })
})
