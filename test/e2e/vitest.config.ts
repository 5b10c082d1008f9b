import { defineConfig } from "vitest/config";

// The browser suite: each file starts the real product (`src/main.ts`) on
// free ports with a fresh PGlite folder and drives Debian's Chromium through
// playwright-core. Files run one after another because each start takes
// 10–30 s of CPU and the pages share the machine with the product.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 240_000,
    // A step that fails is a product bug or a broken test, never a flake to
    // hide, so nothing is retried.
    retry: 0,
  },
});
