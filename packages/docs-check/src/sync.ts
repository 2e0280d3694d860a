import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { DIAGRAMS, renderDiagrams } from "./diagrams.ts";
import { embedDiagrams, embeddedDiagrams } from "./embed.ts";

/** A file whose committed text differs from what the machines give now. */
export interface StaleFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly expected: string;
  readonly actual: string | undefined;
}

/** Every Markdown file under `dir`, sorted. */
export async function markdownFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".md"))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Compares `docs/diagrams/*.mmd` and the pictures embedded in `docs/**.md` with the machines;
 * with `write`, brings them up to date. Answers what was (or still is) stale, and the names
 * embedded in pages that are not pictures.
 */
export async function syncDiagrams(root: string, options: { readonly write: boolean }): Promise<{ stale: StaleFile[]; unknown: string[] }> {
  const pictures = renderDiagrams();
  const stale: StaleFile[] = [];
  const unknown: string[] = [];
  const check = async (path: string, expected: string) => {
    const actual = await readFile(join(root, path), "utf8").catch(() => undefined);
    if (actual === expected) return;
    stale.push({ path, expected, actual });
    if (options.write) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), expected);
    }
  };
  for (const [file, text] of pictures) await check(`docs/diagrams/${file}`, text);
  for (const page of await markdownFiles(join(root, "docs"))) {
    const markdown = await readFile(page, "utf8");
    for (const name of embeddedDiagrams(markdown)) if (!DIAGRAMS.some((d) => d.name === name)) unknown.push(`${relative(root, page)}: ${name}`);
    await check(relative(root, page), embedDiagrams(markdown, pictures));
  }
  return { stale, unknown };
}
