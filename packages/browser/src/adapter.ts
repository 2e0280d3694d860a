import {
  PushflowError,
  type AdapterOptions,
  type ChallengeHandle,
  type EnrollmentHandle,
  type FlowKind,
  type FlowStore,
} from "@pushflow/core";
import { credentialsOf, launchChallenge, launchEnrollment, toLaunchOptions } from "@pushflow/core/adapter";
import { createFetchTransport } from "@pushflow/transport-fetch";
import { createPauseGate, pausingTransport, type PauseGate } from "./pause.ts";
import { SessionFlowStore } from "./storage.ts";
import { canCoordinate, coordinate, type AnyFlowHandle, type LocalFlow, type TabRole } from "./tabs.ts";

/** Options of the browser's `enroll` and `challenge`: core's shared options, plus the page's runtime. */
export interface BrowserOptions extends Omit<AdapterOptions, "clientSecret" | "store"> {
  /** Refused: a browser is a public client and cannot keep a secret. */
  readonly clientSecret?: never;
  /** Where the flow is saved so that a reload resumes it: sessionStorage by default (where there is one); `false` for none. */
  readonly store?: FlowStore | false;
  /** Hold polls back while the page is hidden or offline (default true). */
  readonly pauseWhenHidden?: boolean;
  /** One poller per flow across this origin's tabs, the others mirroring it (default true). */
  readonly shareAcrossTabs?: boolean;
}

/** A browser flow: core's handle, plus whether this tab runs the flow or mirrors another tab. */
export type BrowserHandle<H> = H & { role(): TabRole };
export type BrowserEnrollmentHandle = BrowserHandle<EnrollmentHandle>;
export type BrowserChallengeHandle = BrowserHandle<ChallengeHandle>;

/**
 * Starts a push enrollment, or resumes the one saved in this tab. Without credentials it only
 * resumes.
 *
 * @throws PushflowError `bad_input` for a client secret, missing options, or nothing to resume;
 * `insecure_url` for plain http to a host that is not loopback.
 */
export function enroll(options: BrowserOptions): BrowserEnrollmentHandle {
  return start("enroll", options) as BrowserEnrollmentHandle;
}

/**
 * Starts a push challenge, or resumes the one saved in this tab. Without credentials it only
 * resumes.
 *
 * @throws PushflowError `bad_input` for a client secret, missing options, or nothing to resume;
 * `insecure_url` for plain http to a host that is not loopback.
 */
export function challenge(options: BrowserOptions): BrowserChallengeHandle {
  return start("challenge", options) as BrowserChallengeHandle;
}

/** True when this tab holds a saved flow of that kind (for a page deciding at load whether to resume). */
export function hasSavedFlow(kind: FlowKind, options: { readonly storeKey?: string; readonly storage?: Storage } = {}): boolean {
  try {
    return new SessionFlowStore(options.storage).has(options.storeKey ?? `pushflow:${kind}`);
  } catch {
    return false;
  }
}

function start(kind: FlowKind, options: BrowserOptions): AnyFlowHandle & { role(): TabRole } {
  if ((options as AdapterOptions).clientSecret !== undefined) {
    throw new PushflowError(
      "bad_input",
      "the browser adapter refuses a client secret: a browser is a public client, anyone can read its code; use a public client (no secret)",
    );
  }
  const { store: storeOption, pauseWhenHidden = true, shareAcrossTabs = true, ...core } = options;
  const key = options.storeKey ?? `pushflow:${kind}`;
  const store = storeOption === false ? undefined : (storeOption ?? sessionStore());
  if (credentialsOf(options) === undefined && store instanceof SessionFlowStore && !store.has(key)) {
    throw new PushflowError("bad_input", "pass mfaToken, or username and password: there is no saved flow to resume in this tab");
  }
  // Checked now, at the call: a tab launches only once it holds the lock, where a bad option
  // (no domain, plain http; no credentials and no store) could neither throw to the caller nor
  // end the flow. Without credentials, core's launch resumes the saved flow, needing none.
  const { store: _store, storeKey: _key, ...checked } = toLaunchOptions({ ...core, ...(store ? { store } : {}) }, { createTransport: createFetchTransport });

  const launch = (flowStore: FlowStore | undefined, othersVisible: () => boolean): LocalFlow<AnyFlowHandle> => {
    const gate = pauseWhenHidden ? createPauseGate(othersVisible) : undefined;
    const transport = gate ? pausingTransport(checked.transport, gate) : checked.transport;
    const launchOptions = { ...checked, transport, ...(flowStore ? { store: flowStore, storeKey: key } : {}) };
    const handle: AnyFlowHandle = kind === "enroll" ? launchEnrollment(launchOptions) : launchChallenge(launchOptions);
    void handle.outcome.then(() => gate?.dispose());
    return { handle, gate };
  };

  if (!shareAcrossTabs || !canCoordinate()) return soloHandle(launch(store, () => false));
  return coordinate({ kind, key, store, signal: options.signal, launch });
}

/** sessionStorage where the page has it; elsewhere (a worker, a test under Node) nothing is saved. */
function sessionStore(): SessionFlowStore | undefined {
  try {
    return new SessionFlowStore();
  } catch {
    return undefined;
  }
}

function soloHandle(local: LocalFlow<AnyFlowHandle>): AnyFlowHandle & { role(): TabRole } {
  return Object.assign(local.handle, { role: (): TabRole => "leader" });
}
