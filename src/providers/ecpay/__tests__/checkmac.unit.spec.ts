import { checkMacSource, checkMacValue, ecpayUrlEncode, phpUrlEncode, verifyCheckMacValue } from "../checkmac"

/**
 * ECPay's worked example, "附錄 / 檢查碼機制" of the all-in-one checkout:
 * https://developers.ecpay.com.tw/?p=2902 (English: https://developers.ecpay.com.tw/?p=16623).
 * The parameters, keys (ECPay's public stage merchant 3002607) and the strings of steps
 * (1) to (3) below are the page's. The page's final value (step 6) was not readable in the
 * stored copy this was written from; it is the value independent implementations quote as
 * ECPay's published one, and the intermediate strings pin every step before the hash.
 */
const AIO_EXAMPLE = {
  params: {
    TradeDesc: "促銷方案",
    PaymentType: "aio",
    MerchantTradeDate: "2023/03/12 15:30:23",
    MerchantTradeNo: "ecpay20230312153023",
    MerchantID: "3002607",
    ReturnURL: "https://www.ecpay.com.tw/receive.php",
    ItemName: "Apple iphone 15",
    TotalAmount: "30000",
    ChoosePayment: "ALL",
    EncryptType: "1",
  },
  hashKey: "pwFHCqoQZGmho4w6",
  hashIv: "EkRm7iFT261dpevs",
  step2:
    "HashKey=pwFHCqoQZGmho4w6&ChoosePayment=ALL&EncryptType=1&ItemName=Apple iphone 15&MerchantID=3002607&" +
    "MerchantTradeDate=2023/03/12 15:30:23&MerchantTradeNo=ecpay20230312153023&PaymentType=aio&" +
    "ReturnURL=https://www.ecpay.com.tw/receive.php&TotalAmount=30000&TradeDesc=促銷方案&HashIV=EkRm7iFT261dpevs",
  step3:
    "HashKey%3dpwFHCqoQZGmho4w6%26ChoosePayment%3dALL%26EncryptType%3d1%26ItemName%3dApple+iphone+15%26" +
    "MerchantID%3d3002607%26MerchantTradeDate%3d2023%2f03%2f12+15%3a30%3a23%26MerchantTradeNo%3decpay20230312153023%26" +
    "PaymentType%3daio%26ReturnURL%3dhttps%3a%2f%2fwww.ecpay.com.tw%2freceive.php%26TotalAmount%3d30000%26" +
    "TradeDesc%3d%e4%bf%83%e9%8a%b7%e6%96%b9%e6%a1%88%26HashIV%3dEkRm7iFT261dpevs",
  checkMacValue: "6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840",
}

/**
 * ECPay's MD5 worked example (same encoding, legacy hash), with every step and the final
 * value published on the page: https://developers.ecpay.com.tw/?p=38242 (English ?p=38243).
 */
const MD5_EXAMPLE = {
  params: {
    RtnCode: "1",
    RtnMsg: "",
    IA_Allow_No: "1909181313013546",
    IA_Invoice_No: "UV11100019",
    IA_Date: "2019-09-18 13:13:23",
    IIS_Remain_Allowance_Amt: "0",
  },
  hashKey: "ejCk326UnaZWKisg",
  hashIv: "q9jcZX8Ib9LM8wYk",
  step4:
    "hashkey%3dejck326unazwkisg%26ia_allow_no%3d1909181313013546%26ia_date%3d2019-09-18+13%3a13%3a23%26" +
    "ia_invoice_no%3duv11100019%26iis_remain_allowance_amt%3d0%26rtncode%3d1%26rtnmsg%3d%26hashiv%3dq9jczx8ib9lm8wyk",
  checkMacValue: "50A276E71DAE26343013958B405EEEA0",
}

/**
 * A payment notification in ECPay's official PHP SDK, signed by ECPay for stage merchant
 * 3002607: ECPay/SDK_PHP, example/Payment/Aio/GetCheckoutResponse.php.
 */
const SDK_NOTIFICATION = {
  MerchantID: "3002607",
  MerchantTradeNo: "WPLL4E341E122DB44D62",
  PaymentDate: "2019/05/09 00:01:21",
  PaymentType: "Credit_CreditCard",
  PaymentTypeChargeFee: "1",
  RtnCode: "1",
  RtnMsg: "交易成功",
  SimulatePaid: "0",
  TradeAmt: "500",
  TradeDate: "2019/05/09 00:00:18",
  TradeNo: "1905090000188278",
  CheckMacValue: "6E7F053EF215FC851A050A2FF01D72CBE440EA138DC3E905647985DDF236FD25",
}

