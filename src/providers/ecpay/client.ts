/**
 * The one way out to ECPay: its origins, the shared HttpClient (timeouts, retries of the
 * queries, the only retry layer, and redacted logs), the signed POST every call is, and
 * the reading of ECPay's answers.
 */
import { GatewayUnavailableError } from "../../lib/payments/errors"
import { HttpClient, HttpLogger } from "../../lib/payments/http"
import { checkMacValue } from "./checkmac"
import { parseEcpayAnswer } from "./mapping"
import type { EcpayOptions } from "./options"

/** ECPay's hosts per environment (the stage one takes ECPay's published test merchant). */
export const ECPAY_ORIGINS = Object.freeze({
  stage: "https://payment-stage.ecpay.com.tw",
  production: "https://payment.ecpay.com.tw",
} as const)

/**
 * Travels with every ECPay call for the merchant's own traffic logs. ECPay has no
 * idempotency mechanism and ignores it: the provider never retries a money-moving call
 * (`DoAction`) and remembers refunds by key in the payment data instead.
 */
export const ECPAY_IDEMPOTENCY_HEADER = "X-Idempotency-Key"

export interface EcpayPostOptions {
  idempotencyKey: string
  /**
   * `true` for the queries, which move no money and are retried with the key; `false` for
   * `DoAction`, which is sent once and whose outcome is unknown when no answer comes back.
   */
  retry: boolean
}

export class EcpayClient {
  /** Where the shopper's form is posted and the API is called: the environment's host, or `apiBaseUrl`. */
  readonly origin: string
  private readonly http: HttpClient

  constructor(
    private readonly options: EcpayOptions,
    logger: HttpLogger
  ) {
    this.origin = options.apiBaseUrl ?? ECPAY_ORIGINS[options.environment]
    this.http = new HttpClient({
      gateway: "ECPay",
      baseUrl: this.origin,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      idempotencyHeader: ECPAY_IDEMPOTENCY_HEADER,
      logger,
      // The merchant's check code goes out with the card detail query only, never into a log.
      redactKeys: ["CreditCheckCode"],
      parseError: (status) =>
        status === 403
          ? { code: "403", message: "ECPay is limiting the rate of calls from this server; wait 30 minutes before asking again" }
          : {},
    })
  }

  /** The single choke point for ECPay calls: signs, sends, parses. */
  async post(operation: string, path: string, params: Record<string, string>, options: EcpayPostOptions): Promise<Record<string, string>> {
    const body = new URLSearchParams({ ...params, CheckMacValue: checkMacValue(params, this.options.hashKey, this.options.hashIv) })
    const response = await this.http.request<unknown>({
      method: "POST",
      path,
      operation,
      body,
      // Only a retried call carries the key through HttpClient (which then retries with it);
      // a money-moving call sends it as a plain header and is never retried.
      ...(options.retry
        ? { idempotencyKey: options.idempotencyKey }
        : { headers: { [ECPAY_IDEMPOTENCY_HEADER]: options.idempotencyKey } }),
      // Queries (the retried calls) move no money; DoAction closes or refunds.
      movesMoney: !options.retry,
    })
    try {
      return parseEcpayAnswer(response.body)
    } catch (error) {
      // ECPay answered 200 with something else (an HTML error page): for a DoAction the
      // outcome is unknown.
      throw new GatewayUnavailableError({ gateway: "ECPay", operation, status: response.status }, (error as Error).message, {
        indeterminate: !options.retry,
      })
    }
  }

  /**
   * A signed query whose answer is JSON (`CreditDetail/QueryTrade/V2`): moves no money, so it
   * is retried with the key like the other queries.
   */
  async queryJson(operation: string, path: string, params: Record<string, string>, idempotencyKey: string): Promise<Record<string, unknown>> {
    const body = new URLSearchParams({ ...params, CheckMacValue: checkMacValue(params, this.options.hashKey, this.options.hashIv) })
    const response = await this.http.request<unknown>({ method: "POST", path, operation, body, idempotencyKey, movesMoney: false })
    let answer = response.body
    if (typeof answer === "string") {
      try {
        answer = JSON.parse(answer)
      } catch {
        // Reported below.
      }
    }
    if (!answer || typeof answer !== "object" || Array.isArray(answer)) {
      throw new GatewayUnavailableError(
        { gateway: "ECPay", operation, status: response.status },
        `ECPay answered something that is not JSON: ${JSON.stringify(response.body)?.slice(0, 120)}`,
        { indeterminate: false }
      )
    }
    return answer as Record<string, unknown>
  }
}
