/**
 * Test kit for pushflow and for apps built on it: a transport whose calls wait until the test
 * answers them, ready-made answers, and the generated model paths of the machines.
 */
export { createControlledTransport, settle } from "./testing/controlled-transport.ts";
export type { ControlledTransport, PendingCall, TransportMethod } from "./testing/controlled-transport.ts";
export { answers, fail, ok } from "./testing/answers.ts";
export { getModelPaths, DEFAULT_PROJECTIONS } from "./testing/model-paths.ts";
export type { ModelPath, ModelPathOptions, PathSnapshot } from "./testing/model-paths.ts";
export { flowEvents, REQUESTED_ID } from "./testing/sample-events.ts";
