/**
 * Whether a PayPal notification is genuine, before its body is read: locally, with the
 * certificate PayPal names (downloaded from PayPal's hosts, its chain completed from its
 * issuer's address when PayPal serves the leaf alone, and cached for a day), or by asking
 * PayPal's verify-webhook-signature endpoint (`webhookVerification: "api"`). The signature
 * and chain checks themselves are the pure functions of webhook.ts; the downloads and the API
 * call go through the client.
 */
import { GatewayRejectedError, GatewayUnavailableError } from "../../lib/payments/errors"
import { redactText } from "../../lib/payments/redact"
import { deriveKey } from "../../lib/payments/signatures"
import type { PaypalClient } from "./client"
import type { PaypalOptions } from "./options"
import {
  PaypalTransmission,
  VerifiedCertificate,
  VerifyResult,
  algorithmProblem,
  isCaIssuerUrl,
  isPaypalCertUrl,
  isVerifiedAt,
  issuerCertificatePem,
  verifyCertificateChain,
  verifySignatureWith,
} from "./webhook"

/** How long a downloaded webhook certificate is reused at most. */
const CERTIFICATE_TTL_MS = 24 * 60 * 60 * 1000

/** Issuer certificates downloaded for one notification at most (a chain has one or two intermediates). */
const MAX_ISSUER_DOWNLOADS = 2

export class PaypalNotificationVerifier {
  private readonly certificates = new Map<string, { pem: string; until: number }>()
  /**
   * Per certificate URL, the certificate whose chain was verified last, with exactly the
   * bytes served at the URL when it was (`served`). Reading and walking the chain costs
   * about 0.4 ms (parsing the served certificates, a signature check per link); a
   * notification signed with the same certificate reuses the verdict while every certificate
   * on its path is valid. Different bytes at the URL, or a verdict past its span, and the
   * chain is verified again from the start. Only verified chains are kept: a refusal is
   * always decided afresh.
   */
  private readonly chains = new Map<string, { served: string; certificate: VerifiedCertificate }>()

  constructor(
    private readonly options: PaypalOptions,
    private readonly client: PaypalClient,
    /** The clock (tests move it). */
    private readonly now: () => Date = () => new Date()
  ) {}

  /**
   * The verdict on a notification's signature. PayPal being unreachable is not a verdict: the
   * `GatewayUnavailableError` is thrown, so the event bus retries the delivery.
   */
  verify(transmission: PaypalTransmission, webhookId: string, raw: Buffer): Promise<VerifyResult> {
    return this.options.webhookVerification === "api"
      ? this.verifyWithPaypal(transmission, webhookId, raw)
      : this.verifyLocally(transmission, webhookId, raw)
  }

