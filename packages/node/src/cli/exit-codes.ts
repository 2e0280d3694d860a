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

/**
 * stdout was closed (`pushflow … --json | head -1`): the flow was cancelled quietly. 128 + 13,
 * what a shell reports for a tool that SIGPIPE ended (Node ignores the signal itself).
 */
export const STDOUT_CLOSED = 141;

export function exitCodeOf(outcome: Outcome): number {
  return EXIT_CODES[outcome];
}
