import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts","src/testing.ts","src/file-store.ts"],
  format: "esm",
  dts: true,
  platform: "neutral",
  unbundle: false,
  fixedExtension: true,
});