  protected async verifyLocally(transmission: PaypalTransmission, webhookId: string, raw: Buffer): Promise<VerifyResult> {
    if (!isPaypalCertUrl(transmission.certUrl, this.options.environment)) {
      return { ok: false, reason: `the certificate URL is not one of PayPal's ${this.options.environment} certificate URLs` }
    }
    let pem: string
    try {
      pem = await this.certificate(transmission.certUrl)
    } catch (error) {
      if (error instanceof GatewayUnavailableError) {
        // Not a verdict on the notification: fail this delivery so the event bus retries it.
        throw error
      }
      return { ok: false, reason: `its certificate could not be fetched from PayPal (${redactText((error as Error).message)})` }
    }
    const now = this.now()
    // Refused before the certificate is read, as verifyWithCertificate does.
    const algorithm = algorithmProblem(transmission)
    if (algorithm) {
      return algorithm
    }
    const known = this.chains.get(transmission.certUrl)
    if (known && known.served === pem && isVerifiedAt(known.certificate, now)) {
      return verifySignatureWith(transmission, webhookId, raw, known.certificate, now)
    }
    this.chains.delete(transmission.certUrl)
    // The trust anchors: Node's bundled Mozilla roots unless a test configured its own.
    const roots = this.options.webhookCertificateRoots
    let served = pem
    for (let fetched = 0; ; fetched++) {
      const result = verifyCertificateChain(served, this.options.environment, now, roots)
      if (result.ok) {
        this.chains.set(transmission.certUrl, { served: pem, certificate: result.certificate })
        return verifySignatureWith(transmission, webhookId, raw, result.certificate, now)
      }
      if (!result.issuerUrl) {
        return { ok: false, reason: result.reason }
      }
      // The certificate URL served no (or not every) intermediate: fetch the missing issuer
      // from where the certificate says it is, as a TLS client does (RFC 5280 4.2.2.1). It
      // counts only if it chains to a trusted root, like anything served.
      if (fetched >= MAX_ISSUER_DOWNLOADS || !isCaIssuerUrl(result.issuerUrl)) {
        return { ok: false, reason: `${result.reason} (its issuer's address is not one the provider downloads from)` }
      }
      let issuer: string | undefined
      try {
        issuer = await this.issuerCertificate(result.issuerUrl)
      } catch (error) {
        if (error instanceof GatewayUnavailableError) throw error
        return { ok: false, reason: `${result.reason}, and its issuer could not be downloaded (${redactText((error as Error).message)})` }
      }
      if (!issuer) {
        return { ok: false, reason: `${result.reason}, and what its issuer's address served is not a certificate` }
      }
      served = `${served.trimEnd()}\n${issuer}`
    }
  }

  /** The issuer certificate at a "CA Issuers" URL, as PEM (cached like the signing certificate). */
  private async issuerCertificate(url: string): Promise<string | undefined> {
    const cached = this.certificates.get(url)
    if (cached && this.now().getTime() < cached.until) {
      return cached.pem
    }
    const pem = issuerCertificatePem(await this.client.downloadIssuerCertificate(url))
    if (pem) this.certificates.set(url, { pem, until: this.now().getTime() + CERTIFICATE_TTL_MS })
    return pem
  }

  private async certificate(url: string): Promise<string> {
    const cached = this.certificates.get(url)
    if (cached && this.now().getTime() < cached.until) {
      return cached.pem
    }
    const pem = await this.client.downloadCertificate(url)
    this.certificates.set(url, { pem, until: this.now().getTime() + CERTIFICATE_TTL_MS })
    return pem
  }

  /**
   * PayPal's verify-webhook-signature endpoint. The event is sent as the exact bytes that
   * arrived: PayPal checks the signature over them, and a re-serialised body would not match.
   */
  protected async verifyWithPaypal(transmission: PaypalTransmission, webhookId: string, raw: Buffer): Promise<VerifyResult> {
    const text = raw.toString("utf8")
    try {
      JSON.parse(text)
    } catch {
      return { ok: false, reason: "the body is not JSON" }
    }
    const fields = {
      auth_algo: transmission.authAlgo,
      cert_url: transmission.certUrl,
      transmission_id: transmission.id,
      transmission_sig: transmission.signature,
      transmission_time: transmission.time,
      webhook_id: webhookId,
    }
    const body = `${JSON.stringify(fields).slice(0, -1)},"webhook_event":${text}}`
    try {
      const { body: answer } = await this.client.request<{ verification_status?: string }>({
        method: "POST",
        path: "/v1/notifications/verify-webhook-signature",
        operation: "verify the notification",
        headers: { "content-type": "application/json" },
        body,
        movesMoney: false,
        // Verifying moves nothing; the key lets an outage be retried.
        idempotencyKey: deriveKey("paypal:verify", transmission.id),
      })
      return answer?.verification_status === "SUCCESS"
        ? { ok: true }
        : { ok: false, reason: `PayPal answered ${JSON.stringify(answer?.verification_status ?? null)}` }
    } catch (error) {
      if (error instanceof GatewayRejectedError) {
        return { ok: false, reason: `PayPal refused to verify it (${error.details.code ?? error.details.status})` }
      }
      throw error
    }
  }
}
