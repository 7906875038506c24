/**
 * Hosted payment pages: gateways that take the shopper to their own page with a signed
 * form, post a signed server-to-server notification back, and send the shopper to a
 * return page. Shared by every such gateway of the collection; it names none.
 *
 * This file only re-exports the parts, in `hosted/`:
 * - `contract.ts`: the redirect form the storefront renders (`redirectForm`), the gateway's
 *   form body (`parseFormBody`), what a verified notification means (`NotificationVerdict`),
 *   what a hosted gateway's provider implements (`HostedPaymentProvider`) and what the
 *   route answers (`NotificationOutcome`). Providers import this part only;
 * - `sessions.ts`: what the pipeline reads from Medusa (`SessionReader`, with
 *   `querySessionReader` over Medusa's query) and the registered providers (`paymentProviders`);
 * - `notifications.ts`: the notification pipeline (`handleHostedNotification`);
 * - `status.ts`: the return page's status check (`refreshPaymentStatus`, `recordedPaymentStatus`);
 * - `settle.ts`: handing a settled payment to Medusa's `processPaymentWorkflow`, which the
 *   routes pass in as `runPaymentWorkflow` (`lib/payments` never imports the workflow layer);
 * - `throttle.ts`: one gateway status query per session per interval.
 *
 * Code in this repository imports the part it needs, so that a provider loads only the contract.
 */
export * from "./hosted/contract"
export * from "./hosted/sessions"
export type { HostedPaymentDependencies, PaymentWorkflowInput, PaymentWorkflowRunner } from "./hosted/settle"
export * from "./hosted/throttle"
export * from "./hosted/notifications"
export * from "./hosted/status"
