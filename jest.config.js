/**
 * ts-jest in ESM mode, transpile-only: `tsc --noEmit` is the separate type gate (npm test runs it first).
 *
 * Two sets: the default (`npm test`, kept under ~3 min on a quiet 2-core machine) and the long
 * accuracy and byte-identity runs, `*.long.test.ts` (`npm run test:long`, LMUC_TEST_SET=long);
 * CI runs both. A test moves to the long set because of its run time, never with a looser check.
 */
const long = process.env.LMUC_TEST_SET === "long";

export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  roots: ["<rootDir>/src", "<rootDir>/test"],
  testMatch: long ? ["**/*.long.test.ts"] : ["**/*.test.ts"],
  testPathIgnorePatterns: long ? ["/node_modules/"] : ["/node_modules/", "\\.long\\.test\\.ts$"],
  // Both cores: the suites are CPU-bound and independent (each writes to its own temp folder).
  maxWorkers: 2,
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, diagnostics: false }],
  },
  testTimeout: 120000,
};
