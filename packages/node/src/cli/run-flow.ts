import { resolve } from "node:path";
import { isPushflowError, type AdapterOptions, type CredentialsGiven } from "@pushflow/core";
import { challenge, enroll } from "../adapter.ts";
import { createSingleFileStore } from "../file-store.ts";
import { cancelOnSignal } from "../signals.ts";
import type { FlowArgs } from "./args.ts";
import { exitCodeOf, USAGE_ERROR } from "./exit-codes.ts";
import type { CliHandle } from "./handle.ts";
import { interact } from "./interact.ts";
import type { CliIo } from "./io.ts";
import { presentHuman } from "./render/human.ts";
import { presentJson } from "./render/json.ts";
import { createInput } from "./terminal/input.ts";
import { createScreen } from "./terminal/screen.ts";

/** Runs `pushflow enroll|challenge` to its outcome; answers the exit code. */
export async function runFlow(args: FlowArgs, io: CliIo): Promise<number> {
  const warn = (message: string) => io.stderr.write(`${message}\n`);
  const abort = new AbortController();
  const store = args.resumeFile === undefined ? undefined : createSingleFileStore(resolve(args.resumeFile), { warn });
  // A person at a terminal confirms the recovery codes (Enter); with --json, or stdin not a
  // terminal, nobody can: core counts them acknowledged once emitted (printed).
  const human = !args.json;
  const stdinTty = io.stdin.isTTY === true;
  const person = human && stdinTty;
  const options: AdapterOptions & CredentialsGiven = {
    domain: args.domain,
    clientId: args.clientId,
    ...(args.clientSecret === undefined ? {} : { clientSecret: args.clientSecret }),
    ...args.credentials,
    ...(args.authenticatorId === undefined ? {} : { authenticatorId: args.authenticatorId }),
    ...(args.pollIntervalMs === undefined ? {} : { pollIntervalMs: args.pollIntervalMs }),
    ...(args.timeoutMs === undefined ? {} : args.flow === "enroll" ? { enrollmentWindowMs: args.timeoutMs } : { timeoutMs: args.timeoutMs }),
    ...(args.flow === "enroll" ? { acknowledgeRecoveryCodes: person ? "manual" : "auto" } : {}),
    ...(store === undefined ? {} : { store, storeKey: `pushflow:${args.flow}` }),
    signal: abort.signal,
    warn,
  };

  let handle: CliHandle;
  try {
    handle = args.flow === "enroll" ? enroll(options) : challenge(options);
  } catch (error) {
    // The transport refused the options (a bad or plain-http domain, an empty client id).
    if (!isPushflowError(error)) throw error;
    io.stderr.write(`pushflow: ${error.message}\n`);
    return USAGE_ERROR;
  }
  const stopSignal = cancelOnSignal(handle, "SIGINT", { onSignal: () => abort.abort() });

  const input = createInput({ stdin: io.stdin, prompts: io.stdout, keys: person });
  const screen = createScreen(io.stdout);
  if (args.json) {
    presentJson(handle, (line) => io.stdout.write(`${line}\n`));
    interact({ handle, input, say: warn });
  } else {
    const keys = input.interactive;
    presentHuman(handle, screen, {
      live: io.stdout.isTTY === true,
      challengeKeys: keys ? "o: one-time code  r: recovery code  s: resend  c: cancel" : "type o, r, s or c and Enter",
      cancelKey: keys ? "c: cancel" : "type c and Enter to cancel",
    });
    interact({
      handle,
      input,
      say: (text) => screen.line(text),
      showPrompt: (text) => screen.line(text.trimEnd()),
      hold: (held) => screen.hold(held),
    });
    const { credentials } = args;
    void handle.resumed.then((resumed) => {
      if (resumed) screen.line(`Resuming the flow saved in ${args.resumeFile ?? "the resume file"}.`);
      else if ("username" in credentials) screen.line(`Signing in as ${credentials.username}…`);
    });
  }

  const output = await handle.outcome;
  stopSignal();
  input.close();
  // A prompt withdrawn by the outcome may still hold lines back.
  screen.hold(false);
  return exitCodeOf(output.outcome);
}
