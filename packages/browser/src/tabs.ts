import { FLOW_EVENT_NAMES, type DoneEvent, type FlowEventName, type FlowEvents, type FlowHandle, type FlowOutput, type FlowStore, type QrEmitted, type StateEvent } from "@pushflow/core";
import { EventEmitter } from "eventemitter3";
import type { PauseGate } from "./pause.ts";

/** Whether this tab runs the flow (polls) or mirrors the tab that does. */
export type TabRole = "leader" | "follower";

/** A record as the leader last saved it (`null`: nothing resumable now). */
type Saved = { readonly value: string; readonly expiresAt: number } | null;

/**
 * What goes over the BroadcastChannel: the emitter's events as they are (no more secrets than
 * they carry), the resumable record (so that another tab can take over), that the leader's flow
 * started, and the followers' visibility and app events (a cancel included). Same-origin only,
 * like sessionStorage itself.
 */
type Message =
  | { readonly kind: "leader" }
  | { readonly kind: "started"; readonly to?: string }
  | { readonly kind: "event"; readonly name: Exclude<FlowEventName, "done">; readonly payload: unknown; readonly to?: string }
  | { readonly kind: "event"; readonly name: "done"; readonly payload: DoneEvent; readonly to?: string }
  | { readonly kind: "record"; readonly saved: Saved; readonly to?: string }
  | { readonly kind: "hello"; readonly tab: string }
  | { readonly kind: "visible"; readonly tab: string; readonly visible: boolean }
  | { readonly kind: "send"; readonly event: { readonly type: string } };


/**
 * After its flow ends, a leader keeps the lock this long so that every follower reads the `done`
 * message before the lock can pass to it (lock grants and channel messages are not ordered).
 * A new flow in the same tab cuts it short.
 */
const LINGER_MS = 1000;
const lingering = new Map<string, () => void>();

/**
 * The keys whose lock this tab holds (from the grant until the linger ends), and the handle that
 * holds each. A second start of a flow in the tab that runs it follows it like another tab would,
 * but it shares the leader's storage: it keeps no record there (the leader's next compare-and-set
 * would find its flow "taken over"), and needs none, since it could only take over once the flow
 * has ended or the tab is gone.
 */
const ledHere = new Map<string, string>();

/**
 * A flow handle whatever its kind. The tabs relay any flow: a follower's outcome is the leader's
 * `done` event, typed by core as a FlowOutput of either kind, and `enroll`/`challenge` give the handle its kind.
 */
export type AnyFlowHandle = FlowHandle<FlowOutput, { readonly type: string }, unknown>;

/** The flow this tab would run if it leads. */
export interface LocalFlow<H> {
  readonly handle: H;
  readonly gate: PauseGate | undefined;
}

export interface CoordinateSetup<H> {
  readonly kind: "enroll" | "challenge";
  /** Lock, channel and store key: one flow per key per origin. */
  readonly key: string;
  /** This tab's store: followers keep the leader's record in it, so a reload or a takeover resumes. */
  readonly store: FlowStore | undefined;
  readonly signal: AbortSignal | undefined;
  /** Launches the flow here, with the store to persist to and who else is looking. */
  launch(store: FlowStore | undefined, othersVisible: () => boolean): LocalFlow<H>;
}

/** True where Web Locks and BroadcastChannel both exist (every current browser, secure contexts). */
export function canCoordinate(): boolean {
  return typeof BroadcastChannel === "function" && typeof navigator !== "undefined" && navigator.locks !== undefined;
}

/**
 * One poller per flow across tabs. Every tab asks for the Web Lock named after the flow's key;
 * the tab holding it launches the flow and relays its events and records on a BroadcastChannel;
 * the others (a second start in the leader's own tab included) mirror them and queue for the
 * lock. When the leader's tab closes, the lock passes to the next tab, which resumes the last
 * relayed record (same oob_code, no second push).
 * Every tab settles with the leader's outcome: a follower's cancel goes to the leader, and its
 * `started` resolves (with no flow: that lives in the leader's tab) once the leader's has.
 */
