/**
 * @pushflow/docs-check (private): what keeps the docs true to the code. Statechart pictures
 * drawn from the machines, the outcome table, the pages' links and shared example, and the
 * packaging checks of every public package, with the report of each one's exported names. Its
 * tests run in the root vitest; `pnpm diagrams`, `pnpm check:package` and `pnpm api` run the same
 * functions from the built files.
 */
export { toMermaid } from "./mermaid.ts";
export { DIAGRAMS, renderDiagrams, type Diagram } from "./diagrams.ts";
export { embedDiagrams, embeddedDiagrams } from "./embed.ts";
export { markdownFiles, syncDiagrams, type StaleFile } from "./sync.ts";
export { codeBlocks, headingAnchors, parseTables, plain, relativeLinks, withoutCode, type Table } from "./markdown.ts";
export { readmeGaps } from "./readme.ts";
export { finalStates, flowsOf, type FinalState } from "./outcomes.ts";
export {
  API_REPORT,
  apiDifferences,
  apiNames,
  apiReports,
  exportedNames,
  formatApiReport,
  packageEntries,
  parseApiReport,
  writeApiReports,
  type ApiNames,
  type ApiReport,
  type PackageEntry,
} from "./api.ts";
export {
  checkPackage,
  mapLimit,
  privateDependencies,
  publicPackages,
  workspacePackages,
  type Manifest,
  type ToolReport,
  type WorkspacePackage,
} from "./packages.ts";
