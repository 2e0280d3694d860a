import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { codeBlocks } from "../src/index.ts";
import { ROOT } from "./root.ts";

// The TypeScript snippets of these pages are what an app copies into its tests: each must compile
// on its own, with its own imports, against the packages as published (their built declarations,
// not the workspace sources), and import only what an app installs (no xstate: the test kit
// re-exports SimulatedClock).
const PAGES = ["docs/testing.md", "docs/transports.md", "docs/adapters/react.md", "docs/adapters/vue.md"];

/** The folder the snippets are compiled in (in memory): packages resolve from here as in this package's tests. */
const HERE = dirname(fileURLToPath(import.meta.url));

interface Snippet {
  readonly where: string;
  readonly file: string;
  readonly code: string;
}

const snippets: Snippet[] = PAGES.flatMap((page) =>
  codeBlocks(readFileSync(join(ROOT, page), "utf8"))
    .filter((block) => block.lang === "ts" || block.lang === "tsx")
    .map((block, i) => ({
      where: `${page}, TypeScript block ${i + 1}`,
      file: join(HERE, `doc-snippet.${basename(page, ".md")}.${i + 1}.${block.lang}`),
      // Each is a module of its own, imports or not.
      code: `${block.code}\nexport {};\n`,
    })),
);

function compile(files: readonly Snippet[]): Map<string, string[]> {
  const base = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.base.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  // As an app resolves them: through each package's `types`, not the workspace's source condition.
  const options: ts.CompilerOptions = { ...base?.options, customConditions: [], types: ["node"], noEmit: true, jsx: ts.JsxEmit.ReactJSX };
  const byFile = new Map(files.map((s) => [s.file, s]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => byFile.has(file) || fileExists.call(host, file);
  host.readFile = (file) => byFile.get(file)?.code ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const snippet = byFile.get(file);
    return snippet ? ts.createSourceFile(file, snippet.code, language) : getSourceFile.call(host, file, language, ...rest);
  };
  const program = ts.createProgram([...byFile.keys()], options, host);
  const problems = new Map<string, string[]>(files.map((s) => [s.where, []]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const snippet = d.file ? byFile.get(d.file.fileName) : undefined;
    if (!snippet) continue;
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    // The app's own modules (`./my-screen.ts`) are not in the docs.
    if (d.code === 2307 && /'\.\.?\//.test(message)) continue;
    const line = d.start === undefined ? "?" : d.file!.getLineAndCharacterOfPosition(d.start).line + 1;
    problems.get(snippet.where)!.push(`line ${line}: ${message}`);
  }
  return problems;
}

describe("the snippets of the testing and transports pages", () => {
  it("are there", () => {
    expect(snippets.filter((s) => s.where.startsWith("docs/testing.md")).length).toBeGreaterThanOrEqual(5);
  });

  it("import nothing from xstate (the test kit re-exports SimulatedClock)", () => {
    expect(snippets.filter((s) => /from "xstate"/.test(s.code)).map((s) => s.where)).toEqual([]);
  });

  it("each compile on its own, with their imports, against the built packages (after pnpm build)", () => {
    const problems = compile(snippets);
    const failed = [...problems].filter(([, list]) => list.length > 0).map(([where, list]) => `${where}:\n  ${list.join("\n  ")}`);
    expect(failed.join("\n\n")).toBe("");
  }, 60_000);
});
