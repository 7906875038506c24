import {
  REDACTED,
  findSecrets,
  isLuhnValid,
  isPersonalKey,
  isSensitiveKey,
  normalizeKey,
  redact,
  kindsOfPath,
  redactForLog,
  redactHeaders,
  redactText,
} from "../redact"
import shapes from "./personal-data-shapes.json"

// Every secret-shaped value is assembled at runtime so this file never holds a literal the
// repository's secrets lint (which uses the same shapes) would flag.
const STRIPE_SECRET = "sk_" + "test_" + "a1B2c3D4".repeat(3)
const STRIPE_LIVE_SECRET = "sk_" + "live_" + "Zy9Xw8Vu".repeat(3)
const STRIPE_RESTRICTED = "rk_" + "live_" + "Q7r6S5t4".repeat(3)
const WEBHOOK_SECRET = "whsec_" + "Mn0Pq1Rs2".repeat(4)
const PI_ID = "pi_" + "3MtwBwLkdIwHu7ix28a3tqPa"
const PI_SECRET_PART = "YrKJUKribcBjcG8HVhfZluoGH"
const CLIENT_SECRET = PI_ID + "_secret_" + PI_SECRET_PART
const SETI_CLIENT_SECRET = "seti_" + "1Abc2Def3Ghi" + "_secret_" + "Jkl4Mno5Pqr6"
const BEARER_TOKEN = "eyJhbGciOi" + "J".repeat(30) + ".payload-part_~+/="
const BASIC_CREDENTIAL = Buffer.from("merchant-user:" + "pass" + "word-123").toString("base64")
const PAYPAL_TOKEN = "A21" + "AA" + "Fq9-_zLm".repeat(5)

// Luhn, by hand (double every second digit from the right, subtract 9 above 9, sum, mod 10).
// Numbers are described, not written out, so this file holds no literal card number:
// VISA = "4242" four times: eight pairs of (2) + (4*2=8) = 8 * 10 = 80 -> valid
// MASTERCARD = "5555" three times then "4444": 4 + 8 + 4 + 8 = 24, then six pairs of
//   5 + (5*2=10 -> 1) = 36; 24 + 36 = 60 -> valid
// AMEX (15 digits 3,7,8,2,8,2,2,4,6,3,1,0,0,0,5), from the right:
//   5+0+0+0+1+(3*2=6)+6+(4*2=8)+2+(2*2=4)+8+(2*2=4)+8+(7*2=14 -> 5)+3 = 60 -> valid
const VISA = ["4242", "4242", "4242", "4242"].join("")
const MASTERCARD = ["5555", "5555", "5555", "4444"].join("")
const AMEX = ["3782", "822463", "10005"].join("")
// Changing the check digit of a valid number by 1 changes the sum by 1: no longer a multiple of 10.
const VISA_BAD_CHECK = VISA.slice(0, -1) + "1"
// A millisecond timestamp (2023-11-14) that happens to pass Luhn: 1 + (7*2=14 -> 5) + 4 = 10.
const LUHN_VALID_MS_TIMESTAMP = String(1_700_000_000_000 + 4)

function grouped(digits: string, sizes: number[], separator: string): string {
  const parts: string[] = []
  let at = 0
  for (const size of sizes) {
    parts.push(digits.slice(at, at + size))
    at += size
  }
  return parts.join(separator)
}

describe("isLuhnValid", () => {
  it("accepts the card networks' published test numbers", () => {
    expect(isLuhnValid(VISA)).toBe(true)
    expect(isLuhnValid(MASTERCARD)).toBe(true)
    expect(isLuhnValid(AMEX)).toBe(true)
  })

  it("rejects a number whose check digit is wrong", () => {
    expect(isLuhnValid(VISA_BAD_CHECK)).toBe(false)
    expect(isLuhnValid(MASTERCARD.slice(0, -1) + "5")).toBe(false)
    expect(isLuhnValid(AMEX.slice(0, -1) + "9")).toBe(false)
  })

  it("catches a transposition of two adjacent digits", () => {
    // 4242... -> 2442...: position 16 (doubled) becomes 2 -> 4 and position 15 becomes 4: sum 80 - 8 - 2 + 4 + 4 = 78
    expect(isLuhnValid("24" + VISA.slice(2))).toBe(false)
  })

  it("only accepts 13 to 19 digits and nothing but digits", () => {
    // 79927398713 is the textbook Luhn example (valid checksum) but only 11 digits long
    expect(isLuhnValid("79927398713")).toBe(false)
    expect(isLuhnValid("0".repeat(13))).toBe(true) // sum 0 is a multiple of 10
    expect(isLuhnValid("0".repeat(12))).toBe(false)
    expect(isLuhnValid("0".repeat(19))).toBe(true)
    expect(isLuhnValid("0".repeat(20))).toBe(false)
    expect(isLuhnValid(grouped(VISA, [4, 4, 4, 4], " "))).toBe(false)
    expect(isLuhnValid("")).toBe(false)
  })
})

