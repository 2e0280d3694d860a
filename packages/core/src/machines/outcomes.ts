import { PushflowError, type Problem } from "../errors.ts";
import type { Tokens } from "../transport.ts";

/** The public vocabulary of final outcomes (DESIGN.md). */
export type Outcome =
  | "enrolled"
  | "approved"
  | "rejected"
  | "expired"
  | "already_enrolled"
  | "not_enrolled"
  | "mfa_required"
  | "mfa_token_invalid"
  | "misconfigured"
  | "rate_limited"
  | "locked_out"
  | "cancelled"
  | "failed";

export const ENROLLMENT_OUTCOMES = [
  "enrolled",
  "expired",
  "already_enrolled",
  "mfa_token_invalid",
  "misconfigured",
  "rate_limited",
  "cancelled",
  "failed",
] as const satisfies readonly Outcome[];

export const CHALLENGE_OUTCOMES = [
  "approved",
  "rejected",
  "expired",
  "not_enrolled",
  "mfa_required",
  "mfa_token_invalid",
  "misconfigured",
  "rate_limited",
  "locked_out",
  "cancelled",
  "failed",
] as const satisfies readonly Outcome[];

type Plain<O extends Outcome> = { readonly outcome: O; readonly reason: string };

/** How a challenge was approved. */
export type ApprovalMethod = "push" | "otp" | "recovery-code";

/** The typed output of the enrollment machine's final states. */
export type EnrollmentOutput =
  | (Plain<"enrolled"> & { readonly tokens: Tokens })
  | Plain<"expired" | "already_enrolled" | "mfa_token_invalid" | "misconfigured" | "rate_limited" | "cancelled">
  | (Plain<"failed"> & { readonly error: Problem });

/** The typed output of the challenge machine's final states. */
export type ChallengeOutput =
  | (Plain<"approved"> & { readonly tokens: Tokens; readonly method: ApprovalMethod; readonly newRecoveryCode?: string })
  | (Plain<"mfa_required"> & { readonly mfaToken: string })
  | Plain<
      | "rejected"
      | "expired"
      | "not_enrolled"
      | "mfa_token_invalid"
      | "misconfigured"
      | "rate_limited"
      | "locked_out"
      | "cancelled"
    >
  | (Plain<"failed"> & { readonly error: Problem });

export type FlowOutput = EnrollmentOutput | ChallengeOutput;

/** Readable reasons for the outcomes that need no server detail. */
export const REASONS = {
  enrolled: "The Guardian app confirmed the enrollment.",
  enrolledUnacknowledged: "The Guardian app confirmed the enrollment; the recovery codes were not acknowledged: make sure the user saved them.",
  approvedPush: "The push notification was approved.",
  approvedOtp: "The one-time code was accepted.",
  approvedRecovery: "The recovery code was accepted; show the new recovery code to the user.",
  rejected: "The user rejected the push notification.",
  enrollmentExpired: "The QR code was not scanned before the enrollment deadline.",
  challengeExpired: "The push notification was not answered before the deadline.",
  choiceExpired: "No authenticator was chosen before the deadline.",
  listExpired: "The user's authenticators could not be listed before the deadline (no answer in time).",
  pushNotSentExpired: "The push notification could not be sent before the deadline (no answer in time).",
  associationExpired: "The enrollment could not be started before the deadline (no answer in time).",
  alreadyEnrolled: "User is already enrolled: challenge an existing factor first.",
  noPushAuthenticator: "The user has no active push authenticator.",
  unknownAuthenticator: "The requested authenticator is not an active push authenticator of this user.",
  /** A poll's answer was lost (timeout, dropped connection), then the single-use oob_code was refused. */
  pushAnswerLost: "The push may have been answered while the connection dropped: that answer was lost and the push cannot be polled again. Sign in again.",
  enrollmentAnswerLost:
    "The enrollment may have been confirmed while the connection dropped: that answer was lost and cannot be polled again. Sign in again (the authenticator may already be enrolled).",
  rateLimited: "Still rate limited when the retry budget or the deadline ran out.",
  lockedOut: "Too many failed codes: wait some minutes before retrying.",
  cancelled: "The flow was cancelled.",
  mfaRequired: "Another factor is required; a new mfa_token was issued.",
  /** Used when the server's answer gave no words of its own. */
  mfaTokenInvalid: "The mfa_token is invalid or expired: sign in again.",
  misconfigured: "The application is not set up for MFA push.",
} as const;

/** The output of a final state, checked: the root's `output` receives it untyped from XState. */
export function enrollmentOutputOf(value: unknown): EnrollmentOutput {
  if (isOutputOf<EnrollmentOutput>(value, ENROLLMENT_OUTCOMES)) return value;
  throw new PushflowError("internal", "the enrollment ended without an outcome");
}

export function challengeOutputOf(value: unknown): ChallengeOutput {
  if (isOutputOf<ChallengeOutput>(value, CHALLENGE_OUTCOMES)) return value;
  throw new PushflowError("internal", "the challenge ended without an outcome");
}

function isOutputOf<T extends FlowOutput>(value: unknown, outcomes: readonly Outcome[]): value is T {
  if (value === null || typeof value !== "object" || !("outcome" in value) || !("reason" in value)) return false;
  return outcomes.some((outcome) => outcome === value.outcome) && typeof value.reason === "string";
}
