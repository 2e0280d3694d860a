/**
 * `pnpm bench`: bundle size, per-flow cost at scale and request efficiency, each beside its
 * baseline from the same run. Prints one table and writes it, with every raw figure, to
 * bench/results.json. Options: `--flows N`, `--runs N` (pushflow workers), `--quick`.
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runBundleBench } from "./bundle-bench.ts";
import { BENCH_DIR } from "./paths.ts";
import { runRequestBench } from "./requests.ts";
import { runScaleBench, type ScalePlan } from "./scale.ts";
import { buildRows, renderTable } from "./table.ts";
import { checkTargets } from "./targets.ts";

const { values } = parseArgs({
  options: {
    flows: { type: "string", default: "10000" },
    runs: { type: "string", default: "2" },
    quick: { type: "boolean", default: false },
  },
});

const log = (line: string) => process.stderr.write(`${line}\n`);
const began = performance.now();
const plan: ScalePlan = values.quick
  ? { flows: 1_000, ticks: 3, warmup: 100, runs: { baseline: 1, "xstate-floor": 1, pushflow: 1 } }
  : // Tick CPU swings by half from one tick to the next (garbage collection of a 100 MB heap lands
    // in some and not others): 12 ticks a worker, and the floor as many workers as pushflow.
    { flows: Number(values.flows), ticks: 12, warmup: 200, runs: { baseline: 5, "xstate-floor": Number(values.runs), pushflow: Number(values.runs) } };

log("bench: bundles (esbuild)…");
const bundle = await runBundleBench();
log("bench: request efficiency against the emulator…");
const requests = await runRequestBench();
log(`bench: ${plan.flows} concurrent challenge flows per worker…`);
const scale = await runScaleBench(plan, log);

const checks = checkTargets(bundle, scale.pushflow, requests);
const sections = buildRows(bundle, scale, requests, checks);
const table = renderTable(sections);
const met = checks.filter((c) => c.met);

const own = bundle.modules.filter((m) => /^(core|transport-fetch|browser)\//.test(m.module));
const byPackage = new Map<string, number>();
for (const m of own) byPackage.set(m.module.split("/")[0] ?? "", (byPackage.get(m.module.split("/")[0] ?? "") ?? 0) + m.bytes);
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const summary = [
  table,
  `our code by package (minified): ${[...byPackage].map(([name, bytes]) => `${name} ${kB(bytes)}`).join(", ")}`,
  `largest own files (minified): ${own
    .slice(0, 6)
    .map((m) => `${m.module.replace(/^([\w-]+)\/src\//, "$1/")} ${kB(m.bytes)}`)
    .join(", ")}`,
  `targets met: ${met.length} of ${checks.length}`,
  ...checks.map((c) => `  ${c.met ? "✓" : "✗"} ${c.target}: ${c.measured}`),
].join("\n");
process.stdout.write(`${summary}\n`);

const results = {
  generatedAt: new Date().toISOString(),
  environment: { node: process.version, cpu: cpus()[0]?.model ?? "?", cores: cpus().length, platform: process.platform },
  plan,
  seconds: Math.round((performance.now() - began) / 100) / 10,
  targets: checks,
  table: sections,
  bundle,
  scale,
  requests,
};
writeFileSync(join(BENCH_DIR, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
log(`bench: done in ${results.seconds} s; results in bench/results.json`);
