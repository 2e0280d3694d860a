import type { AnyStateMachine } from "xstate";

/** The parts of an XState v5 state node the picture reads (its public, documented fields). */
interface NodeLike {
  readonly id: string;
  readonly key: string;
  readonly type: "atomic" | "compound" | "parallel" | "final" | "history";
  readonly states: Readonly<Record<string, NodeLike>>;
  readonly invoke: readonly { readonly id: string; readonly src: unknown }[];
  readonly initial: { readonly target: readonly NodeLike[] } | undefined;
  readonly transitions: ReadonlyMap<string, readonly TransitionLike[]>;
  /** Eventless transitions, taken as soon as their guard holds (a resumed flow's first step). */
  readonly always?: readonly TransitionLike[] | undefined;
}

interface TransitionLike {
  readonly target: readonly NodeLike[] | undefined;
  readonly guard: unknown;
}

/** One arrow: its source, target and the labels of every candidate that draws it. */
interface Edge {
  readonly from: NodeLike;
  readonly to: NodeLike;
  readonly event: string;
  readonly guards: string[];
}

/**
 * Draws a machine as a Mermaid `stateDiagram-v2`: every state node (compound ones as boxes), the
 * invoked actors, each transition with its event and guard, events handled without a change of
 * state, the machine-wide transitions, and the final states. Deterministic: the same machine
 * always gives the same text, so a stale picture shows as a diff.
 */
export function toMermaid(machine: AnyStateMachine, options: { readonly title: string; readonly direction?: "LR" | "TB" }): string {
  const root = machine.root as unknown as NodeLike;
  const lines: string[] = [`%% ${options.title}`, "%% Generated from the machine definition by `pnpm diagrams`: do not edit by hand.", "stateDiagram-v2"];
  if (options.direction) lines.push(`  direction ${options.direction}`);
  const edges: Edge[] = [];
  const finals: NodeLike[] = [];

  const declare = (node: NodeLike, indent: string) => {
    const children = Object.values(node.states);
    const initial = node.initial?.target[0];
    if (initial) lines.push(`${indent}[*] --> ${idOf(initial)}`);
    for (const child of children) {
      const id = idOf(child);
      // The first description of a state is its label: the key, then the facts below it.
      lines.push(`${indent}state "${child.key}" as ${id}`);
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state ${id} {`);
        declare(child, `${indent}  `);
        lines.push(`${indent}}`);
      }
      describe(child, indent, Object.keys(child.states).length > 0);
      if (child.type === "final") finals.push(child);
    }
  };

  const describe = (node: NodeLike, indent: string, compound: boolean) => {
    const id = idOf(node);
    const facts: string[] = [];
    if (node.invoke.length > 0) facts.push(`invoke ${node.invoke.map(invokeLabel).join(", ")}`);
    const stays = [...node.transitions.entries()]
      .filter(([, candidates]) => candidates.some((t) => t.target === undefined || t.target.length === 0))
      .map(([event]) => eventLabel(event));
    if (stays.length > 0) facts.push(`stays on ${stays.join(", ")}`);
    if (node.type === "final") facts.push("final state");
    // A description inside a box Mermaid draws as a cluster is not shown: use a note for those.
    for (const fact of facts) lines.push(compound ? `${indent}note right of ${id} : ${fact}` : `${indent}${id} : ${fact}`);
  };

  declare(root, "  ");
  // Arrows in document order: the machine's own, then each state's, depth first.
  const walk = (node: NodeLike) => {
    collect(node, edges);
    for (const child of Object.values(node.states)) walk(child);
  };
  walk(root);
  const rootEdges = edges.filter((e) => e.from === root);
  if (rootEdges.length > 0) lines.push(`  state "any state" as anyState`);
  for (const edge of edges) {
    const from = edge.from === root ? "anyState" : idOf(edge.from);
    lines.push(`  ${from} --> ${idOf(edge.to)} : ${edge.event}${guardText(edge.guards)}`);
  }
  if (finals.length > 0) {
    lines.push("  classDef outcome stroke-width:3px");
    lines.push(`  class ${finals.map(idOf).join(",")} outcome`);
  }
  if (rootEdges.length > 0) {
    lines.push("  classDef anywhere stroke-dasharray:4 4");
    lines.push("  class anyState anywhere");
  }
  return `${lines.join("\n")}\n`;
}

/** Collects the arrows leaving `node`, one per (event, target), merging their guards. */
function collect(node: NodeLike, edges: Edge[]): void {
  const all: [string, readonly TransitionLike[]][] = [...node.transitions];
  if (node.always) all.push(["always", node.always]);
  for (const [event, candidates] of all) {
    const guarded = candidates.some((t) => t.guard !== undefined);
    for (const candidate of candidates) {
      for (const to of candidate.target ?? []) {
        const label = candidate.guard === undefined ? (guarded ? "else" : "") : guardLabel(candidate.guard);
        const existing = edges.find((e) => e.from === node && e.to === to && e.event === eventLabel(event));
        if (existing) existing.guards.push(label);
        else edges.push({ from: node, to, event: eventLabel(event), guards: [label] });
      }
    }
  }
}

/** Mermaid ids: the path below the machine, dots turned to underscores (`challenged_polling`). */
function idOf(node: NodeLike): string {
  return node.id.split(".").slice(1).join("_") || node.key;
}

function invokeLabel(invoke: { readonly id: string; readonly src: unknown }): string {
  const src = typeof invoke.src === "string" ? invoke.src : ((invoke.src as { id?: string } | undefined)?.id ?? "actor");
  return src === invoke.id ? invoke.id : `${invoke.id} (${src})`;
}

/** `xstate.done.actor.poll` → `done.poll`; `xstate.after.5000.x` → `after 5000`; user events as they are. */
function eventLabel(event: string): string {
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event);
  if (actor) return `${actor[1]}.${actor[2]}`;
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  if (after) return `after ${after[1]}`;
  return event;
}

/**
 * A guard's name, with the constant part of its parameters (the error codes of `failedWith`).
 * Parameters computed from the event are left out: they are read with a placeholder event.
 */
function guardLabel(guard: unknown): string {
  if (typeof guard === "string") return guard;
  if (typeof guard === "function") return guard.name || "guard";
  const { type, params } = guard as { type?: unknown; params?: unknown };
  const name = typeof type === "string" ? type : "guard";
  let values: unknown = params;
  if (typeof params === "function") {
    try {
      values = (params as (args: object) => unknown)({ context: {}, event: { output: {} } });
    } catch {
      values = undefined;
    }
  }
  const constants = values && typeof values === "object" ? Object.values(values).filter(isStringList).flat() : [];
  return constants.length > 0 ? `${name} ${constants.join(", ")}` : name;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string");
}

/** `[a]`, or `[failedWith x, y]` when the same guard picks the same arrow for several codes. */
function guardText(guards: readonly string[]): string {
  const named = guards.filter((g) => g !== "");
  if (named.length === 0) return "";
  const merged: string[] = [];
  for (const guard of named) {
    const [name, ...rest] = guard.split(" ");
    const same = merged.findIndex((m) => m.split(" ")[0] === name && rest.length > 0 && m.includes(" "));
    if (same >= 0) merged[same] = `${merged[same]}, ${rest.join(" ")}`;
    else if (!merged.includes(guard)) merged.push(guard);
  }
  return ` [${merged.join("] or [")}]`;
}
