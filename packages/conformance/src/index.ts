/**
 * The conformance suite: the same scenarios, with the same expected outcomes and events, run by
 * every adapter (Node under vitest, the browser in Chromium, Deno under `deno test`) against a
 * running emulator. Only web-standard APIs here (fetch), so it runs unchanged in all three.
 */
import { FLOW_EVENT_NAMES, type FlowEvents, type FlowHandle, type FlowOutput } from "@pushflow/core";

/** What the suite needs of an adapter: its `enroll` and `challenge`, with the shared options. */
export interface AdapterUnderTest {
  readonly runtime: string;
  enroll(options: ScenarioOptions): FlowHandle<FlowOutput, { type: string; [key: string]: unknown }, unknown>;
  challenge(options: ScenarioOptions): FlowHandle<FlowOutput, { type: string; [key: string]: unknown }, unknown>;
}

/** The options every scenario passes (plus what the runtime adds, e.g. a store). */
export interface ScenarioOptions {
  readonly domain: string;
  readonly clientId: string;
  readonly mfaToken: string;
  readonly pollIntervalMs: number;
}

export interface Scenario {
  readonly name: string;
  readonly flow: "enroll" | "challenge";
  /** The user starts enrolled (a device already confirmed) or not. */
  readonly enrolled: boolean;
  /** The device's behaviour, set through the emulator's control API. */
  readonly device: { readonly scan_after_ms?: number; readonly answer?: "approve" | "reject" | "ignore"; readonly answer_after_ms?: number };
  /** What the app does while the flow runs. */
  readonly app?: "ack-codes" | "use-otp" | "cancel-after-first-poll";
  readonly expect: { readonly outcome: string; readonly method?: string; readonly events: readonly (keyof FlowEvents)[] };
}

const INTERVAL = 200;

export const scenarios: readonly Scenario[] = [
  {
    name: "enroll: the device scans after two polls",
    flow: "enroll",
    enrolled: false,
    device: { scan_after_ms: 2.5 * INTERVAL },
    app: "ack-codes",
    expect: { outcome: "enrolled", events: ["state", "qr", "recovery-codes", "poll", "done"] },
  },
  {
    name: "challenge: the device approves",
    flow: "challenge",
    enrolled: true,
    device: { answer: "approve", answer_after_ms: 1.5 * INTERVAL },
    expect: { outcome: "approved", method: "push", events: ["state", "poll", "done"] },
  },
  {
    name: "challenge: the device rejects",
    flow: "challenge",
    enrolled: true,
    device: { answer: "reject", answer_after_ms: 1.5 * INTERVAL },
    expect: { outcome: "rejected", events: ["state", "poll", "done"] },
  },
  {
    name: "challenge: the user switches to the app's one-time code",
    flow: "challenge",
    enrolled: true,
    device: { answer: "ignore" },
    app: "use-otp",
    expect: { outcome: "approved", method: "otp", events: ["state", "poll", "done"] },
  },
  {
    name: "challenge: the app cancels",
    flow: "challenge",
    enrolled: true,
    device: { answer: "ignore" },
    app: "cancel-after-first-poll",
    expect: { outcome: "cancelled", events: ["state", "poll", "done"] },
  },
];

export interface ScenarioResult {
  readonly outcome: string;
  readonly method: string | undefined;
  /** Event names in the order they first appeared. */
  readonly events: readonly string[];
  /** Polls the emulator saw for this flow. */
  readonly polls: number;
}

/** Runs one scenario on a fresh user of a running emulator (seeded client `pushflow-demo`). */
export async function runScenario(adapter: AdapterUnderTest, emulatorUrl: string, scenario: Scenario): Promise<ScenarioResult> {
  const control = (path: string, init?: { method: string; body?: unknown }) =>
    fetch(`${emulatorUrl}/__emulator${path}`, {
      method: init?.method ?? "GET",
      headers: { "content-type": "application/json" },
      ...(init?.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    }).then(async (response) => {
      if (!response.ok) throw new Error(`emulator control ${path}: ${response.status} ${await response.text()}`);
      return response.json() as Promise<Record<string, unknown>>;
    });

  const username = `${adapter.runtime}-${Math.random().toString(36).slice(2, 10)}@example.com`;
  await control("/users", { method: "POST", body: { username, password: "conformance-password-1" } });
  if (scenario.enrolled) await control(`/users/${encodeURIComponent(username)}/enroll`, { method: "POST" });
  await control(`/devices/${encodeURIComponent(username)}/policy`, { method: "PUT", body: scenario.device });
  const { mfa_token: mfaToken } = (await control("/mfa-token", { method: "POST", body: { username, client_id: "pushflow-demo" } })) as {
    mfa_token: string;
  };

  const options: ScenarioOptions = { domain: emulatorUrl, clientId: "pushflow-demo", mfaToken, pollIntervalMs: INTERVAL };
  const handle = scenario.flow === "enroll" ? adapter.enroll(options) : adapter.challenge(options);
  const seen: string[] = [];
  let polls = 0;
  for (const name of FLOW_EVENT_NAMES) {
    (handle.events.on as (n: string, fn: () => void) => void)(name, () => {
      if (!seen.includes(name)) seen.push(name);
      if (name !== "poll") return;
      polls++;
      if (polls !== 1) return;
      if (scenario.app === "cancel-after-first-poll") handle.cancel();
      if (scenario.app === "use-otp") {
        handle.send({ type: "USE_OTP" });
        void control(`/devices/${encodeURIComponent(username)}/totp`).then(({ otp }) => handle.send({ type: "SUBMIT_OTP", otp: String(otp) }));
      }
    });
  }
  if (scenario.app === "ack-codes") handle.events.on("recovery-codes", () => handle.send({ type: "ACK_RECOVERY_CODES" }));

  const output = await handle.outcome;
  return {
    outcome: output.outcome,
    method: "method" in output ? output.method : undefined,
    events: seen,
    polls,
  };
}
