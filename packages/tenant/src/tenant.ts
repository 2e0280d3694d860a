import type { Authenticator, FlowClock } from "@pushflow/core";
import { systemClock } from "@pushflow/core/adapter";
import type { TenantResult } from "./failures.ts";
import { cryptoRandomBytes, type RandomBytes } from "./ids.ts";
import { DEFAULT_LIMITS, type TenantLimits } from "./limits.ts";
import type { ChallengeStatus, ClientSpec, EnrollmentStatus, GrantRecord, UserSpec } from "./model.ts";
import { authenticatorViews, deleteAuthenticator, listAuthenticators, type Bearer } from "./operations/authenticators.ts";
import { challenge, pendingPushes, resolvePush, type TenantChallengeInput, type TenantChallengeOutput } from "./operations/challenge.ts";
import {
  associate,
  confirmEnrollment,
  startEnrollment,
  type AssociateInput,
  type AssociateOutput,
  type DeviceEnrollment,
} from "./operations/enrollment.ts";
import { GuardianError } from "./operations/guardian-error.ts";
import { DEFAULT_SCOPE, login, type LoginInput, type LoginOutput } from "./operations/login.ts";
import {
  verifyOob,
  verifyOtp,
  verifyRecoveryCode,
  type VerifyOobInput,
  type VerifyOtpInput,
  type VerifyRecoveryCodeInput,
} from "./operations/verify.ts";
import { TenantState, type TenantEvent } from "./state.ts";

export interface TenantOptions {
  /** Shown in barcode_uri labels (`otpauth://totp/<name>:<email>…`); default "Pushflow Test". */
  readonly name?: string;
  /** Token issuer, `https://…/` with the trailing slash; default `https://pushflow-test.auth0.local/`. */
  readonly issuer?: string;
  /** The Guardian base URL in barcode_uri; default `<issuer>appliance-mfa`. */
  readonly guardianBaseUrl?: string;
  /** All time comes from here (XState's `SimulatedClock` fits); default `systemClock`. */
  readonly clock?: FlowClock;
  /** Overrides of Auth0's limits and lifetimes (see `DEFAULT_LIMITS`). */
  readonly limits?: Partial<TenantLimits>;
  readonly clients?: readonly ClientSpec[];
  readonly users?: readonly UserSpec[];
  /** Random bytes for ids, codes and secrets; default Web Crypto. */
  readonly random?: RandomBytes;
}

/** A user as tests see it. */
export interface UserView {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  /** Has an active push or OTP authenticator. */
  readonly enrolled: boolean;
  readonly authenticators: readonly Authenticator[];
  /** The current recovery code (a test peek; Auth0 never shows it again). */
  readonly recoveryCode: string | undefined;
}

/** An enrollment transaction (an association waiting for its scan) as tests see it. */
export interface EnrollmentTransactionView {
  readonly txId: string;
  readonly username: string;
  readonly barcodeUri: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: EnrollmentStatus | "expired";
}

/** A push challenge as tests and devices see it. */
export interface PushView {
  readonly id: string;
  readonly username: string;
  readonly authenticatorId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly status: ChallengeStatus | "expired";
}

/** Tokens from a grant: the mock's opaque access token, or a grant to sign (the emulator). */
export type Grant = GrantRecord;

/** The Auth0 side: one method per endpoint behaviour, answering a value or a `Failure`. */
export interface TenantApi {
  login(input: LoginInput): TenantResult<LoginOutput>;
  associate(input: AssociateInput): TenantResult<AssociateOutput>;
  listAuthenticators(bearer: Bearer): TenantResult<Authenticator[]>;
  challenge(input: TenantChallengeInput): TenantResult<TenantChallengeOutput>;
  verifyOob(input: VerifyOobInput): TenantResult<Grant>;
  verifyOtp(input: VerifyOtpInput): TenantResult<Grant>;
  verifyRecoveryCode(input: VerifyRecoveryCodeInput): TenantResult<Grant>;
  deleteAuthenticator(bearer: Bearer, authenticatorId: string): TenantResult<void>;
}

/** The Guardian side, used by virtual devices. Refusals throw a `GuardianError`. */
export interface TenantGuardian {
  /** Confirms an enrollment from its barcode_uri (or bare `enrollment_tx_id`). */
  enroll(uriOrTicket: string, deviceName: string): DeviceEnrollment;
  /** Starts an association for a user without an mfa_token (provisioning a device in a test). */
  startEnrollment(username: string): AssociateOutput;
  /** The pending pushes for these `dev_` ids, newest first. */
  pending(deviceIds: ReadonlySet<string>): PushView[];
  /** Approves or rejects a push. */
  resolve(pushId: string, deviceId: string, accepted: boolean): void;
}

