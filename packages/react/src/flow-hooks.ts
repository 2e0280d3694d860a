import { useEffect, useState } from "react";
import { challenge, enroll, type BrowserOptions } from "@pushflow/browser";
import {
  challengeStore,
  enrollmentStore,
  keptFlows,
  type ChallengeStoreSnapshot,
  type EnrollmentStoreSnapshot,
  type RunningFlow,
  type ViewStore,
} from "@pushflow/core";
import { useChallengeStore, useEnrollmentStore } from "./store-hooks.ts";

/** Options of `useChallenge` and `useEnrollment`: @pushflow/browser's, plus what unmounting does. */
export interface FlowHookOptions extends BrowserOptions {
  /**
   * On unmount, `"cancel"` (default) ends the flow; `"keep"` lets it run on, so that the next
   * mount on the same `storeKey` takes it over (a reload resumes it from the tab's storage).
   */
  readonly onUnmount?: "cancel" | "keep";
}

const keptChallenges = keptFlows<ChallengeStoreSnapshot>();
const keptEnrollments = keptFlows<EnrollmentStoreSnapshot>();

/**
 * Starts a push challenge with @pushflow/browser when the component mounts (never on the server),
 * and renders it: the view, the outcome once done, the countdowns, and the actions the current
 * state allows. The options are read once, at mount: give the component a new `key` to start another flow.
 */
export function useChallenge(options: FlowHookOptions): ChallengeStoreSnapshot {
  return useChallengeStore(useFlowStore(options, "challenge", keptChallenges, startChallenge));
}

/** Starts a push enrollment with @pushflow/browser when the component mounts; as `useChallenge`. */
export function useEnrollment(options: FlowHookOptions): EnrollmentStoreSnapshot {
  return useEnrollmentStore(useFlowStore(options, "enroll", keptEnrollments, startEnrollment));
}

function startChallenge(options: BrowserOptions): RunningFlow<ChallengeStoreSnapshot> {
  const handle = challenge(options);
  return { store: challengeStore(handle, options.clock ? { clock: options.clock } : {}), cancel: () => handle.cancel(), ended: handle.outcome };
}

function startEnrollment(options: BrowserOptions): RunningFlow<EnrollmentStoreSnapshot> {
  const handle = enroll(options);
  return { store: enrollmentStore(handle, options.clock ? { clock: options.clock } : {}), cancel: () => handle.cancel(), ended: handle.outcome };
}

function useFlowStore<S>(
  options: FlowHookOptions,
  kind: "challenge" | "enroll",
  kept: ReturnType<typeof keptFlows<S>>,
  start: (options: BrowserOptions) => RunningFlow<S>,
): ViewStore<S> | undefined {
  // The options of the first render: a parent that renders again must not restart the flow.
  const [initial] = useState(options);
  const [store, setStore] = useState<ViewStore<S>>();
  const [failure, setFailure] = useState<{ readonly error: unknown }>();
  if (failure) throw failure.error;

  useEffect(() => {
    const { onUnmount = "cancel", ...browserOptions } = initial;
    const key = browserOptions.storeKey ?? `pushflow:${kind}`;
    let unmounted = false;
    let running: RunningFlow<S> | undefined;
    // Started a microtask later: StrictMode's mount, unmount and mount again run in one go, so the
    // first mount is gone before it would start, and one flow (one push) starts.
    queueMicrotask(() => {
      if (unmounted) return;
      try {
        running = kept.take(key) ?? start(browserOptions);
        setStore(running.store);
      } catch (error) {
        // Bad options (@pushflow/browser throws at the call): to the nearest error boundary.
        setFailure({ error });
      }
    });
    return () => {
      unmounted = true;
      if (!running) return;
      if (onUnmount === "keep") return kept.keep(key, running);
      running.store.dispose();
      running.cancel();
    };
    // Every dependency is fixed for the component's life: this runs once per mount.
  }, [initial, kind, kept, start]);

  return store;
}
