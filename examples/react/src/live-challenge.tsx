import { useChallenge, useChallengeStore, type ChallengeStoreSnapshot, type FlowHookOptions, type ViewStore } from "@pushflow/react";
import { ChallengeScreen, OutcomeScreen, Panel } from "./challenge-screen.tsx";

/** A snapshot of `useChallenge` on screen: the flow's screen, its outcome, or the sign-in before it. */
export function SnapshotScreen({ snapshot }: { readonly snapshot: ChallengeStoreSnapshot }) {
  const { view, outcome, actions, resendInSeconds } = snapshot;
  // A login that fails ends the flow before it starts: the outcome comes without a view.
  if (outcome) return <OutcomeScreen output={outcome} />;
  if (view) return <ChallengeScreen view={view} actions={actions} resendInSeconds={resendInSeconds} />;
  return <Panel title="Signing in…" />;
}

/**
 * The page: `useChallenge` starts the flow with @pushflow/browser when it mounts (a reload resumes
 * it, one tab polls for all) and renders again on every change.
 */
export function ChallengePage({ options }: { readonly options: FlowHookOptions }) {
  return <SnapshotScreen snapshot={useChallenge(options)} />;
}

/** A flow started elsewhere, through core's store (the tests hand it a flow on a simulated clock). */
export function LiveChallenge({ store }: { readonly store: ViewStore<ChallengeStoreSnapshot> }) {
  return <SnapshotScreen snapshot={useChallengeStore(store)} />;
}
