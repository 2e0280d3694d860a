#!/usr/bin/env node
// `pnpm diagrams`: redraws docs/diagrams/*.mmd from the machines of @pushflow/core and refreshes
// the pictures embedded in docs/**/*.md. Node 20 cannot run TypeScript, so this runs the built
// @pushflow/docs-check (the root script builds it, and core, first).
import { fileURLToPath } from "node:url";
import { syncDiagrams } from "../packages/docs-check/dist/index.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const { stale, unknown } = await syncDiagrams(root, { write: true });
for (const file of stale) console.log(`updated ${file.path}`);
if (stale.length === 0) console.log("diagrams: everything up to date");
for (const name of unknown) console.error(`unknown diagram embedded in ${name}`);
process.exitCode = unknown.length > 0 ? 1 : 0;
