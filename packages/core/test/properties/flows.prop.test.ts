import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHALLENGE_OUTCOMES, ENROLLMENT_OUTCOMES } from "../../src/machines/outcomes.ts";
import { BASE_INTERVAL, moves, runFlow, SECRETS, type Run } from "./driver.ts";

const RUNS = 1000;

/** What a decisive answer must end in. */
function expectedOutcome(kind: "enroll" | "challenge", decisive: NonNullable<Run["lastDecisive"]>): string {
  if (decisive.code === "ok") return kind === "enroll" ? "enrolled" : "approved";
  const byCode: Record<string, string> = {
    rejected: kind === "enroll" ? "failed" : "rejected",
    expired: "expired",
    mfa_token_invalid: "mfa_token_invalid",
    mfa_required: kind === "enroll" ? "failed" : "mfa_required",
    too_many_attempts: "locked_out",
    already_enrolled: "already_enrolled",
  };
  return byCode[decisive.code]!;
}

function checkRun(kind: "enroll" | "challenge", run: Run) {
  // Exactly one `done`, with an outcome of this flow's vocabulary.
  expect(run.doneEvents).toBe(1);
  expect((kind === "enroll" ? ENROLLMENT_OUTCOMES : CHALLENGE_OUTCOMES) as readonly string[]).toContain(run.output.outcome);
  // Never two requests in flight; none after the end or a cancel.
  expect(run.maxInFlight).toBeLessThanOrEqual(1);
  expect(run.callsAfterEnd).toBe(0);
  // The gap between two polls is never below the interval then in force.
  for (let i = 1; i < run.polls.length; i++) {
    expect(run.polls[i]!.at - run.polls[i - 1]!.at).toBeGreaterThanOrEqual(run.polls[i]!.intervalDue);
  }
  // After k slow_down answers the interval is the base plus 5k seconds.
  expect(run.finalInterval).toBe(BASE_INTERVAL + 5_000 * run.slowDowns);
  // The end comes by the deadline plus one interval.
  if (run.deadlineAt !== undefined) expect(run.doneAt).toBeLessThanOrEqual(run.deadlineAt + run.finalInterval);
  // The outcome matches the last decisive answer, or the cancel.
  if (run.cancelledAt !== undefined && run.output.outcome === "cancelled") {
    // cancelled before anything decisive
  } else if (run.lastDecisive) {
    expect(run.output.outcome).toBe(expectedOutcome(kind, run.lastDecisive));
  } else {
    expect(["expired", "rate_limited", "failed", "not_enrolled", "cancelled", "misconfigured"]).toContain(run.output.outcome);
  }
  // No secret in state, qr, poll or backoff events; the saved record holds the mfa_token and
  // oob_code it needs to resume, and never tokens, codes or recovery codes.
  const shown = run.stateJson.join("\n");
  for (const secret of [SECRETS.mfaToken, SECRETS.oobPrefix, SECRETS.access, SECRETS.recoveryCode, SECRETS.newRecoveryCode, SECRETS.otp]) {
    expect(shown).not.toContain(secret);
  }
  const saved = JSON.stringify(run.records);
  for (const secret of [SECRETS.access, SECRETS.recoveryCode, SECRETS.newRecoveryCode, SECRETS.otp]) expect(saved).not.toContain(secret);
}

describe("flow properties over random answers, clock moves and user events", () => {
  for (const kind of ["enroll", "challenge"] as const) {
    it(`${kind}: ${RUNS} random runs keep every polling and outcome rule`, async () => {
      await fc.assert(
        fc.asyncProperty(moves, async (script) => checkRun(kind, await runFlow(kind, script))),
        { numRuns: RUNS },
      );
    }, 120_000);
  }
});
