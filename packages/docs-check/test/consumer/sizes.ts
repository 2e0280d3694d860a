import type { Footprint } from "./project.ts";

/**
 * What an app's node_modules may weigh after `npm install` of one adapter: about 25 % above the
 * install measured when the ceilings were set (2026-12: browser 8 packages / 5.9 MB, node 12 /
 * 6.5 MB, server 11 / 6.3 MB; xstate and valibot are 4.5 MB of each), so a new dependency, or one that grows
 * a lot, is a decision taken here and not a drift.
 */
export const CEILINGS: Readonly<Record<string, { readonly megabytes: number; readonly packages: number }>> = {
  "@pushflow/browser": { megabytes: 7.5, packages: 10 },
  "@pushflow/node": { megabytes: 8, packages: 15 },
  "@pushflow/server": { megabytes: 8, packages: 14 },
};

export const megabytes = (bytes: number) => bytes / 1_000_000;

/** `package  size  packages  ceiling`, one line per install, aligned for the CI log. */
export function sizeTable(rows: readonly { readonly name: string; readonly footprint: Footprint }[]): string {
  const lines = [["package", "size", "packages", "ceiling"]];
  for (const { name, footprint } of rows) {
    const ceiling = CEILINGS[name];
    lines.push([
      name,
      `${megabytes(footprint.bytes).toFixed(2)} MB`,
      String(footprint.packages),
      ceiling ? `${ceiling.megabytes.toFixed(2)} MB, ${ceiling.packages} packages` : "none",
    ]);
  }
  const widths = lines[0]?.map((_, column) => Math.max(...lines.map((line) => line[column]?.length ?? 0))) ?? [];
  return lines.map((line) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd()).join("\n");
}

/** The installs above their ceiling (or without one), as text. */
export function overCeiling(rows: readonly { readonly name: string; readonly footprint: Footprint }[]): string[] {
  return rows.flatMap(({ name, footprint }) => {
    const ceiling = CEILINGS[name];
    if (!ceiling) return [`${name}: no ceiling set`];
    const problems: string[] = [];
    if (megabytes(footprint.bytes) > ceiling.megabytes) problems.push(`${name}: ${megabytes(footprint.bytes).toFixed(2)} MB > ${ceiling.megabytes} MB`);
    if (footprint.packages > ceiling.packages) problems.push(`${name}: ${footprint.packages} packages > ${ceiling.packages}`);
    return problems;
  });
}
