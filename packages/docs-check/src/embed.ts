/**
 * Pictures are embedded in pages between markers, so GitHub (and any Markdown viewer with
 * Mermaid) draws them in place:
 *
 *     <!-- diagram: challenge -->
 *     ```mermaid
 *     …the text of docs/diagrams/challenge.mmd…
 *     ```
 *     <!-- /diagram -->
 */
const BLOCK = /<!-- diagram: ([\w-]+) -->\n([\s\S]*?)<!-- \/diagram -->/g;

/** The diagram names a page embeds, in order. */
export function embeddedDiagrams(markdown: string): string[] {
  return [...markdown.matchAll(BLOCK)].map((m) => m[1]!);
}

/** The page with every embedded picture replaced by the current text; unknown names are left alone. */
export function embedDiagrams(markdown: string, diagrams: ReadonlyMap<string, string>): string {
  return markdown.replace(BLOCK, (whole, name: string) => {
    const text = diagrams.get(`${name}.mmd`);
    return text === undefined ? whole : `<!-- diagram: ${name} -->\n\`\`\`mermaid\n${text}\`\`\`\n<!-- /diagram -->`;
  });
}
