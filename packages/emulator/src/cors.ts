import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { EmulatorEnv } from "./context.ts";
import { CONTROL_PREFIX } from "./routes/control.ts";

/**
 * The origins a browser app may call the emulator from when none are given: a Vite dev server
 * (5173) and `vite preview` (4173), by name and by address.
 */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  "http://localhost:5173",
  "http://127.0.0.1:5173",
  "http://localhost:4173",
  "http://127.0.0.1:4173",
];

/**
 * An origin as the allow-list keeps it (`scheme://host[:port]`, no path or trailing slash), or
 * `*` (any origin). Throws on anything else.
 */
export function normalizeOrigin(value: string): string {
  if (value === "*") return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`not an origin: "${value}" (expected e.g. http://localhost:5173)`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin === "null") {
    throw new Error(`not an http(s) origin: "${value}"`);
  }
  return url.origin;
}

/**
 * CORS as Auth0 does it for a client's "Allowed Web Origins": a request whose `Origin` is on
 * the list gets `Access-Control-Allow-Origin` (that origin) and credentials, its preflight is
 * answered (204, the methods and the headers asked for); any other origin gets no CORS header
 * and its preflight meets the 404 of an unknown route. The control API never answers CORS.
 * Registered first: preflights are neither logged nor faulted.
 */
export function corsMiddleware(allowedOrigins: readonly string[]): MiddlewareHandler<EmulatorEnv> {
  const any = allowedOrigins.includes("*");
  const allowed = new Set(allowedOrigins);
  const handler = cors({
    origin: (origin) => origin,
    credentials: true,
    allowMethods: ["GET", "HEAD", "POST", "DELETE"],
    // Retry-After and the rate-limit headers are not CORS-safelisted: a browser app reads them only if exposed.
    exposeHeaders: ["Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
    maxAge: 600,
  });
  return async (c, next) => {
    const origin = c.req.header("origin");
    const control = c.req.path === CONTROL_PREFIX || c.req.path.startsWith(`${CONTROL_PREFIX}/`);
    if (control || origin === undefined || !(any || allowed.has(origin))) return next();
    return handler(c, next);
  };
}
