import type { Outcome } from "@pushflow/core";

/** DESIGN.md's exit codes, one per outcome. */
export const EXIT_CODES: Readonly<Record<Outcome, number>> = {
  enrolled: 0,
  approved: 0,
  failed: 1,
  rejected: 3,
  expired: 4,
  already_enrolled: 5,
  not_enrolled: 5,
  mfa_token_invalid: 6,
  mfa_required: 6,
  misconfigured: 7,
  rate_limited: 8,
  locked_out: 8,
  cancelled: 130,
};

/** Bad flags, unknown command, or options the adapter refuses. */
export const USAGE_ERROR = 2;

export function exitCodeOf(outcome: Outcome): number {
  return EXIT_CODES[outcome];
}
