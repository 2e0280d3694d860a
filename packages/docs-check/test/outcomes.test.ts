import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHALLENGE_OUTCOMES, ENROLLMENT_OUTCOMES, challengeMachine, enrollmentMachine } from "@pushflow/core";
import { finalStates, flowsOf, parseTables, plain } from "../src/index.ts";
import { ROOT } from "./root.ts";

const PAGE = "docs/concepts/outcomes.md";
const FLOWS = [
  { flow: "enroll", machine: enrollmentMachine, declared: ENROLLMENT_OUTCOMES },
  { flow: "challenge", machine: challengeMachine, declared: CHALLENGE_OUTCOMES },
] as const;

function documented(): Map<string, string[]> {
  const markdown = readFileSync(join(ROOT, PAGE), "utf8");
  const table = parseTables(markdown).find((t) => plain(t.header[0] ?? "") === "outcome" && t.header.some((h) => plain(h) === "flows"));
  if (!table) throw new Error(`${PAGE} has no table with the columns "outcome" and "flows"`);
  const flows = table.header.findIndex((h) => plain(h) === "flows");
  const rows = new Map<string, string[]>();
  for (const row of table.rows) {
    const outcome = plain(row[0] ?? "");
    if (rows.has(outcome)) throw new Error(`${PAGE}: "${outcome}" has two rows`);
    rows.set(outcome, flowsOf(row[flows] ?? ""));
  }
  return rows;
}

/** Outcome → the flows whose machine ends in it. */
function fromMachines(): Map<string, string[]> {
  const outcomes = new Map<string, string[]>();
  for (const { flow, machine } of FLOWS) {
    for (const final of finalStates(machine)) outcomes.set(final.key, [...(outcomes.get(final.key) ?? []), flow].sort());
  }
  return outcomes;
}

describe(`the outcome table (${PAGE})`, () => {
  it("lists every final state of the flow machines, with the right flows", () => {
    const table = documented();
    for (const [outcome, flows] of fromMachines()) {
      expect(table.has(outcome), `${PAGE} lacks the outcome "${outcome}" (a final state of ${flows.join(" and ")})`).toBe(true);
      expect(table.get(outcome), `${PAGE}: the flows of "${outcome}"`).toEqual(flows);
    }
  });

  it("has no outcome that the machines lack", () => {
    const machines = fromMachines();
    const extra = [...documented().keys()].filter((outcome) => !machines.has(outcome));
    expect(extra, `${PAGE} lists outcomes no machine ends in`).toEqual([]);
  });

  it("each final state is named after the outcome its output carries, as core declares them", () => {
    for (const { machine, declared } of FLOWS) {
      const finals = finalStates(machine);
      // Read from runs that end there (core's model paths): none reaching a state is a failure too.
      for (const final of finals) expect(final.outcomes, `${machine.id}.${final.key}`).toEqual([final.key]);
      expect(finals.map((f) => f.key).sort()).toEqual([...declared].sort());
    }
  });

  it("reads the flows column as written", () => {
    expect(flowsOf("both")).toEqual(["challenge", "enroll"]);
    expect(flowsOf("`enroll`")).toEqual(["enroll"]);
    expect(flowsOf("enroll, challenge")).toEqual(["challenge", "enroll"]);
  });
});
