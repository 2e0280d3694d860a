import type { Result, Tokens, Transport } from "@pushflow/core";

/** What the hand-written loop ends with. */
export type MinimalOutcome = { readonly outcome: "approved"; readonly tokens: Tokens } | { readonly outcome: string };

/** The part of a clock the loop uses; XState's SimulatedClock fits. */
export interface LoopClock {
  setTimeout(fn: () => void, ms: number): unknown;
}

/**
 * The baseline: the least code that makes the same calls as a push challenge (list the
 * authenticators, send the push, poll every interval until an answer), with no deadline, no
 * backoff, no events and no cancel. Its cost is what any push challenge has to pay.
 */
export async function minimalChallenge(transport: Transport, clock: LoopClock, mfaToken: string, intervalMs: number): Promise<MinimalOutcome> {
  const listed = await transport.listAuthenticators({ mfaToken });
  if (!listed.ok) return { outcome: listed.problem.code };
  const push = listed.value.find((a) => a.active && a.authenticatorType === "oob" && a.oobChannel === "auth0");
  if (push === undefined) return { outcome: "not_enrolled" };
  const sent = await transport.challenge({ mfaToken, authenticatorId: push.id, challengeType: "oob" });
  if (!sent.ok) return { outcome: sent.problem.code };
  const oobCode = sent.value.oobCode ?? "";
  for (;;) {
    await new Promise<void>((resolve) => clock.setTimeout(resolve, intervalMs));
    const answer: Result<Tokens> = await transport.verifyOob({ mfaToken, oobCode });
    if (answer.ok) return { outcome: "approved", tokens: answer.value };
    if (answer.problem.code !== "authorization_pending") return { outcome: answer.problem.code };
  }
}
