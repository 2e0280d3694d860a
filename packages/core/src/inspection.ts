import { StateNode, type ActorSystem, type InspectionEvent, type Observer, type Subscription } from "xstate";
import { redactDeep, redactSnapshot, type InstanceRule } from "./redact.ts";

/** An XState inspector: a function, or an Observer such as @statelyai/inspect's `inspector.inspect`. */
export type Inspector = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/**
 * Makes every inspector attached to this actor system get redacted events: the `inspect` option
 * of a flow, and `flow.actor.system.inspect(...)` (or the same call through any actor of the flow,
 * as they all share one system). Called right after `createActor`, before anything else can
 * reach the system; the only inspector XState attached before that is the flow's own, already
 * redacting.
 */
export function redactInspection(system: Pick<ActorSystem<never>, "inspect">): void {
  const attach = system.inspect.bind(system);
  Object.defineProperty(system, "inspect", {
    value: (inspector: Inspector): Subscription => attach(redactingObserver(inspector)),
    enumerable: true,
    writable: false,
    configurable: false,
  });
}

/**
 * An observer that hands `inspector` a redacted copy of every inspection event: secrets are
 * replaced in every field (events, snapshots, action params, transitions), and actor refs are
 * replaced by views that carry ids and a redacted `getSnapshot()`, not the actor.
 */
export function redactingObserver(inspector: Inspector): Observer<InspectionEvent> {
  // A method of the observer is called on it, as XState's own `toObserver` does.
  const next = typeof inspector === "function" ? inspector : (event: InspectionEvent) => inspector.next?.(event);
  return { next: (event) => next(redactEvent(event)) };
}

/** A redacted copy of one inspection event, field by field. */
export function redactEvent(event: InspectionEvent): InspectionEvent {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "actorRef" || key === "sourceRef") copy[key] = refView(value);
    else if (key === "snapshot") copy[key] = redactSnapshot(value, instanceView);
    else if (key === "_transitions") copy[key] = Array.isArray(value) ? value.map(transitionView) : undefined;
    else copy[key] = redactDeep(value, 0, instanceView);
  }
  // A cast on purpose: the copy holds RefViews where XState's type has actor refs (never the actor itself), and XState has no type for a redacted event.
  return copy as unknown as InspectionEvent;
}

/**
 * Class instances inside events and snapshots: an actor ref (spawn and stop actions carry one)
 * becomes a view, a state node its id, and anything else a redacted copy of its own fields.
 */
const instanceView: InstanceRule = (instance, depth) => {
  if (isActorRef(instance)) return refView(instance);
  if (instance instanceof StateNode) return `#${instance.id}`;
  if (instance instanceof Error) return { name: instance.name, message: instance.message };
  return redactDeep({ ...instance }, depth + 1, instanceView);
};

const isActorRef = (value: object): value is RealRef =>
  typeof (value as RealRef).sessionId === "string" && typeof (value as RealRef).getSnapshot === "function";

/** What an inspector reads from an actor ref (@statelyai/inspect: ids, parent, machine config, snapshot). */
interface RefView {
  readonly id: string;
  readonly sessionId: string;
  readonly systemId: string | undefined;
  readonly src: string | undefined;
  readonly _parent: RefView | undefined;
  readonly logic: { readonly config: unknown } | undefined;
  getSnapshot(): unknown;
  toJSON(): unknown;
}

interface RealRef {
  readonly id: string;
  readonly sessionId: string;
  readonly systemId?: string;
  readonly src?: unknown;
  readonly _parent?: unknown;
  readonly logic?: { readonly config?: unknown };
  getSnapshot(): unknown;
}

// Shared by every flow: a view holds nothing but the ref's ids and a way to its redacted snapshot.
const views = new WeakMap<object, RefView>();

/**
 * A stand-in for an actor ref. Not the actor, nor an object whose prototype is the actor: through
 * either, an inspector would reach the raw snapshot (`_snapshot`), the parent's, and the system.
 */
function refView(ref: unknown): RefView | undefined {
  if (ref === null || typeof ref !== "object") return undefined;
  let view = views.get(ref);
  if (view) return view;
  const real = ref as RealRef;
  // A machine's config is its definition (no data); a promise actor's is its code: left out.
  const config = real.logic?.config;
  view = Object.freeze({
    id: real.id,
    sessionId: real.sessionId,
    systemId: real.systemId,
    src: typeof real.src === "string" ? real.src : undefined,
    _parent: refView(real._parent),
    logic: config !== null && typeof config === "object" ? { config } : undefined,
    getSnapshot: () => redactSnapshot(real.getSnapshot(), instanceView),
    // What XState's own refs serialize to.
    toJSON: () => ({ xstate$$type: 1, id: real.id }),
  });
  views.set(ref, view);
  return view;
}

/** A microstep's transition as its definition shows it: state node ids, not state nodes. */
function transitionView(transition: unknown): unknown {
  if (transition === null || typeof transition !== "object") return transition;
  const t = transition as { toJSON?: unknown };
  return redactDeep(typeof t.toJSON === "function" ? (t.toJSON as () => unknown)() : { ...transition }, 0, instanceView);
}
