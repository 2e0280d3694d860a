import { getModelPaths } from "@pushflow/core/testing";
import type { AnyStateMachine } from "xstate";

interface FinalNode {
  readonly key: string;
  readonly type: string;
  readonly states: Readonly<Record<string, FinalNode>>;
}

/** A final state of a flow machine: its key and the outcomes of the runs that end in it. */
export interface FinalState {
  readonly key: string;
  /**
   * The `outcome` of the machine's output on every generated path that ends in this state
   * (core's model paths), each once. Empty when no path reaches it.
   */
  readonly outcomes: readonly string[];
}

/** The input the paths start from: retries bounded, so that the graph stays small. */
const SAMPLE_INPUT = { mfaToken: "docs-check-mfa-token", maxRetries: 1 };

/**
 * Every final state of a machine, at any depth. The outcomes are read from real runs, not by
 * calling a state's `output` with a made-up context: a state that carries tokens is only reached
 * with them, and its output refuses to be computed without.
 */
export function finalStates(machine: AnyStateMachine, input: unknown = SAMPLE_INPUT): FinalState[] {
  const keys: string[] = [];
  const walk = (node: FinalNode) => {
    if (node.type === "final") keys.push(node.key);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root as unknown as FinalNode);

  const outcomes = new Map<string, Set<string>>();
  for (const path of getModelPaths(machine, { input })) {
    for (const { state } of path.steps) {
      if (state.status !== "done" || typeof state.value !== "string") continue;
      const outcome = (state.output as { outcome?: unknown } | undefined)?.outcome;
      const seen = outcomes.get(state.value) ?? new Set<string>();
      seen.add(typeof outcome === "string" ? outcome : String(outcome));
      outcomes.set(state.value, seen);
    }
  }
  return keys.map((key) => ({ key, outcomes: [...(outcomes.get(key) ?? [])].sort() }));
}

/** The flows a cell names, sorted: "both" is both flows; "enroll, challenge" works too. */
export function flowsOf(cell: string): string[] {
  const words = cell
    .replace(/`/g, "")
    .split(/[\s,/+]+|\band\b/)
    .map((w) => w.trim())
    .filter(Boolean);
  return words.includes("both") ? ["challenge", "enroll"] : [...new Set(words)].sort();
}
