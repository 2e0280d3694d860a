import type { Association, Authenticator, ChallengeAnswer, LoginAnswer, RecoveryTokens, Result, Tokens } from "@pushflow/core";
import { CallLog, wait, type RecordingTransport, type TransportMethod } from "./calls.ts";
import type { Grant, TenantResult, VirtualTenant } from "@pushflow/tenant";
import { abortedProblem, LABELS, toProblem } from "./problems.ts";

export interface MockTransportOptions {
  readonly clientId: string;
  /** Sent like a confidential client would; leave out for a public client. */
  readonly clientSecret?: string;
  /** Answer this long after the call, on the tenant clock; default 0 (the next microtask). */
  readonly latencyMs?: number;
}

/** The tokens of a grant, as the token endpoint's JSON would carry them. */
export function tokensOf(grant: Grant): Tokens {
  return {
    accessToken: grant.accessToken,
    tokenType: "Bearer",
    expiresIn: grant.expiresIn,
    scope: grant.scope,
    ...(grant.idToken === undefined ? {} : { idToken: grant.idToken }),
    ...(grant.refreshToken === undefined ? {} : { refreshToken: grant.refreshToken }),
  };
}

/**
 * A core `Transport` answered by a virtual tenant, as a real Auth0 tenant would answer
 * (classified into `Problem`s like transport-fetch does). Calls resolve asynchronously; an
 * aborted call resolves with a `network` problem and changes nothing in the tenant.
 */
export function createMockTransport(tenant: VirtualTenant, options: MockTransportOptions): RecordingTransport {
  const log = new CallLog();
  const latency = options.latencyMs ?? 0;
  const client = {
    clientId: options.clientId,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
  };

  async function call<T, U>(
    method: TransportMethod,
    request: object,
    signal: AbortSignal | undefined,
    run: () => TenantResult<T>,
    map: (value: T) => U,
  ): Promise<Result<U>> {
    const record = log.record(method, request, tenant.clock.now());
    const label = LABELS[method];
    // The tenant is only touched when the answer is due and the call still wanted.
    if (!(await wait(tenant.clock, latency, signal))) {
      return log.answered(record, { ok: false, problem: abortedProblem(label) }, tenant.clock.now());
    }
    const answer = run();
    const result: Result<U> = answer.ok ? { ok: true, value: map(answer.value) } : { ok: false, problem: toProblem(answer.failure, label) };
    return log.answered(record, result, tenant.clock.now());
  }

  return {
    get calls() {
      return log.calls;
    },
    callsTo: (method) => log.calls.filter((c) => c.method === method),
    clearCalls: () => log.clear(),

    login: (request, callOptions) =>
      call(
        "login",
        request,
        callOptions?.signal,
        () => tenant.api.login({ ...client, ...request }),
        (answer): LoginAnswer =>
          answer.type === "tokens" ? { type: "tokens", tokens: tokensOf(answer.grant) } : { type: "mfa_required", mfaToken: answer.mfaToken },
      ),

    associate: (request, callOptions) =>
      call(
        "associate",
        request,
        callOptions?.signal,
        () => tenant.api.associate({ mfaToken: request.mfaToken }),
        (answer): Association => ({
          oobCode: answer.oobCode,
          barcodeUri: answer.barcodeUri,
          ...(answer.recoveryCodes === undefined ? {} : { recoveryCodes: answer.recoveryCodes }),
        }),
      ),

    listAuthenticators: (request, callOptions) =>
      call(
        "listAuthenticators",
        request,
        callOptions?.signal,
        () => tenant.api.listAuthenticators({ mfaToken: request.mfaToken }),
        (list): readonly Authenticator[] => list,
      ),

    challenge: (request, callOptions) =>
      call(
        "challenge",
        request,
        callOptions?.signal,
        () =>
          tenant.api.challenge({
            ...client,
            mfaToken: request.mfaToken,
            challengeType: request.challengeType,
            authenticatorId: request.authenticatorId,
          }),
        (answer): ChallengeAnswer =>
          answer.challengeType === "oob" ? { challengeType: "oob", oobCode: answer.oobCode } : { challengeType: "otp" },
      ),

    verifyOob: (request, callOptions) =>
      call("verifyOob", request, callOptions?.signal, () => tenant.api.verifyOob({ ...client, ...request }), tokensOf),

    verifyOtp: (request, callOptions) =>
      call("verifyOtp", request, callOptions?.signal, () => tenant.api.verifyOtp({ ...client, ...request }), tokensOf),

    verifyRecoveryCode: (request, callOptions) =>
      call(
        "verifyRecoveryCode",
        request,
        callOptions?.signal,
        () => tenant.api.verifyRecoveryCode({ ...client, ...request }),
        (grant): RecoveryTokens => ({
          ...tokensOf(grant),
          ...(grant.recoveryCode === undefined ? {} : { recoveryCode: grant.recoveryCode }),
        }),
      ),

    deleteAuthenticator: (request, callOptions) =>
      call(
        "deleteAuthenticator",
        request,
        callOptions?.signal,
        () => tenant.api.deleteAuthenticator({ accessToken: request.accessToken }, request.authenticatorId),
        () => undefined,
      ),
  };
}
