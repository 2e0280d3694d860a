// Runs the example with a receiver on its relay and prints what came through, as one JSON line.
// Plain node: the example is what a user runs, and ws clients behave as they do for users.
import { createWebSocketReceiver } from "@statelyai/inspect";
import { runInspectedChallenge } from "../inspect-flow.mjs";

const port = Number(process.argv[2]);
const run = runInspectedChallenge({ port, pollIntervalMs: 200 });
await new Promise((resolve) => setTimeout(resolve, 100));
const received = [];
const subscription = createWebSocketReceiver({ server: `ws://127.0.0.1:${port}` }).subscribe((event) => received.push(event));
const output = await run;
subscription.unsubscribe();
console.log(JSON.stringify({ outcome: output.outcome, events: received }));
process.exit(0);
