import type { Context, Hono } from "hono";
import { TOTP } from "otpauth";
import { enrollmentTxIdOf, GuardianError, type DevicePolicy, type VirtualDevice } from "@pushflow/tenant";
import type { EmulatorContext, EmulatorEnv } from "../context.ts";
import { faultProblem, type FaultSpec } from "../faults.ts";
import { field, json, type Body } from "../http.ts";

/** Where the control API lives: outside every Auth0 path. */
export const CONTROL_PREFIX = "/__emulator";

/** The routes of the control API, for its index page and the CLI. */
export const CONTROL_ROUTES = [
  "GET    /__emulator                                this list, the seed and the default policy",
  "POST   /__emulator/users                          {username, password, email?, mfa?}",
  "GET    /__emulator/users/:username                authenticators, enrollments, pushes, recovery code",
  "POST   /__emulator/users/:username/enroll         enroll the user's device directly (no mfa_token)",
  "POST   /__emulator/clients                        {client_id, client_secret?, mfa_grant?}",
  "PATCH  /__emulator/clients/:clientId              {mfa_grant?, client_secret?}",
  "POST   /__emulator/mfa-token                      {username, client_id, audience?, scope?} → {mfa_token}",
  "POST   /__emulator/scan                           {barcode_uri} or {enrollment_tx_id}",
  "GET    /__emulator/devices/:username              accounts, pending push, policy, log",
  "POST   /__emulator/devices/:username/scan         scan the user's newest pending enrollment (or {barcode_uri})",
  "POST   /__emulator/devices/:username/approve      approve the pending push",
  "POST   /__emulator/devices/:username/reject       reject the pending push",
  "POST   /__emulator/devices/:username/ignore       ignore the pending push",
  "GET    /__emulator/devices/:username/totp         {otp, period, remaining_ms}",
  "PUT    /__emulator/devices/:username/policy       {scan_after_ms?, answer?, answer_after_ms?} ({} stops it)",
  "PUT    /__emulator/policy                         the same, for every device",
  "GET    /__emulator/requests                       counts per route, grant, oob_code, status (+ entries)",
  "DELETE /__emulator/requests                       reset the log",
  "GET    /__emulator/faults                         faults in force",
  "POST   /__emulator/faults                         {route, grant_type?, delay_ms?, status?, drop?, malformed?, times?, when?}",
  "DELETE /__emulator/faults[/:id]                   remove one or all",
] as const;

function problem(status: number, message: string): Response {
  return json({ error: "invalid_request", message }, status);
}

/** Guardian's error shape (spec §9.6) for device refusals. */
function guardianProblem(error: GuardianError): Response {
  return json(
    { errorCode: error.errorCode, message: error.message, statusCode: error.statusCode, error: error.statusCode === 404 ? "Not Found" : "Bad Request" },
    error.statusCode,
  );
}

/** Runs a control action, turning thrown errors into answers. */
function act(action: () => Response): Response {
  try {
    return action();
  } catch (error) {
    if (error instanceof GuardianError) return guardianProblem(error);
    return problem(400, error instanceof Error ? error.message : String(error));
  }
}

