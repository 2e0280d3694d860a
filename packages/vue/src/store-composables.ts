import { computed, getCurrentScope, onScopeDispose, shallowRef, type ComputedRef, type ShallowRef } from "vue";
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

/** Each field of the snapshot as a read-only ref, and the whole snapshot as one. */
export type SnapshotRefs<S> = { readonly [K in keyof S]: ComputedRef<S[K]> } & { readonly snapshot: Readonly<ShallowRef<S>> };
export type ChallengeRefs = SnapshotRefs<ChallengeStoreSnapshot>;
export type EnrollmentRefs = SnapshotRefs<EnrollmentStoreSnapshot>;

/**
 * Follows a store: the snapshot in a shallowRef (the store keeps its identity until a change, so
 * nothing else is needed), and a computed ref per field. Stops following when the scope is disposed.
 */
export function snapshotRefs<S extends object>(idle: S): { refs: SnapshotRefs<S>; follow(store: ViewStore<S>): () => void } {
  const snapshot = shallowRef(idle);
  const fields = Object.fromEntries(Object.keys(idle).map((key) => [key, computed(() => snapshot.value[key as keyof S])]));
  return {
    refs: { ...fields, snapshot } as SnapshotRefs<S>,
    follow(store) {
      snapshot.value = store.getSnapshot();
      return store.subscribe(() => (snapshot.value = store.getSnapshot()));
    },
  };
}

/**
 * Follows a challenge store you made yourself (core's `challengeStore` over any adapter's handle);
 * `useChallenge` starts the flow for you. The store stays yours to dispose.
 */
export function useChallengeStore(store: ViewStore<ChallengeStoreSnapshot>): ChallengeRefs {
  return useStore(store, IDLE_CHALLENGE);
}

/** Follows an enrollment store you made yourself; `useEnrollment` starts the flow for you. */
export function useEnrollmentStore(store: ViewStore<EnrollmentStoreSnapshot>): EnrollmentRefs {
  return useStore(store, IDLE_ENROLLMENT);
}

function useStore<S extends object>(store: ViewStore<S>, idle: S): SnapshotRefs<S> {
  const { refs, follow } = snapshotRefs(idle);
  const stop = follow(store);
  if (getCurrentScope()) onScopeDispose(stop);
  return refs;
}
