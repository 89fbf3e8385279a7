import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests run against source: point the `#zlib` subpath import at the Node implementation.
    alias: [
      {
        find: /^#zlib$/,
        replacement: fileURLToPath(new URL("./src/zlib.node.ts", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
