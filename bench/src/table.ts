import type { BundleResults, Size } from "./bundle-bench.ts";
import type { RequestRun } from "./requests.ts";
import type { ScaleSubject } from "./scale-run.ts";
import type { ScaleSummary } from "./scale.ts";
import { median } from "./stats.ts";
import type { TargetCheck } from "./targets.ts";

/** One line of the printed table (also written to results.json). */
export interface Row {
  readonly figure: string;
  readonly ours: string;
  /** The baseline it is compared with, named. */
  readonly baseline: string;
  /** ours ÷ baseline. */
  readonly ratio: string;
  /** `✓ target` / `✗ target`, when the figure has one. */
  readonly target: string;
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const sizeText = (s: Size) => `${kB(s.gzipBytes)} (${kB(s.minBytes)} min)`;
const ratio = (ours: number, base: number) => (base > 0 && Number.isFinite(ours / base) ? `${(ours / base).toFixed(2)}×` : "n/a");
const us = (v: number) => `${v.toFixed(1)} µs`;
/** part ÷ whole as a percentage. */
const share = (part: number, whole: number) => (whole > 0 && Number.isFinite(part / whole) ? `${Math.round((100 * part) / whole)} %` : "n/a");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function mark(checks: readonly TargetCheck[], id: string): string {
  const check = checks.find((c) => c.id === id);
  return check ? `${check.met ? "✓" : "✗"} ${check.target}` : "";
}

export function buildRows(bundle: BundleResults, scale: Record<ScaleSubject, ScaleSummary>, requests: readonly RequestRun[], checks: readonly TargetCheck[]): { section: string; rows: Row[] }[] {
  const ours = bundle.ours;
  const bundleRows: Row[] = [
    {
      figure: `browser bundle: ${bundle.entry}`,
      ours: sizeText(ours),
      baseline: `its deps alone ${kB(bundle.depsOnly.gzipBytes)}`,
      ratio: ratio(ours.gzipBytes, bundle.depsOnly.gzipBytes),
      target: mark(checks, "bundle"),
    },
    {
      figure: "  our own code (bundle − deps-only bundle)",
      ours: sizeText(bundle.own),
      baseline: `deps-only ${sizeText(bundle.depsOnly)}`,
      ratio: ratio(bundle.own.gzipBytes, bundle.depsOnly.gzipBytes),
      target: mark(checks, "own-code"),
    },
    bundle.qr
      ? {
          figure: "  @pushflow/browser/qr (alone; added to the main entry)",
          ours: `${kB(bundle.qr.alone.gzipBytes)}; +${kB(bundle.qr.added.gzipBytes)}`,
          baseline: `main entry ${kB(ours.gzipBytes)}`,
          ratio: ratio(bundle.qr.added.gzipBytes, ours.gzipBytes),
          target: "",
        }
      : { figure: "  @pushflow/browser/qr", ours: "not built yet (exports nothing)", baseline: "", ratio: "", target: "" },
    ...bundle.bindings.map(
      (binding): Row => ({
        figure: `  ${binding.name} (binding alone, over the main entry; ${binding.peer} not counted)`,
        ours: binding.added ? `+${sizeText(binding.added)}` : `failed: ${binding.error ?? "?"}`,
        baseline: `main entry ${kB(ours.gzipBytes)}`,
        ratio: binding.added ? ratio(binding.added.gzipBytes, ours.gzipBytes) : "n/a",
        target: "",
      }),
    ),
    ...bundle.alternatives.map(
      (alt): Row => ({
        figure: `  beside ${alt.packageName} ${alt.version}`,
        ours: kB(ours.gzipBytes),
        baseline: alt.gzipBytes === undefined ? `failed: ${alt.error ?? "?"}` : sizeText({ minBytes: alt.minBytes ?? 0, gzipBytes: alt.gzipBytes }),
        ratio: alt.gzipBytes === undefined ? "n/a" : ratio(ours.gzipBytes, alt.gzipBytes),
        target: "",
      }),
    ),
  ];

  const p = scale.pushflow;
  const b = scale.baseline;
  const x = scale["xstate-floor"];
  const loop = "hand-written loop";
  /**
   * The XState floor's line under a pushflow figure: the bare machine's figure where pushflow's
   * stands (with its share of pushflow's), beside the hand-written loop; the ratio is floor ÷ loop.
   */
  const floor = (pick: (s: ScaleSummary) => number, show: (v: number) => string): Row => ({
    figure: "  XState floor (same job, bare machine)",
    ours: `${show(pick(x))} (${share(pick(x), pick(p))} of pushflow's)`,
    baseline: `${loop} ${show(pick(b))}`,
    ratio: ratio(pick(x), pick(b)),
    target: "",
  });
  const scaleRows: Row[] = [
    {
      figure: `heap per waiting flow (${p.flows.toLocaleString("en")} flows)`,
      ours: kB(p.heapPerFlowBytes),
      baseline: `${loop} ${kB(b.heapPerFlowBytes)}`,
      ratio: ratio(p.heapPerFlowBytes, b.heapPerFlowBytes),
      target: mark(checks, "heap-per-flow"),
    },
    floor((s) => s.heapPerFlowBytes, kB),
    {
      figure: "CPU per flow per poll tick, beyond the transport",
      ours: us(p.netTickCpuUs),
      baseline: `${loop} ${us(b.netTickCpuUs)}`,
      ratio: ratio(p.netTickCpuUs, b.netTickCpuUs),
      target: mark(checks, "cpu-per-tick"),
    },
    floor((s) => s.netTickCpuUs, us),
    {
      figure: "  the same, with the transport call",
      ours: us(p.tickCpuUs),
      baseline: `${loop} ${us(b.tickCpuUs)}`,
      ratio: ratio(p.tickCpuUs, b.tickCpuUs),
      target: "",
    },
    {
      figure: "  the transport call alone (measured separately)",
      ours: us(p.transportCpuUs),
      baseline: `${loop}'s run ${us(b.transportCpuUs)}`,
      ratio: ratio(p.transportCpuUs, b.transportCpuUs),
      target: "",
    },
    {
      figure: "CPU to start a flow, until its first request",
      ours: us(p.startCpuUs),
      baseline: `${loop} ${us(b.startCpuUs)}`,
      ratio: ratio(p.startCpuUs, b.startCpuUs),
      target: mark(checks, "start-flow"),
    },
    floor((s) => s.startCpuUs, us),
    {
      figure: "  the same, wall time",
      ours: us(p.startWallUs),
      baseline: `${loop} ${us(b.startWallUs)}`,
      ratio: ratio(p.startWallUs, b.startWallUs),
      target: "",
    },
    {
      figure: "  wall time until it waits for its first poll",
      ours: us(p.startToPollWallUs),
      baseline: `${loop} ${us(b.startToPollWallUs)}`,
      ratio: ratio(p.startToPollWallUs, b.startToPollWallUs),
      target: "",
    },
    {
      figure: "clock timers per waiting flow (most at any wait)",
      ours: p.timersPerWaitingFlow.toFixed(2),
      baseline: `${loop} ${b.timersPerWaitingFlow.toFixed(2)}`,
      ratio: ratio(p.timersPerWaitingFlow, b.timersPerWaitingFlow),
      target: mark(checks, "timers-per-flow"),
    },
    {
      figure: "after the flows end: heap left per flow",
      ours: `${Math.round(p.heapGrowthPerFlowBytes)} B`,
      baseline: `${loop} ${Math.round(b.heapGrowthPerFlowBytes)} B`,
      ratio: "n/a",
      target: mark(checks, "heap-after"),
    },
    { figure: "  clock timers left", ours: String(p.timersAfter), baseline: `${loop} ${b.timersAfter}`, ratio: "n/a", target: mark(checks, "timers-after") },
    {
      figure: "  emitter listeners left (handles / flows' own)",
      ours: `${p.listenersAfter.app} / ${p.listenersAfter.internal}`,
      baseline: `${loop} 0 (no emitter)`,
      ratio: "n/a",
      target: mark(checks, "listeners-after"),
    },
  ];

  const interval = requests[0]?.intervalMs ?? 5_000;
  const requestRows: Row[] = [
    ...requests.map(
      (r): Row => ({
        figure: `requests per flow, device approves at ${seconds(r.approvalAfterMs)}`,
        ours: `${r.requests} (${Object.entries(r.byRoute)
          .map(([route, n]) => `${n} ${route.replace(/^(GET|POST) /, "")}`)
          .join(", ")})`,
        baseline: `minimum ${r.minimum}`,
        ratio: ratio(r.requests, r.minimum),
        target: r.outcome === "approved" ? "" : `outcome ${r.outcome}`,
      }),
    ),
    {
      figure: "approval → outcome (median; worst)",
      ours: `${seconds(median(requests.map((r) => r.approvalToOutcomeMs)))}; ${seconds(Math.max(...requests.map((r) => r.approvalToOutcomeMs)))}`,
      baseline: `interval ${seconds(interval)}`,
      ratio: ratio(median(requests.map((r) => r.approvalToOutcomeMs)), interval),
      target: "",
    },
    {
      figure: "slow_down / 429 answers (default settings)",
      ours: `${requests.reduce((n, r) => n + r.slowDown, 0)} / ${requests.reduce((n, r) => n + r.status429, 0)}`,
      baseline: "0",
      ratio: "n/a",
      target: mark(checks, "no-slow-down"),
    },
  ];

  return [
    { section: "Bundle size (browser, ESM, minified, gzip -9; kB = 1000 B)", rows: bundleRows },
    { section: "Per-flow cost at scale (mock transport, simulated HeapClock; medians of runs)", rows: scaleRows },
    { section: "Request efficiency (emulator, Auth0 default limits, fetch transport)", rows: requestRows },
  ];
}

/** Fixed-width text, one section after the other under one header. */
export function renderTable(sections: readonly { section: string; rows: readonly Row[] }[]): string {
  const header: Row = { figure: "figure", ours: "pushflow", baseline: "baseline (same run)", ratio: "ratio", target: "target" };
  const all = [header, ...sections.flatMap((s) => s.rows)];
  const width = (pick: (r: Row) => string) => Math.max(...all.map((r) => pick(r).length));
  const w = { figure: width((r) => r.figure), ours: width((r) => r.ours), baseline: width((r) => r.baseline), ratio: width((r) => r.ratio) };
  const line = (r: Row) =>
    `${r.figure.padEnd(w.figure)} | ${r.ours.padEnd(w.ours)} | ${r.baseline.padEnd(w.baseline)} | ${r.ratio.padStart(w.ratio)} | ${r.target}`.trimEnd();
  const rule = "-".repeat(w.figure + w.ours + w.baseline + w.ratio + 20);
  const out = [line(header), rule];
  for (const s of sections) {
    out.push(s.section);
    for (const r of s.rows) out.push(line(r));
    out.push(rule);
  }
  return out.join("\n");
}
