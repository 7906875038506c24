import type { MiddlewareRoute } from "@medusajs/framework/http"

/**
 * Middlewares of the hosted payment page routes (spread into `src/api/middlewares.ts`).
 *
 * ECPay posts its notifications as `application/x-www-form-urlencoded`: the route keeps the
 * raw body, reads it as flat fields itself (not with the extended parser, which would nest
 * `a[b]` names) and caps it, since no notification is larger than a few kilobytes.
 * Routes under `/hooks` get no publishable-key check, no customer auth and no CORS.
 */
export const hostedPaymentMiddlewares: MiddlewareRoute[] = [
  {
    methods: ["POST"],
    matcher: "/hooks/ecpay/:id",
    bodyParser: { preserveRawBody: true, sizeLimit: "64kb" },
  },
]
