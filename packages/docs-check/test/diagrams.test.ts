import { describe, expect, it } from "vitest";
import { createMachine, fromPromise, setup } from "xstate";
import { readFileSync } from "node:fs";
import { DIAGRAMS, embeddedDiagrams, markdownFiles, renderDiagrams, syncDiagrams, toMermaid } from "../src/index.ts";
import { ROOT } from "./root.ts";

interface NodeLike {
  readonly id: string;
  readonly key: string;
  readonly states: Readonly<Record<string, NodeLike>>;
  readonly transitions: ReadonlyMap<string, readonly unknown[]>;
  readonly invoke: readonly { readonly id: string }[];
  readonly always?: readonly { readonly target?: readonly NodeLike[] }[];
}

const nodesOf = (node: NodeLike): NodeLike[] => [node, ...Object.values(node.states).flatMap(nodesOf)];
const idOf = (node: NodeLike) => node.id.split(".").slice(1).join("_");
/** An event as the picture names it: `done.<actor>`, `error.<actor>`, `after <delay>` (XState's `xstate.after.<delay>.<state id>`). */
const drawn = (event: string) => event.replace(/^xstate\.(done|error)\.actor\./, "$1.").replace(/^xstate\.after\.([^.]+)\..*$/, "after $1");

describe("statechart pictures", () => {
  it("docs/diagrams and the pictures embedded in docs/ match the machines", async () => {
    const { stale, unknown } = await syncDiagrams(ROOT, { write: false });
    const message = stale.length === 0 ? "" : `stale: ${stale.map((s) => s.path).join(", ")}. Refresh them with: pnpm diagrams`;
    expect(stale.map((s) => s.path), message).toEqual([]);
    expect(unknown, "pages embed pictures that no machine draws").toEqual([]);
  });

  it("every picture is embedded in a page", async () => {
    const embedded = new Set((await markdownFiles(`${ROOT}docs`)).flatMap((page) => embeddedDiagrams(readFileSync(page, "utf8"))));
    expect(DIAGRAMS.map((d) => d.name).filter((name) => !embedded.has(name))).toEqual([]);
  });

  it("every line is a statement Mermaid's stateDiagram-v2 reads, with no character that ends one early", () => {
    const statement = [
      /^%% .+$/,
      /^stateDiagram-v2$/,
      /^ *direction (LR|TB)$/,
      /^ *\[\*\] --> \w+$/,
      /^ *state "[\w ]+" as \w+$/,
      /^ *state \w+ \{$/,
      /^ *\}$/,
      /^ *\w+ : [^;#{}]+$/,
      /^ *note right of \w+ : [^;#{}]+$/,
      /^ *\w+ --> \w+ : [^;#{}]+$/,
      /^ *classDef \w+ [\w:-]+( [\w:-]+)*$/,
      /^ *class [\w,]+ \w+$/,
    ];
    for (const [file, text] of renderDiagrams()) {
      for (const line of text.trimEnd().split("\n")) expect(statement.some((re) => re.test(line)), `${file}: ${line}`).toBe(true);
    }
  });

  for (const diagram of DIAGRAMS) {
    it(`${diagram.name}: every state, invoked actor and event of the machine is in the picture`, () => {
      const text = renderDiagrams([diagram]).get(`${diagram.name}.mmd`)!;
      for (const node of nodesOf(diagram.machine.root as unknown as NodeLike).slice(1)) {
        expect(text).toContain(`state "${node.key}" as ${idOf(node)}`);
        for (const invoke of node.invoke) expect(text).toMatch(new RegExp(`invoke .*\\b${invoke.id}\\b`));
        for (const event of node.transitions.keys()) expect(text).toContain(drawn(event));
        // Eventless arrows (where a resumed flow goes on from) are drawn with the label `always`.
        for (const arrow of node.always ?? []) for (const to of arrow.target ?? []) expect(text).toContain(`${idOf(node)} --> ${idOf(to)} : always`);
      }
    });
  }

  it("draws nesting, guards with their constant parameters, invokes, stays, machine-wide events and finals", () => {
    const machine = setup({
      actors: { load: fromPromise(async () => 1) },
      guards: { isOk: () => true, failedWith: (_, _params: { codes: string[] }) => false },
    }).createMachine({
      id: "demo",
      initial: "idle",
      on: { CANCEL: ".cancelled" },
      states: {
        idle: { on: { GO: { target: "busy" }, PING: { actions: [] } } },
        busy: {
          initial: "loading",
          states: {
            loading: {
              invoke: {
                id: "load",
                src: "load",
                onDone: [
                  { guard: { type: "failedWith", params: { codes: ["a", "b"] } }, target: "#demo.cancelled" },
                  { guard: "isOk", target: "#demo.done" },
                  { target: "#demo.cancelled" },
                ],
              },
            },
          },
        },
        done: { type: "final" },
        cancelled: { type: "final" },
      },
    });
    expect(toMermaid(machine, { title: "demo", direction: "LR" })).toBe(
      [
        "%% demo",
        "%% Generated from the machine definition by `pnpm diagrams`: do not edit by hand.",
        "stateDiagram-v2",
        "  direction LR",
        "  [*] --> idle",
        '  state "idle" as idle',
        "  idle : stays on PING",
        '  state "busy" as busy',
        "  state busy {",
        "    [*] --> busy_loading",
        '    state "loading" as busy_loading',
        "    busy_loading : invoke load",
        "  }",
        '  state "done" as done',
        "  done : final state",
        '  state "cancelled" as cancelled',
        "  cancelled : final state",
        '  state "any state" as anyState',
        "  anyState --> cancelled : CANCEL",
        "  idle --> busy : GO",
        "  busy_loading --> cancelled : done.load [failedWith a, b] or [else]",
        "  busy_loading --> done : done.load [isOk]",
        "  classDef outcome stroke-width:3px",
        "  class done,cancelled outcome",
        "  classDef anywhere stroke-dasharray:4 4",
        "  class anyState anywhere",
        "",
      ].join("\n"),
    );
  });

  it("is deterministic", () => {
    const plain = createMachine({ id: "x", initial: "a", states: { a: { on: { NEXT: "b" } }, b: { type: "final" } } });
    expect(toMermaid(plain, { title: "x" })).toBe(toMermaid(plain, { title: "x" }));
  });
});
