import { parseArgs } from "node:util";

/** How the flow gets its mfa_token. */
export type CliCredentials =
  | { readonly mfaToken: string }
  | { readonly username: string; readonly password: string; readonly realm?: string };

/** `pushflow enroll|challenge …`, checked. */
export interface FlowArgs {
  readonly flow: "enroll" | "challenge";
  readonly domain: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly credentials: CliCredentials;
  readonly authenticatorId?: string;
  readonly json: boolean;
  readonly pollIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly resumeFile?: string;
}

export type Command = { readonly kind: "help" } | { readonly kind: "demo" } | ({ readonly kind: "flow" } & FlowArgs);

export type Parsed = { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly message: string };

const OPTIONS = {
  domain: { type: "string" },
  "client-id": { type: "string" },
  "client-secret": { type: "string" },
  "mfa-token": { type: "string" },
  username: { type: "string" },
  password: { type: "string" },
  realm: { type: "string" },
  "authenticator-id": { type: "string" },
  json: { type: "boolean" },
  "poll-interval": { type: "string" },
  timeout: { type: "string" },
  resume: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses the command line; never throws: a usage problem comes back as a message. */
export function parseCommandLine(argv: readonly string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help === true || command === "help") return { ok: true, command: { kind: "help" } };
  if (command === undefined) return fail("a command is required: enroll, challenge or demo");
  if (extra.length > 0) return fail(`unexpected argument "${extra[0]}"`);
  if (command === "demo") {
    const given = Object.keys(values);
    return given.length > 0 ? fail(`demo takes no options (got --${given[0]})`) : { ok: true, command: { kind: "demo" } };
  }
  if (command !== "enroll" && command !== "challenge") return fail(`unknown command "${command}": use enroll, challenge or demo`);

  if (!values.domain) return fail("--domain is required");
  if (!values["client-id"]) return fail("--client-id is required");
  const credentials = credentialsOf(values);
  if (typeof credentials === "string") return fail(credentials);
  if (command === "enroll" && values["authenticator-id"] !== undefined) return fail("--authenticator-id applies to challenge only");
  const pollIntervalMs = seconds(values["poll-interval"], "poll-interval");
  if (typeof pollIntervalMs === "string") return fail(pollIntervalMs);
  const timeoutMs = seconds(values.timeout, "timeout");
  if (typeof timeoutMs === "string") return fail(timeoutMs);
  if (values.resume === "") return fail("--resume takes a file name");

  return {
    ok: true,
    command: {
      kind: "flow",
      flow: command,
      domain: values.domain,
      clientId: values["client-id"],
      credentials,
      json: values.json === true,
      ...(values["client-secret"] === undefined ? {} : { clientSecret: values["client-secret"] }),
      ...(values["authenticator-id"] === undefined ? {} : { authenticatorId: values["authenticator-id"] }),
      ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(values.resume === undefined ? {} : { resumeFile: values.resume }),
    },
  };
}

function credentialsOf(values: { "mfa-token"?: string; username?: string; password?: string; realm?: string }): CliCredentials | string {
  const { "mfa-token": mfaToken, username, password, realm } = values;
  if (mfaToken !== undefined) {
    if (username !== undefined || password !== undefined || realm !== undefined) return "pass --mfa-token or --username/--password, not both";
    return mfaToken === "" ? "--mfa-token is empty" : { mfaToken };
  }
  if (!username || !password) return "pass --mfa-token T, or --username U and --password P";
  return realm === undefined ? { username, password } : { username, password, realm };
}

/** Decimal seconds (`0.5`, `2`, `.25`) to whole ms, or a message. */
function seconds(value: string | undefined, name: string): number | undefined | string {
  if (value === undefined) return undefined;
  const ms = /^(\d+(\.\d*)?|\.\d+)$/.test(value) ? Math.round(Number(value) * 1000) : Number.NaN;
  return ms > 0 ? ms : `--${name} takes a number of seconds above 0, got "${value}"`;
}

function fail(message: string): Parsed {
  return { ok: false, message };
}
