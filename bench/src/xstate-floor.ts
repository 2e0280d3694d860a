import type { Authenticator, ChallengeAnswer, Result, Tokens, Transport } from "@pushflow/core";
import { assign, createActor, fromPromise, setup, toPromise } from "xstate";
import type { MinimalOutcome } from "./baseline-loop.ts";

/** The clock XState's `createActor` takes (its own `Clock` type is not exported); HeapClock fits. */
export interface FloorClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
}

interface FloorContext {
  readonly mfaToken: string;
  readonly authenticatorId: string;
  readonly oobCode: string;
  readonly outcome: MinimalOutcome | undefined;
}

/** The push authenticator the loop would pick, if the list has one. */
const pushOf = (listed: Result<readonly Authenticator[]>): Authenticator | undefined =>
  listed.ok ? listed.value.find((a) => a.active && a.authenticatorType === "oob" && a.oobChannel === "auth0") : undefined;

const failure = (answer: Result<unknown>, fallback: string): MinimalOutcome => ({ outcome: answer.ok ? fallback : answer.problem.code });

/**
 * The XState floor: the least an XState v5 machine costs for the job of `baseline-loop.ts`. The
 * same transport calls (list the authenticators, send the push, poll every interval until an
 * answer), each an invoked promise actor, the wait an `after` delay on the actor's clock; no
 * deadline, backoff, events, persistence or cancel beyond `actor.stop()`. What pushflow costs
 * beyond it is what core adds on top of XState; what it costs beyond the hand-written loop is
 * what running the job as an XState actor costs at all.
 *
 * Built once per transport (as core builds its bound machines once per transport and clock) and
 * shared by every flow.
 */
export function xstateFloorMachine(transport: Transport, intervalMs: number) {
  return setup({
    types: {
      input: {} as { readonly mfaToken: string },
      context: {} as FloorContext,
      output: {} as MinimalOutcome,
    },
    actors: {
      list: fromPromise<Result<readonly Authenticator[]>, { mfaToken: string }>(({ input }) => transport.listAuthenticators(input)),
      challenge: fromPromise<Result<ChallengeAnswer>, { mfaToken: string; authenticatorId: string }>(({ input }) =>
        transport.challenge({ ...input, challengeType: "oob" }),
      ),
      poll: fromPromise<Result<Tokens>, { mfaToken: string; oobCode: string }>(({ input }) => transport.verifyOob(input)),
    },
    delays: { interval: intervalMs },
  }).createMachine({
    id: "xstateFloor",
    context: ({ input }) => ({ mfaToken: input.mfaToken, authenticatorId: "", oobCode: "", outcome: undefined }),
    initial: "listing",
    // The actor's output once it reaches `done` (a root machine's output is declared on the machine).
    output: ({ context }) => context.outcome ?? { outcome: "failed" },
    states: {
      listing: {
        invoke: {
          src: "list",
          input: ({ context }) => ({ mfaToken: context.mfaToken }),
          onDone: [
            {
              guard: ({ event }) => pushOf(event.output) !== undefined,
              target: "challenging",
              actions: assign({ authenticatorId: ({ event }) => pushOf(event.output)?.id ?? "" }),
            },
            { target: "done", actions: assign({ outcome: ({ event }) => failure(event.output, "not_enrolled") }) },
          ],
        },
      },
      challenging: {
        invoke: {
          src: "challenge",
          input: ({ context }) => ({ mfaToken: context.mfaToken, authenticatorId: context.authenticatorId }),
          onDone: [
            { guard: ({ event }) => event.output.ok, target: "waiting", actions: assign({ oobCode: ({ event }) => (event.output.ok ? (event.output.value.oobCode ?? "") : "") }) },
            { target: "done", actions: assign({ outcome: ({ event }) => failure(event.output, "failed") }) },
          ],
        },
      },
      waiting: {
        after: { interval: "polling" },
      },
      polling: {
        invoke: {
          src: "poll",
          input: ({ context }) => ({ mfaToken: context.mfaToken, oobCode: context.oobCode }),
          onDone: [
            { guard: ({ event }) => !event.output.ok && event.output.problem.code === "authorization_pending", target: "waiting" },
            {
              target: "done",
              actions: assign({
                outcome: ({ event }): MinimalOutcome => (event.output.ok ? { outcome: "approved", tokens: event.output.value } : { outcome: event.output.problem.code }),
              }),
            },
          ],
        },
      },
      done: { type: "final" },
    },
  });
}

export type XStateFloorMachine = ReturnType<typeof xstateFloorMachine>;

/** One flow: an actor of the floor machine on the given clock, started. */
export function startXStateFloor(machine: XStateFloorMachine, clock: FloorClock, mfaToken: string) {
  return createActor(machine, { clock, input: { mfaToken } }).start();
}

export type XStateFloorActor = ReturnType<typeof startXStateFloor>;

/** The flow's outcome, once its machine is done (at once if it already is). */
export function xstateFloorOutcome(actor: XStateFloorActor): Promise<MinimalOutcome> {
  return toPromise(actor);
}
