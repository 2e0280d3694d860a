/**
 * @pushflow/deno: the Deno adapter. `enroll` and `challenge` take the options every adapter takes
 * (core's `AdapterOptions`); flows are saved in files with `createFileStore` and cancelled on
 * Ctrl-C with `cancelOnSignal`. The types an app names with them (options, handles, outcomes,
 * views, events, errors) are re-exported from `@pushflow/core`; the machines, the test kit and the
 * rest are in `@pushflow/core` itself. Only web APIs and `Deno.*`: no Node API.
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
export { enroll, challenge } from "./adapter.ts";
export { createFileStore } from "./file-store.ts";
export type { FileFlowStore, FileStoreOptions } from "./file-store.ts";
export { cancelOnSignal } from "./signals.ts";
export type { Cancellable, CancelSignal } from "./signals.ts";
