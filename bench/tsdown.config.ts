import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/main.ts", "src/scale-worker.ts"],
  format: "esm",
  dts: false,
  platform: "node",
  unbundle: false,
  fixedExtension: true,
  // Every package is resolved at run time from node_modules: esbuild carries a native binary,
  // and the measured libraries must be the installed ones.
  deps: { neverBundle: [/^[^./]/] },
});
