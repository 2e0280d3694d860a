import { challenge } from "@pushflow/node";

type ChallengeOptions = Parameters<typeof challenge>[0];

/** Starts a push challenge that keeps its last 200 inspection events as JSON lines, for a bug report. */
export function tracedChallenge(options: ChallengeOptions) {
  const trace: string[] = [];
  const flow = challenge({
    ...options,
    // Each event comes redacted: no mfa_token, oob_code, token or code reaches this function.
    inspect: (event) => {
      trace.push(JSON.stringify(event)); // actor refs serialize as their ids
      if (trace.length > 200) trace.shift();
    },
  });
  return { flow, trace };
}
