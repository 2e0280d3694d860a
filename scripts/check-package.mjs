#!/usr/bin/env node
// `pnpm check:package`: publint --strict and attw --pack --profile esm-only on every public
// package (built first by the root script), plus "no published package needs a private one",
// "its README says what it is, how to install it, and shows a short example" and "its api.md lists
// the names its entries export" (`pnpm api` rewrites those reports).
// The same checks run as a test in packages/docs-check.
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { apiDifferences, apiReports, checkPackage, mapLimit, privateDependencies, publicPackages, readmeGaps, workspacePackages } from "../packages/docs-check/dist/index.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const all = workspacePackages(root);
const targets = publicPackages(root);
const bin = join(root, "node_modules", ".bin");
let failed = 0;
const reports = await mapLimit(targets, 3, (pkg) => checkPackage(pkg, bin));
const api = apiReports(targets);
targets.forEach((pkg, i) => {
  const problems = reports[i].filter((r) => !r.ok);
  const privates = privateDependencies(pkg, all);
  if (privates.length > 0) problems.push({ tool: "dependencies", output: `needs private workspace packages at run time: ${privates.join(", ")}` });
  const gaps = readmeGaps(pkg);
  if (gaps.length > 0) problems.push({ tool: "README", output: gaps.join("\n") });
  if (api[i].actual !== api[i].expected) problems.push({ tool: "api.md (run `pnpm api`)", output: apiDifferences(api[i]).join("\n") });
  console.log(`${problems.length === 0 ? "ok  " : "FAIL"} ${pkg.manifest.name}`);
  for (const p of problems) console.log(`  ${p.tool}:\n${p.output.replace(/^/gm, "    ")}`);
  failed += problems.length > 0 ? 1 : 0;
});
console.log(`${targets.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
