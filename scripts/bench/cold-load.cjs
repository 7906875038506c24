// One cold load, in a fresh process (run by scripts/bench.mjs): @medusajs/framework first, as
// a Medusa process has it loaded before it registers providers; then the modules named in
// argv, timed, with the files they added and the heap and RSS they grew. Prints JSON.
const { performance } = require("node:perf_hooks")
require("@medusajs/framework")
require("@medusajs/framework/utils")
global.gc?.()
const files0 = Object.keys(require.cache).length
const heap0 = process.memoryUsage().heapUsed
const rss0 = process.memoryUsage().rss
const t0 = performance.now()
for (const entry of process.argv.slice(2)) require(entry)
const ms = performance.now() - t0
global.gc?.()
const loaded = Object.keys(require.cache)
process.stdout.write(
  JSON.stringify({
    ms,
    files: loaded.length - files0,
    heap_mb: (process.memoryUsage().heapUsed - heap0) / 2 ** 20,
    rss_mb: (process.memoryUsage().rss - rss0) / 2 ** 20,
    sdk: { stripe: loaded.some((f) => /node_modules[\\/]stripe[\\/]/.test(f)), braintree: loaded.some((f) => /node_modules[\\/]braintree[\\/]/.test(f)) },
    core_flows: loaded.filter((f) => /node_modules[\\/]@medusajs[\\/]core-flows[\\/]/.test(f)).length,
  })
)
