import { parseArgs } from "node:util";
import type { DevicePolicy } from "@pushflow/tenant";
import { DEFAULT_ALLOWED_ORIGINS, normalizeOrigin } from "./cors.ts";
import { startEmulator, type RunningEmulator } from "./emulator.ts";
import { normalizeIssuer } from "./issuer.ts";

/** Where the CLI writes; tests capture it. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export const USAGE = `Usage: pushflow-emulator [options]

A local Auth0 MFA API (push enrollment and challenge) with a virtual Guardian device.

Options:
  -p, --port N             port to listen on (default 0: a free port)
      --hostname H         address to bind (default 127.0.0.1)
      --scan-after S       the device scans every new enrollment after S seconds
      --answer A           the device answers pushes: approve, reject or ignore
      --answer-after S     ... after S seconds (default 0)
      --allowed-origin URL a browser origin allowed to call the Auth0 routes (CORS);
                           repeatable, "*" for any (default: ${DEFAULT_ALLOWED_ORIGINS.join(", ")})
      --tls                serve HTTPS (https://localhost:PORT) with a certificate signed by a CA
                           made at start; prints the CA file to trust (NODE_EXTRA_CA_CERTS=…)
      --ca-file PATH       with --tls, where to write the CA certificate (default: a temp dir)
      --issuer URL         the issuer of discovery and tokens (iss, jwks_uri), e.g. behind a
                           proxy; https:// (http:// for loopback only); default: the URL served
      --no-seed            start without the demo clients and users
      --json               print one JSON line (url, client, users) instead of the text
  -h, --help               this help`;

function corsLine(origins: readonly string[]): string {
  return origins.length === 0 ? "none (no CORS)" : `${origins.join(" ")} (CORS; --allowed-origin to change)`;
}

function seconds(value: string | undefined, name: string): number | undefined | string {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) return `--${name} takes seconds, got "${value}"`;
  return Math.round(Number(value) * 1000);
}

/**
 * Starts the emulator from command-line arguments and prints how to use it. Returns the
 * running emulator, or the exit code when it did not start (help, usage error).
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = consoleIo,
): Promise<{ readonly exitCode: number; readonly emulator?: RunningEmulator }> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: "string", short: "p" },
        hostname: { type: "string" },
        "scan-after": { type: "string" },
        answer: { type: "string" },
        "answer-after": { type: "string" },
        "allowed-origin": { type: "string", multiple: true },
        tls: { type: "boolean" },
        "ca-file": { type: "string" },
        issuer: { type: "string" },
        "no-seed": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    io.err(USAGE);
    return { exitCode: 2 };
  }
  if (values.help === true) {
    io.out(USAGE);
    return { exitCode: 0 };
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.err(`--port takes a port number, got "${values.port ?? ""}"`);
    return { exitCode: 2 };
  }
  const scanAfterMs = seconds(values["scan-after"], "scan-after");
  const answerAfterMs = seconds(values["answer-after"], "answer-after");
  for (const problem of [scanAfterMs, answerAfterMs]) {
    if (typeof problem === "string") {
      io.err(problem);
      return { exitCode: 2 };
    }
  }
  const answer = values.answer;
  if (answer !== undefined && answer !== "approve" && answer !== "reject" && answer !== "ignore") {
    io.err(`--answer takes approve, reject or ignore, got "${answer}"`);
    return { exitCode: 2 };
  }
  let allowedOrigins: string[] | undefined;
  try {
    allowedOrigins = values["allowed-origin"]?.map(normalizeOrigin);
  } catch (error) {
    io.err(`--allowed-origin: ${error instanceof Error ? error.message : String(error)}`);
    return { exitCode: 2 };
  }
  const tls = values.tls === true;
  if (values["ca-file"] !== undefined && !tls) {
    io.err("--ca-file goes with --tls");
    return { exitCode: 2 };
  }
  let issuer: string | undefined;
  try {
    issuer = values.issuer === undefined ? undefined : normalizeIssuer(values.issuer);
  } catch (error) {
    io.err(`--issuer: ${error instanceof Error ? error.message : String(error)}`);
    return { exitCode: 2 };
  }
  const policy: DevicePolicy | undefined =
    scanAfterMs === undefined && answer === undefined
      ? undefined
      : {
          ...(typeof scanAfterMs === "number" ? { scanAfterMs } : {}),
          ...(answer === undefined ? {} : { answer }),
          ...(typeof answerAfterMs === "number" ? { answerAfterMs } : {}),
        };

  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      port,
      hostname: values.hostname ?? "127.0.0.1",
      seed: values["no-seed"] !== true,
      tls,
      ...(values["ca-file"] === undefined ? {} : { caFile: values["ca-file"] }),
      ...(issuer === undefined ? {} : { issuer }),
      ...(allowedOrigins === undefined ? {} : { allowedOrigins }),
      ...(policy === undefined ? {} : { devicePolicy: policy }),
    });
  } catch (error) {
    io.err(`pushflow-emulator could not start: ${error instanceof Error ? error.message : String(error)}`);
    return { exitCode: 1 };
  }

  const { url, seed } = emulator;
  if (values.json === true) {
    io.out(
      JSON.stringify({
        url,
        issuer: emulator.issuer,
        jwks_uri: emulator.jwksUrl,
        ca_file: emulator.caCertPath ?? null,
        control: `${url}/__emulator`,
        allowed_origins: emulator.allowedOrigins,
        client_id: seed?.clientId ?? null,
        user: seed === undefined ? null : { username: seed.user.username, password: seed.user.password },
        enrolled_user:
          seed === undefined
            ? null
            : { username: seed.enrolledUser.username, password: seed.enrolledUser.password, recovery_code: seed.enrolledUser.recoveryCode ?? null },
      }),
    );
    return { exitCode: 0, emulator };
  }
  const lines = [`pushflow emulator listening on ${url}`, ""];
  if (emulator.issuer !== `${url}/`) lines.push(`  issuer           ${emulator.issuer}`);
  const caFile = emulator.caCertPath;
  if (caFile !== undefined) {
    lines.push(
      `  CA certificate   ${caFile} (made for this run, valid one day)`,
      "",
      "Trust it in your app's or tests' Node process (read at its start):",
      `  NODE_EXTRA_CA_CERTS=${caFile}`,
      "",
    );
  }
  // curl needs the CA too; `-s` alone otherwise.
  const curl = caFile === undefined ? "curl -s" : `curl -s --cacert ${caFile}`;
  if (seed !== undefined) {
    const ada = seed.user.username;
    const grace = seed.enrolledUser.username;
    lines.push(
      `  client id        ${seed.clientId} (public, MFA grant on)`,
      `  confidential     ${seed.confidentialClient.clientId} / ${seed.confidentialClient.clientSecret}`,
      `  test user        ${ada} / ${seed.user.password} (not enrolled: try enroll)`,
      `  enrolled user    ${grace} / ${seed.enrolledUser.password} (try challenge; recovery code ${seed.enrolledUser.recoveryCode ?? "none"})`,
      `  JWKS             ${emulator.jwksUrl}`,
      `  allowed origins  ${corsLine(emulator.allowedOrigins)}`,
      "",
      "Log in (answers mfa_required with an mfa_token):",
      `  ${curl} ${url}/oauth/token -d grant_type=password -d client_id=${seed.clientId} -d username=${ada} -d password=${seed.user.password}`,
      "",
      "Drive the device:",
      `  ${curl} -X POST ${url}/__emulator/devices/${ada}/scan        # scan ${ada}'s newest QR`,
      `  ${curl} -X POST ${url}/__emulator/devices/${grace}/approve   # or /reject, /ignore`,
      `  ${curl} ${url}/__emulator/devices/${grace}/totp             # the current OTP`,
      `  ${curl} -X PUT ${url}/__emulator/policy -H 'content-type: application/json' -d '{"scan_after_ms":3000,"answer":"approve","answer_after_ms":2000}'`,
      `  ${curl} ${url}/__emulator/requests                          # request counts`,
      `  ${curl} ${url}/__emulator                                   # every control route`,
    );
  } else {
    lines.push(
      `  control API      ${url}/__emulator`,
      `  JWKS             ${emulator.jwksUrl}`,
      `  allowed origins  ${corsLine(emulator.allowedOrigins)}`,
    );
  }
  if (policy !== undefined) {
    lines.push("", `Device policy: ${JSON.stringify(policy)}`);
  }
  lines.push("", "Ctrl-C stops it.");
  for (const line of lines) io.out(line);
  return { exitCode: 0, emulator };
}
