import type { Problem, Result } from "@pushflow/core";
import { expect } from "vitest";
import { createFetchTransport, type FetchTransportOptions } from "../src/index.ts";
import type { LoopbackServer } from "./loopback-server.ts";

/** Recognisable secrets: none of them may ever show up in a problem message. */
export const SECRETS = {
  mfaToken: "SECRET-MFA-TOKEN-7f3a91",
  newMfaToken: "SECRET-NEW-MFA-TOKEN-c0ffee",
  oobCode: "SECRET-OOB-CODE-91c2d4",
  clientSecret: "SECRET-CLIENT-SECRET-55d0aa",
  otp: "SECRET-OTP-826113",
  recoveryCode: "SECRETRECOVERYCODE5XK2M9QA",
  password: "SECRET-PASSWORD-hunter2",
  accessToken: "SECRET-ACCESS-TOKEN-e4b1f0",
} as const;

export const ALL_SECRETS: readonly string[] = Object.values(SECRETS);

export function transportFor(server: LoopbackServer, options: Partial<FetchTransportOptions> = {}) {
  return createFetchTransport({ domain: server.url, clientId: "client-abc", timeoutMs: 2_000, ...options });
}

/** Asserts a failed result and returns its problem. */
export function problemOf<T>(result: Result<T>): Problem {
  if (result.ok) throw new Error(`expected a problem, got ${JSON.stringify(result.value)}`);
  return result.problem;
}

/** Asserts a successful result and returns its value. */
export function valueOf<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected a value, got ${result.problem.code}: ${result.problem.message}`);
  return result.value;
}

/**
 * No secret anywhere in the problem, apart from the one field meant for the new mfa_token.
 * By default every test secret; pass the secrets a request carried when the server may echo
 * secrets of other requests (which the transport cannot know).
 */
export function expectNoSecret(problem: Problem, secrets: readonly string[] = ALL_SECRETS): void {
  const { mfaToken: _allowed, ...rest } = problem;
  const text = JSON.stringify(rest);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

/** Parses an x-www-form-urlencoded body into a plain object. */
export function form(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}
