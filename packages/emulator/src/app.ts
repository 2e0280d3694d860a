import { Hono, type Context } from "hono";
import { GRANTS } from "@pushflow/tenant";
import type { EmulatorContext, EmulatorEnv } from "./context.ts";
import { corsMiddleware, DEFAULT_ALLOWED_ORIGINS } from "./cors.ts";
import type { Fault } from "./faults.ts";
import { field, json, oauthError, readBody } from "./http.ts";
import { routeLabel, shortGrant } from "./request-log.ts";
import { CONTROL_PREFIX, controlRoutes } from "./routes/control.ts";
import { mfaRoutes } from "./routes/mfa.ts";
import { tokenRoute } from "./routes/token.ts";
import { wellKnownRoutes } from "./routes/well-known.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The answer a fault puts in place of the real one. */
function faultResponse(c: Context<EmulatorEnv>, fault: Fault): Response | undefined {
  if (fault.drop === true) {
    const socket = c.env?.incoming?.socket;
    // Without a socket (app.request in a test) the nearest thing is a failed request.
    if (socket === undefined) throw new Error("emulated dropped connection");
    socket.destroy();
    return new Response(null, { status: 204 });
  }
  if (fault.malformed === true) {
    return new Response('{"access_token":"eyJhbGciOiJSUzI1NiIs', { status: 200, headers: { "content-type": "application/json" } });
  }
  if (fault.status === 502) {
    return new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", { status: 502, headers: { "content-type": "text/html" } });
  }
  if (fault.status === 429) {
    // A rate limit as Auth0 sends it: a 429 `server_error` would read as a 5xx-style failure, not a rate limit.
    return oauthError(429, "too_many_requests", "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.");
  }
  if (fault.status !== undefined) return oauthError(fault.status, "server_error", "Internal server error");
  return undefined;
}

/**
 * The emulator's HTTP face: Auth0's routes over the shared tenant, the JWKS, and the control
 * API. Every Auth0 request is logged and may meet a fault first.
 */
export function createApp(
  ctx: EmulatorContext,
  seed: unknown,
  options: { readonly allowedOrigins?: readonly string[] } = {},
): Hono<EmulatorEnv> {
  const app = new Hono<EmulatorEnv>();

  app.use("*", corsMiddleware(options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS));

  // Auth0's token endpoint answers `application/json` without a charset (live capture); the
  // /mfa routes add `; charset=utf-8`. Faults on the route get the same header.
  app.use("/oauth/token", async (c, next) => {
    await next();
    if (c.res.headers.get("content-type")?.startsWith("application/json") === true) c.res.headers.set("content-type", "application/json");
  });

  app.use("*", async (c, next) => {
    const method = c.req.method;
    const parsed = method === "GET" || method === "HEAD" ? { ok: true as const, body: {} } : await readBody(c);
    c.set("body", parsed.ok ? parsed.body : {});
    c.set("bodyError", parsed.ok ? undefined : parsed.reason);
    c.set("logEntry", undefined);
    if (c.req.path === CONTROL_PREFIX || c.req.path.startsWith(`${CONTROL_PREFIX}/`)) return next();

    const path = c.req.path;
    const route = routeLabel(method, path);
    const entry = ctx.requests.add({ at: ctx.tenant.now(), method, route, path });
    const grantType = path === "/oauth/token" ? field(c.get("body"), "grant_type") : undefined;
    if (grantType !== undefined) {
      entry.grantType = shortGrant(grantType);
      if (grantType === GRANTS.mfaOob) entry.oobCode = field(c.get("body"), "oob_code");
    }
    c.set("logEntry", entry);

    const fault = ctx.faults.take(method, route, grantType);
    if (fault !== undefined) entry.fault = fault.id;
    if (fault?.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs);
    if (fault !== undefined && fault.when !== "after") {
      const replaced = faultResponse(c, fault);
      if (replaced !== undefined) {
        entry.status = fault.drop === true ? 0 : replaced.status;
        return replaced;
      }
    }
    if (!parsed.ok) {
      entry.status = 400;
      return oauthError(400, "invalid_request", parsed.reason);
    }
    await next();
    if (fault !== undefined && fault.when === "after") {
      const replaced = faultResponse(c, fault);
      if (replaced !== undefined) c.res = replaced;
    }
    entry.status = fault?.drop === true ? 0 : c.res.status;
    return undefined;
  });

  tokenRoute(app, ctx);
  mfaRoutes(app, ctx);
  wellKnownRoutes(app, ctx);
  controlRoutes(app, ctx, seed);

  app.notFound((c) => json({ error: "not_found", error_description: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    const entry = c.get("logEntry");
    if (entry !== undefined) entry.status = 500;
    return json({ error: "server_error", error_description: error.message === "emulated dropped connection" ? error.message : "Internal server error" }, 500);
  });
  return app;
}
