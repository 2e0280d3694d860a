/** A Markdown pipe table: header cells and body rows, cells trimmed. */
export interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line of the header. */
  readonly line: number;
}

const cells = (line: string): string[] =>
  line
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    // `\|` inside a cell is a literal bar.
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));

const isDivider = (line: string) => /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line);

/** Every pipe table of a page, outside fenced code. */
export function parseTables(markdown: string): Table[] {
  const lines = withoutCode(markdown).split("\n");
  const tables: Table[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!lines[i]!.includes("|") || !isDivider(lines[i + 1]!)) continue;
    const header = cells(lines[i]!);
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j]!.trim().startsWith("|"); j++) rows.push(cells(lines[j]!));
    tables.push({ header, rows, line: i + 1 });
    i = j - 1;
  }
  return tables;
}

/** The page with fenced code blocks blanked (line numbers kept). */
export function withoutCode(markdown: string): string {
  let fenced = false;
  return markdown
    .split("\n")
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return "";
      }
      return fenced ? "" : line;
    })
    .join("\n");
}

/** Text of a cell without code marks: "`enrolled`" → "enrolled". */
export function plain(cell: string): string {
  return cell.replace(/`/g, "").trim();
}

/** Relative link targets of a page (`[text](target)`), outside code; absolute URLs and mail are left out. */
export function relativeLinks(markdown: string): { readonly target: string; readonly line: number }[] {
  const links: { target: string; line: number }[] = [];
  withoutCode(markdown)
    .split("\n")
    .forEach((text, i) => {
      for (const m of text.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1]!;
        if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ target, line: i + 1 });
      }
    });
  return links;
}

/** The anchors GitHub gives a page's headings (`## Polling rules` → `polling-rules`). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCode(markdown).split("\n")) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]!
      .toLowerCase()
      .replace(/<[^>]+>/g, "")
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The fenced blocks of a page with their info string (`ts`, `sh`, `mermaid`). */
export function codeBlocks(markdown: string): { readonly lang: string; readonly code: string }[] {
  return [...markdown.matchAll(/^```([\w-]*)[^\n]*\n([\s\S]*?)^```\s*$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}
