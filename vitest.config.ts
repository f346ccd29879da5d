import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    // models/cache: what refute builds and extracts (llama.cpp's source with its own tests) is not refute's
    exclude: ["node_modules/**", "models/cache/**"],
    pool: "forks",
    setupFiles: ["test/setup/temp-dir.ts", "test/setup/yield-to-event-loop.ts"],
    testTimeout: 60_000,
  },
});
