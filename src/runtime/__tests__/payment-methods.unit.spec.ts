import { ContainerRegistrationKeys, MedusaError, Modules } from "@medusajs/framework/utils"
import { deleteSavedPaymentMethod, listSavedPaymentMethods, savePaymentMethod } from "../payment-methods"

/**
 * A container with the Payment Module (its providers behind `__container__`, as
 * `paymentProviderOf` reads them), Query over one customer, the Link and a Locking module
 * that runs one job per key at a time, as Medusa's does.
 */
function store(vault?: Record<string, unknown>) {
  const holders: Array<{ id: string; provider_id: string; data: Record<string, unknown> }> = []
  const calls: string[] = []
  // The provider's own save and delete, which the routes call directly (the Payment Module's
  // createPaymentMethods and deletePaymentMethods only pass them on, losing the error's kind).
  const provider = vault ?? {
    createAccountHolder() {},
    listPaymentMethods() {},
    savePaymentMethod: async ({ context }: { context: { account_holder: { id: string } } }) => {
      calls.push(`savePaymentMethod ${context.account_holder.id}`)
      return { id: "seti_1", data: { id: "seti_1", status: "requires_payment_method" } }
    },
    deletePaymentMethod: async ({ data }: { data: { id: string } }) => {
      calls.push(`deletePaymentMethod ${data.id}`)
      return {}
    },
  }
  const methods = new Map<string, Array<{ id: string; data: Record<string, unknown> }>>()
  const payment = {
    __container__: { pp_stripe_stripe: provider },
    listPaymentProviders: async ({ id }: { id: string }) => (id === "pp_stripe_stripe" ? [{ id, is_enabled: true }] : []),
    createAccountHolder: async (input: { provider_id: string; context: { customer: { id: string } } }) => {
      calls.push(`createAccountHolder ${input.context.customer.id}`)
      // Stripe takes a moment: a second request arriving meanwhile must wait for this one.
      await new Promise((resolve) => setTimeout(resolve, 20))
      return { id: `acchld_${holders.length + 1}`, provider_id: input.provider_id, data: { id: `cus_gateway_${holders.length + 1}` } }
    },
    listPaymentMethods: async ({ context }: { context: { account_holder: { id: string } } }) => {
      calls.push(`listPaymentMethods ${context.account_holder.id}`)
      return methods.get(context.account_holder.id) ?? []
    },
  }
  const query = {
    graph: async ({ filters }: { filters: { id: string } }) => ({
      data: filters.id === "cus_01ADA" ? [{ id: "cus_01ADA", email: "ada@example.com", addresses: [], account_holders: [...holders] }] : [],
    }),
  }
  const link = {
    create: async (entry: Record<string, Record<string, string>>) => {
      const holder = { id: entry[Modules.PAYMENT].account_holder_id, provider_id: "pp_stripe_stripe", data: {} }
      holders.push(holder)
      calls.push(`link ${entry[Modules.CUSTOMER].customer_id} ${holder.id}`)
    },
  }
  const queues = new Map<string, Promise<unknown>>()
  const locking = {
    execute: <T>(key: string, job: () => Promise<T>) => {
      const run = (queues.get(key) ?? Promise.resolve()).then(job, job)
      queues.set(key, run.catch(() => undefined))
      return run
    },
  }
  const services: Record<string, unknown> = {
    [Modules.PAYMENT]: payment,
    [ContainerRegistrationKeys.QUERY]: query,
    [ContainerRegistrationKeys.LINK]: link,
    [Modules.LOCKING]: locking,
  }
  const container = { resolve: (key: string) => services[key] } as never
  return { container, calls, holders, methods }
}

describe("saved payment methods over the container", () => {
  it("lists nothing, asking no gateway, for a customer without an account holder at the provider", async () => {
    const { container, calls } = store()
    expect(await listSavedPaymentMethods(container, "cus_01ADA", "pp_stripe_stripe")).toEqual([])
    expect(calls).toEqual([])
  })

  it("creates and links one account holder when two saves arrive at once, then reuses it", async () => {
    const { container, calls, holders } = store()
    await Promise.all([
      savePaymentMethod(container, "cus_01ADA", "pp_stripe_stripe", {}),
      savePaymentMethod(container, "cus_01ADA", "pp_stripe_stripe", {}),
    ])
    await savePaymentMethod(container, "cus_01ADA", "pp_stripe_stripe", {})
    expect(holders).toHaveLength(1)
    expect(calls).toEqual([
      "createAccountHolder cus_01ADA",
      "link cus_01ADA acchld_1",
      "savePaymentMethod acchld_1",
      "savePaymentMethod acchld_1",
      "savePaymentMethod acchld_1",
    ])
  })

  it("deletes only a method the gateway lists for the customer, and nothing else", async () => {
    const { container, calls, methods } = store()
    await savePaymentMethod(container, "cus_01ADA", "pp_stripe_stripe", {})
    methods.set("acchld_1", [{ id: "pm_own", data: {} }])
    calls.length = 0
    await expect(deleteSavedPaymentMethod(container, "cus_01ADA", "pp_stripe_stripe", "pm_someone_elses")).rejects.toMatchObject({
      type: MedusaError.Types.NOT_FOUND,
      message: "Payment method pm_someone_elses was not found",
    })
    expect(calls).toEqual(["listPaymentMethods acchld_1"])
    await deleteSavedPaymentMethod(container, "cus_01ADA", "pp_stripe_stripe", "pm_own")
    expect(calls).toEqual(["listPaymentMethods acchld_1", "listPaymentMethods acchld_1", "deletePaymentMethod pm_own"])
  })

  it("refuses a provider the store does not have (404) and one without a vault (400)", async () => {
    const unknown = store()
    await expect(listSavedPaymentMethods(unknown.container, "cus_01ADA", "pp_nowhere_nowhere")).rejects.toMatchObject({
      type: MedusaError.Types.NOT_FOUND,
      message: "Payment provider pp_nowhere_nowhere was not found",
    })
    // A provider with account holders but no listing of methods keeps none.
    const noVault = store({ createAccountHolder() {}, savePaymentMethod() {} })
    await expect(savePaymentMethod(noVault.container, "cus_01ADA", "pp_stripe_stripe", {})).rejects.toMatchObject({
      type: MedusaError.Types.INVALID_DATA,
      message: "Payment provider pp_stripe_stripe does not keep saved payment methods",
    })
    expect(noVault.calls).toEqual([])
  })
})
