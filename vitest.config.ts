import { defineConfig } from "vitest/config";

/** The test suite, rooted in the repository so it finds test/** and never client files. */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
