/** The help text (`pushflow --help`); DESIGN.md's CLI section, with the keys of the terminal UI. */
export const USAGE = `Usage:
  pushflow enroll    --domain D --client-id ID [--client-secret S] (--mfa-token T | --username U --password P [--realm R]) [options]
  pushflow challenge --domain D --client-id ID [--client-secret S] (--mfa-token T | --username U --password P [--realm R]) [--authenticator-id A] [options]
  pushflow demo      # the whole story on the embedded emulator, with its simulated device

Auth0 MFA push from a terminal: enroll a Guardian push authenticator, or challenge one.

Connection:
  --domain D              tenant host (tenant.auth0.com, HTTPS) or URL (http://127.0.0.1:PORT, loopback only)
  --client-id ID          the application's client id
  --client-secret S       confidential clients only
  --mfa-token T           the mfa_token of an mfa_required answer, or sign in with:
  --username U --password P [--realm R]   (password grant; password-realm with --realm)
  --authenticator-id A    challenge this push authenticator (default: the only one, or you choose)

Options:
  --json                  NDJSON on stdout: every event with its "type", last {"type":"done","outcome":...}
  --poll-interval SECONDS seconds between polls, decimals allowed (default 5; below 5 Auth0 slows you down)
  --timeout SECONDS       give up after this long (challenge default 300; enrollment at most 300)
  --resume FILE           save the flow to FILE (mode 0600) and resume it from there after a restart
  -h, --help              this help

While waiting (at a terminal, one key; otherwise one line on stdin):
  o [CODE]   use a one-time code from the app instead   r [CODE]   use a recovery code instead
  s          send the push again (after a cooldown)      p          back to the push
  c          cancel (Ctrl-C, SIGTERM and SIGHUP too)
  At a terminal, recovery codes wait for Enter once saved; with --json or when stdin is not a
  terminal they are acknowledged once printed. Several authenticators: type the number or the id.

Exit codes:
  0 enrolled/approved  1 failed  2 usage error  3 rejected  4 expired  5 already_enrolled/not_enrolled
  6 mfa_token_invalid/mfa_required  7 misconfigured  8 rate_limited/locked_out  130 cancelled
  141 stdout closed (the flow was cancelled quietly)`;
