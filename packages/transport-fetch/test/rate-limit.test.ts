/**
 * A 429 is a rate limit whatever its body (issue 16): a 429 whose `error` is
 * `authorization_pending` keeps its Retry-After / x-ratelimit-reset, and a flow polling through
 * this transport sends no poll before that wait is over.
 */
import type { ChallengeOutput } from "@pushflow/core";
import { startChallenge } from "@pushflow/core/adapter";
import { SimulatedClock } from "@pushflow/core/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { problemOf, SECRETS, transportFor } from "./helpers.ts";
import { type LoopbackServer, startLoopbackServer } from "./loopback-server.ts";

let server: LoopbackServer;
beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

const pending = { error: "authorization_pending", error_description: "Authorization pending: please repeat the request in a few seconds." };
const NOW = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");

/** Resolves once `test` holds, checking every few ms of real time (the loopback server answers in real time). */
async function until(test: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("a 429 authorization_pending", () => {
  it("is rate_limited with Retry-After's wait", async () => {
    server.on("POST", "/oauth/token", { status: 429, headers: { "retry-after": "30" }, body: pending });
    const problem = problemOf(await transportFor(server).verifyOob({ mfaToken: SECRETS.mfaToken, oobCode: SECRETS.oobCode }));
    expect(problem).toMatchObject({ code: "rate_limited", status: 429, error: "authorization_pending", retryAfterMs: 30_000 });
  });

  it("is rate_limited with x-ratelimit-reset's wait when there is no Retry-After", async () => {
    server.on("POST", "/oauth/token", { status: 429, headers: { "x-ratelimit-reset": String(NOW / 1000 + 42) }, body: pending });
    const transport = transportFor(server, { now: () => NOW });
    const problem = problemOf(await transport.verifyOob({ mfaToken: SECRETS.mfaToken, oobCode: SECRETS.oobCode }));
    expect(problem).toMatchObject({ code: "rate_limited", retryAfterMs: 42_000 });
  });

  it("with Retry-After: 30 keeps a challenge's next poll 30 s away", async () => {
    const clock = new SimulatedClock();
    /** When each poll reached the server, on the flow's clock. */
    const polls: number[] = [];
    server.on("GET", "/mfa/authenticators", { body: [{ id: "push|dev_1", authenticator_type: "oob", oob_channel: "auth0", active: true }] });
    server.on("POST", "/mfa/challenge", { body: { challenge_type: "oob", oob_code: SECRETS.oobCode } });
    server.on("POST", "/oauth/token", () => {
      polls.push(clock.now());
      return polls.length === 1
        ? { status: 429, headers: { "retry-after": "30" }, body: pending }
        : { body: { access_token: "at", id_token: "idt", expires_in: 600, token_type: "Bearer" } };
    });
    const flow = startChallenge({ mfaToken: SECRETS.mfaToken }, { transport: transportFor(server), clock });
    let outcome: ChallengeOutput | undefined;
    void flow.done.then((output) => (outcome = output as ChallengeOutput));
    const backoffs: { cause: string; retryAt: number }[] = [];
    flow.events.on("backoff", (e) => backoffs.push(e));
    await until(() => flow.view().state === "challenged.polling");
    // The first poll, one interval after the push, is answered 429 + Retry-After: 30.
    clock.increment(5_000);
    await until(() => backoffs.length === 1);
    expect(polls).toEqual([5_000]);
    expect(backoffs[0]).toEqual({ type: "backoff", cause: "rate_limited", retryAt: 35_000 });
    // Not a poll before the wait is over, then the next one.
    clock.increment(29_999);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polls).toEqual([5_000]);
    clock.increment(1);
    await until(() => outcome !== undefined);
    expect(polls).toEqual([5_000, 35_000]);
    expect(outcome).toMatchObject({ outcome: "approved", method: "push" });
  });
});
