import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  dts: true,
  platform: "neutral",
  unbundle: false,
  // package.json exports dist/index.mjs and dist/index.d.mts; without this, a neutral build of
  // a "type": "module" package writes .js and .d.ts and the exports point at nothing.
  fixedExtension: true,
});
