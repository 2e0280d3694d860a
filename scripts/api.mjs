#!/usr/bin/env node
// `pnpm api`: rewrites packages/<package>/api.md, the names each public entry of each public
// package exports, read from the built declaration files (the root script builds everything
// first). A test in packages/docs-check fails while a report differs from the build: run this,
// review the change of the API, and commit the reports with it.
import { fileURLToPath } from "node:url";
import { apiDifferences, publicPackages, writeApiReports } from "../packages/docs-check/dist/index.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const stale = writeApiReports(publicPackages(root));
for (const report of stale) {
  console.log(`updated ${report.path}`);
  for (const line of apiDifferences(report)) console.log(`  ${line}`);
}
if (stale.length === 0) console.log("api: every report is up to date");
