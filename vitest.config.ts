import { defineConfig } from "vitest/config";

// Unit, API and integration tests. The browser suite has its own config in
// test/e2e. Tests that need a database use PGlite unless DATABASE_URL is set.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**", "node_modules/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
