/**
 * @pushflow/react: `useChallenge` and `useEnrollment` start a flow with @pushflow/browser (a
 * reload resumes it, one tab polls for all) and render its view, outcome, countdowns and allowed
 * actions. `<PushQr>` is in the optional entry `@pushflow/react/qr`. The store underneath is
 * core's framework-free `challengeStore` / `enrollmentStore`.
 */
export { useChallenge, useEnrollment } from "./flow-hooks.ts";
export type { FlowHookOptions } from "./flow-hooks.ts";
export { useChallengeStore, useEnrollmentStore } from "./store-hooks.ts";
export type {
  ChallengeActions,
  ChallengeStoreSnapshot,
  ChallengeView,
  ChallengeOutput,
  ChallengeState,
  EnrollmentActions,
  EnrollmentStoreSnapshot,
  EnrollmentView,
  EnrollmentOutput,
  EnrollmentState,
  ViewStore,
} from "@pushflow/core";
