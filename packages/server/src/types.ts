import type { EncryptionKey } from "./sealer.ts";
import type {
  ChallengeEvent,
  ChallengeView,
  EnrollmentEvent,
  EnrollmentView,
  FlowClock,
  FlowKind,
  FlowSettings,
  FlowOutput,
  FlowStore,
  LoginRequest,
  Outcome,
  Transport,
} from "@pushflow/core";

/** An event from the user, as the browser sends it (checked with `parseEvent`). */
export type FlowServerEvent = EnrollmentEvent | ChallengeEvent;

/** What a page shows of a flow: core's whitelisted view, and the QR of an enrollment. */
export type ServerView = ChallengeView | (EnrollmentView & { readonly qr?: { readonly barcodeUri: string; readonly expiresAt: number } });

export interface FlowServerOptions {
  /** Where flows live between requests: shared by every instance (Redis), or one process's. */
  readonly store: FlowStore;
  /** The Auth0 calls; by default transport-fetch built from `domain`, `clientId`, `clientSecret`. */
  readonly transport?: Transport;
  /** `tenant.auth0.com` (HTTPS) or a URL (`http://` only for loopback). */
  readonly domain?: string;
  readonly clientId?: string;
  /** A regular web app is a confidential client: its secret stays here, never in the store. */
  readonly clientSecret?: string;
  /** Default: the system clock. Every instance must agree on the time (NTP). */
  readonly clock?: FlowClock;
  /**
   * AES-GCM keys for the flows at rest, each with the id sealed values name it by. The first
   * seals; any of them opens, so a rotation is: add the new key second on every instance, then
   * move it first, then drop the old one after the longest flow (docs/server.md). Required unless
   * `unsealedForDevelopment`; a key of the wrong length throws here.
   */
  readonly encryptionKeys?: readonly EncryptionKey[];
  /** Development only: keep flows (mfa_token, oob_code) in clear when no key is given. */
  readonly unsealedForDevelopment?: boolean;
  /**
   * How long an outcome, with its tokens, is answered `done` to every caller that asks (a lost
   * response, a second tab, an instance that died before answering); default 60 000 ms.
   */
  readonly answerWindowMs?: number;
  /**
   * The mfa_token's lifetime after a password login, for `mfaTokenExpiresAt` when the start does
   * not give it; default 300 000 (5 min, what Auth0's SDKs assume; docs/server.md).
   */
  readonly mfaTokenLifetimeMs?: number;
  /**
   * Each flow is bound to its browser by the `binding` secret of the start answer: `advance`
   * without it answers `gone`. Default true; false only where the caller binds flows itself.
   */
  readonly requireBinding?: boolean;
  /** Store keys are `<keyPrefix><flowId>`; default `pushflow:flow:`. */
  readonly keyPrefix?: string;
  /**
   * How long a step may run, in ms (default 30 000): it starts transport calls only until
   * `leaseMs - requestTimeoutMs` after asking for its lease, so every call it sent has ended by
   * `leaseMs`; the lease lasts one poll interval more. A write of the step that the store fails
   * (Redis restarting) is tried again until `leaseMs` after the claim. An instance that dies
   * mid-step leaves its flows to the others once the lease has passed. Must exceed `requestTimeoutMs`.
   */
  readonly leaseMs?: number;
  /**
   * The longest one transport call may take (default 10 000): the timeout of the transport-fetch
   * the server builds from `domain`; with your own `transport`, its timeout.
   */
  readonly requestTimeoutMs?: number;
  /** A flow stays in the store this long past its deadline, so a late call still learns `expired`; default 60 000. */
  readonly graceMs?: number;
  /** Keep the outcome's name and reason this long after it was reported (`status: "reported"`); default 0. */
  readonly keepReportedMs?: number;
  /** A sample of [0, 1) for backoff jitter. */
  readonly random?: () => number;
  /** Where warnings go; default console.warn. */
  readonly warn?: (message: string) => void;
  /** Names this instance in leases; random by default. */
  readonly instanceId?: string;
  /** Makes flow ids (16 to 128 characters of `A-Z a-z 0-9 _ -`); default 128 random bits. */
  readonly createId?: () => string;
}

/**
 * The flow options a start takes besides the credentials. No `acknowledgeRecoveryCodes`: the
 * server shows a first enrollment's recovery codes in its start answer, once, and core counts them
 * acknowledged then (`"auto"`); anything else is refused (`bad_input`).
 */
export type StartInput = Omit<FlowSettings, "acknowledgeRecoveryCodes">;

/** How the flow gets its mfa_token: given, or from a password login's `mfa_required` answer. */
export type StartOptions = StartInput & ({ readonly mfaToken: string } | LoginRequest);

/** The flow goes on: show `view`, ask again in `retryAfterMs`. */
export interface PendingAnswer {
  readonly status: "pending";
  readonly flowId: string;
  readonly flow: FlowKind;
  readonly view: ServerView;
  /** When something may change without the user: the next poll, the deadline, a cooldown. */
  readonly retryAfterMs: number | undefined;
  /** A first enrollment's recovery codes: in the start answer only, never stored, never again. */
  readonly recoveryCodes?: readonly string[];
  /**
   * In the start answer only: the secret that binds the flow to this browser. Keep it where the
   * URL never shows it (an HttpOnly cookie) and pass it to every `advance`; the store keeps its hash.
   */
  readonly binding?: string;
}

/** Another instance is running a step of this flow: the event was not applied; send it again. */
export interface BusyAnswer {
  readonly status: "busy";
  readonly flowId: string;
  readonly flow: FlowKind;
  readonly view: ServerView;
  readonly retryAfterMs: number;
}

/** The outcome, with its tokens: answered to every caller within `answerWindowMs` of the step that ended the flow. */
export interface DoneAnswer {
  readonly status: "done";
  readonly flowId: string;
  readonly flow: FlowKind;
  /** Absent when the password login failed before any flow ran. */
  readonly view?: ServerView;
  readonly outcome: FlowOutput;
  readonly recoveryCodes?: readonly string[];
}

/** The outcome was reported and its answer window has passed (kept `keepReportedMs`); no tokens. */
export interface ReportedAnswer {
  readonly status: "reported";
  readonly flowId: string;
  readonly flow: FlowKind;
  readonly outcome: Outcome;
  readonly reason: string;
  readonly at: number;
}

/** No such flow: never started, reported and dropped, or past its deadline and grace period. */
export interface GoneAnswer {
  readonly status: "gone";
  readonly flowId: string;
}

export type FlowAnswer = PendingAnswer | BusyAnswer | DoneAnswer | ReportedAnswer | GoneAnswer;

/** What proves the caller is the browser that started the flow. */
export interface FlowAccess {
  /** The `binding` of the start answer. */
  readonly binding?: string;
}

export interface FlowServer {
  /** Starts a flow, runs it until it waits (QR shown, push sent, choice needed), saves it. */
  start(kind: FlowKind, options: StartOptions): Promise<PendingAnswer | DoneAnswer>;
  /**
   * Loads the flow, sends the user's event (checked with `parseEvent`) or the poll that is due,
   * saves it and answers. Safe from any instance at any time.
   */
  advance(flowId: string, event?: unknown, access?: FlowAccess): Promise<FlowAnswer>;
  /** The same as `advance(flowId, { type: "CANCEL" }, access)`. */
  cancel(flowId: string, access?: FlowAccess): Promise<FlowAnswer>;
}
