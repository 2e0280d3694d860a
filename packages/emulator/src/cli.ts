#!/usr/bin/env node
import { runCli } from "./cli-main.ts";

const { exitCode, emulator } = await runCli(process.argv.slice(2));
if (emulator === undefined) {
  process.exit(exitCode);
} else {
  const stop = () => {
    void emulator.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
