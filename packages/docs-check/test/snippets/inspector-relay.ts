import { challenge } from "@pushflow/node";
import { createWebSocketInspector } from "@statelyai/inspect";
import { createInspectorServer } from "@statelyai/inspect/server";

type ChallengeOptions = Parameters<typeof challenge>[0];

/** Runs a push challenge with the Stately inspector watching it, through a relay on this machine. */
export async function inspectedChallenge(options: ChallengeOptions, port = 8080) {
  // A WebSocket relay in this process; `autoOpen: false`: it opens no browser tab by itself.
  const relay = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
  try {
    // An Observer, as XState takes it; pushflow redacts every event before it gets there.
    const flow = challenge({ ...options, inspect: inspector.inspect });
    return await flow.outcome;
  } finally {
    inspector.stop();
    relay.stop();
  }
}
