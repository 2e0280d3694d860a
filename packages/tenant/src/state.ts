import type { FlowClock } from "@pushflow/core";
import { FAILURES, refuse, success, type Failure, type TenantResult } from "./failures.ts";
import { idSource, looksSealed, unsignedJwt, type IdSource, type RandomBytes } from "./ids.ts";
import { TokenBucket, type TenantLimits } from "./limits.ts";
import type {
  AuthenticatorRecord,
  ChallengeRecord,
  ClientRecord,
  EnrollmentRecord,
  GrantMethod,
  GrantRecord,
  MfaTokenRecord,
  OobRef,
  UserRecord,
} from "./model.ts";

/** What happened in the tenant; devices (and tests) listen. */
export type TenantEvent =
  | { readonly type: "enrollment-started"; readonly at: number; readonly txId: string; readonly username: string }
  | {
      readonly type: "enrollment-confirmed";
      readonly at: number;
      readonly txId: string;
      readonly username: string;
      readonly deviceId: string;
    }
  | {
      readonly type: "push-sent";
      readonly at: number;
      readonly challengeId: string;
      readonly username: string;
      readonly authenticatorId: string;
      readonly deviceId: string;
    }
  | {
      readonly type: "push-answered";
      readonly at: number;
      readonly challengeId: string;
      readonly username: string;
      readonly answer: "approved" | "rejected";
    };

export interface TenantSettings {
  readonly name: string;
  /** `https://<domain>/`: the `iss` of tokens, and the base of the `/mfa/` audience. */
  issuer: string;
  /** The Guardian base URL carried by barcode_uri. */
  guardianBaseUrl: string;
  readonly clock: FlowClock;
  readonly limits: TenantLimits;
  readonly random: RandomBytes;
}

interface Job {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** Client credentials as a request carries them. */
export interface ClientAuth {
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
}

export const GRANTS = {
  password: "password",
  passwordRealm: "http://auth0.com/oauth/grant-type/password-realm",
  mfaOob: "http://auth0.com/oauth/grant-type/mfa-oob",
  mfaOtp: "http://auth0.com/oauth/grant-type/mfa-otp",
  mfaRecoveryCode: "http://auth0.com/oauth/grant-type/mfa-recovery-code",
} as const;

/**
 * The data of a virtual tenant and the checks every endpoint shares. Time is lazy: scheduled
 * device actions run (at their own time) whenever the tenant is touched, so nothing needs a
 * timer and a `SimulatedClock` drives everything.
 */
export class TenantState {
  readonly ids: IdSource;
  readonly clients = new Map<string, ClientRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly usernames = new Map<string, string>();
  readonly authenticators = new Map<string, AuthenticatorRecord>();
  readonly mfaTokens = new Map<string, MfaTokenRecord>();
  readonly enrollments = new Map<string, EnrollmentRecord>();
  readonly challenges = new Map<string, ChallengeRecord>();
  readonly oobCodes = new Map<string, OobRef>();
  readonly grants = new Map<string, GrantRecord>();
  readonly accessTokens = new Map<string, string>();
  private readonly buckets = new Map<string, TokenBucket>();
  private jobs: Job[] = [];
  private seq = 0;
  private frozenAt: number | undefined;
  private settling = false;
  private readonly listeners = new Set<(event: TenantEvent) => void>();

  constructor(readonly settings: TenantSettings) {
    this.ids = idSource(settings.random);
  }

  get limits(): TenantLimits {
    return this.settings.limits;
  }

  /** The tenant's time; inside a scheduled action, the time that action was due. */
  now(): number {
    return this.frozenAt ?? this.settings.clock.now();
  }

  /** Runs `run` at `at` on the tenant clock (lazily, see the class comment). Returns a cancel. */
  schedule(at: number, run: () => void): () => void {
    const job: Job = { at: Math.max(at, this.frozenAt ?? Number.NEGATIVE_INFINITY), seq: this.seq++, run };
    this.jobs.push(job);
    return () => {
      this.jobs = this.jobs.filter((j) => j !== job);
    };
  }

  /** Runs every scheduled action that is due, in time order, each at its own time. */
  settle(): void {
    if (this.settling) return;
    this.settling = true;
    try {
      for (;;) {
        const limit = this.settings.clock.now();
        let next: Job | undefined;
        for (const job of this.jobs) {
          if (job.at <= limit && (next === undefined || job.at < next.at || (job.at === next.at && job.seq < next.seq))) next = job;
        }
        if (next === undefined) return;
        const job = next;
        this.jobs = this.jobs.filter((j) => j !== job);
        this.frozenAt = job.at;
        try {
          job.run();
        } finally {
          this.frozenAt = undefined;
        }
      }
    } finally {
      this.settling = false;
    }
  }

