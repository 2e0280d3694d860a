import { getCurrentInstance, getCurrentScope, onMounted, onScopeDispose } from "vue";
import { challenge, enroll, type BrowserOptions } from "@pushflow/browser";
import { challengeStore, enrollmentStore, keptFlows, type ChallengeStoreSnapshot, type EnrollmentStoreSnapshot, type RunningFlow, type ViewStore } from "@pushflow/core";
import { IDLE_CHALLENGE, IDLE_ENROLLMENT, snapshotRefs, type ChallengeRefs, type EnrollmentRefs } from "./store-composables.ts";

/** Options of `useChallenge` and `useEnrollment`: @pushflow/browser's, plus what disposing does. */
export interface FlowComposableOptions extends BrowserOptions {
  /**
   * When the component unmounts (its scope is disposed), `"cancel"` (default) ends the flow;
   * `"keep"` lets it run on, so that the next mount on the same `storeKey` takes it over (a
   * reload resumes it from the tab's storage).
   */
  readonly onUnmount?: "cancel" | "keep";
}

const keptChallenges = keptFlows<ChallengeStoreSnapshot>();
const keptEnrollments = keptFlows<EnrollmentStoreSnapshot>();

/**
 * Starts a push challenge with @pushflow/browser, once the component is mounted (never during
 * server rendering; at once in a bare `effectScope`), and gives its snapshot as refs: `view`,
 * `outcome` once done, the countdowns and the `actions` the current state allows.
 */
export function useChallenge(options: FlowComposableOptions): ChallengeRefs {
  const { refs, follow } = snapshotRefs(IDLE_CHALLENGE);
  run(options, "challenge", keptChallenges, follow, (o) => {
    const handle = challenge(o);
    return { store: challengeStore(handle, o.clock ? { clock: o.clock } : {}), cancel: () => handle.cancel(), ended: handle.outcome };
  });
  return refs;
}

/** Starts a push enrollment with @pushflow/browser; as `useChallenge`. */
export function useEnrollment(options: FlowComposableOptions): EnrollmentRefs {
  const { refs, follow } = snapshotRefs(IDLE_ENROLLMENT);
  run(options, "enroll", keptEnrollments, follow, (o) => {
    const handle = enroll(o);
    return { store: enrollmentStore(handle, o.clock ? { clock: o.clock } : {}), cancel: () => handle.cancel(), ended: handle.outcome };
  });
  return refs;
}

function run<S>(
  options: FlowComposableOptions,
  kind: "challenge" | "enroll",
  kept: ReturnType<typeof keptFlows<S>>,
  follow: (store: ViewStore<S>) => () => void,
  launch: (options: BrowserOptions) => RunningFlow<S>,
) {
  const { onUnmount = "cancel", ...browserOptions } = options;
  const key = browserOptions.storeKey ?? `pushflow:${kind}`;
  let disposed = false;
  let stop = () => {};
  const start = () => {
    if (disposed) return;
    const running = kept.take(key) ?? launch(browserOptions);
    const unfollow = follow(running.store);
    stop = () => {
      unfollow();
      if (onUnmount === "keep") return kept.keep(key, running);
      running.store.dispose();
      running.cancel();
    };
  };
  if (getCurrentScope()) {
    onScopeDispose(() => {
      disposed = true;
      stop();
    });
  }
  // In a component, mounted hooks run in the browser only: server rendering starts no flow.
  if (getCurrentInstance()) onMounted(start);
  else start();
}
