import { deriveKey, digest, hmac, isWithinTolerance, safeEqual, verifyHmac } from "../signatures"

// RFC 4231 test case 2 / RFC 2202 test case 2: key "Jefe", data "what do ya want for nothing?"
const KEY = "Jefe"
const DATA = "what do ya want for nothing?"
const RFC4231_TC2_SHA256 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
const RFC4231_TC2_SHA512 =
  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
const RFC2202_TC2_SHA1 = "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
const RFC2202_TC2_MD5 = "750c783e6ab0b503eaa86e310a5db738"

describe("hmac", () => {
  it("matches RFC 4231 test case 2 for HMAC-SHA256, hex by default", () => {
    expect(hmac("sha256", KEY, DATA)).toBe(RFC4231_TC2_SHA256)
  })

  it("matches the RFC vectors for SHA-512, SHA-1 and MD5", () => {
    expect(hmac("sha512", KEY, DATA)).toBe(RFC4231_TC2_SHA512)
    expect(hmac("sha1", KEY, DATA)).toBe(RFC2202_TC2_SHA1)
    expect(hmac("md5", KEY, DATA)).toBe(RFC2202_TC2_MD5)
  })

  it("encodes as base64 and base64url on request (same bytes as the hex vector)", () => {
    const bytes = Buffer.from(RFC4231_TC2_SHA256, "hex")
    expect(hmac("sha256", KEY, DATA, "base64")).toBe(bytes.toString("base64"))
    expect(hmac("sha256", KEY, DATA, "base64url")).toBe(bytes.toString("base64url"))
  })

  it("accepts Buffer keys and payloads", () => {
    expect(hmac("sha256", Buffer.from(KEY), Buffer.from(DATA))).toBe(RFC4231_TC2_SHA256)
  })

  it("changes with the key and with the payload", () => {
    expect(hmac("sha256", "jefe", DATA)).not.toBe(RFC4231_TC2_SHA256)
    expect(hmac("sha256", KEY, DATA + " ")).not.toBe(RFC4231_TC2_SHA256)
  })
})

describe("digest", () => {
  // FIPS 180-2 / RFC 1321 examples
  it("matches the published digests of 'abc'", () => {
    expect(digest("sha256", "abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(digest("sha1", "abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d")
    expect(digest("md5", "abc")).toBe("900150983cd24fb0d6963f7d28e17f72")
    expect(digest("sha512", "abc")).toBe(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    )
  })

  it("matches the published SHA-256 of the empty string", () => {
    expect(digest("sha256", "")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  })

  it("encodes as base64 on request", () => {
    expect(digest("sha256", Buffer.from("abc"), "base64")).toBe(
      Buffer.from("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "hex").toString("base64")
    )
  })
})

describe("safeEqual", () => {
  it("is true for equal strings", () => {
    expect(safeEqual(RFC4231_TC2_SHA256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")).toBe(true)
  })

  it("is false for different strings of the same length", () => {
    expect(safeEqual("abcdef", "abcdeg")).toBe(false)
    expect(safeEqual("Abcdef", "abcdef")).toBe(false)
  })

  it("is false (and does not throw) for strings of different lengths", () => {
    expect(() => safeEqual("abc", "abcd")).not.toThrow()
    expect(safeEqual("abc", "abcd")).toBe(false)
    expect(safeEqual(RFC4231_TC2_SHA256, RFC4231_TC2_SHA256.slice(0, -1))).toBe(false)
  })

  it("never treats two empty values as a match, so an empty signature cannot verify", () => {
    expect(safeEqual("", "")).toBe(false)
    expect(safeEqual(Buffer.alloc(0), Buffer.alloc(0))).toBe(false)
  })

  it("is false when either side is null or undefined", () => {
    expect(safeEqual(null, "abc")).toBe(false)
    expect(safeEqual("abc", undefined)).toBe(false)
    expect(safeEqual(undefined, undefined)).toBe(false)
    expect(safeEqual(null, null)).toBe(false)
  })

  it("compares Buffers by content, and a Buffer with a string by its UTF-8 bytes", () => {
    expect(safeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3]))).toBe(true)
    expect(safeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4]))).toBe(false)
    expect(safeEqual(Buffer.from("héllo", "utf8"), "héllo")).toBe(true)
  })

  it("compares bytes, so differently-normalized Unicode is not equal", () => {
    expect(safeEqual("\u00e9", "e\u0301")).toBe(false)
  })
})

describe("verifyHmac", () => {
  it("accepts when any one of several candidates is the right signature", () => {
    const wrong = "0".repeat(64)
    expect(verifyHmac("sha256", KEY, DATA, [wrong, RFC4231_TC2_SHA256])).toBe(true)
    expect(verifyHmac("sha256", KEY, DATA, [RFC4231_TC2_SHA256, wrong])).toBe(true)
    expect(verifyHmac("sha256", KEY, DATA, ["short", wrong, RFC4231_TC2_SHA256, ""])).toBe(true)
  })

  it("rejects when no candidate matches, or there are none", () => {
    expect(verifyHmac("sha256", KEY, DATA, ["0".repeat(64), "f".repeat(64)])).toBe(false)
    expect(verifyHmac("sha256", KEY, DATA, [])).toBe(false)
  })

  it("rejects the right signature over a different payload or with a different key", () => {
    expect(verifyHmac("sha256", KEY, DATA + "!", [RFC4231_TC2_SHA256])).toBe(false)
    expect(verifyHmac("sha256", "Jeff", DATA, [RFC4231_TC2_SHA256])).toBe(false)
  })

  it("compares in the requested encoding", () => {
    const base64 = Buffer.from(RFC4231_TC2_SHA256, "hex").toString("base64")
    expect(verifyHmac("sha256", KEY, DATA, [base64], "base64")).toBe(true)
    expect(verifyHmac("sha256", KEY, DATA, [base64])).toBe(false) // hex expected by default
    expect(verifyHmac("sha1", KEY, Buffer.from(DATA), [RFC2202_TC2_SHA1], "hex")).toBe(true)
  })
})