describe("key-based redaction", () => {
  it("normalizes keys by lower-casing and dropping separators", () => {
    expect(normalizeKey("Client-Secret")).toBe("clientsecret")
    expect(normalizeKey("api_key")).toBe("apikey")
    expect(normalizeKey("card[number]")).toBe("cardnumber")
  })

  // Keys are memoized (normalized form, segments) up to a bound; past it the memo starts over.
  it("judges keys the same once thousands of other keys went through (the memo's bound)", () => {
    const judge = () => [
      normalizeKey("Client-Secret"),
      isSensitiveKey("card[cvc]"),
      isSensitiveKey("MerchantPin", ["merchant_pin"]),
      isPersonalKey("name", ["payer"]),
      isPersonalKey("name", ["item"]),
      isPersonalKey("shipping[address][line1]"),
    ]
    const before = judge()
    expect(before).toEqual(["clientsecret", true, true, true, false, true])
    for (let i = 0; i < 10_000; i++) {
      isPersonalKey(`metadata_key_${i}`, ["payer"])
      isSensitiveKey(`Key-${i}[x]`)
    }
    expect(judge()).toEqual(before)
  })

  it.each([
    "apiKey",
    "api_key",
    "API-KEY",
    "Authorization",
    "authorization",
    "Proxy-Authorization",
    "client_secret",
    "clientSecret",
    "password",
    "cvc",
    "CVV2",
    "hashKey",
    "HashIV",
    "webhook_secret",
    "access_token",
    "refresh_token",
    "Set-Cookie",
    "card[number]",
    "private_key",
  ])("treats %p as sensitive", (key) => {
    expect(isSensitiveKey(key)).toBe(true)
  })

  it.each(["amount", "currency", "id", "status", "description", "secretary", "passwordless", "token_type"])(
    "leaves the ordinary key %p alone",
    (key) => {
      expect(isSensitiveKey(key)).toBe(false)
    }
  )

  it("adds caller-supplied keys, compared the same format-insensitive way", () => {
    expect(isSensitiveKey("merchant_pin")).toBe(false)
    expect(isSensitiveKey("merchant_pin", ["merchantPin"])).toBe(true)
    expect(isSensitiveKey("MERCHANT-PIN", ["merchant_pin"])).toBe(true)
    expect(redact({ merchant_pin: "9876", amount: 5 }, ["merchantPin"])).toEqual({ merchant_pin: REDACTED, amount: 5 })
  })

  it("replaces sensitive values deep inside nested objects and arrays and keeps everything else", () => {
    const input = {
      id: "ord_1",
      amount: 1050,
      captured: true,
      nothing: null,
      payer: { name: "Ann", password: "hunter2-plain" },
      credentials: [{ apiKey: "plain-key-1" }, { "Client-Secret": "plain-secret-2", label: "second" }],
      deeper: { a: { b: { c: [[{ cvc: "123", last4: "4242" }]] } } },
    }
    expect(redact(input)).toEqual({
      id: "ord_1",
      amount: 1050,
      captured: true,
      nothing: null,
      payer: { name: "Ann", password: REDACTED },
      credentials: [{ apiKey: REDACTED }, { "Client-Secret": REDACTED, label: "second" }],
      deeper: { a: { b: { c: [[{ cvc: REDACTED, last4: "4242" }]] } } },
    })
  })

  it("replaces a whole object or number held under a sensitive key", () => {
    expect(redact({ authorization: { scheme: "Basic", user: "u", pass: "p" } })).toEqual({ authorization: REDACTED })
    expect(redact({ cvc: 123 })).toEqual({ cvc: REDACTED })
  })

  it("keeps empty, null and undefined sensitive values as they are, so their absence stays visible", () => {
    expect(redact({ password: "", apiKey: null, secret: undefined })).toEqual({
      password: "",
      apiKey: null,
      secret: undefined,
    })
  })

  it("scrubs secret-shaped strings under ordinary keys too", () => {
    const out = redact({ message: `used key ${STRIPE_SECRET} for this`, list: [`token ${PAYPAL_TOKEN}`] })
    expect(JSON.stringify(out)).not.toContain(STRIPE_SECRET)
    expect(JSON.stringify(out)).not.toContain(PAYPAL_TOKEN)
    expect(out.message).toBe(`used key sk_test_${REDACTED} for this`)
  })

  it("passes primitives through, and scrubs a bare string", () => {
    expect(redact(42)).toBe(42)
    expect(redact(null)).toBeNull()
    expect(redact(undefined)).toBeUndefined()
    expect(redact(true)).toBe(true)
    expect(redact(`Bearer ${BEARER_TOKEN}`)).toBe(`Bearer ${REDACTED}`)
  })

  it("keeps Date values", () => {
    const when = new Date("2024-01-02T03:04:05.000Z")
    const out = redact({ when })
    expect(out.when).toBeInstanceOf(Date)
    expect(out.when.toISOString()).toBe("2024-01-02T03:04:05.000Z")
  })

  it("does not blow up on circular references and marks them", () => {
    const node: Record<string, unknown> = { name: "root", password: "p4ss-word" }
    node.self = node
    const list: unknown[] = ["item"]
    list.push(list)
    node.list = list
    const out = redact(node) as Record<string, unknown>
    expect(out.name).toBe("root")
    expect(out.password).toBe(REDACTED)
    expect(out.self).toBe("[Circular]")
    expect(out.list).toEqual(["item", "[Circular]"])
    expect(() => JSON.stringify(out)).not.toThrow()
  })

  it("returns a copy and never mutates its input", () => {
    const input = {
      password: "p4ss-word",
      nested: { apiKey: "plain-key", note: `see ${STRIPE_SECRET}` },
      list: [{ cvc: "999" }],
    }
    const before = JSON.parse(JSON.stringify(input))
    const out = redact(input)
    expect(input).toEqual(before)
    expect(out).not.toBe(input)
    expect(out.nested).not.toBe(input.nested)
    expect(out.list).not.toBe(input.list)
  })

  it("redacts headers by name, case-insensitively, including multi-valued ones", () => {
    const headers = {
      Authorization: `Basic ${BASIC_CREDENTIAL}`,
      "set-cookie": ["session=abc123; HttpOnly", "other=def456"],
      "Content-Type": "application/json",
      "X-Trace": undefined,
    }
    expect(redactHeaders(headers)).toEqual({
      Authorization: REDACTED,
      "set-cookie": REDACTED,
      "Content-Type": "application/json",
      "X-Trace": undefined,
    })
    expect(redactHeaders({ "X-Merchant-Token": "tok-123456" }, ["x-merchant-token"])).toEqual({
      "X-Merchant-Token": REDACTED,
    })
  })
})

