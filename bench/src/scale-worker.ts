/**
 * One scale measurement in its own process (run with `node --expose-gc`), so that heap figures
 * see nothing but the flows: `scale-worker.mjs <pushflow|baseline|xstate-floor> <flows> <ticks> <warmup>`.
 * Prints the report as one JSON line.
 */
import { isScaleSubject, runScale } from "./scale-run.ts";

const [subject = "pushflow", flows = "10000", ticks = "5", warmup = "200"] = process.argv.slice(2);
if (!isScaleSubject(subject)) throw new Error(`unknown subject ${subject}`);
const report = await runScale({ subject, flows: Number(flows), ticks: Number(ticks), warmup: Number(warmup) });
process.stdout.write(`${JSON.stringify(report)}\n`);
