import fc from "fast-check";
import { SimulatedClock } from "xstate";
import type { FlowOutput } from "../../src/machines/outcomes.ts";
import type { FlowRecord } from "../../src/persistence.ts";
import { answers, createControlledTransport, fail, ok, type TransportMethod } from "../../src/testing.ts";
import type { Result } from "../../src/transport.ts";
import { startChallenge, startEnrollment } from "../../src/flow.ts";

/** Recognisable secrets: none may show up where DESIGN.md forbids it. */
export const SECRETS = {
  mfaToken: "SECRET-MFA-TOKEN",
  oobPrefix: "SECRET-OOB-",
  access: "SECRET-ACCESS-TOKEN",
  recoveryCode: "SECRET-RECOVERY-CODE",
  newRecoveryCode: "SECRET-NEW-RECOVERY",
  otp: "SECRET-OTP",
};

export const BASE_INTERVAL = 5_000;

const tokens = () => ok({ accessToken: SECRETS.access, idToken: SECRETS.access, tokenType: "Bearer", expiresIn: 600 });

/** The answers a server may give to each call, as generator picks. */
const ANSWERS: Partial<Record<TransportMethod, ((n: number) => Result<unknown>)[]>> = {
  associate: [
    (n) => ok({ oobCode: `${SECRETS.oobPrefix}${n}`, barcodeUri: "otpauth://totp/T:u?enrollment_tx_id=tx", recoveryCodes: [SECRETS.recoveryCode] }),
    (n) => ok({ oobCode: `${SECRETS.oobPrefix}${n}`, barcodeUri: "otpauth://totp/T:u?enrollment_tx_id=tx" }),
    () => fail("network"),
    () => fail("already_enrolled"),
  ],
  listAuthenticators: [() => answers.pushAuthenticators(1), () => answers.pushAuthenticators(2), () => fail("server_error"), () => answers.pushAuthenticators(0)],
  challenge: [(n) => ok({ challengeType: "oob", oobCode: `${SECRETS.oobPrefix}${n}` }), () => fail("rate_limited", { retryAfterMs: 7_000 }), () => fail("network")],
  verifyOob: [
    () => fail("authorization_pending"),
    () => fail("authorization_pending"),
    () => fail("authorization_pending"),
    () => fail("slow_down"),
    () => fail("slow_down", { retryAfterMs: 12_000 }),
    () => fail("rate_limited", { retryAfterMs: 7_000 }),
    () => fail("network"),
    () => fail("server_error"),
    tokens,
    () => fail("rejected"),
    () => fail("expired"),
    () => fail("mfa_token_invalid"),
    () => fail("mfa_required", { mfaToken: "SECRET-NEW-MFA" }),
  ],
  verifyOtp: [tokens, () => fail("invalid_code"), () => fail("too_many_attempts"), () => fail("network")],
  verifyRecoveryCode: [() => ok({ ...(tokens() as { value: object }).value, recoveryCode: SECRETS.newRecoveryCode }), () => fail("invalid_code")],
};

export type Move =
  | { readonly kind: "answer"; readonly pick: number }
  | { readonly kind: "advance"; readonly ms: number }
  | { readonly kind: "event"; readonly event: { type: string; [key: string]: unknown } };

const userEvents = fc.constantFrom<{ type: string; [key: string]: unknown }>(
  { type: "CANCEL" },
  { type: "ACK_RECOVERY_CODES" },
  { type: "CHOOSE_AUTHENTICATOR", id: "push|dev_0000000000000001" },
  { type: "RESEND" },
  { type: "USE_OTP" },
  { type: "SUBMIT_OTP", otp: SECRETS.otp },
  { type: "USE_RECOVERY_CODE" },
  { type: "SUBMIT_RECOVERY_CODE", code: SECRETS.recoveryCode },
  { type: "BACK_TO_PUSH" },
);

export const moves = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant("answer" as const), pick: fc.nat(50) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 20_000 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("event" as const), event: userEvents }) },
  ),
  { maxLength: 40 },
);

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export interface Run {
  readonly output: FlowOutput;
  readonly doneEvents: number;
  readonly stateJson: string[];
  readonly records: FlowRecord[];
  readonly polls: { at: number; intervalDue: number }[];
  readonly maxInFlight: number;
  readonly callsAfterEnd: number;
  readonly doneAt: number;
  readonly deadlineAt: number | undefined;
  readonly finalInterval: number;
  readonly slowDowns: number;
  readonly lastDecisive: { method: TransportMethod; code: string } | undefined;
  readonly cancelledAt: number | undefined;
}

