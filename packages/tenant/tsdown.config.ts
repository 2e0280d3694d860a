import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  dts: true,
  platform: "neutral",
  unbundle: false,
  // package.json exports dist/index.mjs and dist/index.d.mts; a neutral build of a
  // "type": "module" package would otherwise write .js and .d.ts.
  fixedExtension: true,
});
