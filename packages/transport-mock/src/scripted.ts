import type { FlowClock, Result, Transport } from "@pushflow/core";
import { systemClock, TRANSPORT_METHODS } from "@pushflow/core/adapter";
import { CallLog, wait, type RecordingTransport, type TransportMethod } from "./calls.ts";
import { abortedProblem, LABELS } from "./problems.ts";
import { Counter, parseSteps, type PlannedAnswer, type RequestOf, type Script, type ScriptStep, type SuccessOf } from "./script.ts";

export interface ScriptedTransportOptions {
  /** Stamps `calls` and runs `latencyMs`; default `systemClock`. */
  readonly clock?: FlowClock;
  /** Answer this long after the call, on the clock; default 0 (the next microtask). */
  readonly latencyMs?: number;
}

export interface ScriptedTransport extends RecordingTransport {
  /** Answers not yet given, per method. */
  remaining(method: TransportMethod): number;
  /** The methods that still have answers: `[]` once the scenario played out. */
  unused(): TransportMethod[];
  /** Appends answers to a method's script. */
  append<M extends TransportMethod>(method: M, ...steps: ScriptStep<M>[]): void;
}

type Queues = { [M in TransportMethod]: PlannedAnswer<M>[] };

/**
 * A core `Transport` that answers from a script, one answer per call, in order:
 * `createScriptedTransport({ verifyOob: ["pending×3", "slow_down", "429 retry-after 7", "approve"] })`.
 * A method whose script ran out answers an `internal` problem. Steps are checked up front: a
 * word outside the vocabulary throws a `PushflowError` (`bad_input`) at creation.
 */
export function createScriptedTransport(script: Script, options: ScriptedTransportOptions = {}): ScriptedTransport {
  const clock = options.clock ?? systemClock;
  const latency = options.latencyMs ?? 0;
  const counter = new Counter();
  const log = new CallLog();
  const given: Record<TransportMethod, number> = {
    login: 0,
    associate: 0,
    listAuthenticators: 0,
    challenge: 0,
    verifyOob: 0,
    verifyOtp: 0,
    verifyRecoveryCode: 0,
    deleteAuthenticator: 0,
  };
  const queues: Queues = {
    login: parseSteps("login", script.login ?? [], counter),
    associate: parseSteps("associate", script.associate ?? [], counter),
    listAuthenticators: parseSteps("listAuthenticators", script.listAuthenticators ?? [], counter),
    challenge: parseSteps("challenge", script.challenge ?? [], counter),
    verifyOob: parseSteps("verifyOob", script.verifyOob ?? [], counter),
    verifyOtp: parseSteps("verifyOtp", script.verifyOtp ?? [], counter),
    verifyRecoveryCode: parseSteps("verifyRecoveryCode", script.verifyRecoveryCode ?? [], counter),
    deleteAuthenticator: parseSteps("deleteAuthenticator", script.deleteAuthenticator ?? [], counter),
  };

  async function call<M extends TransportMethod>(
    method: M,
    request: RequestOf<M>,
    signal: AbortSignal | undefined,
  ): Promise<Result<SuccessOf<M>>> {
    const record = log.record(method, request, clock.now());
    const label = LABELS[method];
    const aborted = (): Result<SuccessOf<M>> => log.answered(record, { ok: false, problem: abortedProblem(label) }, clock.now());
    // The answer is taken at call time: a cancelled call still uses up its step.
    const queue: PlannedAnswer<M>[] = queues[method];
    const planned = queue.shift();
    given[method]++;
    if (!(await wait(clock, latency, signal))) return aborted();
    if (planned === undefined) {
      const message = `script exhausted for ${method} (after ${given[method] - 1} answer${given[method] === 2 ? "" : "s"})`;
      return log.answered(record, { ok: false, problem: { code: "internal", message } }, clock.now());
    }
    let result: Result<SuccessOf<M>>;
    switch (planned.kind) {
      case "ok":
        result = { ok: true, value: planned.value };
        break;
      case "problem":
        result = { ok: false, problem: planned.problem };
        break;
      case "hang":
        // Only an abort ends it, like a server that never answers.
        await new Promise<void>((resolve) => {
          if (signal === undefined) return;
          if (signal.aborted) resolve();
          else signal.addEventListener("abort", () => resolve(), { once: true });
        });
        return aborted();
      case "compute":
        result = await planned.answer(request);
        break;
    }
    if (signal?.aborted === true) return aborted();
    return log.answered(record, result, clock.now());
  }

  const transport: Transport = {
    login: (request, o) => call("login", request, o?.signal),
    associate: (request, o) => call("associate", request, o?.signal),
    listAuthenticators: (request, o) => call("listAuthenticators", request, o?.signal),
    challenge: (request, o) => call("challenge", request, o?.signal),
    verifyOob: (request, o) => call("verifyOob", request, o?.signal),
    verifyOtp: (request, o) => call("verifyOtp", request, o?.signal),
    verifyRecoveryCode: (request, o) => call("verifyRecoveryCode", request, o?.signal),
    deleteAuthenticator: (request, o) => call("deleteAuthenticator", request, o?.signal),
  };

  return {
    ...transport,
    get calls() {
      return log.calls;
    },
    callsTo: (method) => log.calls.filter((c) => c.method === method),
    clearCalls: () => log.clear(),
    remaining: (method) => queues[method].length,
    unused: () => TRANSPORT_METHODS.filter((m) => queues[m].length > 0),
    append: (method, ...steps) => {
      const queue: PlannedAnswer<typeof method>[] = queues[method];
      queue.push(...parseSteps(method, steps, counter));
    },
  };
}
