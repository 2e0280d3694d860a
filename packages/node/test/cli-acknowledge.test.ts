/**
 * The CLI holds no flow rule for recovery codes: with --json, or stdin not a terminal, it asks
 * core to count them acknowledged once emitted (`acknowledgeRecoveryCodes: "auto"`) and sends no
 * ACK_RECOVERY_CODES of its own; a person at a terminal still confirms (`"manual"`, Enter).
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdapterOptions } from "@pushflow/core";
import type { FlowArgs } from "../src/cli/args.ts";
import type { CliIo } from "../src/cli/io.ts";
import { runFlow } from "../src/cli/run-flow.ts";

/** The flows the CLI launched: their options, the events it sent, and a way to end them. */
const launched = vi.hoisted(() => [] as { options: unknown; sent: { type: string }[]; events: import("node:events").EventEmitter; end(): void }[]);

vi.mock("../src/adapter.ts", async () => {
  const { EventEmitter: Emitter } = await import("node:events");
  const handle = (options: unknown) => {
    const events = new Emitter();
    let end: () => void = () => {};
    const outcome = new Promise((resolve) => (end = () => resolve({ outcome: "cancelled", reason: "test" })));
    const flow = { options, sent: [] as { type: string }[], events, end };
    launched.push(flow);
    return {
      kind: "enroll",
      events,
      outcome,
      started: Promise.resolve(undefined),
      resumed: Promise.resolve(false),
      send: (event: { type: string }) => void flow.sent.push(event),
      cancel: () => end(),
      view: () => undefined,
    };
  };
  return { enroll: handle, challenge: handle };
});

afterEach(() => void (launched.length = 0));

const args = (extra: Partial<FlowArgs> = {}): FlowArgs => ({
  flow: "enroll",
  domain: "http://127.0.0.1:1",
  clientId: "app",
  credentials: { mfaToken: "mfa" },
  json: false,
  ...extra,
});

/** Process streams in memory; `tty` makes stdin a terminal (raw mode is a no-op). */
function io(tty: boolean): CliIo {
  const stdin = Object.assign(new PassThrough(), { isTTY: tty, setRawMode: () => stdin });
  const out = () => Object.assign(new PassThrough(), { isTTY: false });
  return { stdin, stdout: out(), stderr: out() } as unknown as CliIo;
}

/** Runs the CLI's flow until it launched, shows the recovery codes, types `typed` if any, and ends it. */
async function run(flowArgs: FlowArgs, tty: boolean, typed?: string) {
  const streams = io(tty);
  const exit = runFlow(flowArgs, streams);
  await vi.waitFor(() => expect(launched).toHaveLength(1));
  const flow = launched[0]!;
  flow.events.emit("recovery-codes", { type: "recovery-codes", flow: "enroll", codes: ["ABCD"] });
  await new Promise((resolve) => setTimeout(resolve, 10));
  if (typed !== undefined) {
    (streams.stdin as unknown as PassThrough).write(typed);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  flow.end();
  await exit;
  return { options: flow.options as AdapterOptions, sent: flow.sent };
}

describe("pushflow enroll: acknowledging the recovery codes", () => {
  it("--json: acknowledgeRecoveryCodes auto, and no ACK_RECOVERY_CODES from the CLI", async () => {
    const { options, sent } = await run(args({ json: true }), true);
    expect(options.acknowledgeRecoveryCodes).toBe("auto");
    expect(sent).toEqual([]);
  });

  it("stdin not a terminal: acknowledgeRecoveryCodes auto, and no ACK_RECOVERY_CODES from the CLI", async () => {
    const { options, sent } = await run(args(), false);
    expect(options.acknowledgeRecoveryCodes).toBe("auto");
    expect(sent).toEqual([]);
  });

  it("a person at a terminal: acknowledgeRecoveryCodes manual; the CLI asks and sends nothing until Enter", async () => {
    const { options, sent } = await run(args(), true);
    expect(options.acknowledgeRecoveryCodes).toBe("manual");
    expect(sent).toEqual([]);
  });

  it("a person at a terminal who presses Enter acknowledges: one ACK_RECOVERY_CODES", async () => {
    const { sent } = await run(args(), true, "\r");
    expect(sent).toEqual([{ type: "ACK_RECOVERY_CODES" }]);
  });

  it("a flow saved by a person and resumed by a script waits for an acknowledgement nobody can give: with stdin ended, the CLI cancels (core then ends it enrolled)", async () => {
    const streams = io(false);
    const exit = runFlow(args({ json: true }), streams);
    await vi.waitFor(() => expect(launched).toHaveLength(1));
    const flow = launched[0]!;
    (streams.stdin as unknown as PassThrough).end();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const cancelled = vi.fn();
    void exit.then(cancelled);
    flow.events.emit("state", { type: "state", view: { flow: "enroll", state: "awaitingAcknowledgement", done: false } });
    await vi.waitFor(() => expect(cancelled).toHaveBeenCalled());
    expect(flow.sent).toEqual([]);
  });

  it("a challenge takes no acknowledgement option", async () => {
    const { options } = await run(args({ flow: "challenge" }), false);
    expect(options).not.toHaveProperty("acknowledgeRecoveryCodes");
  });
});
