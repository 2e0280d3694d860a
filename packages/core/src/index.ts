/**
 * @pushflow/core: what an app's code names. Flows are started with an adapter's `enroll` and
 * `challenge` (@pushflow/node, @pushflow/browser, @pushflow/deno); the pieces adapters and
 * back-ends are built from are in `@pushflow/core/adapter`, the test kit in `@pushflow/core/testing`.
 * The exported names are listed in api.md (`pnpm api` rewrites it).
 */
export type { ErrorCode, Problem } from "./errors.ts";
export { PushflowError, isPushflowError } from "./errors.ts";
export type {
  Association,
  Authenticator,
  CallOptions,
  ChallengeAnswer,
  LoginAnswer,
  LoginRequest,
  RecoveryTokens,
  Result,
  Tokens,
  Transport,
} from "./transport.ts";
export type { FlowClock } from "./clock.ts";
export type { FlowEmitted, QrEmitted, RecoveryCodesEmitted, PollEmitted, BackoffEmitted, ResumeEmitted } from "./machines/events.types.ts";
export type { Outcome, ApprovalMethod, EnrollmentOutput, ChallengeOutput, FlowOutput } from "./machines/outcomes.ts";
export { ENROLLMENT_OUTCOMES, CHALLENGE_OUTCOMES } from "./machines/outcomes.ts";
export { DEFAULTS, type WaitCode } from "./machines/policy.ts";
export type { EnrollmentEvent } from "./machines/enrollment.types.ts";
export type { ChallengeEvent, PushAuthenticator } from "./machines/challenge.types.ts";
export { enrollmentMachine } from "./machines/enrollment.machine.ts";
export { challengeMachine } from "./machines/challenge.machine.ts";
export type { Flow, EnrollmentFlow, ChallengeFlow } from "./flow.ts";
export type { FlowEvents, FlowEventName, FlowEvent, StateEvent, DoneEvent } from "./events.ts";
export { FLOW_EVENT_NAMES } from "./events.ts";
export { enrollmentView, challengeView } from "./views.ts";
export type { EnrollmentView, ChallengeView, FlowView, EnrollmentSnapshot, ChallengeSnapshot, EnrollmentState, ChallengeState } from "./views.ts";
export { MemoryFlowStore } from "./persistence.ts";
export type { FlowRecord, FlowStore, FlowKind, StoredEntry } from "./persistence.ts";
export type { FlowHandle, EnrollmentHandle, ChallengeHandle } from "./launch.ts";
export type { AdapterOptions, CredentialsGiven, FlowSettings } from "./adapter.ts";
export type { Inspector } from "./inspection.ts";
export { allowedEvents, challengeStore, enrollmentStore, keptFlows } from "./store.ts";
export type { RunningFlow, ChallengeActions, ChallengeStoreSnapshot, EnrollmentActions, EnrollmentStoreSnapshot, StoreSource, ViewStore, ViewStoreOptions } from "./store.ts";