  on(listener: (event: TenantEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: TenantEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  /** One token bucket per key, created full. */
  bucket(key: string, capacity: number, refillMs: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(capacity, refillMs, this.now());
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  userByName(username: string): UserRecord | undefined {
    const id = this.usernames.get(username.toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  user(id: string): UserRecord {
    const user = this.users.get(id);
    if (user === undefined) throw new Error(`unknown user id ${id}`);
    return user;
  }

  authenticatorsOf(userId: string): AuthenticatorRecord[] {
    return [...this.authenticators.values()].filter((a) => a.userId === userId);
  }

  /** Enrolled = an active push or OTP authenticator (the recovery code alone does not count). */
  isEnrolled(userId: string): boolean {
    return this.authenticatorsOf(userId).some((a) => a.active);
  }

  /** Client authentication: a known client, and its secret when it has one. */
  authenticateClient(auth: ClientAuth): TenantResult<ClientRecord> {
    const client = this.clients.get(auth.clientId);
    if (client === undefined) return refuse(FAILURES.invalidClient());
    if (client.clientSecret !== undefined && auth.clientSecret !== client.clientSecret) return refuse(FAILURES.invalidClient());
    return success(client);
  }

  /** Client authentication plus the MFA grant, for the mfa-* grants and /mfa/challenge. */
  authenticateMfaClient(auth: ClientAuth, grantType: string): TenantResult<ClientRecord> {
    const client = this.authenticateClient(auth);
    if (!client.ok) return client;
    return client.value.mfaGrant ? client : refuse(FAILURES.unauthorizedClient(grantType));
  }

  /** An mfa_token that is well-formed, issued here (to `clientId` when given) and unexpired. */
  checkMfaToken(token: string, clientId?: string): TenantResult<{ record: MfaTokenRecord; user: UserRecord }> {
    if (!looksSealed(token)) return refuse(FAILURES.mfaTokenMalformed());
    const record = this.mfaTokens.get(token);
    if (record === undefined || (clientId !== undefined && record.clientId !== clientId)) {
      return refuse(FAILURES.mfaTokenInvalid());
    }
    if (this.now() >= record.expiresAt) return refuse(FAILURES.mfaTokenExpired());
    return success({ record, user: this.user(record.userId) });
  }

  issueMfaToken(user: UserRecord, clientId: string, audience: string | undefined, scope: string): MfaTokenRecord {
    const now = this.now();
    const expiresAt = now + this.limits.mfaTokenLifetimeMs;
    const record: MfaTokenRecord = {
      token: this.ids.sealed(expiresAt, now),
      userId: user.id,
      clientId,
      audience,
      scope,
      issuedAt: now,
      expiresAt,
    };
    this.mfaTokens.set(record.token, record);
    return record;
  }

  get mfaAudience(): string {
    return `${this.settings.issuer}mfa/`;
  }

  /** Issues tokens: an opaque access token for the mock, a grant id (`jti`) for signed ones. */
  issueGrant(
    user: UserRecord,
    clientId: string,
    request: { readonly audience: string | undefined; readonly scope: string },
    method: GrantMethod,
    recoveryCode?: string,
  ): GrantRecord {
    const now = this.now();
    const audience = request.audience ?? `${this.settings.issuer}userinfo`;
    const expiresIn = audience === this.mfaAudience ? this.limits.mfaAccessTokenLifetimeSec : this.limits.accessTokenLifetimeSec;
    const scopes = request.scope.split(/\s+/);
    const iat = Math.floor(now / 1000);
    const grant: GrantRecord = {
      id: this.ids.opaque("grant_"),
      userId: user.id,
      clientId,
      audience,
      scope: request.scope,
      method,
      issuedAt: now,
      expiresAt: now + expiresIn * 1000,
      expiresIn,
      accessToken: this.ids.opaque("mock_at_"),
      idToken: scopes.includes("openid")
        ? unsignedJwt({ iss: this.settings.issuer, sub: user.id, aud: clientId, iat, exp: iat + 36_000, email: user.email })
        : undefined,
      refreshToken: scopes.includes("offline_access") ? this.ids.opaque("mock_rt_") : undefined,
      recoveryCode,
    };
    this.grants.set(grant.id, grant);
    this.accessTokens.set(grant.accessToken, grant.id);
    return grant;
  }

  /** A live grant by its id, or undefined when unknown or expired. */
  liveGrant(id: string): GrantRecord | undefined {
    const grant = this.grants.get(id);
    return grant !== undefined && this.now() < grant.expiresAt ? grant : undefined;
  }

  /** The failure a rate limited request answers with: wait hints from the bucket. */
  rateLimited(bucket: TokenBucket): Failure {
    const wait = bucket.msUntilToken(this.now());
    return FAILURES.tooManyRequests(wait, { limit: bucket.capacity, remaining: 0, resetAt: this.now() + wait });
  }
}
