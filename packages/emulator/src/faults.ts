import { shortGrant } from "./request-log.ts";

/** A fault to inject into matching requests of the Auth0 routes. */
export interface FaultSpec {
  /**
   * Which requests: `POST /oauth/token`, `/mfa/challenge` (any method),
   * `DELETE /mfa/authenticators/:id`, or `*` (every Auth0 route).
   */
  readonly route: string;
  /** Token requests only: this grant (`mfa-oob` or the full URI). */
  readonly grantType?: string;
  /** Wait this long (real time) before handling the request. */
  readonly delayMs?: number;
  /** Answer this status instead (502 as an HTML gateway page, 429 as `too_many_requests`, others as JSON `server_error`). */
  readonly status?: number;
  /** Close the connection without an answer. */
  readonly drop?: boolean;
  /** Answer 200 with a truncated JSON body. */
  readonly malformed?: boolean;
  /** How many matching requests it hits; default every one. */
  readonly times?: number;
  /**
   * `before` (default): the request never reaches the tenant, so nothing changes.
   * `after`: the tenant handles it, then the answer is lost or garbled.
   */
  readonly when?: "before" | "after";
}

export interface Fault extends FaultSpec {
  readonly id: string;
  /** Requests hit so far. */
  hits: number;
}

/** Checks a spec from the control API or the options; a reason when it is unusable. */
export function faultProblem(spec: FaultSpec): string | undefined {
  if (typeof spec.route !== "string" || spec.route.trim() === "") return "route is required";
  if (spec.delayMs === undefined && spec.status === undefined && spec.drop !== true && spec.malformed !== true) {
    return "a fault needs delayMs, status, drop or malformed";
  }
  if (spec.status !== undefined && (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)) {
    return "status must be an HTTP status";
  }
  if (spec.delayMs !== undefined && (!Number.isFinite(spec.delayMs) || spec.delayMs < 0)) return "delayMs must be ≥ 0";
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) return "times must be ≥ 1";
  if (spec.when !== undefined && spec.when !== "before" && spec.when !== "after") return "when must be before or after";
  return undefined;
}

function routeMatches(pattern: string, method: string, route: string): boolean {
  const p = pattern.trim();
  if (p === "*") return true;
  const [routeMethod = "", routePath = ""] = route.split(" ");
  const space = p.indexOf(" ");
  if (space < 0) return p === routePath;
  const m = p.slice(0, space).toUpperCase();
  const path = p.slice(space + 1).trim();
  return (m === "*" || m === method.toUpperCase() || m === routeMethod) && (path === "*" || path === routePath);
}

/** The faults in force; the first match wins and uses up one of its `times`. */
export class FaultStore {
  private faults: Fault[] = [];
  private next = 1;

  add(spec: FaultSpec): Fault {
    const problem = faultProblem(spec);
    if (problem !== undefined) throw new Error(`invalid fault: ${problem}`);
    const fault: Fault = { ...spec, id: `fault-${this.next++}`, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  /** The fault for this request, counted as a hit; spent faults are removed. */
  take(method: string, route: string, grantType: string | undefined): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        routeMatches(f.route, method, route) &&
        (f.grantType === undefined || (grantType !== undefined && shortGrant(f.grantType) === shortGrant(grantType))),
    );
    if (fault === undefined) return undefined;
    fault.hits++;
    if (fault.times !== undefined && fault.hits >= fault.times) this.remove(fault.id);
    return fault;
  }
}
