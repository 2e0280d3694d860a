import { challengeMachine, enrollmentMachine } from "@pushflow/core";
import type { AnyStateMachine } from "xstate";
import { toMermaid } from "./mermaid.ts";

/** One generated picture: `docs/diagrams/<name>.mmd`, embedded in the pages that show it. */
export interface Diagram {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly title: string;
  /** Left to right suits the wide flows: the outcomes line up on the right. */
  readonly direction?: "LR" | "TB";
}

export const DIAGRAMS: readonly Diagram[] = [
  { name: "enrollment", machine: enrollmentMachine, title: "Push enrollment: enrollmentMachine of @pushflow/core", direction: "LR" },
  { name: "challenge", machine: challengeMachine, title: "Push challenge: challengeMachine of @pushflow/core", direction: "LR" },
];

/** The text of every picture, by file name (`enrollment.mmd`). */
export function renderDiagrams(diagrams: readonly Diagram[] = DIAGRAMS): Map<string, string> {
  return new Map(diagrams.map((d) => [`${d.name}.mmd`, toMermaid(d.machine, d.direction ? { title: d.title, direction: d.direction } : { title: d.title })]));
}
