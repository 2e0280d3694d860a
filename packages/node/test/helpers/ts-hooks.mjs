// Module hooks that run the TypeScript sources under Node 20 (no type stripping there): each
// `.ts` file is transpiled on load with TypeScript's transpileModule (no type check). Output is
// cached by content hash, so TypeScript itself is loaded only when a source changed.
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cacheDir = join(tmpdir(), "pushflow-ts-cache-v1");
let typescript;

async function transpile(source, fileName) {
  typescript ??= (await import("typescript")).default;
  const ts = typescript;
  const compilerOptions = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true };
  return ts.transpileModule(source, { compilerOptions, fileName }).outputText;
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const source = await readFile(new URL(url), "utf8");
  const cached = join(cacheDir, `${createHash("sha256").update(url).update("\0").update(source).digest("hex")}.mjs`);
  let output;
  try {
    output = await readFile(cached, "utf8");
  } catch {
    output = await transpile(source, url);
    // Written aside and renamed: parallel test processes never read half a file.
    await mkdir(cacheDir, { recursive: true });
    const temp = `${cached}.${process.pid}.tmp`;
    await writeFile(temp, output);
    await rename(temp, cached);
  }
  return { format: "module", source: output, shortCircuit: true };
}