describe("CheckMacValue: ECPay's own examples", () => {
  it("builds the all-in-one example's string to sign exactly as the documentation shows (steps 1 and 2)", () => {
    expect(checkMacSource(AIO_EXAMPLE.params, AIO_EXAMPLE.hashKey, AIO_EXAMPLE.hashIv)).toBe(AIO_EXAMPLE.step2)
  })

  it("encodes it as the documentation shows (steps 3 to 5, lower-cased)", () => {
    expect(ecpayUrlEncode(AIO_EXAMPLE.step2)).toBe(AIO_EXAMPLE.step3.toLowerCase())
  })

  it("reproduces the all-in-one example's SHA-256 CheckMacValue", () => {
    expect(checkMacValue(AIO_EXAMPLE.params, AIO_EXAMPLE.hashKey, AIO_EXAMPLE.hashIv)).toBe(AIO_EXAMPLE.checkMacValue)
  })

  it("reproduces the published MD5 example, underscores and dashes restored", () => {
    const source = checkMacSource(MD5_EXAMPLE.params, MD5_EXAMPLE.hashKey, MD5_EXAMPLE.hashIv)
    expect(ecpayUrlEncode(source)).toBe(MD5_EXAMPLE.step4)
    expect(checkMacValue(MD5_EXAMPLE.params, MD5_EXAMPLE.hashKey, MD5_EXAMPLE.hashIv, "md5")).toBe(MD5_EXAMPLE.checkMacValue)
  })

  it("verifies the notification signed by ECPay in its official PHP SDK", () => {
    expect(verifyCheckMacValue(SDK_NOTIFICATION, AIO_EXAMPLE.hashKey, AIO_EXAMPLE.hashIv)).toBe(true)
  })
})

describe("CheckMacValue: encoding rules", () => {
  it("encodes like PHP urlencode: a space is +, letters, digits and -_. stay", () => {
    expect(phpUrlEncode("a b-c_d.e")).toBe("a+b-c_d.e")
    expect(phpUrlEncode("~'!*()")).toBe("%7E%27%21%2A%28%29")
  })

  it("restores the characters .NET leaves alone (! * ( ) - _ .) but keeps ~ and ' encoded", () => {
    expect(ecpayUrlEncode("x=A!*()-_.~'")).toBe("x%3da!*()-_.%7e%27")
  })

  it("sorts names case-insensitively, as PHP strcasecmp does (a plain sort would put aB before a_c)", () => {
    expect(checkMacSource({ b: "2", A: "1", aB: "4", a_c: "3" }, "K", "I")).toBe("HashKey=K&A=1&a_c=3&aB=4&b=2&HashIV=I")
  })

  it("leaves a CheckMacValue among the parameters out of the signature", () => {
    const { CheckMacValue: _given, ...rest } = SDK_NOTIFICATION
    expect(checkMacValue(SDK_NOTIFICATION, AIO_EXAMPLE.hashKey, AIO_EXAMPLE.hashIv)).toBe(
      checkMacValue(rest, AIO_EXAMPLE.hashKey, AIO_EXAMPLE.hashIv)
    )
  })
})

describe("CheckMacValue: verification", () => {
  const verify = (fields: Record<string, string>, key = AIO_EXAMPLE.hashKey, iv = AIO_EXAMPLE.hashIv) =>
    verifyCheckMacValue(fields, key, iv)

  it("refuses a notification whose amount was changed after signing", () => {
    expect(verify({ ...SDK_NOTIFICATION, TradeAmt: "5000" })).toBe(false)
  })

  it("refuses a field added after signing", () => {
    expect(verify({ ...SDK_NOTIFICATION, CustomField1: "payses_01ATTACKER" })).toBe(false)
  })

  it("refuses a signature made with another HashKey or HashIV", () => {
    expect(verify(SDK_NOTIFICATION, "5294y06JbISpM5x9")).toBe(false)
    expect(verify(SDK_NOTIFICATION, AIO_EXAMPLE.hashKey, "v77hoKGq4kWxNNIS")).toBe(false)
  })

  it("refuses a missing, empty or malformed CheckMacValue", () => {
    const { CheckMacValue: _given, ...unsigned } = SDK_NOTIFICATION
    expect(verify(unsigned)).toBe(false)
    expect(verify({ ...SDK_NOTIFICATION, CheckMacValue: "" })).toBe(false)
    expect(verify({ ...SDK_NOTIFICATION, CheckMacValue: "not-hex" })).toBe(false)
  })

  it("accepts ECPay's signature in lower case too", () => {
    expect(verify({ ...SDK_NOTIFICATION, CheckMacValue: SDK_NOTIFICATION.CheckMacValue.toLowerCase() })).toBe(true)
  })

  it("refuses, without throwing, a value that cannot be URL-encoded", () => {
    expect(verify({ ...SDK_NOTIFICATION, RtnMsg: "\ud800" })).toBe(false)
  })
})
