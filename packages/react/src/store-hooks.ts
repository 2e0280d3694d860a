import { useSyncExternalStore } from "react";
import type { ChallengeStoreSnapshot, EnrollmentStoreSnapshot, ViewStore } from "@pushflow/core";

/** Before the flow starts (and on the server): no view, no outcome, nothing to do yet. */
export const IDLE_CHALLENGE: ChallengeStoreSnapshot = Object.freeze({
  view: undefined,
  outcome: undefined,
  secondsLeft: undefined,
  resendInSeconds: undefined,
  actions: Object.freeze({}),
});
export const IDLE_ENROLLMENT: EnrollmentStoreSnapshot = Object.freeze({
  view: undefined,
  outcome: undefined,
  secondsLeft: undefined,
  qr: undefined,
  recoveryCodes: undefined,
  actions: Object.freeze({}),
});

const NO_STORE = { subscribe: () => () => {} };

/** A store's snapshot, rendered again on every change; the idle snapshot without a store. */
function useStore<S>(store: ViewStore<S> | undefined, idle: S): S {
  const subscribe = store ? store.subscribe : NO_STORE.subscribe;
  const getSnapshot = store ? store.getSnapshot : () => idle;
  // On the server the store's own snapshot too: a page may render a flow it was handed.
  return useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
}

/**
 * Renders a challenge store you made yourself (core's `challengeStore` over any adapter's handle,
 * e.g. a flow your back-end relays). `useChallenge` starts the flow for you.
 */
export function useChallengeStore(store: ViewStore<ChallengeStoreSnapshot> | undefined): ChallengeStoreSnapshot {
  return useStore(store, IDLE_CHALLENGE);
}

/** Renders an enrollment store you made yourself; `useEnrollment` starts the flow for you. */
export function useEnrollmentStore(store: ViewStore<EnrollmentStoreSnapshot> | undefined): EnrollmentStoreSnapshot {
  return useStore(store, IDLE_ENROLLMENT);
}
