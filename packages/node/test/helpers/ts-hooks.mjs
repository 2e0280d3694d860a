// Module hooks that run the TypeScript sources under Node 20 (no type stripping there): each
// `.ts` file is transpiled on load with TypeScript's transpileModule (no type check).
import { readFile } from "node:fs/promises";
import ts from "typescript";

const compilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  verbatimModuleSyntax: true,
  sourceMap: false,
};

export async function load(url, context, nextLoad) {
  if (!url.startsWith("file:") || !url.endsWith(".ts")) return nextLoad(url, context);
  const source = await readFile(new URL(url), "utf8");
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: url });
  return { format: "module", source: outputText, shortCircuit: true };
}
