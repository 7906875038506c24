// One jest run, several projects: `npm test` runs them all; `--selectProjects <name>` one.
const transform = {
  "^.+\\.[jt]s$": [
    "@swc/jest",
    { jsc: { parser: { syntax: "typescript", decorators: true }, target: "es2021" } },
  ],
}

const common = {
  transform,
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "json"],
  modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/.medusa/", "<rootDir>/.data/", "<rootDir>/store/.medusa/"],
}

module.exports = {
  // Whole-app tests boot Medusa (about 11 s) and wait on the webhook subscriber's 5 s delay.
  testTimeout: 180000,
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/src/**/__tests__/**/*.unit.spec.ts"],
    },
    {
      ...common,
      displayName: "conformance",
      testMatch: ["<rootDir>/integration-tests/conformance/**/*.spec.ts"],
    },
    {
      ...common,
      displayName: "lint",
      testMatch: ["<rootDir>/integration-tests/lint/**/*.spec.ts"],
    },
    {
      ...common,
      // `npm run test:install`: a store outside the repository installs the packed package.
      displayName: "install",
      testMatch: ["<rootDir>/integration-tests/install/**/*.spec.ts"],
    },
    {
      ...common,
      // `npm run test:topology`: the collection as Medusa documents production (Redis event bus,
      // workflow engine, locking and cache; server and worker processes on one PostgreSQL).
      displayName: "topology",
      testMatch: ["<rootDir>/integration-tests/topology/**/*.spec.ts"],
      modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/.data/", "<rootDir>/store/.medusa/"],
    },
    {
      ...common,
      // `npm run load`: concurrent checkouts and a webhook storm through the store (scripts/load.mjs sets the counts).
      displayName: "load",
      testMatch: ["<rootDir>/integration-tests/load/**/*.spec.ts"],
      modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/.data/", "<rootDir>/store/.medusa/"],
      setupFiles: ["<rootDir>/integration-tests/setup.js"],
    },
    {
      ...common,
      displayName: "http",
      testMatch: ["<rootDir>/integration-tests/http/**/*.spec.ts"],
      // The store loads the collection as installed: the built package in .medusa/server.
      modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/.data/", "<rootDir>/store/.medusa/"],
      setupFiles: ["<rootDir>/integration-tests/setup.js"],
    },
    {
      ...common,
      // The admin widgets in Debian's Chromium (playwright-core), against the store with its
      // dashboard; `npm test` installs the browser first (scripts/lib/chromium.mjs).
      displayName: "browser",
      testMatch: ["<rootDir>/integration-tests/browser/**/*.spec.ts"],
      modulePathIgnorePatterns: ["<rootDir>/dist/", "<rootDir>/.data/", "<rootDir>/store/.medusa/"],
      setupFiles: ["<rootDir>/integration-tests/setup.js"],
    },
  ],
}
