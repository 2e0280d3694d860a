import { expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import { startEnrollment } from "../src/flow.ts";
import { answers, createControlledTransport, fail, settle } from "../src/testing.ts";

// Found by the fault-injection suite (packages/transport-fetch/test/fault-injection): an enrollment
// poll answered `mfa_required` ends `failed`, and its error carried the new mfa_token out in `done`.
it("a failed outcome never carries the new mfa_token of an mfa_required answer", async () => {
  const clock = new SimulatedClock();
  const transport = createControlledTransport();
  const flow = startEnrollment({ mfaToken: "m" }, { transport, clock });
  const done: unknown[] = [];
  flow.events.on("done", (event) => done.push(event));
  await settle();
  transport.respond("associate", answers.association());
  await settle();
  clock.increment(5_000);
  await settle();
  transport.respond("verifyOob", fail("mfa_required", { mfaToken: "NEW-MFA-TOKEN-SECRET" }));
  const output = await flow.done;
  expect(output).toMatchObject({ outcome: "failed", error: { code: "mfa_required" } });
  expect(JSON.stringify([output, done])).not.toContain("NEW-MFA-TOKEN-SECRET");
});
