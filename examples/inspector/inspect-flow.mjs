// Shows a live pushflow challenge in the Stately inspector, without the internet: a local
// WebSocket relay (@statelyai/inspect/server) carries the flow's inspection events, which core
// redacts before they leave the actor (no mfa_token, oob_code, token or code in the stream).
import { pathToFileURL } from "node:url";
import { createAdapter } from "@pushflow/core/adapter";
import { startEmulator } from "@pushflow/emulator";
import { createFetchTransport } from "@pushflow/transport-fetch";
import { createWebSocketInspector } from "@statelyai/inspect";
import { createInspectorServer } from "@statelyai/inspect/server";

const { challenge } = createAdapter({ createTransport: createFetchTransport });

/** Runs one push challenge on the emulator (the device approves) with the inspector attached. */
export async function runInspectedChallenge({ port, pollIntervalMs = 1000 }) {
  const relay = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
  const emulator = await startEmulator({ port: 0, devicePolicy: { answer: "approve", answerAfterMs: 1.5 * pollIntervalMs } });
  try {
    const flow = challenge({
      domain: emulator.url,
      clientId: "pushflow-demo",
      username: "grace@example.com",
      password: "grace-password-1",
      pollIntervalMs,
      warn: () => {},
      // The XState idiom: the inspector's Observer, as is.
      inspect: inspector.inspect,
    });
    return await flow.outcome;
  } finally {
    inspector.stop();
    relay.stop();
    await emulator.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.INSPECT_PORT ?? 8080);
  console.log(`inspector relay on ws://127.0.0.1:${port}; open http://localhost:${port} to see the Stately inspector`);
  const output = await runInspectedChallenge({ port, pollIntervalMs: 5000 });
  console.log(`outcome: ${output.outcome} (${output.reason})`);
}
