/**
 * The amount of the capture Medusa is recording.
 *
 * Medusa's `CapturePaymentInput` carries no amount: the Payment Module records a capture
 * (full or partial, as the admin entered it), commits it, and then calls the provider with
 * the capture's id as `context.idempotency_key`. The module's own capture service, in the
 * container Medusa builds the provider with, tells the amount, so a partial capture in the
 * admin is a partial capture at the gateway. Outside the module (a direct call, a unit
 * test) there is no such service and the answer is `undefined`: the caller decides what a
 * capture without an amount means for its gateway.
 *
 * This reads a Payment Module internal (`captureService`); the HTTP tests of each provider
 * that captures partially would fail if a Medusa upgrade changed it.
 */
import type { BigNumberInput } from "@medusajs/framework/types"
import type BigNumberJS from "bignumber.js"
import { toBigNumber } from "./money"

interface CaptureService {
  retrieve(id: string, config: object): Promise<{ amount: unknown; raw_amount?: unknown }>
}

/** The capture's amount in major units, or `undefined` when it cannot be known. */
export async function requestedCaptureAmount(
  container: unknown,
  captureId: string | null | undefined
): Promise<BigNumberJS | undefined> {
  if (!captureId) return undefined
  let service: CaptureService | undefined
  try {
    // An awilix cradle throws for a name it does not know.
    const candidate = (container as Record<string, unknown> | undefined)?.captureService as CaptureService | undefined
    service = typeof candidate?.retrieve === "function" ? candidate : undefined
  } catch {
    return undefined
  }
  if (!service) return undefined
  try {
    const capture = await service.retrieve(captureId, { select: ["id", "amount", "raw_amount"] })
    const amount = toBigNumber((capture.raw_amount ?? capture.amount) as BigNumberInput)
    return amount.isGreaterThan(0) ? amount : undefined
  } catch {
    // Not a capture of this module (an id from elsewhere).
    return undefined
  }
}
