import { isHostedPaymentProvider, parseFormBody, redirectForm } from "../hosted/contract"

describe("redirectForm", () => {
  it("describes a POST form with string fields, leaving empty ones out", () => {
    expect(redirectForm("https://gateway.example/pay", { A: "1", B: 2, C: "", D: undefined, E: null })).toEqual({
      method: "POST",
      action: "https://gateway.example/pay",
      charset: "UTF-8",
      fields: { A: "1", B: "2" },
    })
  })

  it("refuses an action that is not an absolute http(s) URL", () => {
    expect(() => redirectForm("javascript:alert(1)", {})).toThrow(/absolute http\(s\) action URL/)
    expect(() => redirectForm("/relative", {})).toThrow(/absolute/)
  })
})

describe("parseFormBody", () => {
  it("reads a urlencoded body as flat fields, + and %20 as spaces", () => {
    expect(parseFormBody(Buffer.from("A=1&B=x+y%20z&C=%E4%BF%83&D="))).toEqual({ A: "1", B: "x y z", C: "促", D: "" })
  })

  it("keeps bracketed names flat instead of nesting them", () => {
    expect(parseFormBody("card[number]=1")).toEqual({ "card[number]": "1" })
  })

  it("refuses a field sent twice, JSON and an empty body", () => {
    expect(parseFormBody("A=1&A=2")).toBeUndefined()
    expect(parseFormBody('{"A":"1"}')).toBeUndefined()
    expect(parseFormBody("")).toBeUndefined()
    expect(parseFormBody(undefined)).toBeUndefined()
  })
})

describe("isHostedPaymentProvider", () => {
  it("recognises a provider with the hosted-page methods only", () => {
    const fn = () => undefined
    expect(isHostedPaymentProvider({ verifyNotification: fn, referenceOf: fn, getPaymentStatus: fn })).toBe(true)
    expect(isHostedPaymentProvider({ getPaymentStatus: fn })).toBe(false)
    expect(isHostedPaymentProvider(undefined)).toBe(false)
  })
})
