import type { FlowClock } from "../src/clock.ts";
import { startChallenge, startEnrollment } from "../src/flow.ts";
import type { FlowRecord } from "../src/persistence.ts";
import { answers, createControlledTransport, settle } from "../src/testing.ts";

/**
 * A challenge on `clock` whose list and push were answered: it waits for its first poll, due
 * 5 s later. Every record it saves lands in `records`.
 */
export async function challengeWaitingForPoll(clock: FlowClock, oobCode?: string) {
  const transport = createControlledTransport();
  const records: FlowRecord[] = [];
  const flow = startChallenge({ mfaToken: "m" }, { transport, clock, persist: (record) => void (record && records.push(record)) });
  await settle();
  transport.respond("listAuthenticators", answers.pushAuthenticators(1));
  await settle();
  transport.respond("challenge", answers.pushChallenge(oobCode));
  await settle();
  return { transport, flow, records };
}

/** An enrollment whose associate was answered: its first poll is due one interval (5 s) later. */
export async function enrollmentWaitingForPoll(clock: FlowClock) {
  const transport = createControlledTransport();
  const flow = startEnrollment({ mfaToken: "m" }, { transport, clock });
  await settle();
  transport.respond("associate", answers.association());
  await settle();
  return { transport, flow };
}
