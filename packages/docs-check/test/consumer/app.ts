import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { adapterExamples, pointedAtEmulator, quickStartSnippet } from "./docs.ts";

/**
 * The sources of the app folder: a file importing every public entry point, the doc snippets
 * pointed at the emulator, the small programs that run them, a browser app, and the two
 * tsconfigs. Returns the relative paths written.
 */
export function writeAppSources(appDir: string, root: string, entryPoints: readonly string[], emulatorUrl: string): string[] {
  const files = new Map<string, string>();

  files.set(
    "entries.ts",
    [...entryPoints.map((spec, i) => `import * as entry${i} from ${JSON.stringify(spec)};`), `export const entries = [${entryPoints.map((_, i) => `entry${i}`).join(", ")}];`, ""].join("\n"),
  );

  // The quick start uses an `mfaToken` and a `useTokens` of the app's own: here they come first.
  files.set(
    "docs/quick-start.ts",
    [
      'import type { Tokens } from "@pushflow/node";',
      'const mfaToken = process.env["PUSHFLOW_MFA_TOKEN"] ?? "";',
      'const useTokens = (tokens: Tokens) => console.log(`tokens: ${tokens.accessToken === "" ? "none" : "an access token"}`);',
      "",
      pointedAtEmulator(quickStartSnippet(root), emulatorUrl),
    ].join("\n"),
  );

  for (const { adapter, code } of adapterExamples(root)) {
    files.set(`docs/adapter-${adapter}.ts`, pointedAtEmulator(code, emulatorUrl));
    if (adapter !== "browser") {
      const env = adapter === "deno" ? 'Deno.env.get("PUSHFLOW_MFA_TOKEN")' : 'process.env["PUSHFLOW_MFA_TOKEN"]';
      files.set(`run-adapter-${adapter}.ts`, driver(`./docs/adapter-${adapter}.ts`, env));
    }
  }

  // What a page bundles: the example and the QR entry, handed to the page's own code.
  files.set(
    "browser-app.ts",
    ['import { qrSvg } from "@pushflow/browser/qr";', 'import { secondFactor } from "./docs/adapter-browser.ts";', "", "Object.assign(globalThis, { pushflowApp: { secondFactor, qrSvg } });", ""].join("\n"),
  );

  // skipLibCheck as apps have it: checking every declaration file (vue's, @types/node's, …) costs
  // four times the time, and the resolution inside ours is attw's check (packaging.test.ts).
  const compilerOptions = { strict: true, target: "ES2022", lib: ["ES2022", "DOM", "DOM.Iterable"], types: ["node"], noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true };
  // The Deno driver uses `Deno.*`: Deno checks it, not tsc.
  const include = ["entries.ts", "docs/*.ts", "browser-app.ts", "run-adapter-node.ts"];
  files.set("tsconfig.node16.json", JSON.stringify({ compilerOptions: { ...compilerOptions, module: "node16", moduleResolution: "node16" }, include }, null, 2));
  files.set("tsconfig.bundler.json", JSON.stringify({ compilerOptions: { ...compilerOptions, module: "esnext", moduleResolution: "bundler" }, include }, null, 2));

  for (const [file, text] of files) {
    mkdirSync(dirname(join(appDir, file)), { recursive: true });
    writeFileSync(join(appDir, file), text);
  }
  return [...files.keys()];
}

/**
 * A program that calls the example's `secondFactor` with a UI that prints each status line and
 * records what it was shown, and prints that as its last line (no secrets).
 */
function driver(example: string, envExpression: string): string {
  return `import { secondFactor } from ${JSON.stringify(example)};

const seen = { statuses: 0, qr: false, recoveryCodes: 0 };
const ui = {
  status: (text: string) => {
    seen.statuses++;
    console.log("status: " + text);
  },
  showQr: (barcodeUri: string) => void (seen.qr = barcodeUri.startsWith("otpauth://")),
  showOnce: async (codes: readonly string[]) => void (seen.recoveryCodes = codes.length),
};
const tokens = await secondFactor(${envExpression} ?? "", ui);
console.log(JSON.stringify({ ...seen, accessToken: tokens.accessToken !== "" }));
`;
}
