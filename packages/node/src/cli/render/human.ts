import type { FlowOutput, FlowView } from "@pushflow/core";
import type { CliHandle } from "../handle.ts";
import type { Screen } from "../terminal/screen.ts";
import { drawQr } from "./qr.ts";
import { clock, describeOutcome, seconds } from "./words.ts";

export interface HumanOptions {
  /** Redraw the countdown every second (stdout is a terminal). */
  readonly live: boolean;
  /** The keys or commands the person can use while a push is pending. */
  readonly challengeKeys: string;
  readonly cancelKey: string;
  readonly now?: () => number;
}

/** What each state means to a person, said once when the flow enters it. */
const PHASES: Readonly<Record<string, string>> = {
  associating: "Asking Auth0 to enroll a Guardian push authenticator…",
  awaitingDevice: "Waiting for the Guardian app to scan the QR code.",
  awaitingAcknowledgement: "The Guardian app confirmed the enrollment.",
  listing: "Looking up the push authenticators…",
  challenging: "Sending a push notification…",
  "challenged.polling": "Push sent: approve it in the Guardian app.",
  "challenged.resending": "Sending the push again…",
  "challenged.verifyingOtp": "Checking the one-time code…",
  "challenged.verifyingRecoveryCode": "Checking the recovery code…",
};

const BACKOFFS: Readonly<Record<string, string>> = {
  slow_down: "Auth0 asked to poll more slowly",
  rate_limited: "Auth0 rate-limited the request",
  server_error: "Auth0 answered with a server error",
  network: "the network failed",
  timeout: "the request timed out",
};

/** The flow for a person: phases in words, the QR, the recovery codes, a countdown, the outcome. */
export function presentHuman(handle: CliHandle, screen: Screen, options: HumanOptions): void {
  const now = options.now ?? Date.now;
  let view: FlowView | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;

  const waiting = (v: FlowView): string | undefined => {
    if (v.deadlineAt === undefined) return undefined;
    // Without a terminal the line is printed once, so it names the time instead of counting down.
    const left = options.live ? `${clock(v.deadlineAt - now())} left` : `until ${new Date(v.deadlineAt).toLocaleTimeString()}`;
    if (v.state === "awaitingDevice") return `⏳ Waiting for the scan · ${left} · ${options.cancelKey}`;
    if (v.state === "challenged.polling") return `⏳ Waiting for approval · ${left} · ${options.challengeKeys}`;
    return undefined;
  };
  const refresh = () => {
    const text = view && waiting(view);
    screen.status(text);
    if (text !== undefined && options.live) ticker ??= setInterval(() => view && screen.status(waiting(view)), 1000);
    else if (text === undefined && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  handle.events.on("state", ({ view: next }) => {
    const entered = next.state !== view?.state;
    view = next;
    if (entered && !next.done) {
      const phase = PHASES[next.state];
      if (phase) screen.line(phase);
    }
    refresh();
  });
  handle.events.on("qr", ({ barcodeUri, expiresAt }) => {
    screen.line(`Scan this QR code with the Guardian app before ${new Date(expiresAt).toLocaleTimeString()}:`);
    for (const row of drawQr(barcodeUri)) screen.line(row);
  });
  handle.events.on("recovery-codes", ({ codes }) => {
    screen.line(codes.length === 1 ? "Your recovery code (shown once: save it now):" : "Your recovery codes (shown once: save them now):");
    for (const code of codes) screen.line(`    ${code}`);
  });
  handle.events.on("backoff", ({ cause, retryAt }) => {
    screen.line(`${BACKOFFS[cause] ?? cause}: trying again in ${seconds(retryAt - now())}.`);
  });
  handle.events.on("done", (output) => {
    if (ticker !== undefined) clearInterval(ticker);
    screen.status(undefined);
    for (const line of outcomeLines(output)) screen.line(line);
  });
}

/** The outcome in words, with what a person must keep (a new recovery code) and a hint for the rest. */
export function outcomeLines(output: FlowOutput): string[] {
  const lines = describeOutcome(output);
  if (output.outcome === "approved" && output.newRecoveryCode !== undefined) {
    lines.push(`Your new recovery code (the one you used no longer works; save this one): ${output.newRecoveryCode}`);
  }
  if (output.outcome === "enrolled" || output.outcome === "approved") {
    lines.push(`Tokens received (${output.tokens.tokenType}, expires in ${output.tokens.expiresIn} s); run with --json to get them.`);
  }
  if (output.outcome === "mfa_required") lines.push("Run with --json to get the new mfa_token.");
  if (output.outcome === "failed") lines.push(`  (${output.error.code})`);
  return lines;
}
