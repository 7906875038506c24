// `medusa exec ./src/scripts/setup.js`: what the install test's store needs, made with
// Medusa's own workflows (as a merchant's seed script does): a sales channel and publishable
// key, a USD region offering cash on delivery and Stripe, a TWD region offering ECPay, and a
// product priced in both. Prints `INSTALL_SETUP <json>` with the ids the test uses.
const {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} = require("@medusajs/medusa/core-flows")

exports.default = async function setup({ container }) {
  const {
    result: [channel],
  } = await createSalesChannelsWorkflow(container).run({ input: { salesChannelsData: [{ name: "Webshop" }] } })
  const {
    result: [key],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "Storefront", type: "publishable", created_by: "" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({ input: { id: key.id, add: [channel.id] } })
  const { result: regions } = await createRegionsWorkflow(container).run({
    input: {
      regions: [
        { name: "United States", currency_code: "usd", countries: ["us"], payment_providers: ["pp_cod_offline", "pp_stripe_stripe"], automatic_taxes: false },
        { name: "Taiwan", currency_code: "twd", countries: ["tw"], payment_providers: ["pp_ecpay_ecpay"], automatic_taxes: false },
      ],
    },
  })
  const {
    result: [product],
  } = await createProductsWorkflow(container).run({
    input: {
      products: [
        {
          title: "Espresso cup",
          status: "published",
          options: [{ title: "Colour", values: ["White"] }],
          variants: [
            {
              title: "White",
              options: { Colour: "White" },
              manage_inventory: false,
              prices: [
                { amount: 100, currency_code: "usd" },
                { amount: 100, currency_code: "twd" },
              ],
            },
          ],
          sales_channels: [{ id: channel.id }],
        },
      ],
    },
  })
  const result = {
    publishableKey: key.token,
    salesChannelId: channel.id,
    usdRegionId: regions.find((r) => r.currency_code === "usd").id,
    twdRegionId: regions.find((r) => r.currency_code === "twd").id,
    variantId: product.variants[0].id,
  }
  console.log(`INSTALL_SETUP ${JSON.stringify(result)}`)
}
