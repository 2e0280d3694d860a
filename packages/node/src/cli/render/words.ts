import type { FlowOutput, Outcome } from "@pushflow/core";

const HEADLINES: Readonly<Record<Outcome, string>> = {
  enrolled: "Enrolled.",
  approved: "Approved.",
  rejected: "Rejected: the push was denied on the phone.",
  expired: "Expired: nothing came back before the deadline.",
  already_enrolled: "Already enrolled: challenge the existing authenticator instead.",
  not_enrolled: "Not enrolled: no active push authenticator to challenge.",
  mfa_required: "Another factor is required.",
  mfa_token_invalid: "The mfa_token is invalid or expired: sign in again.",
  misconfigured: "Misconfigured: the application or tenant is not set up for MFA push.",
  rate_limited: "Rate limited: Auth0 kept asking to wait.",
  locked_out: "Locked out: too many wrong codes; wait some minutes.",
  cancelled: "Cancelled.",
  failed: "Failed.",
};

const METHODS = { push: "the push notification", otp: "a one-time code", "recovery-code": "a recovery code" } as const;

/** The outcome in words, for a person: a headline and the flow's own reason. */
export function describeOutcome(output: FlowOutput): string[] {
  const lines = [output.outcome === "approved" ? `Approved with ${METHODS[output.method]}.` : HEADLINES[output.outcome]];
  if (output.reason && !lines[0]?.includes(output.reason)) lines.push(`  ${output.reason}`);
  return lines;
}

/** `m:ss` for a countdown. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

/** `1.5 s` for a wait. */
export function seconds(ms: number): string {
  return `${Number((Math.max(0, ms) / 1000).toFixed(1))} s`;
}
