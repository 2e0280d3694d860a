import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { codeBlocks } from "../../src/index.ts";

/** The adapter pages mark their shared example with this comment (docs.test.ts checks they agree). */
const EXAMPLE = /<!-- example: adapter[^>]*-->\n```ts\n([\s\S]*?)```/;

/** The one TypeScript block of docs/quick-start.md ("Embed a flow"), as written. */
export function quickStartSnippet(root: string): string {
  const blocks = codeBlocks(readFileSync(join(root, "docs/quick-start.md"), "utf8")).filter((block) => block.lang === "ts");
  const [only, ...more] = blocks;
  if (!only || more.length > 0) throw new Error(`docs/quick-start.md has ${blocks.length} TypeScript blocks; the consumer test runs exactly one`);
  return only.code;
}

/**
 * The pages under docs/adapters, by adapter (`node` for node.md), with their shared example if
 * they carry one (the framework pages, React and Vue, show components instead).
 */
export function adapterPages(root: string): { readonly adapter: string; readonly example: string | undefined }[] {
  const dir = join(root, "docs/adapters");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".md"))
    .sort()
    .map((file) => ({ adapter: basename(file, ".md"), example: EXAMPLE.exec(readFileSync(join(dir, file), "utf8"))?.[1] }));
}

/** The shared example of every adapter page that carries it. */
export function adapterExamples(root: string): { readonly adapter: string; readonly code: string }[] {
  return adapterPages(root).flatMap(({ adapter, example }) => (example === undefined ? [] : [{ adapter, code: example }]));
}

/**
 * The snippet pointed at the emulator, as the quick start says ("Point `domain` at
 * http://127.0.0.1:4455, with client `pushflow-demo`"): the placeholder domain and client id are
 * the only text replaced. Throws if the snippet has no such placeholder, so a page that starts
 * connecting some other way is noticed rather than run against a real tenant.
 */
export function pointedAtEmulator(code: string, emulatorUrl: string): string {
  if (!code.includes('"tenant.auth0.com"')) throw new Error('the snippet has no domain "tenant.auth0.com" to point at the emulator');
  if (!/clientId: "(…|YOUR_CLIENT_ID)"/.test(code)) throw new Error('the snippet has no clientId "…" or "YOUR_CLIENT_ID" to replace');
  return code.replaceAll('"tenant.auth0.com"', JSON.stringify(emulatorUrl)).replace(/clientId: "(…|YOUR_CLIENT_ID)"/g, 'clientId: "pushflow-demo"');
}
