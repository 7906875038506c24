import BigNumberJS from "bignumber.js"
import {
  externalRefundNote,
  externalRefundsOf,
  forgetExternalRefund,
  hasExternalRefund,
  noteExternalRefund,
  takeExternalRefund,
  takeNotedExternalRefund,
} from "../external-refunds"

const AT = new Date("2026-12-01T10:00:00.000Z")
const pending = (refund_id: string, amount: string, currency_code = "usd") => ({ refund_id, amount, currency_code, recorded_at: null })
const recorded = (refund_id: string, amount: string, currency_code = "usd") => ({ refund_id, amount, currency_code, recorded_at: "2026-11-30T09:00:00.000Z" })

describe("refunds made at the gateway, noted in the payment's data to be recorded once", () => {
  it("notes a refund as not recorded yet, in exact decimals and a lower-case currency", () => {
    const data = { id: "pi_1", amount: 10000 }
    expect(noteExternalRefund(data, { refund_id: "re_1", amount: "10.50", currency_code: "USD" })).toEqual({
      id: "pi_1",
      amount: 10000,
      external_refunds: [{ refund_id: "re_1", amount: "10.5", currency_code: "usd", recorded_at: null }],
    })
    expect(data).toEqual({ id: "pi_1", amount: 10000 })
  })

  it("never notes the same gateway refund twice, recorded or not", () => {
    const once = noteExternalRefund({}, { refund_id: "re_1", amount: "10", currency_code: "usd" })
    expect(noteExternalRefund(once, { refund_id: "re_1", amount: "10", currency_code: "usd" })).toEqual(once)
    expect(hasExternalRefund(once, "re_1")).toBe(true)
    expect(hasExternalRefund(once, "re_2")).toBe(false)
    expect(hasExternalRefund(undefined, "re_1")).toBe(false)
  })

  it("takes the first unrecorded entry of exactly the amount asked, and marks it recorded", () => {
    const data = {
      id: "pi_1",
      external_refunds: [recorded("re_done", "10"), pending("re_other", "15"), pending("re_first", "10"), pending("re_second", "10")],
    }
    const taken = takeExternalRefund(data, "10.00", AT)
    expect(taken?.refund).toEqual({ ...pending("re_first", "10"), recorded_at: "2026-12-01T10:00:00.000Z" })
    expect(taken?.data).toEqual({
      id: "pi_1",
      external_refunds: [
        recorded("re_done", "10"),
        pending("re_other", "15"),
        { ...pending("re_first", "10"), recorded_at: "2026-12-01T10:00:00.000Z" },
        pending("re_second", "10"),
      ],
    })
    // Still known after it was recorded: a redelivered event records nothing.
    expect(hasExternalRefund(taken!.data, "re_first")).toBe(true)
  })

  it("leaves the data it was given unchanged", () => {
    const data = { external_refunds: [pending("re_1", "5.5", "eur")] }
    const copy = JSON.parse(JSON.stringify(data))
    takeExternalRefund(data, "5.5", AT)
    expect(data).toEqual(copy)
  })

  it("compares amounts exactly, never as floats and never rounded", () => {
    const data = { external_refunds: [pending("re_1", "0.3"), pending("re_2", "5.12", "kwd")] }
    expect(takeExternalRefund(data, new BigNumberJS("0.1").plus("0.2"), AT)?.refund.refund_id).toBe("re_1")
    expect(takeExternalRefund(data, "0.299", AT)).toBeUndefined()
    expect(takeExternalRefund(data, "5.120", AT)?.refund.refund_id).toBe("re_2")
    expect(takeExternalRefund(data, "5.121", AT)).toBeUndefined()
  })

  it("finds nothing when no unrecorded entry has that amount, or there is no list", () => {
    expect(takeExternalRefund({ external_refunds: [recorded("re_1", "10")] }, 10, AT)).toBeUndefined()
    expect(takeExternalRefund({ external_refunds: [pending("re_1", "10")] }, 20, AT)).toBeUndefined()
    expect(takeExternalRefund({ id: "pi_1" }, 10, AT)).toBeUndefined()
    expect(takeExternalRefund(undefined, 10, AT)).toBeUndefined()
  })

  it("reads past malformed entries instead of matching them or failing the refund", () => {
    const data = {
      external_refunds: [
        { refund_id: "", amount: "10", currency_code: "usd", recorded_at: null },
        { refund_id: "re_nan", amount: "ten", currency_code: "usd", recorded_at: null },
        { refund_id: "re_no_state", amount: "10", currency_code: "usd" },
        "re_string",
        null,
        pending("re_good", "10"),
      ],
    }
    expect(externalRefundsOf(data).map((entry) => entry.refund_id)).toEqual(["re_good"])
    expect(takeExternalRefund(data, "10", AT)?.refund.refund_id).toBe("re_good")
    expect(externalRefundsOf({ external_refunds: "re_1" })).toEqual([])
  })
})

