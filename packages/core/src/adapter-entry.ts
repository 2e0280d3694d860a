/**
 * `@pushflow/core/adapter`: the pieces an adapter, a back-end or a transport is built from. An app
 * does not need them: it starts flows with an adapter's `enroll` / `challenge` (@pushflow/node,
 * @pushflow/browser, @pushflow/deno) and names the types of `@pushflow/core`.
 */
export { createAdapter, toLaunchOptions, credentialsOf, flowSettingsOf, FLOW_INPUT_KEYS } from "./adapter.ts";
export type { AdapterRuntime } from "./adapter.ts";
export { launchEnrollment, launchChallenge, loginForMfaToken } from "./launch.ts";
export type { LaunchOptions, Credentials, LoginResult } from "./launch.ts";
export { startEnrollment, startChallenge } from "./flow.ts";
export type { FlowOptions } from "./flow.ts";
export type { EnrollmentInput } from "./machines/enrollment.types.ts";
export type { ChallengeInput } from "./machines/challenge.types.ts";
export { enrollmentWithRuntime, challengeWithRuntime } from "./machines/runtime.ts";
export type { FlowRuntime, Stamped, Answer } from "./machines/actors.ts";
export { parseRecord, serializeRecord, RECORD_VERSION } from "./persistence.ts";
export { TRANSPORT_METHODS } from "./transport.ts";
export { systemClock } from "./clock.ts";
