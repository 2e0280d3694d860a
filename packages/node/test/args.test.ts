import { CHALLENGE_OUTCOMES, ENROLLMENT_OUTCOMES } from "@pushflow/core";
import { describe, expect, it } from "vitest";
import { parseCommandLine } from "../src/cli/args.ts";
import { EXIT_CODES, exitCodeOf } from "../src/cli/exit-codes.ts";

const base = ["--domain", "http://127.0.0.1:4455", "--client-id", "app"];

describe("pushflow's command line", () => {
  it("reads a challenge with a password login, decimal seconds and a resume file", () => {
    const parsed = parseCommandLine([
      "challenge", ...base, "--username", "u", "--password", "p", "--realm", "db",
      "--authenticator-id", "push|dev_1", "--poll-interval", "0.5", "--timeout", "90", "--resume", "flow.json", "--json",
    ]);
    expect(parsed).toEqual({
      ok: true,
      command: {
        kind: "flow", flow: "challenge", domain: "http://127.0.0.1:4455", clientId: "app",
        credentials: { username: "u", password: "p", realm: "db" }, authenticatorId: "push|dev_1",
        pollIntervalMs: 500, timeoutMs: 90_000, resumeFile: "flow.json", json: true,
      },
    });
  });

  it("reads an enrollment with an mfa_token and a client secret", () => {
    const parsed = parseCommandLine(["enroll", ...base, "--client-secret", "s", "--mfa-token", "T", "--poll-interval", ".25"]);
    expect(parsed).toMatchObject({ ok: true, command: { flow: "enroll", clientSecret: "s", credentials: { mfaToken: "T" }, pollIntervalMs: 250, json: false } });
  });

  it("reads help and demo", () => {
    expect(parseCommandLine(["--help"])).toEqual({ ok: true, command: { kind: "help" } });
    expect(parseCommandLine(["-h"])).toEqual({ ok: true, command: { kind: "help" } });
    expect(parseCommandLine(["demo"])).toEqual({ ok: true, command: { kind: "demo" } });
  });

  it.each([
    [[], /command is required/],
    [["launch"], /unknown command/],
    [["demo", "--json"], /demo takes no options/],
    [["challenge", "--client-id", "app", "--mfa-token", "T"], /--domain is required/],
    [["challenge", "--domain", "d", "--mfa-token", "T"], /--client-id is required/],
    [["challenge", ...base], /--mfa-token T, or --username U and --password P/],
    [["challenge", ...base, "--username", "u"], /--username U and --password P/],
    [["challenge", ...base, "--mfa-token", "T", "--username", "u", "--password", "p"], /not both/],
    [["enroll", ...base, "--mfa-token", "T", "--authenticator-id", "a"], /challenge only/],
    [["challenge", ...base, "--mfa-token", "T", "--poll-interval", "fast"], /--poll-interval takes a number of seconds/],
    [["challenge", ...base, "--mfa-token", "T", "--timeout", "0"], /--timeout takes a number of seconds above 0/],
    [["challenge", ...base, "--mfa-token", "T", "--timeout", "-3"], /--timeout|argument/],
    [["challenge", ...base, "--mfa-token", "T", "--bogus"], /Unknown option '--bogus'/],
    [["challenge", ...base, "--mfa-token", "T", "extra"], /unexpected argument "extra"/],
    [["challenge", ...base, "--mfa-token"], /argument missing|--mfa-token/],
  ])("refuses %j", (argv, message) => {
    const parsed = parseCommandLine(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it("maps every outcome to DESIGN.md's exit code", () => {
    for (const outcome of [...ENROLLMENT_OUTCOMES, ...CHALLENGE_OUTCOMES]) expect(exitCodeOf(outcome)).toBeTypeOf("number");
    expect(EXIT_CODES).toEqual({
      enrolled: 0, approved: 0, failed: 1, rejected: 3, expired: 4, already_enrolled: 5, not_enrolled: 5,
      mfa_token_invalid: 6, mfa_required: 6, misconfigured: 7, rate_limited: 8, locked_out: 8, cancelled: 130,
    });
  });
});
