import { asValue, createContainer } from "@medusajs/framework/awilix"
import { requestedCaptureAmount } from "../captures"

describe("the amount of the capture Medusa is recording", () => {
  const captureService = {
    retrieve: async (id: string) => {
      if (id === "capt_partial") return { amount: 60, raw_amount: { value: "60.005", precision: 20 } }
      if (id === "capt_zero") return { amount: 0 }
      throw new Error(`Capture with id: ${id} was not found`)
    },
  }

  it("reads the capture's exact raw amount from the Payment Module's capture service", async () => {
    const container = createContainer()
    container.register({ captureService: asValue(captureService) })
    expect((await requestedCaptureAmount(container.cradle, "capt_partial"))?.toFixed()).toBe("60.005")
  })

  it("knows nothing without a capture id, an unknown capture, a zero amount or no capture service", async () => {
    const container = createContainer()
    container.register({ captureService: asValue(captureService) })
    expect(await requestedCaptureAmount(container.cradle, undefined)).toBeUndefined()
    expect(await requestedCaptureAmount(container.cradle, "capt_elsewhere")).toBeUndefined()
    expect(await requestedCaptureAmount(container.cradle, "capt_zero")).toBeUndefined()
    // An awilix cradle throws for an unregistered name: that is "not known", not a crash.
    expect(await requestedCaptureAmount(createContainer().cradle, "capt_partial")).toBeUndefined()
    expect(await requestedCaptureAmount({ logger: console }, "capt_partial")).toBeUndefined()
  })
})