function numberField(body: Body, name: string): number | undefined {
  const value = body[name];
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function boolField(body: Body, name: string): boolean | undefined {
  const value = body[name];
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

/** A policy from snake_case (or camelCase) JSON; `{}` means no policy. */
export function policyOf(body: Body): DevicePolicy | undefined | string {
  const scanAfterMs = numberField(body, "scan_after_ms") ?? numberField(body, "scanAfterMs");
  const answerAfterMs = numberField(body, "answer_after_ms") ?? numberField(body, "answerAfterMs");
  const answer = field(body, "answer");
  if (answer !== undefined && answer !== "approve" && answer !== "reject" && answer !== "ignore") {
    return "answer must be approve, reject or ignore";
  }
  if (scanAfterMs === undefined && answer === undefined) return undefined;
  return {
    ...(scanAfterMs === undefined ? {} : { scanAfterMs }),
    ...(answer === undefined ? {} : { answer }),
    ...(answerAfterMs === undefined ? {} : { answerAfterMs }),
  };
}

function policyJson(policy: DevicePolicy | undefined) {
  if (policy === undefined) return null;
  return { scan_after_ms: policy.scanAfterMs ?? null, answer: policy.answer ?? null, answer_after_ms: policy.answerAfterMs ?? null };
}

function deviceJson(device: VirtualDevice) {
  const pending = device.pending();
  return {
    username: device.username ?? null,
    accounts: device.accounts.map((a) => ({ username: a.username, authenticator_id: a.pushAuthenticatorId, enrolled_at: a.enrolledAt })),
    pending: pending === undefined ? null : { id: pending.id, authenticator_id: pending.authenticatorId, sent_at: pending.createdAt, expires_at: pending.expiresAt },
    policy: policyJson(device.policy),
    log: device.log,
  };
}

/**
 * The control API: the emulator's device and tenant for tests, demos and people. It is a test
 * tool: it shows recovery codes, TOTPs and oob_codes on purpose.
 */
export function controlRoutes(app: Hono<EmulatorEnv>, ctx: EmulatorContext, seed: unknown): void {
  const { tenant, devices } = ctx;
  const bodyOf = (c: Context<EmulatorEnv>): Body | Response => {
    const error = c.get("bodyError");
    return error === undefined ? c.get("body") : problem(400, error);
  };
  const userOf = (c: Context<EmulatorEnv>): string | Response => {
    const username = c.req.param("username") ?? "";
    return tenant.user(username) === undefined ? problem(404, `unknown user ${username}`) : username;
  };

  app.get(CONTROL_PREFIX, () =>
    json({ routes: CONTROL_ROUTES, seed, default_policy: policyJson(devices.policy), issuer: tenant.issuer, now: tenant.now() }),
  );

  app.post(`${CONTROL_PREFIX}/users`, (c) => {
    const body = bodyOf(c);
    if (body instanceof Response) return body;
    const username = field(body, "username");
    const password = field(body, "password");
    if (username === undefined || password === undefined) return problem(400, "username and password are required");
    const email = field(body, "email");
    const mfa = boolField(body, "mfa");
    return act(() =>
      json(tenant.addUser({ username, password, ...(email === undefined ? {} : { email }), ...(mfa === undefined ? {} : { mfa }) }), 201),
    );
  });

  app.get(`${CONTROL_PREFIX}/users/:username`, (c) => {
    const username = userOf(c);
    if (username instanceof Response) return username;
    return json({ ...tenant.user(username), enrollments: tenant.enrollments(username), pushes: tenant.pushes(username) });
  });

  app.post(`${CONTROL_PREFIX}/users/:username/enroll`, (c) => {
    const username = userOf(c);
    if (username instanceof Response) return username;
    return act(() => {
      const { account, recoveryCode } = devices.for(username).enroll(username);
      return json({ username, authenticator_id: account.pushAuthenticatorId, recovery_code: recoveryCode ?? null }, 201);
    });
  });

  app.post(`${CONTROL_PREFIX}/clients`, (c) => {
    const body = bodyOf(c);
    if (body instanceof Response) return body;
    const clientId = field(body, "client_id");
    if (clientId === undefined) return problem(400, "client_id is required");
    const clientSecret = field(body, "client_secret");
    const mfaGrant = boolField(body, "mfa_grant");
    return act(() => {
      tenant.addClient({
        clientId,
        ...(clientSecret === undefined ? {} : { clientSecret }),
        ...(mfaGrant === undefined ? {} : { mfaGrant }),
      });
      return json({ client_id: clientId, mfa_grant: mfaGrant ?? true, confidential: clientSecret !== undefined }, 201);
    });
  });

  app.patch(`${CONTROL_PREFIX}/clients/:clientId`, (c) => {
    const body = bodyOf(c);
    if (body instanceof Response) return body;
    const mfaGrant = boolField(body, "mfa_grant");
    const secret = body["client_secret"];
    return act(() => {
      tenant.updateClient(c.req.param("clientId"), {
        ...(mfaGrant === undefined ? {} : { mfaGrant }),
        ...(secret === null ? { clientSecret: null } : typeof secret === "string" ? { clientSecret: secret } : {}),
      });
      return json({ client_id: c.req.param("clientId"), updated: true });
    });
  });

  app.post(`${CONTROL_PREFIX}/mfa-token`, (c) => {
    const body = bodyOf(c);
    if (body instanceof Response) return body;
    const username = field(body, "username");
    const clientId = field(body, "client_id");
    if (username === undefined || clientId === undefined) return problem(400, "username and client_id are required");
    const audience = field(body, "audience");
    const scope = field(body, "scope");
    return act(() =>
      json({
        mfa_token: tenant.mintMfaToken(username, clientId, {
          ...(audience === undefined ? {} : { audience }),
          ...(scope === undefined ? {} : { scope }),
        }),
      }),
    );
  });

  const scan = (username: string | undefined, reference: string | undefined): Response =>
    act(() => {
      let ref = reference;
      let owner = username;
      if (ref === undefined) {
        if (owner === undefined) return problem(400, "barcode_uri or enrollment_tx_id is required");
        const pending = tenant.enrollments(owner).filter((e) => e.status === "pending");
        const newest = pending[pending.length - 1];
        if (newest === undefined) throw new GuardianError("enrollment_transaction_not_found", `no pending enrollment for ${owner}`, 404);
        ref = newest.txId;
      }
      if (owner === undefined) {
        const txId = enrollmentTxIdOf(ref);
        owner = tenant.enrollments().find((e) => e.txId === txId)?.username;
        if (owner === undefined) throw new GuardianError("enrollment_transaction_not_found", "Enrollment transaction not found", 404);
      }
      const account = devices.for(owner).scan(ref);
      return json({ username: account.username, authenticator_id: account.pushAuthenticatorId, enrolled_at: account.enrolledAt });
    });

  app.post(`${CONTROL_PREFIX}/scan`, (c) => {
    const body = bodyOf(c);
    if (body instanceof Response) return body;
    return scan(undefined, field(body, "barcode_uri") ?? field(body, "enrollment_tx_id"));
  });

  app.get(`${CONTROL_PREFIX}/devices/:username`, (c) => {
    const username = userOf(c);
    if (username instanceof Response) return username;
    return json(deviceJson(devices.for(username)));
  });

  app.post(`${CONTROL_PREFIX}/devices/:username/scan`, (c) => {
    const username = userOf(c);
    if (username instanceof Response) return username;
    const body = bodyOf(c);
    if (body instanceof Response) return body;
    return scan(username, field(body, "barcode_uri") ?? field(body, "enrollment_tx_id"));
  });

  for (const action of ["approve", "reject", "ignore"] as const) {
    app.post(`${CONTROL_PREFIX}/devices/:username/${action}`, (c) => {
      const username = userOf(c);
      if (username instanceof Response) return username;
      return act(() => {
        const push = devices.for(username)[action](username);
        return json({ push_id: push.id, authenticator_id: push.authenticatorId, action });
      });
    });
  }

  app.get(`${CONTROL_PREFIX}/devices/:username/totp`, (c) => {
    const username = userOf(c);
    if (username instanceof Response) return username;
    return act(() => {
      const otp = devices.for(username).totp({ username });
      return json({ otp, period: 30, remaining_ms: TOTP.remaining({ period: 30, timestamp: tenant.now() }) });
    });
  });

  const putPolicy = (c: Context<EmulatorEnv>, apply: (policy: DevicePolicy | undefined) => void): Response => {
    const body = bodyOf(c);
    if (body instanceof Response) return body;
    const policy = policyOf(body);
    if (typeof policy === "string") return problem(400, policy);
    apply(policy);
    return json({ policy: policyJson(policy) });
  };

  app.put(`${CONTROL_PREFIX}/devices/:username/policy`, (c) => {
    const username = userOf(c);
    if (username instanceof Response) return username;
    return putPolicy(c, (policy) => devices.for(username).setPolicy(policy));
  });

  app.put(`${CONTROL_PREFIX}/policy`, (c) => putPolicy(c, (policy) => devices.setDefaultPolicy(policy)));

  app.get(`${CONTROL_PREFIX}/requests`, () => json({ ...ctx.requests.summary(), entries: ctx.requests.entries }));
  app.delete(`${CONTROL_PREFIX}/requests`, () => {
    ctx.requests.clear();
    return new Response(null, { status: 204 });
  });

  app.get(`${CONTROL_PREFIX}/faults`, () => json(ctx.faults.list()));
  app.post(`${CONTROL_PREFIX}/faults`, (c) => {
    const body = bodyOf(c);
    if (body instanceof Response) return body;
    const spec = faultFromJson(body);
    if (typeof spec === "string") return problem(400, spec);
    const reason = faultProblem(spec);
    if (reason !== undefined) return problem(400, reason);
    return json(ctx.faults.add(spec), 201);
  });
  app.delete(`${CONTROL_PREFIX}/faults`, () => {
    ctx.faults.clear();
    return new Response(null, { status: 204 });
  });
  app.delete(`${CONTROL_PREFIX}/faults/:id`, (c) =>
    ctx.faults.remove(c.req.param("id")) ? new Response(null, { status: 204 }) : problem(404, "no such fault"),
  );
}

/** A fault from snake_case (or camelCase) JSON, or why it is unusable. */
function faultFromJson(body: Body): FaultSpec | string {
  const grantType = field(body, "grant_type") ?? field(body, "grantType");
  const delayMs = numberField(body, "delay_ms") ?? numberField(body, "delayMs");
  const status = numberField(body, "status");
  const drop = boolField(body, "drop");
  const malformed = boolField(body, "malformed");
  const times = numberField(body, "times");
  const when = field(body, "when");
  if (when !== undefined && when !== "before" && when !== "after") return "when must be before or after";
  return {
    route: field(body, "route") ?? "",
    ...(grantType === undefined ? {} : { grantType }),
    ...(delayMs === undefined ? {} : { delayMs }),
    ...(status === undefined ? {} : { status }),
    ...(drop === undefined ? {} : { drop }),
    ...(malformed === undefined ? {} : { malformed }),
    ...(times === undefined ? {} : { times }),
    ...(when === undefined ? {} : { when }),
  };
}
