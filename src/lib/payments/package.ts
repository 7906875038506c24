/**
 * The collection's npm package name, as a store installs it and registers its providers
 * (`<package>/providers/<gateway>`). A lint test keeps it equal to package.json's `name`.
 */
export const PACKAGE_NAME = "medusa-payments-collection"

/** What a store writes as a provider's `resolve`: `medusa-payments-collection/providers/stripe`. */
export function providerModule(path: string): string {
  return `${PACKAGE_NAME}/providers/${path}`
}