describe("redactText (shape-based)", () => {
  it("keeps the Stripe key prefix (mode and kind) and drops the rest", () => {
    expect(redactText(`key=${STRIPE_SECRET}`)).toBe(`key=sk_test_${REDACTED}`)
    expect(redactText(STRIPE_LIVE_SECRET)).toBe(`sk_live_${REDACTED}`)
    expect(redactText(`restricted ${STRIPE_RESTRICTED}.`)).toBe(`restricted rk_live_${REDACTED}.`)
  })

  it("scrubs webhook signing secrets", () => {
    expect(redactText(`secret: ${WEBHOOK_SECRET}`)).toBe(`secret: whsec_${REDACTED}`)
  })

  it("scrubs the secret half of PaymentIntent and SetupIntent client secrets, keeping the intent id", () => {
    expect(redactText(`client_secret=${CLIENT_SECRET}&x=1`)).toBe(`client_secret=${PI_ID}_secret_${REDACTED}&x=1`)
    const seti = redactText(SETI_CLIENT_SECRET)
    expect(seti).not.toContain("Jkl4Mno5Pqr6")
    expect(seti).toContain(REDACTED)
  })

  it("scrubs Bearer and Basic credentials and keeps the scheme", () => {
    expect(redactText(`Authorization: Bearer ${BEARER_TOKEN}`)).toBe(`Authorization: Bearer ${REDACTED}`)
    expect(redactText(`Authorization: Basic ${BASIC_CREDENTIAL}`)).toBe(`Authorization: Basic ${REDACTED}`)
  })

  it("scrubs PayPal access tokens", () => {
    const out = redactText(`{"access_token":"${PAYPAL_TOKEN}","token_type":"Bearer"}`)
    expect(out).toBe(`{"access_token":"${REDACTED}","token_type":"Bearer"}`)
  })

  it.each([
    ["Visa, no separators", VISA],
    ["Visa, spaces", grouped(VISA, [4, 4, 4, 4], " ")],
    ["Visa, dashes", grouped(VISA, [4, 4, 4, 4], "-")],
    ["Mastercard", MASTERCARD],
    ["Mastercard, spaces", grouped(MASTERCARD, [4, 4, 4, 4], " ")],
    ["Amex", AMEX],
    ["Amex, 4-6-5 spaces", grouped(AMEX, [4, 6, 5], " ")],
  ])("scrubs a Luhn-valid card number (%s)", (_label, card) => {
    const out = redactText(`paid with ${card} today`)
    expect(out).toBe(`paid with ${REDACTED} today`)
  })

  it("scrubs a card number in JSON", () => {
    expect(redactText(JSON.stringify({ number: VISA, exp: "12/34" }))).toBe(
      JSON.stringify({ number: REDACTED, exp: "12/34" })
    )
  })

  it("leaves Luhn-invalid digit runs alone", () => {
    expect(isLuhnValid(VISA_BAD_CHECK)).toBe(false)
    const text = `order ${VISA_BAD_CHECK} and ${grouped(VISA_BAD_CHECK, [4, 4, 4, 4], " ")}`
    expect(redactText(text)).toBe(text)
  })

  it("leaves millisecond timestamps alone even when they pass Luhn", () => {
    expect(isLuhnValid(LUHN_VALID_MS_TIMESTAMP)).toBe(true)
    const text = `{"created":${LUHN_VALID_MS_TIMESTAMP}}`
    expect(redactText(text)).toBe(text)
  })

  it("leaves 10-digit unix timestamps, amounts and ordinary ids alone", () => {
    const text = 'created 1700000000 amount 1050 id "ord_01HXYZ" total 12345678.91 rate 0.' + "42".repeat(8)
    expect(redactText(text)).toBe(text)
  })

  it("returns plain text unchanged", () => {
    const text = "The card was declined (card_declined). Bearer tokens expire; see sk_ docs."
    expect(redactText(text)).toBe(text)
  })

  // redactText skips a text that cannot hold any shape (no underscore, space, PayPal token
  // prefix or 13 digits): each secret alone, with none of the others' marks, is still scrubbed.
  it("scrubs each secret standing alone, without a space or an underscore around it", () => {
    const token = "A21" + "AA" + "Fq9-zLmQ".repeat(4)
    expect(redactText(token)).toBe(REDACTED)
    expect(redactText(VISA)).toBe(REDACTED)
    expect(redactText(grouped(VISA, [4, 4, 4, 4], "-"))).toBe(REDACTED)
    expect(redactText(`(${AMEX})`)).toBe(`(${REDACTED})`)
    expect(redactText(`Bearer\t${BEARER_TOKEN}`)).toBe(`Bearer ${REDACTED}`)
    expect(redactText(`key:${STRIPE_SECRET}`)).toBe(`key:sk_test_${REDACTED}`)
    for (const text of ["PAYER-ACTION-REQUIRED", "8RU61172JS455403V", "2026-12-01T12:00:00Z", "120.00", "123456789012"]) {
      expect(redactText(text)).toBe(text)
    }
  })

  it("scrubs several different secrets in one text", () => {
    const text = `${STRIPE_SECRET} ${WEBHOOK_SECRET} ${CLIENT_SECRET} Bearer ${BEARER_TOKEN} ${PAYPAL_TOKEN} ${VISA}`
    const out = redactText(text)
    for (const secret of [STRIPE_SECRET, WEBHOOK_SECRET, PI_SECRET_PART, BEARER_TOKEN, PAYPAL_TOKEN, VISA]) {
      expect(out).not.toContain(secret)
    }
  })
})

