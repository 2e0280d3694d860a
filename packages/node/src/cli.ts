#!/usr/bin/env node
import { main } from "./cli/main.ts";

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`pushflow: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
}
// Exit now: idle keep-alive sockets and stdin must not hold the process open. But only once
// stdout and stderr have taken what was printed: to a file or a terminal Node writes at once, to
// a pipe or a socket (`--json | consumer`) it writes what the pipe takes and queues the rest, and
// process.exit() drops the queue, the `done` line among it, when the reader is slower than the flow.
await Promise.all([written(process.stdout), written(process.stderr)]);
process.exit(code);

/** Resolves once everything written to `stream` has been handed to the system, or the stream is closed. */
function written(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0 || stream.destroyed) resolve();
    // Callbacks run in order: this one after every earlier write (with an error if the stream closed).
    else stream.write("", () => resolve());
  });
}
