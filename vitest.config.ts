import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**"],
    pool: "forks",
    setupFiles: ["test/setup/temp-dir.ts", "test/setup/yield-to-event-loop.ts"],
    testTimeout: 60_000,
  },
});
