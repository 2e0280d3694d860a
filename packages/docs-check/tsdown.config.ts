import { defineConfig } from "tsdown";

export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  dts: true,
  platform: "node",
  fixedExtension: true,
  // The root devDependency (the API report reads declaration files with it), loaded at run time.
  deps: { neverBundle: ["typescript"] },
});
