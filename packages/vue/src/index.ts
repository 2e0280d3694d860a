/**
 * @pushflow/vue: `useChallenge` and `useEnrollment` start a flow with @pushflow/browser (a reload
 * resumes it, one tab polls for all) and give its view, outcome, countdowns and allowed actions as
 * refs, cleaned up with the component's scope. The store underneath is core's framework-free
 * `challengeStore` / `enrollmentStore`. For the QR: `qrDataUrl` of `@pushflow/browser/qr`.
 */
export { useChallenge, useEnrollment } from "./flow-composables.ts";
export type { FlowComposableOptions } from "./flow-composables.ts";
export { useChallengeStore, useEnrollmentStore } from "./store-composables.ts";
export type { ChallengeRefs, EnrollmentRefs, SnapshotRefs } from "./store-composables.ts";
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
