import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Tests run against source: point the `#crc32` subpath import at the Node implementation.
    alias: [
      {
        find: /^#crc32$/,
        replacement: fileURLToPath(new URL("./src/crc32.node.ts", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
  },
});
