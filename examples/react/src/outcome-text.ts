import type { ChallengeOutput } from "@pushflow/react";

type Outcome = ChallengeOutput["outcome"];

/** What the user reads for each outcome: a title, and what to do next. Typed: a new outcome fails the build. */
export const OUTCOME_TEXT: Readonly<Record<Outcome, { readonly title: string; readonly next: string }>> = {
  approved: { title: "You're signed in", next: "Taking you to the app…" },
  rejected: { title: "Sign-in denied on your phone", next: "If that wasn't you, change your password. Otherwise, sign in again." },
  expired: { title: "The notification expired", next: "Sign in again to get a new one." },
  not_enrolled: { title: "No phone is set up for push", next: "Set up the Guardian app first, or use another method." },
  mfa_required: { title: "Another verification is needed", next: "Continue with your other factor." },
  mfa_token_invalid: { title: "Your sign-in session expired", next: "Sign in again." },
  misconfigured: { title: "Push sign-in is not available", next: "This app is not set up for push: contact support." },
  rate_limited: { title: "Too many attempts", next: "Wait a few minutes, then sign in again." },
  locked_out: { title: "Too many wrong codes", next: "Wait a few minutes before you try a code again." },
  cancelled: { title: "Sign-in cancelled", next: "You can start again at any time." },
  failed: { title: "Something went wrong", next: "Try again in a moment." },
};

/** How the challenge was approved, in words. */
export const METHOD_TEXT = {
  push: "approved on your phone",
  otp: "with a one-time code",
  "recovery-code": "with a recovery code",
} as const;