describe("findSecrets", () => {
  it("reports each secret's kind and position", () => {
    const text = `a ${STRIPE_SECRET} b ${WEBHOOK_SECRET} c ${CLIENT_SECRET} d Bearer ${BEARER_TOKEN} e ${PAYPAL_TOKEN} f ${VISA}`
    const findings = findSecrets(text)
    expect(findings.map((f) => f.kind).sort()).toEqual(
      [
        "Stripe secret or restricted key",
        "webhook signing secret",
        "client secret",
        "bearer or basic credential",
        "PayPal access token",
        "card number",
      ].sort()
    )
    const byKind = Object.fromEntries(findings.map((f) => [f.kind, f]))
    expect(byKind["Stripe secret or restricted key"].index).toBe(text.indexOf(STRIPE_SECRET))
    expect(byKind["webhook signing secret"].index).toBe(text.indexOf(WEBHOOK_SECRET))
    expect(byKind["card number"].index).toBe(text.indexOf(VISA))
    expect(byKind["PayPal access token"].index).toBe(text.indexOf(PAYPAL_TOKEN))
  })

  it("gives previews that are masked and never contain the secret", () => {
    const secrets = [STRIPE_SECRET, WEBHOOK_SECRET, CLIENT_SECRET, `Bearer ${BEARER_TOKEN}`, PAYPAL_TOKEN, VISA, AMEX]
    const findings = findSecrets(secrets.join("\n"))
    expect(findings).toHaveLength(secrets.length)
    for (const finding of findings) {
      expect(finding.preview).toContain("*")
      for (const secret of secrets) {
        expect(finding.preview).not.toContain(secret)
      }
      // at most the first four and the last two characters are shown
      expect(finding.preview.replace(/\*/g, "").length).toBeLessThanOrEqual(6)
    }
    expect(findings.find((f) => f.kind === "card number" && f.index === secrets.join("\n").indexOf(VISA))?.preview).toBe(
      "4242" + "*".repeat(10) + "42"
    )
  })

  it("finds nothing in harmless text, Luhn-invalid numbers and timestamps", () => {
    expect(findSecrets(`order ${VISA_BAD_CHECK} at ${LUHN_VALID_MS_TIMESTAMP} (unix 1700000000)`)).toEqual([])
    expect(findSecrets("")).toEqual([])
  })

  it("agrees with redactText: what it finds, redactText removes", () => {
    const text = `x ${STRIPE_RESTRICTED} y ${grouped(MASTERCARD, [4, 4, 4, 4], "-")} z`
    expect(findSecrets(text)).toHaveLength(2)
    expect(findSecrets(redactText(text))).toEqual([])
  })
})

