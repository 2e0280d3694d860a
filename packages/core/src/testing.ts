/**
 * Test kit for pushflow and for apps built on it: a transport whose calls wait until the test
 * answers them, ready-made answers, the generated model paths of the machines, and XState's
 * `SimulatedClock` (so that an app's tests need not depend on xstate). pushflow's own fixtures
 * (the sample events and projections `getModelPaths` uses by default) are not part of it.
 */
export { createControlledTransport, settle } from "./testing/controlled-transport.ts";
export type { ControlledTransport, PendingCall, TransportMethod } from "./testing/controlled-transport.ts";
export { answers, fail, ok } from "./testing/answers.ts";
export { getModelPaths } from "./testing/model-paths.ts";
export type { ModelPath, ModelPathOptions, PathSnapshot } from "./testing/model-paths.ts";
/** XState's simulated clock, the `clock` option of a test: hours of polling in milliseconds. */
export { SimulatedClock } from "xstate";
export { replayChallenge, replayEnrollment } from "./testing/replay.ts";
export type { ReplayFlow } from "./testing/replay.ts";
