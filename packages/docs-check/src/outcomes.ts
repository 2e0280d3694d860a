import type { AnyStateMachine } from "xstate";

interface FinalNode {
  readonly key: string;
  readonly type: string;
  readonly output?: unknown;
  readonly states: Readonly<Record<string, FinalNode>>;
}

/** A final state of a flow machine: its key and the `outcome` its output carries. */
export interface FinalState {
  readonly key: string;
  /** From the state's output (evaluated with an empty context when it is computed). */
  readonly outcome: string | undefined;
}

/** Every final state of a machine, at any depth. */
export function finalStates(machine: AnyStateMachine): FinalState[] {
  const found: FinalState[] = [];
  const walk = (node: FinalNode) => {
    if (node.type === "final") found.push({ key: node.key, outcome: outcomeOf(node.output) });
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(machine.root as unknown as FinalNode);
  return found;
}

function outcomeOf(output: unknown): string | undefined {
  let value = output;
  if (typeof output === "function") {
    try {
      value = (output as (args: object) => unknown)({ context: {}, event: { type: "xstate.init" } });
    } catch {
      return undefined;
    }
  }
  const outcome = (value as { outcome?: unknown } | undefined)?.outcome;
  return typeof outcome === "string" ? outcome : undefined;
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