// The tests below describe behaviour redact.ts should have and does not yet (see the report).
describe("redact.ts regressions found in review", () => {
  it("scrubs a card number followed by a space-separated CVC or other number", () => {
    // The card pattern greedily takes up to 19 digits across separators, so "4242 ... 4242 123" is
    // one 19-digit candidate; it fails Luhn and the real card number inside it is left in the text.
    const card = grouped(VISA, [4, 4, 4, 4], " ")
    const out = redactText(`card ${card} 123`)
    expect(out).not.toContain(card)
    expect(findSecrets(`card ${card} 123`).map((f) => f.kind)).toContain("card number")
  })

  it("scrubs a card number preceded by a space-separated digit", () => {
    const card = grouped(VISA, [4, 4, 4, 4], " ")
    expect(redactText(`qty 2 ${card}`)).not.toContain(card)
  })

  it("redacts a CVC under a form-encoded key such as card[cvc], as it already does for card[number]", () => {
    // Stripe-style form bodies (URLSearchParams, logged by http.ts via Object.fromEntries) use bracketed keys.
    expect(redact({ "card[number]": VISA, "card[cvc]": "123", "payment_method_data[card][cvc]": "456" })).toEqual({
      "card[number]": REDACTED,
      "card[cvc]": REDACTED,
      "payment_method_data[card][cvc]": REDACTED,
    })
  })

  it("copies an object referenced twice (without a cycle) in both places instead of calling it circular", () => {
    const address = { city: "Paris" }
    expect(redact({ billing: address, shipping: address })).toEqual({ billing: address, shipping: address })
  })
})

