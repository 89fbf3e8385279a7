import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests run against source: point the `#platform` subpath import at the Node implementation.
    alias: [
      {
        find: /^#platform$/,
        replacement: fileURLToPath(new URL("./src/platform.node.ts", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // Property and fuzz tests run thousands of cases; CI runs every package's suite at once on 2 cores.
    testTimeout: 60_000,
  },
});
