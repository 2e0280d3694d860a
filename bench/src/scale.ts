import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SCALE_SUBJECTS, type ScaleReport, type ScaleSubject } from "./scale-run.ts";
import { median } from "./stats.ts";

const WORKER = fileURLToPath(new URL("./scale-worker.mjs", import.meta.url));

export interface ScalePlan {
  readonly flows: number;
  readonly ticks: number;
  readonly warmup: number;
  /** Worker processes per subject: noisy figures are medians over them. */
  readonly runs: Readonly<Record<ScaleSubject, number>>;
}

/** The medians over the runs of one subject, and the runs themselves. */
export interface ScaleSummary {
  readonly subject: ScaleSubject;
  readonly flows: number;
  readonly heapPerFlowBytes: number;
  readonly heapGrowthPerFlowBytes: number;
  readonly tickCpuUs: number;
  readonly transportCpuUs: number;
  readonly netTickCpuUs: number;
  /** CPU to start one flow, until its first request is issued (µs). */
  readonly startCpuUs: number;
  /** The same in wall time (µs). */
  readonly startWallUs: number;
  /** Wall time per flow until every flow waits for its first poll (µs). */
  readonly startToPollWallUs: number;
  /** Clock timers pending while every flow waits for its next poll: the most at any wait (worst run)… */
  readonly timersWhileWaiting: number;
  /** …and that count ÷ flows. A count, not a noisy figure: any run or wait with more counts. */
  readonly timersPerWaitingFlow: number;
  /** The worst run: any timer or listener left counts. */
  readonly timersAfter: number;
  readonly listenersAfter: { readonly app: number; readonly internal: number };
  readonly outcomes: Readonly<Record<string, number>>;
  readonly runs: readonly ScaleReport[];
}

function runWorker(subject: ScaleSubject, plan: ScalePlan): Promise<ScaleReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", WORKER, subject, String(plan.flows), String(plan.ticks), String(plan.warmup)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || last === "") reject(new Error(`scale worker (${subject}) exited with ${String(code)}`));
      else resolve(JSON.parse(last) as ScaleReport);
    });
  });
}

function summarize(subject: ScaleSubject, runs: readonly ScaleReport[]): ScaleSummary {
  const med = (pick: (r: ScaleReport) => number) => median(runs.map(pick));
  const worst = (pick: (r: ScaleReport) => number) => Math.max(...runs.map(pick));
  const outcomes: Record<string, number> = {};
  for (const run of runs) for (const [outcome, n] of Object.entries(run.outcomes)) outcomes[outcome] = (outcomes[outcome] ?? 0) + n;
  return {
    subject,
    flows: runs[0]?.flows ?? 0,
    heapPerFlowBytes: med((r) => r.heapPerFlowBytes),
    heapGrowthPerFlowBytes: med((r) => r.heapGrowthPerFlowBytes),
    // CPU: the median of every tick of every run (each tick is one timed advance of all flows).
    tickCpuUs: median(runs.flatMap((r) => r.tickCpuUs)),
    transportCpuUs: median(runs.flatMap((r) => r.transportCpuUs)),
    netTickCpuUs: median(runs.flatMap((r) => r.tickCpuUs)) - median(runs.flatMap((r) => r.transportCpuUs)),
    startCpuUs: med((r) => r.startCpuUs),
    startWallUs: med((r) => r.startWallUs),
    startToPollWallUs: med((r) => r.startToPollWallUs),
    timersWhileWaiting: worst((r) => Math.max(...r.timersWhileWaiting)),
    timersPerWaitingFlow: worst((r) => Math.max(...r.timersWhileWaiting) / r.flows),
    timersAfter: worst((r) => r.timersAfter),
    listenersAfter: { app: worst((r) => r.listenersAfter.app), internal: worst((r) => r.listenersAfter.internal) },
    outcomes,
    runs,
  };
}

/** Runs the workers one after the other (never two at once: they would share the CPU). */
export async function runScaleBench(plan: ScalePlan, log: (line: string) => void): Promise<Record<ScaleSubject, ScaleSummary>> {
  const result: Partial<Record<ScaleSubject, ScaleSummary>> = {};
  for (const subject of SCALE_SUBJECTS) {
    const runs: ScaleReport[] = [];
    for (let i = 0; i < plan.runs[subject]; i++) {
      const started = performance.now();
      runs.push(await runWorker(subject, plan));
      log(`  scale: ${subject} run ${i + 1}/${plan.runs[subject]} (${plan.flows} flows) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    result[subject] = summarize(subject, runs);
  }
  return result as Record<ScaleSubject, ScaleSummary>;
}
