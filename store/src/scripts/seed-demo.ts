/**
 * Demo data for `npm run demo` (also runnable alone: `npm run seed`, from `store/`).
 *
 * Idempotent: every run looks up what a previous run created and only adds what is
 * missing, so running it again reuses the data. What it makes sure exists:
 * - the store's default sales channel and a publishable API key linked to it;
 * - one region per demo currency (EUR, USD, TWD, JPY) whose payment providers are
 *   exactly the providers registered in the running app (re-synced on every run, so a
 *   provider enabled since the last run is added);
 * - a product with one variant priced in every demo currency (no inventory, no shipping
 *   profile: a cart with it needs no stock and no shipping method);
 * - an admin user with an `emailpass` identity. Its credentials come from
 *   DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD, else from `.data/demo-admin.json`
 *   (created with a random password on first use); the password is reset to them on
 *   every run so the file and the database never disagree.
 *
 * The last line it prints is `DEMO_SEED_RESULT <json>` for `scripts/demo.mjs`.
 */
import crypto from "node:crypto"
import fs from "node:fs"
import path from "node:path"
import type { ExecArgs } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, FeatureFlag, Modules, ProductStatus } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createTaxRegionsWorkflow,
  createUsersWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  updateRegionsWorkflow,
  updateStoresWorkflow,
} from "@medusajs/medusa/core-flows"
import { paymentProviders, providerId, providersFromEnv } from "medusa-payments-collection/registry"

/** Marks what this script created (metadata key), so re-runs find it again. */
const DEMO_MARKER = "medusa_payments_demo"
const API_KEY_TITLE = "Medusa Payments demo storefront"
const PRODUCT_HANDLE = "medusa-payments-demo-item"
const DEFAULT_ADMIN_EMAIL = "admin@medusa-payments.local"
// The repository's .data folder, where scripts/demo.mjs keeps the demo's state.
const CREDENTIALS_FILE = path.join(__dirname, "..", "..", "..", ".data", "demo-admin.json")

type DemoRegion = { key: string; name: string; currency_code: string; countries: string[]; price: number }

export const DEMO_REGIONS: DemoRegion[] = [
  { key: "eur", name: "Europe", currency_code: "eur", countries: ["de", "fr", "nl", "be", "at", "es", "it"], price: 20 },
  { key: "usd", name: "United States", currency_code: "usd", countries: ["us"], price: 20 },
  { key: "twd", name: "Taiwan", currency_code: "twd", countries: ["tw"], price: 600 },
  { key: "jpy", name: "Japan", currency_code: "jpy", countries: ["jp"], price: 3000 },
]

export type DemoSeedResult = {
  created: string[]
  updated: string[]
  publishableKey: string
  salesChannelId: string
  regions: { id: string; name: string; currency_code: string; countries: string[]; payment_providers: string[] }[]
  paymentProviders: string[]
  productId: string
  variantId: string
  admin: { email: string; userId: string }
}

/** The admin's credentials: environment, else the git-ignored file, else new random ones. */
export function demoAdminCredentials(): { email: string; password: string } {
  if (process.env.DEMO_ADMIN_EMAIL && process.env.DEMO_ADMIN_PASSWORD) {
    return { email: process.env.DEMO_ADMIN_EMAIL, password: process.env.DEMO_ADMIN_PASSWORD }
  }
  try {
    const saved = JSON.parse(fs.readFileSync(CREDENTIALS_FILE, "utf8"))
    if (typeof saved?.email === "string" && typeof saved?.password === "string") {
      return { email: saved.email, password: saved.password }
    }
  } catch {
    // missing or unreadable: make new ones below
  }
  const credentials = { email: DEFAULT_ADMIN_EMAIL, password: crypto.randomBytes(12).toString("base64url") }
  fs.mkdirSync(path.dirname(CREDENTIALS_FILE), { recursive: true })
  fs.writeFileSync(CREDENTIALS_FILE, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 })
  return credentials
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x))

