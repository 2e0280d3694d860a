import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts", "src/redis.ts", "src/file.ts"],
  format: "esm",
  dts: true,
  platform: "node",
  unbundle: false,
  fixedExtension: true,
});
