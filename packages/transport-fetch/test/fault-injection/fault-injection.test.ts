/**
 * Issue 16, "Keep it from coming back": randomized flows (enrollment and challenge, random
 * options) through the real fetch transport against a hostile loopback server. Each flow must
 * end with an outcome by its deadline + 1 s (flow clock), never send a request sooner than the
 * rules allow nor two at once, throw nothing, and show no secret outside its `done` outcome.
 *
 * Replay a run: PUSHFLOW_FAULT_SEED=<first seed> pnpm vitest run packages/transport-fetch/test/fault-injection
 * More flows: PUSHFLOW_FAULT_FLOWS=20000 (default 2000, CI included). Flows side by side:
 * PUSHFLOW_FAULT_CONCURRENCY (default 4; more on a busy machine makes the 400 ms request timeout
 * fire for mere CPU starvation, and fewer flows get past their first request).
 * A replay draws the same faults; which requests time out still depends on the machine.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHostileServer, type HostileServer } from "./hostile-server.ts";
import { violations } from "./rules.ts";
import { runFlow } from "./run-flow.ts";

/** 2 000, the floor, in CI too; PUSHFLOW_FAULT_FLOWS for a long run. */
const FLOWS = Number(process.env["PUSHFLOW_FAULT_FLOWS"] ?? 2_000);
const FIRST_SEED = Number(process.env["PUSHFLOW_FAULT_SEED"] ?? Math.floor(Math.random() * 1_000_000_000));
/** Flows run side by side: much of a flow's real time is a hang waiting for the transport's timeout. */
const CONCURRENCY = Number(process.env["PUSHFLOW_FAULT_CONCURRENCY"] ?? 4);

let server: HostileServer;
const uncaught: string[] = [];
const onUncaught = (error: unknown) => void uncaught.push(String(error));

beforeAll(async () => {
  server = await startHostileServer();
  process.on("unhandledRejection", onUncaught);
  process.on("uncaughtException", onUncaught);
});
afterAll(async () => {
  process.off("unhandledRejection", onUncaught);
  process.off("uncaughtException", onUncaught);
  await server.close();
});

it(`${FLOWS} randomized flows against a hostile server all end in time, politely, without leaking`, { timeout: 600_000 }, async () => {
  const failed: { seed: number; problems: string[] }[] = [];
  const outcomes = new Map<string, number>();
  const answers = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < FLOWS) {
      const seed = FIRST_SEED + next++;
      const trace = await runFlow(server, seed);
      const outcome = trace.output?.outcome ?? "none";
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      for (const call of trace.calls) answers.set(call.problem?.code ?? (call.answered ? "ok" : "threw"), (answers.get(call.problem?.code ?? (call.answered ? "ok" : "threw")) ?? 0) + 1);
      const problems = violations(trace);
      if (problems.length > 0) failed.push({ seed, problems });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  const last = FIRST_SEED + FLOWS - 1;
  console.log(`fault injection: ${FLOWS} flows (seed ${FIRST_SEED}..${last}): ${FLOWS - failed.length} survived, ${failed.length} failed`);
  console.log(`fault injection: outcomes ${JSON.stringify(Object.fromEntries([...outcomes].sort()))}`);
  console.log(`fault injection: answers the flows got ${JSON.stringify(Object.fromEntries([...answers].sort()))}`);
  if (failed.length > 0) {
    console.log(`fault injection: replay with PUSHFLOW_FAULT_SEED=${FIRST_SEED} PUSHFLOW_FAULT_FLOWS=${FLOWS}, or one flow with PUSHFLOW_FAULT_SEED=<seed> PUSHFLOW_FAULT_FLOWS=1`);
    for (const { seed, problems } of failed.slice(0, 10)) console.log(`  seed ${seed}: ${problems.join("; ")}`);
  }
  expect(uncaught).toEqual([]);
  expect(failed.map((f) => f.seed)).toEqual([]);
});
