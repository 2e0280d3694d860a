/**
 * One tab of a challenge shared across tabs: the test starts it, cancels it, and reads what this
 * tab saw (its role, when `started` resolved, its outcome) with the page's own clock. A tab may
 * start the challenge more than once: each start is a handle of its own, `0` the first.
 */
import { challenge, type BrowserChallengeHandle } from "../../src/index.ts";

export interface TabSeen {
  role: "leader" | "follower" | undefined;
  startedAt: number | undefined;
  outcome: string | undefined;
  endedAt: number | undefined;
  cancelledAt: number | undefined;
}

declare global {
  interface Window {
    tab: {
      start(user: { username: string; password: string }, pollIntervalMs: number): void;
      cancel(): void;
      /** Cancels after keeping this tab's event loop busy for `ms`: messages that arrive meanwhile wait. */
      cancelAfterBusy(ms: number): void;
      /** What the `index`-th start of this tab saw (default the first). */
      seen(index?: number): TabSeen;
    };
  }
}

const handles: { handle: BrowserChallengeHandle; seen: TabSeen }[] = [];
const cancel = () => {
  const first = handles[0];
  if (!first) return;
  first.seen.cancelledAt = Date.now();
  first.handle.cancel();
};
const unseen = (): TabSeen => ({ role: undefined, startedAt: undefined, outcome: undefined, endedAt: undefined, cancelledAt: undefined });

window.tab = {
  start({ username, password }, pollIntervalMs) {
    const handle = challenge({ domain: location.origin, clientId: "pushflow-demo", username, password, pollIntervalMs });
    const seen = unseen();
    handles.push({ handle, seen });
    void handle.started.then(() => (seen.startedAt = Date.now()));
    void handle.outcome.then((output) => {
      seen.outcome = output.outcome;
      seen.endedAt = Date.now();
    });
  },
  cancel,
  cancelAfterBusy(ms) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // Busy on purpose: a `done` from the leader must arrive before this tab's cancel is asked.
    }
    cancel();
  },
  seen: (index = 0) => {
    const started = handles[index];
    return started ? { ...started.seen, role: started.handle.role() } : unseen();
  },
};
