import { useSelector } from "@xstate/react";
import { useEffect, useState } from "react";
import { challengeView, type ChallengeFlow, type ChallengeHandle, type ChallengeOutput } from "@pushflow/core";
import { ChallengeScreen, OutcomeScreen, Panel } from "./challenge-screen.tsx";

/** A running flow on screen: @xstate/react's `useSelector` renders again on every snapshot. */
export function LiveChallenge({ flow }: { readonly flow: ChallengeFlow }) {
  const snapshot = useSelector(flow.actor, (s) => s);
  return <ChallengeScreen view={challengeView(snapshot)} output={snapshot.output} send={flow.send} />;
}

/**
 * A flow from any adapter's `challenge(options)` (here @pushflow/browser's): the handle is usable
 * at once, the flow itself starts after the login or the resume from sessionStorage.
 */
export function ChallengePage({ handle }: { readonly handle: ChallengeHandle }) {
  const [flow, setFlow] = useState<ChallengeFlow>();
  const [output, setOutput] = useState<ChallengeOutput>();
  useEffect(() => {
    let mounted = true;
    void handle.started.then((started) => mounted && started && setFlow(started));
    // A login that fails ends the flow before it starts: the outcome comes without a flow.
    void handle.outcome.then((done) => mounted && setOutput(done));
    return () => {
      mounted = false;
    };
  }, [handle]);
  if (flow) return <LiveChallenge flow={flow} />;
  if (output) return <OutcomeScreen output={output} />;
  return <Panel title="Signing in…" />;
}