describe("isWithinTolerance", () => {
  const NOW_MS = 1_700_000_000_000
  const NOW_S = 1_700_000_000

  it("accepts a timestamp inside the tolerance, in the past or the future", () => {
    expect(isWithinTolerance(NOW_S, 300, NOW_MS)).toBe(true)
    expect(isWithinTolerance(NOW_S - 299, 300, NOW_MS)).toBe(true)
    expect(isWithinTolerance(NOW_S + 299, 300, NOW_MS)).toBe(true)
  })

  it("accepts a timestamp exactly at the tolerance (inclusive boundary)", () => {
    expect(isWithinTolerance(NOW_S - 300, 300, NOW_MS)).toBe(true)
    expect(isWithinTolerance(NOW_S + 300, 300, NOW_MS)).toBe(true)
  })

  it("rejects a timestamp too old or too far in the future", () => {
    expect(isWithinTolerance(NOW_S - 301, 300, NOW_MS)).toBe(false)
    expect(isWithinTolerance(NOW_S + 301, 300, NOW_MS)).toBe(false)
  })

  it("uses the milliseconds of now, not a rounded second", () => {
    // now is 0.5 s past NOW_S: 300 s after NOW_S is 299.5 s away, 300 s before is 300.5 s away
    expect(isWithinTolerance(NOW_S + 300, 300, NOW_MS + 500)).toBe(true)
    expect(isWithinTolerance(NOW_S - 300, 300, NOW_MS + 500)).toBe(false)
  })

  it("with a tolerance of 0 accepts only the current second exactly", () => {
    expect(isWithinTolerance(NOW_S, 0, NOW_MS)).toBe(true)
    expect(isWithinTolerance(NOW_S - 1, 0, NOW_MS)).toBe(false)
  })

  it("rejects NaN and infinite timestamps or tolerances, and negative tolerances", () => {
    expect(isWithinTolerance(Number.NaN, 300, NOW_MS)).toBe(false)
    expect(isWithinTolerance(Number.POSITIVE_INFINITY, 300, NOW_MS)).toBe(false)
    expect(isWithinTolerance(NOW_S, Number.NaN, NOW_MS)).toBe(false)
    expect(isWithinTolerance(NOW_S, Number.POSITIVE_INFINITY, NOW_MS)).toBe(false)
    expect(isWithinTolerance(NOW_S, -1, NOW_MS)).toBe(false)
    expect(isWithinTolerance(Number("not a number"), 300, NOW_MS)).toBe(false)
  })

  it("rejects a timestamp sent in milliseconds by mistake", () => {
    expect(isWithinTolerance(NOW_MS, 300, NOW_MS)).toBe(false)
  })

  it("defaults to the real clock", () => {
    const realNowSeconds = Math.floor(Date.now() / 1000)
    expect(isWithinTolerance(realNowSeconds, 3600)).toBe(true)
    expect(isWithinTolerance(realNowSeconds - 100_000, 3600)).toBe(false)
  })
})

describe("deriveKey", () => {
  it("is a 40-character lower-case hex string", () => {
    expect(deriveKey("capture", "pay_123", 1050)).toMatch(/^[0-9a-f]{40}$/)
    expect(deriveKey()).toMatch(/^[0-9a-f]{40}$/)
  })

  it("is stable: the same parts give the same key", () => {
    expect(deriveKey("refund", "pay_123", 500)).toBe(deriveKey("refund", "pay_123", 500))
  })

  it("changes when any single part changes", () => {
    const base = deriveKey("refund", "pay_123", 500)
    expect(deriveKey("capture", "pay_123", 500)).not.toBe(base)
    expect(deriveKey("refund", "pay_124", 500)).not.toBe(base)
    expect(deriveKey("refund", "pay_123", 501)).not.toBe(base)
    expect(deriveKey("refund", "pay_123", 500, "extra")).not.toBe(base)
  })

  it("depends on the order of the parts", () => {
    expect(deriveKey("a", "b")).not.toBe(deriveKey("b", "a"))
  })

  it("keeps part boundaries: ('ab', 'c') and ('a', 'bc') differ from each other and from ('abc')", () => {
    expect(deriveKey("ab", "c")).not.toBe(deriveKey("a", "bc"))
    expect(deriveKey("ab", "c")).not.toBe(deriveKey("abc"))
    expect(deriveKey("a", "")).not.toBe(deriveKey("a"))
  })

  it("treats null and undefined parts as empty, keeping their position", () => {
    expect(deriveKey("a", undefined, "b")).toBe(deriveKey("a", null, "b"))
    expect(deriveKey("a", undefined, "b")).toBe(deriveKey("a", "", "b"))
    expect(deriveKey("a", undefined, "b")).not.toBe(deriveKey("a", "b"))
  })
})
