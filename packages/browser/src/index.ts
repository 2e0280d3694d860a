/**
 * @pushflow/browser: Auth0 MFA push enrollment and challenge in a page. A reload resumes the flow
 * (sessionStorage), polls wait while the page is hidden or offline, and one tab polls for all.
 * The QR as SVG is in the optional entry `@pushflow/browser/qr`. The types an app names with the
 * flows (options, handles, outcomes, views, events, errors) are re-exported from `@pushflow/core`.
 */
export type {
  AdapterOptions,
  BackoffEmitted,
  ChallengeEvent,
  ChallengeHandle,
  ChallengeOutput,
  ChallengeState,
  ChallengeView,
  CredentialsGiven,
  DoneEvent,
  EnrollmentEvent,
  EnrollmentHandle,
  EnrollmentOutput,
  EnrollmentState,
  EnrollmentView,
  ErrorCode,
  FlowEvents,
  FlowKind,
  FlowStore,
  Outcome,
  PollEmitted,
  Problem,
  QrEmitted,
  RecoveryCodesEmitted,
  ResumeEmitted,
  StateEvent,
  Tokens,
  Transport,
} from "@pushflow/core";
export { PushflowError, isPushflowError } from "@pushflow/core";
export { enroll, challenge, hasSavedFlow } from "./adapter.ts";
export type { BrowserOptions, BrowserHandle, BrowserEnrollmentHandle, BrowserChallengeHandle } from "./adapter.ts";
export { SessionFlowStore } from "./storage.ts";
export { createPauseGate, pausingTransport } from "./pause.ts";
export type { PauseGate } from "./pause.ts";
export type { TabRole } from "./tabs.ts";
