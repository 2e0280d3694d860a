import { defineConfig } from "vitest/config";

// Tests import workspace packages from their sources through the "@pushflow/source" export
// condition, so a test run never depends on a stale build.
const conditions = ["@pushflow/source", "import", "module", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    // .ci/run asks for a JSON report to print its "N passed, N failed" line.
    reporters: process.env.PUSHFLOW_VITEST_JSON ? ["default", ["json", { outputFile: process.env.PUSHFLOW_VITEST_JSON }]] : ["default"],
    include: ["packages/*/test/**/*.test.ts", "packages/*/src/**/*.test.ts", "examples/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