export default async function seedDemo({ container }: ExecArgs): Promise<DemoSeedResult> {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const storeModule = container.resolve(Modules.STORE)
  const salesChannelModule = container.resolve(Modules.SALES_CHANNEL)
  const apiKeyModule = container.resolve(Modules.API_KEY)
  const regionModule = container.resolve(Modules.REGION)
  const paymentModule = container.resolve(Modules.PAYMENT)
  const productModule = container.resolve(Modules.PRODUCT)
  const taxModule = container.resolve(Modules.TAX)
  const userModule = container.resolve(Modules.USER)
  const authModule = container.resolve(Modules.AUTH)
  const created: string[] = []
  const updated: string[] = []
  const currencies = DEMO_REGIONS.map((r) => r.currency_code)

  // --- Store and its default sales channel -----------------------------------------------
  const [store] = await storeModule.listStores({}, { relations: ["supported_currencies"] })
  if (!store) throw new Error("No store found: Medusa creates one at startup, is the database migrated?")

  let salesChannelId = store.default_sales_channel_id ?? undefined
  if (salesChannelId) {
    const found = await salesChannelModule.listSalesChannels({ id: salesChannelId })
    if (!found.length) salesChannelId = undefined
  }
  if (!salesChannelId) {
    const [existing] = await salesChannelModule.listSalesChannels({ name: "Default Sales Channel" })
    if (existing) {
      salesChannelId = existing.id
    } else {
      const { result } = await createSalesChannelsWorkflow(container).run({
        input: { salesChannelsData: [{ name: "Default Sales Channel" }] },
      })
      salesChannelId = result[0].id
      created.push("sales channel")
    }
  }

  const storeCurrencies = (store.supported_currencies ?? []).map((c) => ({
    currency_code: c.currency_code,
    is_default: !!c.is_default,
  }))
  const missingCurrencies = currencies.filter((code) => !storeCurrencies.some((c) => c.currency_code === code))
  if (missingCurrencies.length || store.default_sales_channel_id !== salesChannelId) {
    const hasDefault = storeCurrencies.some((c) => c.is_default)
    const supported = [
      ...storeCurrencies,
      ...missingCurrencies.map((code, i) => ({ currency_code: code, is_default: !hasDefault && i === 0 })),
    ]
    await updateStoresWorkflow(container).run({
      input: {
        selector: { id: store.id },
        update: { supported_currencies: supported, default_sales_channel_id: salesChannelId },
      },
    })
    if (missingCurrencies.length) created.push(`store currencies (${missingCurrencies.join(" ")})`)
  }

  // --- Publishable API key linked to the sales channel ----------------------------------
  let [apiKey] = (await apiKeyModule.listApiKeys({ type: "publishable", title: API_KEY_TITLE })).filter(
    (k) => !k.revoked_at
  )
  if (!apiKey) {
    const { result } = await createApiKeysWorkflow(container).run({
      input: { api_keys: [{ title: API_KEY_TITLE, type: "publishable", created_by: "" }] },
    })
    apiKey = result[0]
    created.push("publishable API key")
  }
  const { data: keyLinks } = await query.graph({
    entity: "api_key",
    fields: ["id", "sales_channels.id"],
    filters: { id: apiKey.id },
  })
  const linkedChannels = ((keyLinks[0]?.sales_channels ?? []) as ({ id: string } | null)[]).map((c) => c?.id)
  if (!linkedChannels.includes(salesChannelId)) {
    await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: apiKey.id, add: [salesChannelId] } })
  }

  // --- Payment providers registered in this app -----------------------------------------
  // The Payment Module enables the providers it loads but never disables a provider that
  // was configured once and no longer is, so leave out the collection's providers whose
  // credentials are not in the environment any more.
  const enabled = await paymentModule.listPaymentProviders({ is_enabled: true })
  const { registered } = providersFromEnv(paymentProviders, process.env, () => {})
  const collectionIds = new Set(paymentProviders.map((d) => providerId(d.identifier, d.id)))
  const registeredIds = new Set(registered.map((r) => r.providerId))
  const providerIds = enabled
    .map((p) => p.id)
    .filter((id) => !collectionIds.has(id) || registeredIds.has(id))
    .sort((a, b) => (a === "pp_system_default" ? -1 : b === "pp_system_default" ? 1 : a.localeCompare(b)))

  // --- One region per demo currency ------------------------------------------------------
  const allRegions = await regionModule.listRegions({}, { relations: ["countries"] })
  const regions: DemoSeedResult["regions"] = []
  for (const demo of DEMO_REGIONS) {
    let region = allRegions.find((r) => (r.metadata as Record<string, unknown> | null)?.[DEMO_MARKER] === demo.key)
    if (!region) {
      // A country belongs to at most one region: leave out those another region has.
      const countries = await regionModule.listCountries({ iso_2: demo.countries })
      const free = demo.countries.filter((code) => {
        const country = countries.find((c) => c.iso_2 === code) as { region_id?: string | null } | undefined
        return country && !country.region_id
      })
      const taken = demo.countries.filter((code) => !free.includes(code))
      if (taken.length) logger.warn(`[demo] ${demo.name}: ${taken.join(", ")} already in another region, left out`)
      const { result } = await createRegionsWorkflow(container).run({
        input: {
          regions: [
            {
              name: demo.name,
              currency_code: demo.currency_code,
              countries: free,
              payment_providers: providerIds,
              metadata: { [DEMO_MARKER]: demo.key },
            },
          ],
        },
      })
      region = (await regionModule.listRegions({ id: result[0].id }, { relations: ["countries"] }))[0]
      created.push(`region ${demo.name}`)
    }
    const { data: linked } = await query.graph({
      entity: "region",
      fields: ["id", "payment_providers.id"],
      filters: { id: region.id },
    })
    const current = ((linked[0]?.payment_providers ?? []) as ({ id: string } | null)[])
      .map((p) => p?.id)
      .filter((id): id is string => !!id)
    if (!sameSet(current, providerIds)) {
      await updateRegionsWorkflow(container).run({
        input: { selector: { id: region.id }, update: { payment_providers: providerIds } },
      })
      logger.info(`[demo] ${demo.name}: payment providers set to ${providerIds.join(", ")}`)
      if (!created.includes(`region ${demo.name}`)) updated.push(`payment providers of ${demo.name}`)
    }
    regions.push({
      id: region.id,
      name: region.name,
      currency_code: region.currency_code,
      countries: (region.countries ?? []).map((c) => c.iso_2),
      payment_providers: providerIds,
    })
  }

  // Tax regions (system provider, no rates) so carts in these countries get tax lines.
  const countryCodes = regions.flatMap((r) => r.countries)
  if (countryCodes.length) {
    const taxRegions = await taxModule.listTaxRegions({ country_code: countryCodes })
    const missing = countryCodes.filter(
      (code) => !taxRegions.some((t) => t.country_code === code && !t.province_code)
    )
    if (missing.length) {
      await createTaxRegionsWorkflow(container).run({
        input: missing.map((country_code) => ({ country_code, provider_id: "tp_system" })),
      })
      created.push(`tax regions (${missing.join(" ")})`)
    }
  }

  // --- A product priced in every demo currency -------------------------------------------
  let [product] = await productModule.listProducts({ handle: PRODUCT_HANDLE }, { relations: ["variants"] })
  if (!product) {
    const { result } = await createProductsWorkflow(container).run({
      input: {
        products: [
          {
            title: "Payments demo item",
            handle: PRODUCT_HANDLE,
            description: "A product to try the payment providers with: no stock and no shipping needed.",
            status: ProductStatus.PUBLISHED,
            options: [{ title: "Type", values: ["Standard"] }],
            variants: [
              {
                title: "Standard",
                sku: "PAYMENTS-DEMO-1",
                manage_inventory: false,
                options: { Type: "Standard" },
                prices: DEMO_REGIONS.map((r) => ({ currency_code: r.currency_code, amount: r.price })),
              },
            ],
            sales_channels: [{ id: salesChannelId }],
            metadata: { [DEMO_MARKER]: true },
          },
        ],
      },
    })
    product = (await productModule.listProducts({ id: result[0].id }, { relations: ["variants"] }))[0]
    created.push("product")
  }

  // --- Admin user with an emailpass identity ---------------------------------------------
  const { email, password } = demoAdminCredentials()
  let [user] = await userModule.listUsers({ email })
  if (!user) {
    let roles: string[] = []
    if (FeatureFlag.isFeatureEnabled("rbac")) {
      // As `medusa user` does: make the admin a super admin when RBAC is on.
      const rbac = container.resolve(Modules.RBAC) as unknown as {
        listRbacRoles: (filters: Record<string, unknown>) => Promise<{ id: string }[]>
      }
      roles = (await rbac.listRbacRoles({ id: "role_super_admin" })).map((r) => r.id)
    }
    const { result } = await createUsersWorkflow(container).run({
      input: { users: [{ email, first_name: "Demo", last_name: "Admin", ...(roles.length ? { roles } : {}) }] },
    })
    user = result[0]
    created.push(`admin user ${email}`)
  }
  const [identity] = await authModule.listProviderIdentities({ provider: "emailpass", entity_id: email })
  let authIdentityId: string
  if (!identity) {
    const { success, authIdentity, error } = await authModule.register("emailpass", { body: { email, password } })
    if (!success || !authIdentity) throw new Error(`Could not register the admin's emailpass identity: ${error}`)
    authIdentityId = authIdentity.id
  } else {
    // Same password as the credentials file, whatever happened to the database before.
    const { success, error } = await authModule.updateProvider("emailpass", { entity_id: email, password })
    if (!success) throw new Error(`Could not set the admin's password: ${error}`)
    authIdentityId = identity.auth_identity_id as string
  }
  const authIdentity = await authModule.retrieveAuthIdentity(authIdentityId)
  if ((authIdentity.app_metadata as Record<string, unknown> | null)?.user_id !== user.id) {
    await authModule.updateAuthIdentities({
      id: authIdentityId,
      app_metadata: { ...(authIdentity.app_metadata ?? {}), user_id: user.id },
    })
  }

  logger.info(
    created.length || updated.length
      ? `[demo] ${[created.length ? `created ${created.join(", ")}` : "", updated.length ? `updated ${updated.join(", ")}` : ""]
          .filter(Boolean)
          .join("; ")}`
      : "[demo] demo data already there, reused"
  )

  const result: DemoSeedResult = {
    created,
    updated,
    publishableKey: apiKey.token,
    salesChannelId,
    regions,
    paymentProviders: providerIds,
    productId: product.id,
    variantId: product.variants?.[0]?.id ?? "",
    admin: { email, userId: user.id },
  }
  console.log(`DEMO_SEED_RESULT ${JSON.stringify(result)}`)
  return result
}
