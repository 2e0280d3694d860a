import { defineConfig } from "tsdown";

export default defineConfig({
  // Named entries: `adapter` is the entry file of the `./adapter` subpath (src/adapter.ts is a module of it).
  entry: { index: "src/index.ts", adapter: "src/adapter-entry.ts", testing: "src/testing.ts", "file-store": "src/file-store.ts" },
  format: "esm",
  dts: true,
  platform: "neutral",
  unbundle: false,
  fixedExtension: true,
});
