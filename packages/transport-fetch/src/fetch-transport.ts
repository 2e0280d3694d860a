import type { CallOptions, LoginAnswer, LoginRequest, Result, Transport } from "@pushflow/core";
import ky, { type KyInstance } from "ky";
import type { CallKind } from "./classify.ts";
import { exchange, type ExchangeRequest } from "./exchange.ts";
import { type AnswerContext, interpretAnswer, jsonBody } from "./interpret.ts";
import { problemMessage, type RequestLabel } from "./message.ts";
import { type FetchTransportOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { errorDetail } from "./read-body.ts";
import { AssociateSchema, toAssociation } from "./schemas/associate.ts";
import { AuthenticatorsSchema, toAuthenticators } from "./schemas/authenticators.ts";
import { ChallengeSchema, toChallengeAnswer } from "./schemas/challenge.ts";
import { TokenSchema, toRecoveryTokens, toTokens } from "./schemas/token.ts";
import { endpointUrl, isLoopbackHost } from "./url.ts";

const GRANT_PASSWORD = "password";
const GRANT_PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm";
const GRANT_MFA_OOB = "http://auth0.com/oauth/grant-type/mfa-oob";
const GRANT_MFA_OTP = "http://auth0.com/oauth/grant-type/mfa-otp";
const GRANT_MFA_RECOVERY_CODE = "http://auth0.com/oauth/grant-type/mfa-recovery-code";

/** The body Auth0 documents for a push (Guardian) association. */
const PUSH_ASSOCIATION = { authenticator_types: ["oob"], oob_channels: ["auth0"] } as const;

/**
 * Creates the HTTP transport: the Auth0 MFA API with ky, every answer validated with valibot
 * and classified by its `error` field.
 *
 * Calls never throw: each resolves to `{ ok: true, value }` or `{ ok: false, problem }`.
 *
 * @throws PushflowError `bad_input` for unusable options, `insecure_url` for plain HTTP to a
 *   host that is not loopback.
 */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  const config = resolveOptions(options);
  const client = ky.create({
    // The machines own retries, backoff and deadlines; a second retry layer would hide them.
    retry: 0,
    // Every status is an answer to read and classify, not an exception.
    throwHttpErrors: false,
    timeout: config.timeoutMs,
    // A redirect could take a token to another host, or to plain HTTP: never follow one.
    redirect: "manual",
    headers: { accept: "application/json" },
    ...(config.fetch === undefined ? {} : { fetch: config.fetch }),
  });
  const call = <T>(
    kind: CallKind,
    request: CallRequest,
    context: Omit<AnswerContext<T>, "call" | "label" | "now">,
    callOptions: CallOptions | undefined,
  ): Promise<Result<T>> => run(client, config, kind, request, context, callOptions?.signal);

  return {
    // The emulator (a loopback server) is not Auth0: core gives no "below Auth0's 5 s" warning then.
    loopback: isLoopbackHost(config.baseUrl.hostname),
    login(request: LoginRequest, callOptions?: CallOptions) {
      const audience = request.audience ?? config.audience;
      const scope = request.scope ?? config.scope;
      const form: Record<string, string> = {
        grant_type: request.realm === undefined ? GRANT_PASSWORD : GRANT_PASSWORD_REALM,
        username: request.username,
        password: request.password,
        ...clientCredentials(config),
        ...(request.realm === undefined ? {} : { realm: request.realm }),
        ...(audience === undefined ? {} : { audience }),
        ...(scope === undefined ? {} : { scope }),
      };
      return call<LoginAnswer>(
        "login",
        {
          label: label("login", "POST", "/oauth/token", [request.password, config.clientSecret]),
          path: "/oauth/token",
          form,
          required: { username: request.username, password: request.password },
        },
        {
          success: jsonBody(TokenSchema, (body) => ({ type: "tokens", tokens: toTokens(body) })),
          // For a login, `mfa_required` is the answer we came for, not a failure.
          acceptError: (error) =>
            error.error === "mfa_required" && typeof error.mfa_token === "string" && error.mfa_token !== ""
              ? {
                  type: "mfa_required",
                  mfaToken: error.mfa_token,
                  ...(error.mfa_requirements === undefined ? {} : { requirements: error.mfa_requirements }),
                }
              : undefined,
        },
        callOptions,
      );
    },

    associate(request, callOptions) {
      return call(
        "associate",
        {
          label: label("associate", "POST", "/mfa/associate", [request.mfaToken, config.clientSecret]),
          path: "/mfa/associate",
          bearer: request.mfaToken,
          json: PUSH_ASSOCIATION,
          required: { mfaToken: request.mfaToken },
        },
        { success: jsonBody(AssociateSchema, toAssociation) },
        callOptions,
      );
    },

    listAuthenticators(request, callOptions) {
      return call(
        "listAuthenticators",
        {
          label: label("list authenticators", "GET", "/mfa/authenticators", [request.mfaToken, config.clientSecret]),
          path: "/mfa/authenticators",
          bearer: request.mfaToken,
          required: { mfaToken: request.mfaToken },
        },
        { success: jsonBody(AuthenticatorsSchema, toAuthenticators) },
        callOptions,
      );
    },

    challenge(request, callOptions) {
      // The mfa_token travels in the body here, so there is no Authorization header.
      return call(
        "challenge",
        {
          label: label("challenge", "POST", "/mfa/challenge", [request.mfaToken, config.clientSecret]),
          path: "/mfa/challenge",
          json: {
            mfa_token: request.mfaToken,
            ...clientCredentials(config),
            challenge_type: request.challengeType,
            authenticator_id: request.authenticatorId,
          },
          required: { mfaToken: request.mfaToken, authenticatorId: request.authenticatorId },
        },
        { success: jsonBody(ChallengeSchema, toChallengeAnswer) },
        callOptions,
      );
    },

    verifyOob(request, callOptions) {
      return call(
        "verifyOob",
        {
          label: label("verify oob", "POST", "/oauth/token", [request.mfaToken, request.oobCode, config.clientSecret]),
          path: "/oauth/token",
          form: { grant_type: GRANT_MFA_OOB, ...clientCredentials(config), mfa_token: request.mfaToken, oob_code: request.oobCode },
          required: { mfaToken: request.mfaToken, oobCode: request.oobCode },
        },
        { success: jsonBody(TokenSchema, toTokens) },
        callOptions,
      );
    },

    verifyOtp(request, callOptions) {
      return call(
        "verifyOtp",
        {
          label: label("verify otp", "POST", "/oauth/token", [request.mfaToken, request.otp, config.clientSecret]),
          path: "/oauth/token",
          form: { grant_type: GRANT_MFA_OTP, ...clientCredentials(config), mfa_token: request.mfaToken, otp: request.otp },
          required: { mfaToken: request.mfaToken, otp: request.otp },
        },
        { success: jsonBody(TokenSchema, toTokens) },
        callOptions,
      );
    },

    verifyRecoveryCode(request, callOptions) {
      return call(
        "verifyRecoveryCode",
        {
          label: label("verify recovery code", "POST", "/oauth/token", [request.mfaToken, request.recoveryCode, config.clientSecret]),
          path: "/oauth/token",
          form: {
            grant_type: GRANT_MFA_RECOVERY_CODE,
            ...clientCredentials(config),
            mfa_token: request.mfaToken,
            recovery_code: request.recoveryCode,
          },
          required: { mfaToken: request.mfaToken, recoveryCode: request.recoveryCode },
        },
        { success: jsonBody(TokenSchema, toRecoveryTokens) },
        callOptions,
      );
    },

    deleteAuthenticator(request, callOptions) {
      // `push|dev_…` must reach the server as `push%7Cdev_…` (protocol.md §5.2).
      const path = `/mfa/authenticators/${encodeURIComponent(request.authenticatorId)}`;
      return call<void>(
        "deleteAuthenticator",
        {
          label: label("delete authenticator", "DELETE", path, [request.accessToken, config.clientSecret]),
          path,
          bearer: request.accessToken,
          required: { accessToken: request.accessToken, authenticatorId: request.authenticatorId },
        },
        { success: { kind: "empty", value: undefined } },
        callOptions,
      );
    },
  };
}

