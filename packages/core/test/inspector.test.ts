import { describe, expect, it } from "vitest";
import { SimulatedClock, type InspectionEvent, type Observer } from "xstate";
import { startChallenge, type ChallengeFlow, type FlowOptions } from "../src/flow.ts";
import { answers, createControlledTransport, ok, settle } from "../src/testing.ts";

// Each secret the flow handles, as a string no other field could hold by chance.
const MFA = "SECRET-MFA-TOKEN-7f3a";
const OOB = "SECRET-OOB-CODE-91c2";
const ACCESS = "SECRET-ACCESS-TOKEN-44d0";
const ID = "SECRET-ID-TOKEN-2b8e";
const REFRESH = "SECRET-REFRESH-TOKEN-c51f";
const SECRETS = [MFA, OOB, ACCESS, ID, REFRESH];

const EVENT_TYPES = ["@xstate.actor", "@xstate.event", "@xstate.snapshot", "@xstate.microstep", "@xstate.action"];

/**
 * A push challenge the phone approves: list, challenge, one pending poll, then the tokens.
 * `attach` runs before the actor starts, so an inspector attached there sees the whole run.
 */
async function pushApproval(inspect?: FlowOptions["inspect"], attach?: (flow: ChallengeFlow) => void) {
  const clock = new SimulatedClock();
  const transport = createControlledTransport();
  const flow = startChallenge({ mfaToken: MFA }, { transport, clock, ...(inspect ? { inspect } : {}) });
  attach?.(flow);
  await settle();
  transport.respond("listAuthenticators", answers.pushAuthenticators(1));
  await settle();
  transport.respond("challenge", answers.pushChallenge(OOB));
  await settle();
  clock.increment(5_000);
  await settle();
  transport.respond("verifyOob", answers.pending());
  await settle();
  clock.increment(5_000);
  await settle();
  transport.respond("verifyOob", ok({ accessToken: ACCESS, idToken: ID, refreshToken: REFRESH, tokenType: "Bearer", expiresIn: 600 }));
  const output = await flow.done;
  return { flow, output, transport };
}

/** Every event as JSON, with cycles cut (refs serialize through their own toJSON, as inspectors do). */
function json(events: readonly unknown[]): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(events, (_key, value: unknown) => {
    if (value !== null && typeof value === "object") {
      if (seen.has(value)) return "[seen]";
      seen.add(value);
    }
    return value;
  });
}

/**
 * Every string an inspector can reach from the events without calling into code it was not
 * given: every own field along each prototype chain (private ones too), Map and Set entries,
 * and whatever an object's `getSnapshot()` answers (inspectors read actor refs through it).
 */
function reachableStrings(roots: readonly unknown[]): string[] {
  const strings: string[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      strings.push(value);
      return;
    }
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    if (value instanceof Map) for (const [k, v] of value) (visit(k), visit(v));
    if (value instanceof Set) for (const v of value) visit(v);
    const getSnapshot = (value as { getSnapshot?: unknown }).getSnapshot;
    if (typeof getSnapshot === "function") {
      try {
        visit(getSnapshot.call(value));
      } catch {
        // not readable at this moment: nothing to see
      }
    }
    for (let o: object | null = value; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
      for (const key of Reflect.ownKeys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, key);
        if (d && "value" in d) visit(d.value);
      }
    }
  };
  for (const root of roots) visit(root);
  return strings;
}

const leaked = (text: string) => SECRETS.filter((s) => text.includes(s));

describe("the inspector option", () => {
  it("takes an Observer object, the XState idiom (@statelyai/inspect's `inspector.inspect`)", async () => {
    const seen: InspectionEvent[] = [];
    const observer: Observer<InspectionEvent> = { next: (event) => seen.push(event) };
    const { output } = await pushApproval(observer);
    expect(output).toMatchObject({ outcome: "approved", method: "push" });
    expect(new Set(seen.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    expect(leaked(json(seen))).toEqual([]);
  });

  it("takes a function; the refs it is handed lead to no raw snapshot", async () => {
    const seen: InspectionEvent[] = [];
    const { output } = await pushApproval((event) => seen.push(event));
    expect(output).toMatchObject({ outcome: "approved", method: "push" });
    expect(new Set(seen.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    // What @statelyai/inspect reads from a ref: its ids, its parent's id, its machine's config, its snapshot.
    const root = seen.find((e) => e.type === "@xstate.actor")!.actorRef as unknown as Record<string, unknown> & { getSnapshot(): unknown };
    expect(root.sessionId).toBe(seen[0]!.rootId);
    expect(root.getSnapshot()).toMatchObject({ status: "done", value: "approved", output: { outcome: "approved", tokens: "[redacted]" } });
    expect((root.logic as { config: { id: string } }).config.id).toBe("challenge");
    const child = seen.find((e) => e.type === "@xstate.actor" && e.actorRef !== root)!.actorRef as unknown as { _parent: { sessionId: string } };
    expect(child._parent.sessionId).toBe(root.sessionId);
    expect(leaked(reachableStrings(seen).join("\n"))).toEqual([]);
  });

  it("shows no mfa_token, oob_code or token in any field of any event of a push approval", async () => {
    const seen: InspectionEvent[] = [];
    await pushApproval({ next: (event) => seen.push(event) });
    // The secrets did go through the flow: action params, snapshots and events carried them.
    expect(json(seen)).toContain("[redacted]");
    for (const type of EVENT_TYPES) {
      const ofType = seen.filter((e) => e.type === type);
      expect(ofType.length, type).toBeGreaterThan(0);
      expect(leaked(json(ofType)), type).toEqual([]);
    }
    const actions = seen.filter((e): e is InspectionEvent & { type: "@xstate.action" } => e.type === "@xstate.action");
    expect(actions.some((e) => e.action.params !== undefined)).toBe(true);
  });
});

describe("flow.actor.system.inspect", () => {
  it("gives an Observer attached through the public actor only redacted events", async () => {
    const seen: InspectionEvent[] = [];
    await pushApproval(undefined, (flow) => flow.actor.system.inspect({ next: (event) => seen.push(event) }));
    // Attached after the root actor was created: its children's @xstate.actor events still come.
    expect(new Set(seen.map((e) => e.type))).toEqual(new Set(EVENT_TYPES));
    expect(json(seen)).toContain("[redacted]");
    expect(leaked(json(seen))).toEqual([]);
    expect(leaked(reachableStrings(seen).join("\n"))).toEqual([]);
  });

  it("gives a function attached through a child actor's system only redacted events too", async () => {
    const seen: InspectionEvent[] = [];
    let subscription: { unsubscribe(): void } | undefined;
    const { flow } = await pushApproval(undefined, (flow) => {
      flow.actor.subscribe((snapshot) => {
        // Every actor of a flow shares one system: a child's `system` is the same door.
        const child = Object.values(snapshot.children as Record<string, { system: typeof flow.actor.system }>)[0];
        if (child && !subscription) subscription = child.system.inspect((event) => seen.push(event));
      });
    });
    expect(subscription).toBeDefined();
    expect(seen.length).toBeGreaterThan(10);
    expect(leaked(json(seen))).toEqual([]);
    expect(leaked(reachableStrings(seen).join("\n"))).toEqual([]);
    // The actor is still XState's own, as UI bindings (@xstate/react's useSelector) use it.
    expect(flow.actor.getSnapshot().status).toBe("done");
  });
});