/**
 * A virtual Auth0 tenant: clients, users, push + OTP authenticators, recovery codes,
 * mfa_tokens, enrollment transactions, push challenges and Auth0's limits, on an injected clock.
 * The mock transport and the HTTP emulator are two faces of it.
 */
export class VirtualTenant {
  private readonly state: TenantState;
  readonly api: TenantApi;
  readonly guardian: TenantGuardian;

  constructor(options: TenantOptions = {}) {
    const issuer = options.issuer ?? "https://pushflow-test.auth0.local/";
    this.state = new TenantState({
      name: options.name ?? "Pushflow Test",
      issuer,
      guardianBaseUrl: options.guardianBaseUrl ?? `${issuer}appliance-mfa`,
      clock: options.clock ?? systemClock,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      random: options.random ?? cryptoRandomBytes,
    });
    for (const client of options.clients ?? []) this.addClient(client);
    for (const user of options.users ?? []) this.addUser(user);
    const s = this.state;
    // Every entry point first lets due device actions happen, so answers reflect "now".
    const settled =
      <A extends unknown[], R>(fn: (state: TenantState, ...args: A) => R) =>
      (...args: A): R => {
        s.settle();
        return fn(s, ...args);
      };
    this.api = {
      login: settled(login),
      associate: settled(associate),
      listAuthenticators: settled(listAuthenticators),
      challenge: settled(challenge),
      verifyOob: settled(verifyOob),
      verifyOtp: settled(verifyOtp),
      verifyRecoveryCode: settled(verifyRecoveryCode),
      deleteAuthenticator: settled(deleteAuthenticator),
    };
    this.guardian = {
      enroll: settled(confirmEnrollment),
      startEnrollment: settled((state, username: string) => startEnrollment(state, this.requireUser(username))),
      pending: settled((state, deviceIds: ReadonlySet<string>) => pendingPushes(state, deviceIds).map((c) => this.pushView(c.id))),
      resolve: settled(resolvePush),
    };
  }

  get name(): string {
    return this.state.settings.name;
  }
  get clock(): FlowClock {
    return this.state.settings.clock;
  }
  get limits(): TenantLimits {
    return this.state.limits;
  }
  get issuer(): string {
    return this.state.settings.issuer;
  }
  get guardianBaseUrl(): string {
    return this.state.settings.guardianBaseUrl;
  }
  /** The audience of the MFA API: `<issuer>mfa/`. */
  get mfaAudience(): string {
    return this.state.mfaAudience;
  }

  /** Moves the tenant to other URLs (the emulator does, once it knows its port). */
  setUrls(urls: { readonly issuer?: string; readonly guardianBaseUrl?: string }): void {
    if (urls.issuer !== undefined) this.state.settings.issuer = urls.issuer;
    if (urls.guardianBaseUrl !== undefined) this.state.settings.guardianBaseUrl = urls.guardianBaseUrl;
  }

  /** The tenant's time (the clock's, or a scheduled action's own time while it runs). */
  now(): number {
    return this.state.now();
  }

  /** Runs `run` at `at` on the tenant clock, the next time the tenant is touched at or after it. */
  schedule(at: number, run: () => void): () => void {
    return this.state.schedule(at, run);
  }

  /** Runs the device actions that are due by now. Every API call does this first. */
  settle(): void {
    this.state.settle();
  }

  /** Listens to enrollments and pushes; returns the unsubscribe function. */
  on(listener: (event: TenantEvent) => void): () => void {
    return this.state.on(listener);
  }

  addClient(spec: ClientSpec): void {
    if (this.state.clients.has(spec.clientId)) throw new Error(`client ${spec.clientId} already exists`);
    this.state.clients.set(spec.clientId, {
      clientId: spec.clientId,
      clientSecret: spec.clientSecret,
      mfaGrant: spec.mfaGrant ?? true,
      name: spec.name ?? spec.clientId,
    });
  }

  /** Turns the MFA grant on or off, or changes the secret (`null` makes the client public). */
  updateClient(clientId: string, patch: { readonly mfaGrant?: boolean; readonly clientSecret?: string | null }): void {
    const client = this.state.clients.get(clientId);
    if (client === undefined) throw new Error(`unknown client ${clientId}`);
    if (patch.mfaGrant !== undefined) client.mfaGrant = patch.mfaGrant;
    if (patch.clientSecret !== undefined) client.clientSecret = patch.clientSecret ?? undefined;
  }

