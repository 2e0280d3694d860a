import { defineConfig } from "tsdown";

// The start script only: the page itself is bundled by the server when it starts.
export default defineConfig({
  entry: ["src/start.ts"],
  format: "esm",
  platform: "node",
  dts: false,
  fixedExtension: true,
});
