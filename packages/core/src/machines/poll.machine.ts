import { assign, enqueueActions, setup } from "xstate";
import type { Result, Tokens } from "../transport.ts";
import { declaredActors, type Stamped } from "./actors.ts";
import { isWaitCode, scheduleAfter, type WaitCode } from "./policy.ts";
import { crashProblem } from "./shared.ts";
import type { PollAnsweredEvent, PollContext, PollInput, PollOutput, PollSentEvent } from "./poll.types.ts";

type Answer = Stamped<Result<Tokens>>;

/**
 * The poll loop both flows share: wait until the next poll is due, send one mfa-oob poll, then
 * either wait again (pending, slow_down, 429, transient failures within budget) or end with the
 * decisive answer. One request at a time by construction: `requesting` is the only state that
 * calls the transport. The parent owns the deadline and may stop the loop at any time.
 */
export const pollMachine = setup({
  types: {
    input: {} as PollInput,
    context: {} as PollContext,
    output: {} as PollOutput,
  },
  actors: { verifyOob: declaredActors.verifyOob, timer: declaredActors.timer },
  guards: {
    keepsWaiting: ({ context }, { answer }: { answer: Answer }) => {
      if (answer.ok || !isWaitCode(answer.problem.code)) return false;
      const code = answer.problem.code;
      const transient = code !== "authorization_pending" && code !== "slow_down" && code !== "rate_limited";
      return !transient || context.retries < context.maxRetries;
    },
  },
  actions: {
    countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    // The parent is absent only when the graph tests traverse this machine on its own.
    reportSent: enqueueActions(({ context, self, enqueue }, { sentAt }: { sentAt: number }) => {
      const report: PollSentEvent = { type: "POLL.SENT", attempt: context.attempt, sentAt };
      if (self._parent) enqueue.sendParent(report);
    }),
    schedule: assign(({ context }, { answer }: { answer: Answer }) =>
      answer.ok ? {} : scheduleAfter(answer.problem, context, answer.at, answer.jitter),
    ),
    keepAnswer: assign((_, { answer }: { answer: Answer }) => ({
      result: answer.ok ? ({ ok: true, tokens: answer.value } as const) : ({ ok: false, problem: answer.problem } as const),
    })),
    keepCrash: assign((_, { error }: { error: unknown }) => ({ result: { ok: false, problem: crashProblem(error) } as const })),
    reportAnswer: enqueueActions(({ context, self, enqueue }, { answer }: { answer: Answer }) => {
      const problem = answer.ok ? undefined : answer.problem;
      const report: PollAnsweredEvent = {
        type: "POLL.ANSWERED",
        attempt: context.attempt,
        code: (problem?.code ?? "authorization_pending") as WaitCode,
        intervalMs: context.intervalMs,
        nextPollAt: context.nextPollAt,
        retries: context.retries,
        ...(problem?.retryAfterMs === undefined ? {} : { retryAfterMs: problem.retryAfterMs }),
      };
      if (self._parent) enqueue.sendParent(report);
    }),
  },
}).createMachine({
  id: "poll",
  context: ({ input }) => ({ ...input, retries: 0 }),
  initial: "waiting",
  states: {
    waiting: {
      invoke: {
        id: "pollTimer",
        src: "timer",
        input: ({ context }) => ({ until: context.nextPollAt }),
        onDone: {
          target: "requesting",
          actions: ["countAttempt", { type: "reportSent", params: ({ event }) => ({ sentAt: event.output.firedAt }) }],
        },
      },
    },
    requesting: {
      invoke: {
        id: "verifyOob",
        src: "verifyOob",
        input: ({ context }) => ({ mfaToken: context.mfaToken, oobCode: context.oobCode }),
        onDone: [
          {
            guard: { type: "keepsWaiting", params: ({ event }) => ({ answer: event.output }) },
            target: "waiting",
            actions: [
              { type: "schedule", params: ({ event }) => ({ answer: event.output }) },
              { type: "reportAnswer", params: ({ event }) => ({ answer: event.output }) },
            ],
          },
          { target: "done", actions: { type: "keepAnswer", params: ({ event }) => ({ answer: event.output }) } },
        ],
        onError: { target: "done", actions: { type: "keepCrash", params: ({ event }) => ({ error: event.error }) } },
      },
    },
    done: { type: "final" },
  },
  output: ({ context }) => context.result ?? { ok: false, problem: crashProblem(undefined) },
});
