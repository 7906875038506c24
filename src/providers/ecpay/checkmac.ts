/**
 * ECPay's CheckMacValue: the signature on every form the store sends to ECPay and on
 * every answer and notification ECPay sends back. Pure: no I/O, no clock.
 *
 * The algorithm, from ECPay's "附錄 / 檢查碼機制" (https://developers.ecpay.com.tw/?p=2902,
 * English https://developers.ecpay.com.tw/?p=16623) and its official PHP SDK
 * (ECPay/SDK_PHP `CheckMacValueService`, `UrlService::ecpayUrlEncode`):
 * 1. drop `CheckMacValue`, sort the parameters by name, A to Z, case-insensitively
 *    (PHP `strcasecmp`), and join them as `name=value` with `&`;
 * 2. put `HashKey=<key>&` in front and `&HashIV=<iv>` at the end;
 * 3. URL-encode the whole string the way PHP's `urlencode` does (RFC 1866: letters,
 *    digits and `-_.` stay, a space becomes `+`, everything else `%XX`);
 * 4. lower-case the whole string;
 * 5. restore the characters .NET's encoder leaves alone (ECPay's servers run .NET):
 *    `%2d`→`-`, `%5f`→`_`, `%2e`→`.`, `%21`→`!`, `%2a`→`*`, `%28`→`(`, `%29`→`)`;
 * 6. SHA-256 (EncryptType=1; MD5 for the legacy EncryptType=0), hex, upper-cased.
 */
import { digest, safeEqual } from "../../lib/payments/signatures"

export type EcpayHashAlgorithm = "sha256" | "md5"

/** .NET leaves these unencoded; PHP encodes them. ECPay's table restores them. */
const DOTNET_RESTORED: ReadonlyArray<readonly [string, string]> = [
  ["%2d", "-"],
  ["%5f", "_"],
  ["%2e", "."],
  ["%21", "!"],
  ["%2a", "*"],
  ["%28", "("],
  ["%29", ")"],
]

/** PHP `urlencode`: `encodeURIComponent` also leaves `!'()*~` alone, and writes a space as `%20`. */
export function phpUrlEncode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+")
}

/** Steps 3 to 5: ECPay's URL encoding of the string to hash. */
export function ecpayUrlEncode(text: string): string {
  let out = phpUrlEncode(text).toLowerCase()
  for (const [encoded, plain] of DOTNET_RESTORED) {
    out = out.split(encoded).join(plain)
  }
  return out
}

/** PHP `strcasecmp` order: ASCII letters compared without case, then byte order. */
function compareNames(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x < y ? -1 : x > y ? 1 : 0
}

/** Steps 1 and 2: the string that is encoded and hashed. */
export function checkMacSource(
  params: Readonly<Record<string, string | number>>,
  hashKey: string,
  hashIv: string
): string {
  const names = Object.keys(params)
    .filter((name) => name !== "CheckMacValue")
    .sort(compareNames)
  const joined = names.map((name) => `${name}=${params[name]}`).join("&")
  return `HashKey=${hashKey}&${joined}&HashIV=${hashIv}`
}

/** The CheckMacValue of `params` (any `CheckMacValue` among them is ignored). */
export function checkMacValue(
  params: Readonly<Record<string, string | number>>,
  hashKey: string,
  hashIv: string,
  algorithm: EcpayHashAlgorithm = "sha256"
): string {
  return digest(algorithm, ecpayUrlEncode(checkMacSource(params, hashKey, hashIv)), "hex").toUpperCase()
}

/**
 * Whether `params.CheckMacValue` is ECPay's signature of the other parameters, compared in
 * constant time. A missing or malformed value, or a string that cannot be encoded, is false.
 */
export function verifyCheckMacValue(
  params: Readonly<Record<string, string | number>>,
  hashKey: string,
  hashIv: string,
  algorithm: EcpayHashAlgorithm = "sha256"
): boolean {
  const given = params.CheckMacValue
  if (typeof given !== "string" || !/^[0-9A-Fa-f]{32,64}$/.test(given)) {
    return false
  }
  let expected: string
  try {
    expected = checkMacValue(params, hashKey, hashIv, algorithm)
  } catch {
    // A lone surrogate cannot be URL-encoded: not something ECPay signed.
    return false
  }
  return safeEqual(expected, given.toUpperCase())
}
