#!/usr/bin/env node
import { main } from "./cli/main.ts";

try {
  const code = await main(process.argv.slice(2));
  // Exit now: idle keep-alive sockets and stdin must not hold the process open. Writes to pipes,
  // files and terminals are synchronous on POSIX, so nothing printed is lost.
  process.exit(code);
} catch (error) {
  process.stderr.write(`pushflow: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
