/** One request to an Auth0 route (the control API is not logged). */
export interface RequestLogEntry {
  /** On the tenant clock. */
  readonly at: number;
  readonly method: string;
  /** `POST /oauth/token`, `DELETE /mfa/authenticators/:id`, … */
  readonly route: string;
  readonly path: string;
  /** Token requests: the grant, shortened (`mfa-oob`, `password`, …). */
  grantType: string | undefined;
  /** mfa-oob polls: the oob_code (the control API is a test tool; the log stays in memory). */
  oobCode: string | undefined;
  status: number | undefined;
  /** The id of the fault that hit this request. */
  fault: string | undefined;
}

export interface RequestSummary {
  readonly total: number;
  readonly byRoute: Readonly<Record<string, number>>;
  readonly byGrant: Readonly<Record<string, number>>;
  readonly byOobCode: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
}

/** Shortens Auth0's grant URIs: `http://auth0.com/oauth/grant-type/mfa-oob` → `mfa-oob`. */
export function shortGrant(grantType: string): string {
  return grantType.replace(/^http:\/\/auth0\.com\/oauth\/grant-type\//, "");
}

/** The request log, with the counts tests assert on (polls per oob_code, requests per route). */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];

  add(entry: Omit<RequestLogEntry, "grantType" | "oobCode" | "status" | "fault">): RequestLogEntry {
    const full: RequestLogEntry = { ...entry, grantType: undefined, oobCode: undefined, status: undefined, fault: undefined };
    this.entries.push(full);
    return full;
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** How many requests match every given criterion. */
  count(filter: { readonly route?: string; readonly grantType?: string; readonly oobCode?: string; readonly status?: number } = {}): number {
    return this.entries.filter(
      (e) =>
        (filter.route === undefined || e.route === filter.route) &&
        (filter.grantType === undefined || e.grantType === shortGrant(filter.grantType)) &&
        (filter.oobCode === undefined || e.oobCode === filter.oobCode) &&
        (filter.status === undefined || e.status === filter.status),
    ).length;
  }

  summary(): RequestSummary {
    const tally = (key: (e: RequestLogEntry) => string | undefined) => {
      const out: Record<string, number> = {};
      for (const e of this.entries) {
        const k = key(e);
        if (k !== undefined) out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    return {
      total: this.entries.length,
      byRoute: tally((e) => e.route),
      byGrant: tally((e) => e.grantType),
      byOobCode: tally((e) => e.oobCode),
      byStatus: tally((e) => (e.status === undefined ? undefined : String(e.status))),
    };
  }
}

/** The route label of a request: the path, with the authenticator id of DELETE as `:id`. */
export function routeLabel(method: string, path: string): string {
  if (path.startsWith("/mfa/authenticators/")) return `${method} /mfa/authenticators/:id`;
  return `${method} ${path}`;
}
