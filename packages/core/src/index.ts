export type { ErrorCode, Problem } from "./errors.ts";
export { PushflowError, isPushflowError, TRANSIENT_CODES } from "./errors.ts";
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
export { TRANSPORT_METHODS } from "./transport.ts";
export type { FlowClock } from "./clock.ts";
export { systemClock } from "./clock.ts";
export type { FlowEmitted, QrEmitted, RecoveryCodesEmitted, PollEmitted, BackoffEmitted } from "./machines/events.types.ts";
export type { Outcome, ApprovalMethod, EnrollmentOutput, ChallengeOutput, FlowOutput } from "./machines/outcomes.ts";
export { ENROLLMENT_OUTCOMES, CHALLENGE_OUTCOMES } from "./machines/outcomes.ts";
export { DEFAULTS, backoffMs, scheduleAfter, type WaitCode } from "./machines/policy.ts";
export type { EnrollmentInput, EnrollmentContext, EnrollmentEvent } from "./machines/enrollment.types.ts";
export type { ChallengeInput, ChallengeContext, ChallengeEvent, PushAuthenticator } from "./machines/challenge.types.ts";
export { enrollmentMachine } from "./machines/enrollment.machine.ts";
export { challengeMachine, pushChoices } from "./machines/challenge.machine.ts";
export { enrollmentWithRuntime, challengeWithRuntime } from "./machines/runtime.ts";
export type { FlowRuntime, Stamped, Answer } from "./machines/actors.ts";
export { startEnrollment, startChallenge } from "./flow.ts";
export type { Flow, FlowOptions, EnrollmentFlow, ChallengeFlow } from "./flow.ts";
export type { FlowEvents, FlowEventName, FlowEvent, StateEvent, DoneEvent } from "./events.ts";
export { FLOW_EVENT_NAMES } from "./events.ts";
export { enrollmentView, challengeView, stateName } from "./views.ts";
export type { EnrollmentView, ChallengeView, FlowView, EnrollmentSnapshot, ChallengeSnapshot } from "./views.ts";
export { parseRecord, serializeRecord, MemoryFlowStore, RECORD_VERSION } from "./persistence.ts";
export type { FlowRecord, FlowStore, FlowKind, StoredEntry } from "./persistence.ts";
export { redactDeep, REDACTED } from "./redact.ts";
export { launchEnrollment, launchChallenge, loginForMfaToken } from "./launch.ts";
export type { LaunchOptions, FlowHandle, EnrollmentHandle, ChallengeHandle, Credentials, LoginResult } from "./launch.ts";
export { createAdapter, toLaunchOptions, credentialsOf, flowSettingsOf, FLOW_INPUT_KEYS } from "./adapter.ts";
export type { AdapterOptions, AdapterRuntime, FlowSettings } from "./adapter.ts";