/** Runs one flow against random answers, clock moves and user events, then lets it finish. */
export async function runFlow(kind: "enroll" | "challenge", script: readonly Move[]): Promise<Run> {
  const clock = new SimulatedClock();
  const transport = createControlledTransport();
  const records: FlowRecord[] = [];
  const input = { mfaToken: SECRETS.mfaToken };
  const options = { transport, clock, random: () => 0.5, persist: (r: FlowRecord | null) => void (r && records.push(r)) };
  const flow = kind === "enroll" ? startEnrollment(input, options) : startChallenge(input, options);
  const stateJson: string[] = [];
  let doneEvents = 0;
  let ended = false;
  let doneAt = -1;
  flow.events.on("state", (e) => stateJson.push(JSON.stringify(e)));
  flow.events.on("done", () => {
    doneEvents++;
    ended = true;
    doneAt = clock.now();
  });
  for (const name of ["qr", "poll", "backoff"] as const) flow.events.on(name, (e: unknown) => stateJson.push(JSON.stringify(e)));

  const polls: { at: number; intervalDue: number }[] = [];
  let slowDowns = 0;
  let served = 0;
  let callsAfterEnd = 0;
  let seenCalls = 0;
  let lastDecisive: Run["lastDecisive"];
  let cancelledAt: number | undefined;
  const watchCalls = () => {
    for (; seenCalls < transport.calls.length; seenCalls++) {
      const call = transport.calls[seenCalls]!;
      if (ended || cancelledAt !== undefined) callsAfterEnd++;
      if (call.method === "verifyOob") polls.push({ at: clock.now(), intervalDue: BASE_INTERVAL + 5_000 * slowDowns });
    }
  };
  const answer = (pick: number) => {
    const pending = transport.pending[0];
    if (!pending) return;
    const options = ANSWERS[pending.method] ?? [() => fail("internal")];
    const result = options[pick % options.length]!(++served);
    if (pending.method === "verifyOob" && !result.ok && result.problem.code === "slow_down") slowDowns++;
    const decisive = !result.ok && ["rejected", "expired", "mfa_token_invalid", "mfa_required", "too_many_attempts", "already_enrolled"].includes(result.problem.code);
    if (decisive || (result.ok && ["verifyOob", "verifyOtp", "verifyRecoveryCode"].includes(pending.method))) {
      lastDecisive = { method: pending.method, code: result.ok ? "ok" : result.problem.code };
    }
    transport.respond(pending.method, result);
  };

  await settle();
  watchCalls();
  for (const move of script) {
    if (move.kind === "answer") answer(move.pick);
    else if (move.kind === "advance") clock.increment(move.ms);
    else {
      if (move.event.type === "CANCEL" && !ended) cancelledAt = clock.now();
      flow.send(move.event as never);
    }
    await settle();
    watchCalls();
  }
  // Let it finish: the server keeps saying "pending", the user acknowledges codes and chooses.
  for (let round = 0; round < 400 && !ended; round++) {
    const view = flow.view() as { recoveryCodesPending?: boolean; state: string; choices?: { id: string }[] };
    if (view.recoveryCodesPending) flow.send({ type: "ACK_RECOVERY_CODES" } as never);
    if (view.state === "choosing") flow.send({ type: "CHOOSE_AUTHENTICATOR", id: view.choices?.[0]?.id ?? "" } as never);
    if (view.state === "challenged.otpEntry" || view.state === "challenged.recoveryEntry") flow.send({ type: "BACK_TO_PUSH" } as never);
    await settle();
    watchCalls();
    const pending = transport.pending[0];
    if (pending) answer(pending.method === "verifyOob" ? 0 : 0);
    else clock.increment(1_000);
    await settle();
    watchCalls();
  }
  const output = await flow.done;
  // The end is final: nothing more happens whatever comes next.
  flow.send({ type: "RESEND" } as never);
  flow.send({ type: "ACK_RECOVERY_CODES" } as never);
  clock.increment(600_000);
  await settle();
  watchCalls();
  const view = flow.view() as { deadlineAt?: number; intervalMs: number };
  return {
    output,
    doneEvents,
    stateJson,
    records,
    polls,
    maxInFlight: transport.maxInFlight,
    callsAfterEnd,
    doneAt,
    deadlineAt: view.deadlineAt,
    finalInterval: view.intervalMs,
    slowDowns,
    lastDecisive,
    cancelledAt,
  };
}