describe("redactForLog: secrets and personal data", () => {
  /** Every leaf of a JSON value with its path ("billing_details.address.line1"). */
  function leaves(value: unknown, path = ""): Array<[string, unknown]> {
    if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, `${path}[${i}]`))
    if (value !== null && typeof value === "object") {
      return Object.entries(value).flatMap(([key, item]) => leaves(item, path ? `${path}.${key}` : key))
    }
    return [[path, value]]
  }

  function isUnder(path: string, prefixes: readonly string[]): boolean {
    const generic = path.replace(/\[\d+\]/g, "[]")
    return prefixes.some((p) => generic === p || generic.startsWith(`${p}.`) || generic.startsWith(`${p}[`))
  }

  /** The value at a path, or REDACTED when it or one of its ancestors was replaced. */
  function valueAt(value: unknown, path: string): unknown {
    let current = value
    for (const part of path.match(/[^.[\]]+/g) ?? []) {
      if (current === REDACTED) return REDACTED
      if (current === null || typeof current !== "object") return undefined
      current = (current as Record<string, unknown>)[part]
    }
    return current
  }

  /** Leaves under a personal prefix that survived, and other leaves that did not survive unchanged. */
  function personalLeft(original: unknown, redacted: unknown, personal: readonly string[]) {
    const leaked: string[] = []
    const altered: string[] = []
    for (const [path, value] of leaves(original)) {
      if (value === null || value === "") continue
      const shown = valueAt(redacted, path)
      if (isUnder(path, personal)) {
        if (shown !== REDACTED) leaked.push(`${path} = ${JSON.stringify(shown)}`)
      } else if (shown !== value) {
        altered.push(`${path}: ${JSON.stringify(value)} became ${JSON.stringify(shown)}`)
      }
    }
    return { leaked, altered }
  }

  describe("Stripe's shapes (stripe-mock fixtures3.json, with the personal fields it leaves null filled in)", () => {
    const address = {
      city: "Taipei City",
      country: "TW",
      line1: "No. 7, Section 5, Xinyi Road",
      line2: "Floor 12",
      postal_code: "11049",
      state: "Xinyi District",
    }
    // Stripe's `shipping` (payment_intent, charge, customer): address, carrier, name, phone, tracking_number
    const shipping = {
      address,
      carrier: "Chunghwa Post",
      name: "Lin Mei-Hua",
      phone: "+886 2 2720 8889",
      tracking_number: "RR123456785TW",
    }
    const billing = { address, email: "meihua.lin@example.org", name: "Lin Mei-Hua", phone: "+886 912 345 678", tax_id: "04595257" }
    const { stripe } = shapes
    const resources = {
      payment_intent: {
        value: {
          ...stripe.payment_intent,
          client_secret: CLIENT_SECRET,
          customer: "cus_QXg1o8vcGmoR32",
          receipt_email: "meihua.lin@example.org",
          shipping,
        },
        personal: ["client_secret", "receipt_email", "shipping.address", "shipping.name", "shipping.phone", "shipping.tracking_number"],
      },
      charge: {
        value: {
          ...stripe.charge,
          billing_details: billing,
          receipt_email: "meihua.lin@example.org",
          shipping,
          source: {
            ...stripe.charge.source,
            owner: {
              address,
              email: "meihua.lin@example.org",
              name: "Lin Mei-Hua",
              phone: "+886 912 345 678",
              verified_address: address,
              verified_email: "meihua.lin@example.org",
              verified_name: "LIN MEI HUA",
              verified_phone: "+886 912 345 678",
            },
          },
        },
        personal: [
          "billing_details",
          "payment_method_details.card.exp_month",
          "payment_method_details.card.exp_year",
          "receipt_email",
          "shipping.address",
          "shipping.name",
          "shipping.phone",
          "shipping.tracking_number",
          "source.client_secret",
          "source.owner.address",
          "source.owner.email",
          "source.owner.name",
          "source.owner.phone",
          "source.owner.verified_address",
          "source.owner.verified_email",
          "source.owner.verified_name",
          "source.owner.verified_phone",
        ],
      },
      customer: {
        value: {
          ...stripe.customer,
          address,
          email: "meihua.lin@example.org",
          name: "Lin Mei-Hua",
          phone: "+886 912 345 678",
          shipping,
        },
        personal: ["address", "email", "name", "phone", "shipping.address", "shipping.name", "shipping.phone", "shipping.tracking_number"],
      },
      payment_method: {
        value: { ...stripe.payment_method, billing_details: { ...billing, name: "Lin Mei-Hua" }, customer: "cus_QXg1o8vcGmoR32" },
        personal: ["billing_details", "card.exp_month", "card.exp_year"],
      },
      checkout_session: {
        value: {
          ...stripe.checkout_session,
          customer_email: "meihua.lin@example.org",
          customer_details: {
            ...stripe.checkout_session.customer_details,
            address,
            name: "Lin Mei-Hua",
            phone: "+886 912 345 678",
            tax_ids: [{ type: "tw_vat", value: "04595257" }],
            business_name: "Mei-Hua Tea House",
            individual_name: "Lin Mei-Hua",
          },
          collected_information: {
            ...stripe.checkout_session.collected_information,
            shipping_details: { address, name: "Lin Mei-Hua" },
            business_name: "Mei-Hua Tea House",
            individual_name: "Lin Mei-Hua",
          },
        },
        personal: [
          "customer_email",
          "customer_details.address",
          "customer_details.email",
          "customer_details.name",
          "customer_details.phone",
          "customer_details.tax_ids",
          "customer_details.business_name",
          "customer_details.individual_name",
          "collected_information.shipping_details",
          "collected_information.business_name",
          "collected_information.individual_name",
        ],
      },
    }

    it.each(Object.entries(resources))("%s: no personal value survives, every id, amount and status does", (_name, { value, personal }) => {
      const out = redactForLog(value)
      expect(personalLeft(value, out, personal)).toEqual({ leaked: [], altered: [] })
      const text = JSON.stringify(out)
      for (const personalValue of ["Lin Mei-Hua", "meihua.lin@example.org", "No. 7, Section 5, Xinyi Road", "11049", "+886 912 345 678", "RR123456785TW", "04595257", PI_SECRET_PART]) {
        expect(text).not.toContain(personalValue)
      }
      expect(out.id).toBe(value.id)
      expect(out.object).toBe(value.object)
      expect(text).toContain(`"id":"${value.id}"`)
    })

    it("keeps the amounts, statuses and card facts a payment log is read for", () => {
      const pi = redactForLog(resources.payment_intent.value)
      expect([pi.amount, pi.currency, pi.status, pi.capture_method, pi.customer]).toEqual([1099, "usd", "requires_payment_method", "automatic", "cus_QXg1o8vcGmoR32"])
      const charge = redactForLog(resources.charge.value)
      expect([charge.amount, charge.paid, charge.status, charge.balance_transaction]).toEqual([100, true, "succeeded", "txn_1PgaxNB7WZ01zgkWEV3TLf40"])
      const card = charge.payment_method_details.card
      expect([card.brand, card.last4, card.country, card.fingerprint, card.checks.cvc_check]).toEqual(["visa", "4242", "US", "AOB934RVNwzk6xtn", "pass"])
      expect([card.exp_month, card.exp_year]).toEqual([REDACTED, REDACTED])
      expect(charge.shipping.carrier).toBe("Chunghwa Post")
      const session = redactForLog(resources.checkout_session.value)
      expect([session.amount_total, session.payment_status, session.customer_details.tax_exempt, session.shipping_cost.amount_total]).toEqual([
        stripe.checkout_session.amount_total,
        stripe.checkout_session.payment_status,
        "none",
        stripe.checkout_session.shipping_cost.amount_total,
      ])
    })
  })

  describe("ECPay's payment notification (https://developers.ecpay.com.tw/?p=2878, with the additional parameters of ?p=16562)", () => {
    it("drops the card's first six digits and the payer's bank account, keeps the trade, the session id and the last four digits", () => {
      const notification = {
        MerchantID: "3002607",
        MerchantTradeNo: "pay1042x7k2",
        StoreID: "",
        RtnCode: "1",
        RtnMsg: "交易成功",
        TradeNo: "2611201000005678",
        TradeAmt: "1050",
        PaymentDate: "2026/11/20 10:01:30",
        PaymentType: "Credit_CreditCard",
        PaymentTypeChargeFee: "21",
        TradeDate: "2026/11/20 10:00:00",
        SimulatePaid: "0",
        CustomField1: "payses_01JD4K7R9",
        card4no: "2222",
        card6no: "431195",
        auth_code: "777777",
        gwsr: "11718189",
        WebATMAccBank: "812",
        WebATMAccNo: "80213",
        WebATMBankName: "TAISHIN",
        ATMAccBank: "005",
        ATMAccNo: "51234",
        PaymentNo: "LLL19336898591",
        CheckMacValue: "6A8B31B7C2F04D0E9A1F5C3D2E7B8A90C1D2E3F405162738495A6B7C8D9E0F12",
      }
      expect(redactForLog(notification)).toEqual({
        ...notification,
        card6no: REDACTED,
        WebATMAccBank: REDACTED,
        WebATMAccNo: REDACTED,
        WebATMBankName: REDACTED,
        ATMAccBank: REDACTED,
        ATMAccNo: REDACTED,
      })
    })
  })

  describe("keys that are personal only inside some objects", () => {
    it("drops a name under a card, payer, shipping, customer or billing details, not an error's, an item's or a product's name", () => {
      const out = redactForLog({
        name: "UNPROCESSABLE_ENTITY",
        details: [{ issue: "INSTRUMENT_DECLINED", field: "/payment_source/card/name" }],
        payment_source: { card: { name: "M OKONKWO", last_digits: "7704", brand: "VISA" } },
        payer: { name: { given_name: "Marguerite" }, payer_id: "QYR5Z8XDVJNXQ" },
        purchase_units: [
          {
            reference_id: "default",
            items: [{ name: "Linen shirt", sku: "SHIRT-LIN-M" }],
            shipping: { name: { full_name: "Marguerite Okonkwo" }, options: [{ id: "SHIP_STANDARD", label: "Standard" }] },
            amount: { currency_code: "USD", value: "110.00", breakdown: { shipping: { currency_code: "USD", value: "15.00" } } },
          },
        ],
        experience_context: { brand_name: "EXAMPLE INC" },
        product: { object: "product", name: "Linen shirt" },
        display_name: "Express shipping",
      })
      expect(out).toEqual({
        name: "UNPROCESSABLE_ENTITY",
        details: [{ issue: "INSTRUMENT_DECLINED", field: "/payment_source/card/name" }],
        payment_source: { card: { name: REDACTED, last_digits: "7704", brand: "VISA" } },
        payer: { name: REDACTED, payer_id: "QYR5Z8XDVJNXQ" },
        purchase_units: [
          {
            reference_id: "default",
            items: [{ name: "Linen shirt", sku: "SHIRT-LIN-M" }],
            shipping: { name: REDACTED, options: [{ id: "SHIP_STANDARD", label: "Standard" }] },
            // a shipping *amount* is not a shipping address
            amount: { currency_code: "USD", value: "110.00", breakdown: { shipping: { currency_code: "USD", value: "15.00" } } },
          },
        ],
        experience_context: { brand_name: "EXAMPLE INC" },
        product: { object: "product", name: "Linen shirt" },
        display_name: "Express shipping",
      })
    })

    it("reads Stripe's `object` as the kind of an object wherever it sits, so a customer's name goes at the top level too", () => {
      expect(redactForLog({ object: "customer", id: "cus_1", name: "Lin Mei-Hua", description: "VIP" })).toEqual({
        object: "customer",
        id: "cus_1",
        name: REDACTED,
        description: "VIP",
      })
      expect(redactForLog({ object: "list", data: [{ object: "customer", id: "cus_1", name: "Lin Mei-Hua" }] })).toEqual({
        object: "list",
        data: [{ object: "customer", id: "cus_1", name: REDACTED }],
      })
      // an unexpanded customer is its id
      expect(redactForLog({ customer: "cus_1", amount: 100 })).toEqual({ customer: "cus_1", amount: 100 })
    })

    it("reads form-encoded keys segment by segment, with each segment's parent", () => {
      expect(
        redactForLog({
          "billing_details[name]": "Lin Mei-Hua",
          "payment_method_data[billing_details][email]": "meihua.lin@example.org",
          "shipping[address][line1]": "No. 7, Section 5, Xinyi Road",
          "shipping[name]": "Lin Mei-Hua",
          "shipping[carrier]": "Chunghwa Post",
          receipt_email: "meihua.lin@example.org",
          "line_items[0][price_data][product_data][name]": "Linen shirt",
          "metadata[order_id]": "order_1042",
          amount: "1050",
        })
      ).toEqual({
        "billing_details[name]": REDACTED,
        "payment_method_data[billing_details][email]": REDACTED,
        "shipping[address][line1]": REDACTED,
        "shipping[name]": REDACTED,
        "shipping[carrier]": "Chunghwa Post",
        receipt_email: REDACTED,
        "line_items[0][price_data][product_data][name]": "Linen shirt",
        "metadata[order_id]": "order_1042",
        amount: "1050",
      })
    })
  })

  it("takes the kinds of a top-level body from its path: a customer posted to /v1/customers has a person's name", () => {
    expect(kindsOfPath("/v1/customers/cus_1?expand[]=sources")).toEqual(["v1", "customers", "customer", "cus1"])
    // Stripe's create-customer parameters, as the Stripe provider sends them (buildCustomerParams)
    const body = { name: "Ada Lovelace", email: "ada@example.com", metadata: { medusa_customer_id: "cus_01JD" } }
    expect(redactForLog(body, { kinds: kindsOfPath("/v1/customers") })).toEqual({
      name: REDACTED,
      email: REDACTED,
      metadata: { medusa_customer_id: "cus_01JD" },
    })
    // a product's name is not a person's
    expect(redactForLog({ name: "Linen shirt" }, { kinds: kindsOfPath("/v1/products") })).toEqual({ name: "Linen shirt" })
  })

  it("still applies the secrets redaction and the caller's extra keys", () => {
    const out = redactForLog({ client_secret: CLIENT_SECRET, note: `key ${STRIPE_SECRET}`, merchant_pin: "9876", amount: 5 }, { extraKeys: ["merchantPin"] })
    expect(out).toEqual({ client_secret: REDACTED, note: `key sk_test_${REDACTED}`, merchant_pin: REDACTED, amount: 5 })
  })

  it("keeps empty and null personal values, so their absence stays visible", () => {
    expect(redactForLog({ email: "", name: null, phone: undefined, object: "customer" })).toEqual({
      email: "",
      name: null,
      phone: undefined,
      object: "customer",
    })
  })

  it("can put another marker in place of personal data (the fixture recorder's wildcard), secrets keep theirs", () => {
    expect(redactForLog({ email: "meihua.lin@example.org", api_key: "plain-key", amount: 5 }, { personalReplacement: "{{*}}" })).toEqual({
      email: "{{*}}",
      api_key: REDACTED,
      amount: 5,
    })
  })

  it("leaves redact() as it was: secrets only", () => {
    expect(redact({ email: "meihua.lin@example.org", password: "hunter2-plain" })).toEqual({ email: "meihua.lin@example.org", password: REDACTED })
  })

  it("returns a copy and never mutates its input", () => {
    const input = { payer: { name: { given_name: "Marguerite" }, email_address: "m@example.net" }, id: "5O190127TN364715T" }
    const before = JSON.parse(JSON.stringify(input))
    const out = redactForLog(input)
    expect(input).toEqual(before)
    expect(out).not.toBe(input)
    expect(out.payer).toEqual({ name: REDACTED, email_address: REDACTED })
  })
})