export function coordinate(setup: CoordinateSetup<AnyFlowHandle>): AnyFlowHandle & { role(): TabRole } {
  lingering.get(setup.key)?.();
  const tab = Math.random().toString(36).slice(2);
  const events = new EventEmitter<FlowEvents>();
  const channel = new BroadcastChannel(setup.key);
  const lockRequest = new AbortController();
  const visibleTabs = new Set<string>();
  let role: TabRole = "follower";
  let local: LocalFlow<AnyFlowHandle> | undefined;
  let lastState: StateEvent | undefined;
  let lastQr: QrEmitted | undefined;
  let saved: Saved = null;
  let finished = false;
  let leaderStarted = false;
  // A follower's cancel, asked of the leader: the outcome comes back from it (it may be another one,
  // `approved` say, when the leader got there first). Asked again of a new leader, and done here
  // if this tab takes over.
  let cancelAsked = false;

  const outcome = deferred<FlowOutput>();
  const started = deferred<Awaited<AnyFlowHandle["started"]>>();
  const resumed = deferred<boolean>();

  const post = (message: Message) => {
    if (!finished) channel.postMessage(message);
  };
  const emit = (name: FlowEventName, payload: unknown) => {
    if (name === "state") lastState = payload as StateEvent;
    if (name === "qr") lastQr = payload as QrEmitted;
    (events.emit as (n: string, p: unknown) => boolean)(name, payload);
  };
  const isVisible = () => typeof document === "undefined" || !document.hidden;
  const announce = () => {
    if (role !== "follower") return;
    post({ kind: "hello", tab });
    post({ kind: "visible", tab, visible: isVisible() });
    if (cancelAsked) post({ kind: "send", event: { type: "CANCEL" } });
  };
  const onVisibility = () => {
    if (role === "follower") post({ kind: "visible", tab, visible: isVisible() });
  };
  const onPageHide = () => {
    if (role === "follower") post({ kind: "visible", tab, visible: false });
  };

  const finish = (output: FlowOutput) => {
    if (finished) return;
    onPageHide();
    finished = true;
    channel.close();
    lockRequest.abort();
    removeEventListener("pagehide", onPageHide);
    if (typeof document !== "undefined") document.removeEventListener("visibilitychange", onVisibility);
    setup.signal?.removeEventListener("abort", cancel);
    if (role === "follower") {
      // The leader deleted its record; this tab's copy must not be resumed later (a leader in this
      // tab deleted the only copy, and may be saving a new flow's record already).
      if (!ledHere.has(setup.key)) void setup.store?.delete(setup.key);
      started.resolve(undefined);
      resumed.resolve(false);
    }
    outcome.resolve(output);
  };

  // Messages from the leader, while this tab follows.
  const fromLeader = (message: Message) => {
    if ("to" in message && message.to !== undefined && message.to !== tab) return;
    if (message.kind === "leader") announce();
    else if (message.kind === "started") started.resolve(undefined);
    else if (message.kind === "record") {
      saved = message.saved;
      if (!setup.store || ledHere.has(setup.key)) return;
      if (saved === null) void setup.store.delete(setup.key);
      else void setup.store.put(setup.key, saved.value, { expiresAt: saved.expiresAt });
    } else if (message.kind === "event") {
      emit(message.name, message.payload);
      if (message.name === "done") {
        const { type: _t, flow: _f, ...output } = message.payload;
        finish(output);
      }
    }
  };

  // Messages from the followers, while this tab leads.
  const fromFollower = (message: Message) => {
    if (!local) return;
    if (message.kind === "hello") {
      if (lastState) post({ kind: "event", name: "state", payload: lastState, to: message.tab });
      if (lastQr) post({ kind: "event", name: "qr", payload: lastQr, to: message.tab });
      post({ kind: "record", saved, to: message.tab });
      if (leaderStarted) post({ kind: "started", to: message.tab });
    } else if (message.kind === "visible") {
      if (message.visible) visibleTabs.add(message.tab);
      else visibleTabs.delete(message.tab);
      local.gate?.update();
    } else if (message.kind === "send") {
      if (message.event.type === "CANCEL") local.handle.cancel();
      else local.handle.send(message.event);
    }
  };

  channel.onmessage = (event: MessageEvent<Message>) => (role === "leader" ? fromFollower(event.data) : fromLeader(event.data));
  addEventListener("pagehide", onPageHide);
  if (typeof document !== "undefined") document.addEventListener("visibilitychange", onVisibility);
  announce();

  const lead = async () => {
    if (finished) return;
    ledHere.set(setup.key, tab);
    try {
      await leadHere();
    } finally {
      // A new flow that cut the linger short may hold the lock already.
      if (ledHere.get(setup.key) === tab) ledHere.delete(setup.key);
    }
  };
  const leadHere = async () => {
    role = "leader";
    const store = setup.store && relayingStore(setup.store, setup.key, (value) => {
      saved = value;
      post({ kind: "record", saved: value });
    });
    local = setup.launch(store, () => visibleTabs.size > 0);
    const handle = local.handle;
    for (const name of FLOW_EVENT_NAMES) {
      if (name === "done") continue;
      handle.events.on(name, (payload) => {
        emit(name, payload);
        post({ kind: "event", name, payload });
      });
    }
    // Last, like FLOW_EVENT_NAMES: the followers settle with the outcome it carries.
    handle.events.on("done", (payload) => {
      emit("done", payload);
      post({ kind: "event", name: "done", payload });
    });
    post({ kind: "leader" });
    void handle.started.then((flow) => {
      started.resolve(flow);
      leaderStarted = true;
      post({ kind: "started" });
    });
    void handle.resumed.then(resumed.resolve);
    if (cancelAsked) handle.cancel();
    const output = await handle.outcome;
    finish(output);
    await new Promise<void>((release) => {
      const timer = setTimeout(release, LINGER_MS);
      lingering.set(setup.key, () => {
        clearTimeout(timer);
        release();
      });
    });
    lingering.delete(setup.key);
  };
  navigator.locks.request(setup.key, { signal: lockRequest.signal }, lead).catch(() => {
    // Aborted: this tab followed the flow to its end, or was cancelled, before its turn came.
  });

  function cancel() {
    // Ended (a follower heard the leader's `done`): nothing to cancel, and no second `done`.
    if (finished) return;
    if (local) return local.handle.cancel();
    // Settled by the leader's `done`, as in every other tab.
    cancelAsked = true;
    post({ kind: "send", event: { type: "CANCEL" } });
  }
  if (setup.signal?.aborted) queueMicrotask(cancel);
  else setup.signal?.addEventListener("abort", cancel, { once: true });

  return {
    kind: setup.kind,
    events,
    outcome: outcome.promise,
    started: started.promise,
    resumed: resumed.promise,
    send: (event) => (local ? local.handle.send(event) : post({ kind: "send", event })),
    cancel,
    view: () => local?.handle.view() ?? lastState?.view,
    role: () => role,
  };
}

/** The store, telling the followers of every record saved or dropped under the flow's key. */
function relayingStore(inner: FlowStore, key: string, relay: (saved: Saved) => void): FlowStore {
  return {
    get: (k) => inner.get(k),
    async put(k, value, options) {
      const version = await inner.put(k, value, options);
      if (k === key && version !== undefined) relay({ value, expiresAt: options.expiresAt });
      return version;
    },
    async delete(k) {
      await inner.delete(k);
      if (k === key) relay(null);
    },
  };
}

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