  addUser(spec: UserSpec): UserView {
    if (this.state.userByName(spec.username) !== undefined) throw new Error(`user ${spec.username} already exists`);
    const id = this.state.ids.userId();
    this.state.users.set(id, {
      id,
      username: spec.username,
      password: spec.password,
      email: spec.email ?? (spec.username.includes("@") ? spec.username : `${spec.username}@example.com`),
      mfa: spec.mfa ?? true,
      connection: spec.connection ?? "Username-Password-Authentication",
      recovery: undefined,
    });
    this.state.usernames.set(spec.username.toLowerCase(), id);
    return this.requireView(spec.username);
  }

  /** A user with their authenticators, or undefined. */
  user(username: string): UserView | undefined {
    const user = this.state.userByName(username);
    return user === undefined ? undefined : this.userById(user.id);
  }

  /** A user by id (the `sub` of tokens), or undefined. */
  userById(id: string): UserView | undefined {
    this.state.settle();
    const user = this.state.users.get(id);
    if (user === undefined) return undefined;
    return {
      id: user.id,
      username: user.username,
      email: user.email,
      enrolled: this.state.isEnrolled(user.id),
      authenticators: authenticatorViews(this.state, user),
      recoveryCode: user.recovery?.code,
    };
  }

  /** What `GET /mfa/authenticators` would list for this user. */
  authenticators(username: string): readonly Authenticator[] {
    return this.requireView(username).authenticators;
  }

  /** The user's current recovery code (a test peek). */
  recoveryCode(username: string): string | undefined {
    return this.requireView(username).recoveryCode;
  }

  /** Enrollment transactions, oldest first; of one user when given. */
  enrollments(username?: string): EnrollmentTransactionView[] {
    this.state.settle();
    const now = this.state.now();
    const out: EnrollmentTransactionView[] = [];
    for (const tx of this.state.enrollments.values()) {
      const user = this.state.user(tx.userId);
      if (username !== undefined && user.username.toLowerCase() !== username.toLowerCase()) continue;
      out.push({
        txId: tx.txId,
        username: user.username,
        barcodeUri: tx.barcodeUri,
        createdAt: tx.createdAt,
        expiresAt: tx.expiresAt,
        status: tx.status === "pending" && now >= tx.expiresAt ? "expired" : tx.status,
      });
    }
    return out;
  }

  /** Push challenges, oldest first; of one user when given. */
  pushes(username?: string): PushView[] {
    this.state.settle();
    return [...this.state.challenges.values()]
      .filter((c) => username === undefined || this.state.user(c.userId).username.toLowerCase() === username.toLowerCase())
      .map((c) => this.pushView(c.id));
  }

  /** An mfa_token as a password login would issue it, without the login (test shortcut). */
  mintMfaToken(username: string, clientId: string, options: { readonly audience?: string; readonly scope?: string } = {}): string {
    this.state.settle();
    if (!this.state.clients.has(clientId)) throw new Error(`unknown client ${clientId}`);
    return this.state.issueMfaToken(this.requireUser(username), clientId, options.audience, options.scope ?? DEFAULT_SCOPE).token;
  }

  /** A live grant by id (the `jti` of a signed access token), or undefined. */
  grant(id: string): Grant | undefined {
    return this.state.liveGrant(id);
  }

  private requireUser(username: string) {
    const user = this.state.userByName(username);
    if (user === undefined) throw new GuardianError("user_not_found", `unknown user ${username}`, 404);
    return user;
  }

  private requireView(username: string): UserView {
    const view = this.user(username);
    if (view === undefined) throw new Error(`unknown user ${username}`);
    return view;
  }

  private pushView(id: string): PushView {
    const c = this.state.challenges.get(id);
    if (c === undefined) throw new Error(`unknown push ${id}`);
    return {
      id: c.id,
      username: this.state.user(c.userId).username,
      authenticatorId: c.authenticatorId,
      createdAt: c.createdAt,
      expiresAt: c.expiresAt,
      status: c.status === "pending" && this.state.now() >= c.expiresAt ? "expired" : c.status,
    };
  }
}

/** A virtual tenant (see `TenantOptions`). */
export function createTenant(options: TenantOptions = {}): VirtualTenant {
  return new VirtualTenant(options);
}
