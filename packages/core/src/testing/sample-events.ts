import type { EventObject } from "xstate";
import type { ErrorCode } from "../errors.ts";
import { answers, fail, ok } from "./answers.ts";

/**
 * Sample payloads for the events the graph explores. `at`/`jitter` are the runtime's stamps. Timers
 * need none: `getModelPaths` takes their `xstate.after.*` events from the machine itself.
 */
const stamped = (result: object) => ({ ...result, at: 0, jitter: 0 });
const failures = (codes: ErrorCode[]) => codes.map((code) => stamped(fail(code)));
const done = (id: string, outputs: unknown[]): EventObject[] => outputs.map((output) => ({ type: `xstate.done.actor.${id}`, output }) as EventObject);
const crash = (id: string): EventObject => ({ type: `xstate.error.actor.${id}`, error: new Error("transport bug") }) as EventObject;

/** Every code a transport answer can carry that the machines distinguish. */
const SOME_FAILURES: ErrorCode[] = [
  "already_enrolled",
  "not_enrolled",
  "invalid_authenticator",
  "mfa_token_invalid",
  "misconfigured",
  "rate_limited",
  "network",
  "server_error",
  "invalid_response",
  "invalid_code",
  "too_many_attempts",
  "mfa_required",
];

/**
 * A 429 and a 503 asking to wait a day (`Retry-After: 86400`): longer than any flow's deadline,
 * so the deadline ends the retry wait.
 */
const DAY_MS = 86_400_000;
const waitADay = [stamped(fail("rate_limited", { retryAfterMs: DAY_MS, status: 429 })), stamped(fail("server_error", { retryAfterMs: DAY_MS, status: 503 }))];

export const REQUESTED_ID = "push|dev_0000000000000000";
const otherPush = ok([{ id: "push|dev_0000000000000009", authenticatorType: "oob", oobChannel: "auth0", active: true }]);

export const flowEvents = [
  // user events (with a payload that applies and one that does not)
  { type: "CANCEL" },
  { type: "ACK_RECOVERY_CODES" },
  { type: "CHOOSE_AUTHENTICATOR", id: REQUESTED_ID },
  { type: "CHOOSE_AUTHENTICATOR", id: "push|dev_unknown" },
  { type: "RESEND" },
  { type: "USE_OTP" },
  { type: "SUBMIT_OTP", otp: "123456" },
  { type: "SUBMIT_OTP", otp: " " },
  { type: "USE_RECOVERY_CODE" },
  { type: "SUBMIT_RECOVERY_CODE", code: "ABCDEFGHJKLMNPQRSTUVWXYZ" },
  { type: "SUBMIT_RECOVERY_CODE", code: "" },
  { type: "BACK_TO_PUSH" },
  // transport answers
  ...done("associate", [stamped(answers.association(["RECOVERY0CODE0000000000X"])), stamped(answers.association()), ...failures(SOME_FAILURES), ...waitADay]),
  crash("associate"),
  ...done("listAuthenticators", [
    stamped(answers.pushAuthenticators(1)),
    stamped(answers.pushAuthenticators(2)),
    stamped(answers.pushAuthenticators(0)),
    stamped(otherPush),
    ...failures(SOME_FAILURES),
    ...waitADay,
  ]),
  crash("listAuthenticators"),
  ...done("requestChallenge", [stamped(answers.pushChallenge()), stamped(ok({ challengeType: "otp" })), ...failures(SOME_FAILURES), ...waitADay]),
  crash("requestChallenge"),
  ...done("verifyOtp", [stamped(answers.tokens()), ...failures(SOME_FAILURES)]),
  crash("verifyOtp"),
  ...done("verifyRecoveryCode", [stamped(ok({ ...(answers.tokens() as { value: object }).value, recoveryCode: "NEWCODE0NEWCODE0NEWCODE0" })), ...failures(SOME_FAILURES)]),
  crash("verifyRecoveryCode"),
  // polls
  ...done("verifyOob", [
    stamped(answers.tokens()),
    ...failures(["authorization_pending", "slow_down", "rate_limited", "network", "rejected", "expired", "mfa_token_invalid", "misconfigured", "invalid_request"]),
    stamped(fail("mfa_required", { mfaToken: "new-mfa-token" })),
  ]),
  crash("verifyOob"),
] as EventObject[];
