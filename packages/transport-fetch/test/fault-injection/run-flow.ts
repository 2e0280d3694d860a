import { FLOW_EVENT_NAMES, type FlowOutput } from "@pushflow/core";
import { startChallenge, startEnrollment, type ChallengeInput, type EnrollmentInput } from "@pushflow/core/adapter";
import { createFetchTransport } from "../../src/index.ts";
import type { HostileServer, FlowSide } from "./hostile-server.ts";
import { seeded, type Rng } from "./random.ts";
import { GRACE_MS, ROUTE_OF, type FlowTrace } from "./rules.ts";
import { SteppingClock } from "../stepping-clock.ts";
import { watch } from "./watched-transport.ts";

/** Real time: how long one request may take before the transport gives up (hangs end here). */
export const REQUEST_TIMEOUT_MS = 400;

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Random options of one flow; the deadline they give, on the flow clock that starts at 0. */
function plan(rng: Rng): { kind: "enroll" | "challenge"; input: EnrollmentInput & ChallengeInput; deadlineAt: number } {
  // Mostly short: every poll is a real request, and a long window is only more of the same.
  const windowMs = rng.pick([1_500, 2_000, 10_000, 30_000, 60_000, 300_000]);
  const mfaTokenExpiresAt = rng.chance(0.2) ? rng.int(500, 200_000) : undefined;
  const common = {
    mfaToken: `MFA-TOKEN-${rng.int(0, 2 ** 31).toString(36)}${rng.int(0, 2 ** 31).toString(36)}`,
    maxRetries: rng.int(0, 5),
    ...(rng.chance(0.5) ? { pollIntervalMs: rng.pick([2_500, 5_000, 10_000]) } : {}),
    ...(mfaTokenExpiresAt === undefined ? {} : { mfaTokenExpiresAt }),
  };
  const deadlineAt = Math.min(windowMs, mfaTokenExpiresAt ?? Number.POSITIVE_INFINITY);
  if (rng.chance(0.5)) {
    return { kind: "enroll", deadlineAt, input: { ...common, enrollmentWindowMs: windowMs, acknowledgeRecoveryCodes: rng.pick(["manual", "auto"] as const) } };
  }
  const authenticatorId = rng.chance(0.5) ? undefined : rng.pick(["push|dev_0", "push|dev_7"]);
  return {
    kind: "challenge",
    deadlineAt,
    input: { ...common, timeoutMs: windowMs, resendCooldownMs: rng.int(0, 20_000), ...(authenticatorId === undefined ? {} : { authenticatorId }) },
  };
}

/**
 * Runs one flow with random options through the real fetch transport against the hostile server.
 * Its clock is simulated: whenever no request is in flight, it jumps to the next due timer, so
 * waits cost nothing; a request in flight takes real time (a hang, the transport's timeout).
 */
export async function runFlow(server: HostileServer, seed: number): Promise<FlowTrace> {
  const rng = seeded(seed);
  const { kind, input, deadlineAt } = plan(rng);
  const clock = new SteppingClock();
  const watched = watch(createFetchTransport({ domain: server.url, clientId: "fault-client", timeoutMs: REQUEST_TIMEOUT_MS }), () => clock.now());
  const side: FlowSide = {
    rng: seeded(seed ^ 0x5bd1e995),
    now: () => clock.now(),
    waitsFor: (route) => watched.inFlightMethods().some((method) => ROUTE_OF[method] === route),
    handed: { oobCodes: [], tokens: [], recoveryCodes: [] },
    received: [],
  };
  server.register(input.mfaToken, side);
  const exposed: { where: string; value: unknown }[] = [];
  const errors: string[] = [];
  const options = {
    transport: watched.transport,
    clock,
    random: rng.next,
    warn: () => undefined,
    persist: (record: unknown) => void (record && exposed.push({ where: "record", value: record })),
  };
  // The user sometimes chooses, sometimes acknowledges the codes, sometimes walks away.
  const chooses = rng.chance(0.7);
  const acknowledges = rng.chance(0.7);
  const flow = kind === "enroll" ? startEnrollment(input, options) : startChallenge(input, options);
  if (flow.kind === "enroll" && "qr" in flow && acknowledges) {
    const enrollment = flow;
    enrollment.events.on("state", ({ view }) => {
      if (view.state === "awaitingAcknowledgement") queueMicrotask(() => enrollment.send({ type: "ACK_RECOVERY_CODES" }));
    });
  }
  if (!("qr" in flow) && chooses) {
    const challenge = flow;
    challenge.events.on("state", ({ view }) => {
      const id = view.state === "choosing" && "choices" in view ? view.choices[0]?.id : undefined;
      if (id !== undefined) queueMicrotask(() => challenge.send({ type: "CHOOSE_AUTHENTICATOR", id }));
    });
  }
  for (const name of FLOW_EVENT_NAMES) flow.events.on(name, (event: unknown) => void exposed.push({ where: name, value: event }));

  let output: FlowOutput | undefined;
  let endedAt: number | undefined;
  void flow.done.then((o) => {
    output = o;
    endedAt = clock.now();
  });
  while (output === undefined) {
    await watched.idle();
    // Let the flow take in the last answer and send its next request, if it does so now.
    await nextTick();
    await nextTick();
    if (output !== undefined || watched.inFlight() > 0) continue;
    const next = clock.nextDue();
    if (next === undefined || next > deadlineAt + GRACE_MS + 60_000) {
      errors.push(next === undefined ? `stuck in ${flow.view().state}: no request, no timer` : `next timer at ${next}, long past the deadline`);
      flow.cancel();
      await flow.done;
      break;
    }
    clock.set(Math.max(next, clock.now()));
  }
  server.forget(input.mfaToken);
  exposed.push({ where: "outcome", value: output });
  return {
    pollIntervalMs: input.pollIntervalMs ?? 5_000,
    deadlineAt,
    mfaToken: input.mfaToken,
    output,
    endedAt,
    maxInFlight: watched.maxInFlight(),
    calls: watched.calls,
    server: side,
    exposed,
    errors,
  };
}
