import { resolve } from "node:path";
import { isPushflowError, type AdapterOptions, type CredentialsGiven } from "@pushflow/core";
import { challenge, enroll } from "../adapter.ts";
import { createSingleFileStore } from "../file-store.ts";
import { cancelOnSignal } from "../signals.ts";
import type { FlowArgs } from "./args.ts";
import { exitCodeOf, STDOUT_CLOSED, USAGE_ERROR } from "./exit-codes.ts";
import type { CliHandle } from "./handle.ts";
import { interact } from "./interact.ts";
import type { CliIo } from "./io.ts";
import { presentHuman } from "./render/human.ts";
import { presentJson } from "./render/json.ts";
import { createInput } from "./terminal/input.ts";
import { createScreen } from "./terminal/screen.ts";

/** The signals that cancel a flow as Ctrl-C does: outcome `cancelled`, no request after it, last line `done`. */
const CANCEL_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

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
  const stopSignals = CANCEL_SIGNALS.map((signal) => cancelOnSignal(handle, signal, { onSignal: () => abort.abort() }));
  // A closed stdout (`pushflow … --json | head -1`) can show nothing more: the flow is cancelled
  // quietly (no request after it, no stack trace) and the process exits as SIGPIPE tools do. A
  // write to a pipe fails at once and marks the stream errored ('error' follows a tick later), so a
  // check after each write cancels before the request of the state just printed leaves.
  let stdoutFailed = false;
  const stopOnStdoutError = () => {
    if (stdoutFailed) return;
    stdoutFailed = true;
    abort.abort();
    handle.cancel();
  };
  io.stdout.on("error", stopOnStdoutError);
  const stdout = {
    isTTY: io.stdout.isTTY,
    write: (text: string) => {
      io.stdout.write(text);
      if (io.stdout.errored !== null) stopOnStdoutError();
    },
  };
  const stdoutClosed = () => {
    const error = io.stdout.errored;
    return error !== null && "code" in error && error.code === "EPIPE";
  };
  // Warnings are best effort: a closed stderr must not end the flow either.
  io.stderr.on("error", () => {});

  const input = createInput({ stdin: io.stdin, prompts: io.stdout, keys: person });
  const screen = createScreen(stdout);
  if (args.json) {
    presentJson(handle, (line) => stdout.write(`${line}\n`));
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
  for (const stop of stopSignals) stop();
  input.close();
  // A prompt withdrawn by the outcome may still hold lines back.
  screen.hold(false);
  return stdoutClosed() ? STDOUT_CLOSED : exitCodeOf(output.outcome);
}
