import { describe, expect, it } from "vitest";
import { setup, type AnyStateMachine } from "xstate";
import { getStateNodes } from "xstate/graph";
import { challengeMachine } from "../src/machines/challenge.machine.ts";
import { enrollmentMachine } from "../src/machines/enrollment.machine.ts";

/**
 * XState's types accept any string as an `after` key, and at run time an unknown delay name fires
 * at once: a misspelled delay would poll without waiting. The compiler checks every other name
 * (test/types/wiring.typetest.ts); this checks the delays.
 */
function undeclared(machine: AnyStateMachine): string[] {
  const declared = Object.keys(machine.implementations.delays);
  return getStateNodes(machine.root)
    .flatMap((node) => Object.keys(node.config.after ?? {}))
    .filter((key) => !declared.includes(key));
}

describe("machine wiring", () => {
  for (const machine of [enrollmentMachine, challengeMachine]) {
    it(`${machine.id}: every delay an \`after\` names is declared in setup()`, () => {
      expect(Object.keys(machine.implementations.delays).length).toBeGreaterThan(1);
      expect(undeclared(machine)).toEqual([]);
    });
  }

  it("the check finds a misspelled delay", () => {
    const machine = setup({ delays: { untilWake: 1 } }).createMachine({ initial: "a", states: { a: { after: { untilWak: "b" } }, b: {} } });
    expect(undeclared(machine)).toEqual(["untilWak"]);
  });
});