/** What one call sends, plus the fields that must not be empty. */
type CallRequest = Omit<ExchangeRequest, "url"> & {
  readonly path: string;
  /** Request fields that must be non-empty strings, by name (never by value in a message). */
  readonly required: Readonly<Record<string, unknown>>;
};

async function run<T>(
  client: KyInstance,
  config: ResolvedOptions,
  kind: CallKind,
  request: CallRequest,
  context: Omit<AnswerContext<T>, "call" | "label" | "now">,
  signal: AbortSignal | undefined,
): Promise<Result<T>> {
  const { label: requestLabel } = request;
  try {
    const empty = Object.entries(request.required).find(([, value]) => typeof value !== "string" || value === "");
    if (empty !== undefined) {
      return { ok: false, problem: { code: "bad_input", message: problemMessage(requestLabel, `${empty[0]} is empty`) } };
    }
    const sent = await exchange(client, { ...request, url: endpointUrl(config.baseUrl, request.path) }, config.timeoutMs, signal);
    if (!sent.ok) return sent;
    return interpretAnswer({ ...context, call: kind, label: requestLabel, now: config.now }, sent);
  } catch (error) {
    // Nothing above should throw; if it does, the caller still gets a value, as promised.
    return { ok: false, problem: { code: "internal", message: problemMessage(requestLabel, `unexpected failure (${errorDetail(error)})`) } };
  }
}

function label(what: string, method: string, path: string, secrets: readonly (string | undefined)[]): RequestLabel {
  return { what, method, path, secrets: secrets.filter((s): s is string => typeof s === "string" && s !== "") };
}

/** `client_id`, and `client_secret` only for a confidential client. */
function clientCredentials(config: ResolvedOptions): Record<string, string> {
  return config.clientSecret === undefined
    ? { client_id: config.clientId }
    : { client_id: config.clientId, client_secret: config.clientSecret };
}
