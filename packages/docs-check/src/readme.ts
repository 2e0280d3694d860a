import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { codeBlocks } from "./markdown.ts";
import type { WorkspacePackage } from "./packages.ts";

const INSTALL = /\b(pnpm add|npm install|npm i|yarn add|deno add)\b[^\n]*@pushflow\/|npm:@pushflow\//;

/**
 * What a public package's README lacks of the three things every one must say: what the package
 * is (a paragraph under the title), how to install it, and a short example (a TypeScript block
 * of at most 20 lines that imports the package).
 */
export function readmeGaps(pkg: WorkspacePackage): string[] {
  const file = join(pkg.dir, "README.md");
  if (!existsSync(file)) return ["no README.md"];
  const text = readFileSync(file, "utf8");
  const gaps: string[] = [];
  const intro = text.replace(/^# .*\n+/, "").split(/\n\n/)[0] ?? "";
  if (!text.startsWith(`# ${pkg.manifest.name}`)) gaps.push(`the title is not "# ${pkg.manifest.name}"`);
  if (intro.trim() === "" || intro.startsWith("#") || intro.startsWith("```")) gaps.push("no paragraph under the title saying what the package is");
  const blocks = codeBlocks(text);
  if (!blocks.some((b) => INSTALL.test(b.code))) gaps.push("no install command (pnpm add / npm install / deno add …)");
  const imports = new RegExp(`from "(npm:)?${pkg.manifest.name.replace("/", "\\/")}[@"/]`);
  const examples = blocks.filter((b) => (b.lang === "ts" || b.lang === "js") && imports.test(b.code));
  if (examples.length === 0) gaps.push(`no TypeScript example importing ${pkg.manifest.name}`);
  else if (!examples.some((b) => b.code.trim().split("\n").length <= 20)) gaps.push("no short example (20 lines or fewer)");
  return gaps;
}