describe("takeNotedExternalRefund: only the Medusa refund that records it takes a noted refund", () => {
  const data = { external_refunds: [{ refund_id: "re_1", amount: "10", currency_code: "usd", recorded_at: null }] }
  /** The Payment Module's refund service, as the provider's container holds it. */
  const containerWith = (notes: Record<string, string | null>) => ({
    refundService: {
      retrieve: async (id: string) => {
        if (!(id in notes)) throw new Error(`Refund with id: ${id} was not found`)
        return { id, note: notes[id] }
      },
    },
  })

  it("takes it for the refund whose note names the gateway refund", async () => {
    const container = containerWith({ ref_1: externalRefundNote("Stripe", "re_1", "event") })
    const taken = await takeNotedExternalRefund(container, data, "10", "ref_1", AT)
    expect(taken?.refund).toEqual({ refund_id: "re_1", amount: "10", currency_code: "usd", recorded_at: AT.toISOString() })
  })

  it("leaves it for a merchant's refund of the same amount made meanwhile, which goes to the gateway", async () => {
    const container = containerWith({ ref_2: "Customer returned the cup", ref_3: null })
    expect(await takeNotedExternalRefund(container, data, "10", "ref_2", AT)).toBeUndefined()
    expect(await takeNotedExternalRefund(container, data, "10", "ref_3", AT)).toBeUndefined()
    // A refund that cannot be found, while a noted one of its amount waits, is neither.
    await expect(takeNotedExternalRefund(container, data, "10", "ref_unknown", AT)).rejects.toThrow(/ref_unknown was not found.*nothing was sent to the gateway/)
    expect(await takeNotedExternalRefund(container, data, "9", "ref_unknown", AT)).toBeUndefined()
  })

  it("sends a merchant's refund whose own note mentions a gateway refund to the gateway", async () => {
    const container = containerWith({ ref_4: "Customer complaint, see (gateway refund re_1) in the timeline" })
    expect(await takeNotedExternalRefund(container, data, "10", "ref_4", AT)).toBeUndefined()
  })

  it("decides by the amount alone outside the Payment Module (a direct call)", async () => {
    expect((await takeNotedExternalRefund({}, data, "10", "ref_1", AT))?.refund.refund_id).toBe("re_1")
    expect(await takeNotedExternalRefund({}, data, "9", "ref_1", AT)).toBeUndefined()
  })

  /**
   * Medusa's refund workflow creates the refund (with its note) before it calls the provider,
   * and deletes it when the provider throws (Payment Module `refundPayment`). A refund whose
   * note names a gateway refund records money that has already moved: it must never reach the
   * gateway, whatever the payment's data says by then.
   */
  describe("a refund whose note names a gateway refund never goes to the gateway", () => {
    const NOTE = externalRefundNote("Stripe", "re_1", "event")
    interface FakeRefund {
      id: string
      note: string | null
      payment_id: string
      created_at: string
    }
    const refundsOf = (refunds: FakeRefund[], failRead = false) => ({
      refundService: {
        retrieve: async (id: string) => {
          if (failRead) throw new Error("Connection terminated unexpectedly")
          const found = refunds.find((r) => r.id === id)
          if (!found) throw new Error(`Refund with id: ${id} was not found`)
          return found
        },
        list: async (filters: { payment_id?: string }) => refunds.filter((r) => r.payment_id === filters.payment_id),
      },
    })
    const refund = (id: string, note: string | null, created_at = "2026-12-01T10:00:00.000Z"): FakeRefund => ({ id, note, payment_id: "pay_1", created_at })

    it("refuses, sending nothing, when the gateway refund is already recorded (a second recording, in another process)", async () => {
      const already = { external_refunds: [recorded("re_1", "10")] }
      await expect(takeNotedExternalRefund(refundsOf([refund("ref_2", NOTE)]), already, "10", "ref_2", AT)).rejects.toThrow(
        /gateway refund re_1 is already recorded in Medusa.*nothing was sent to the gateway/
      )
    })

    it("refuses when the noted entry is gone from the data (written over meanwhile): the gateway's next delivery notes it again", async () => {
      await expect(takeNotedExternalRefund(refundsOf([refund("ref_1", NOTE)]), { id: "pi_1" }, "10", "ref_1", AT)).rejects.toThrow(
        /gateway refund re_1\b.*not noted in the payment's data.*nothing was sent to the gateway/
      )
    })

    it("refuses when the amount differs from the noted refund's", async () => {
      await expect(takeNotedExternalRefund(refundsOf([refund("ref_1", NOTE)]), data, "9", "ref_1", AT)).rejects.toThrow(
        /9 .*differs from the 10 of gateway refund re_1/
      )
    })

    it("refuses both when two Medusa refunds name it (two processes, whose clocks differ): the next delivery records it alone", async () => {
      const both = [refund("ref_a", NOTE, "2026-12-01T10:00:00.000Z"), refund("ref_b", NOTE, "2026-12-01T10:00:00.500Z")]
      await expect(takeNotedExternalRefund(refundsOf(both), data, "10", "ref_a", AT)).rejects.toThrow(/recorded in Medusa by refund ref_b too/)
      await expect(takeNotedExternalRefund(refundsOf(both), data, "10", "ref_b", AT)).rejects.toThrow(/recorded in Medusa by refund ref_a too/)
      expect((await takeNotedExternalRefund(refundsOf([both[1]]), data, "10", "ref_b", AT))?.refund.refund_id).toBe("re_1")
    })

    it("refuses, sending nothing, when the refund's note cannot be read", async () => {
      await expect(takeNotedExternalRefund(refundsOf([], true), data, "10", "ref_1", AT)).rejects.toThrow(
        /could not read Medusa refund ref_1.*Connection terminated.*nothing was sent to the gateway/
      )
      // The same for a merchant's refund while nothing is noted: which one it is cannot be told.
      await expect(takeNotedExternalRefund(refundsOf([], true), { id: "pi_1" }, "10", "ref_1", AT)).rejects.toThrow(/could not read Medusa refund ref_1/)
    })

    it("sends a merchant's refund (no gateway refund named) to the gateway, noted entries or not", async () => {
      const merchant = refundsOf([refund("ref_m", "Customer returned the cup")])
      expect(await takeNotedExternalRefund(merchant, data, "10", "ref_m", AT)).toBeUndefined()
      expect(await takeNotedExternalRefund(merchant, { id: "pi_1" }, "10", "ref_m", AT)).toBeUndefined()
    })
  })

  it("forgets a noted refund whose recording failed, never a recorded one", () => {
    const both = { external_refunds: [...data.external_refunds, { refund_id: "re_0", amount: "1", currency_code: "usd", recorded_at: "2026-11-30T09:00:00.000Z" }] }
    expect(forgetExternalRefund(both, "re_1")).toEqual({ external_refunds: [both.external_refunds[1]] })
    expect(forgetExternalRefund(both, "re_0")).toEqual(both)
  })
})
