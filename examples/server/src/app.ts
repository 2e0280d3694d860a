/**
 * The back-end for the page: it runs the flows with @pushflow/server and tells the browser how
 * they stand. Tokens never leave it: the browser learns the outcome's name, and the app makes its
 * session from the tokens here (`onSignedIn`).
 */
import { readFileSync } from "node:fs";
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie, setCookie } from "hono/cookie";
import { renderSVG } from "uqr";
import { isPushflowError, type FlowKind, type FlowOutput } from "@pushflow/core";
import type { FlowAnswer, FlowServer, ServerView } from "@pushflow/server";

export interface AppOptions {
  readonly flows: FlowServer;
  /** Where the app makes its session from the tokens (they stay on the server). */
  readonly onSignedIn?: (output: FlowOutput, flowId: string) => void | Promise<void>;
  /** Names this instance in the `x-instance` header, to see the load balancer at work. */
  readonly instance?: string;
  /** Cookies with `Secure` (behind HTTPS); default false for the loopback demo. */
  readonly secureCookies?: boolean;
  /** Where failures are logged (one line, no stack, no secret); default console.error. */
  readonly log?: (message: string) => void;
}

/** What the browser gets: the view and the outcome's name, never a token. */
export interface BrowserAnswer {
  readonly status: FlowAnswer["status"];
  readonly flowId: string;
  readonly flow?: FlowKind;
  readonly view?: ServerView & { readonly qrSvg?: string };
  readonly retryAfterMs?: number;
  readonly recoveryCodes?: readonly string[];
  readonly outcome?: string;
  readonly reason?: string;
  /** The recovery code that replaces a used one: the user must see it, once. */
  readonly newRecoveryCode?: string;
  readonly signedIn?: boolean;
}

/** Holds the flow's binding (never its id): the secret that proves this is the browser that started it. */
const BINDING_COOKIE = "pushflow_binding";
/** The largest body a route reads: a start is a username and a password, an event a code. */
const MAX_BODY_BYTES = 4_096;
/** How soon a browser should ask again after a 503 (the store is down, or this instance cannot open the flow). */
const RETRY_AFTER_S = 2;
const page = readFileSync(new URL("../public/index.html", import.meta.url), "utf8");

export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const cookie = { httpOnly: true, sameSite: "Strict", path: "/flows", secure: options.secureCookies ?? false } as const;

  const log = options.log ?? ((message: string) => console.error(message));

  app.use(async (c, next) => {
    await next();
    if (options.instance) c.header("x-instance", options.instance);
    c.header("cache-control", "no-store");
  });
  // Counted as the body streams in: a huge body is refused, never read whole.
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: `the body is larger than ${MAX_BODY_BYTES} bytes` }, 413) });
  app.use("/flows", limit);
  app.use("/flows/*", limit);

  app.onError((error, c) => {
    if (isPushflowError(error) && error.code === "bad_input") return c.json({ error: error.message }, 400);
    // The store is down or slow (server_error), or the flow is sealed with a key this instance
    // lacks (misconfigured): another try, maybe on another instance, may work.
    if (isPushflowError(error) && (error.code === "server_error" || error.code === "misconfigured")) {
      log(`pushflow example: ${c.req.method} ${c.req.routePath}: ${error.code}: ${error.message}`);
      c.header("retry-after", String(RETRY_AFTER_S));
      return c.json({ error: "the service is unavailable for a moment; try again", retryAfterMs: RETRY_AFTER_S * 1_000 }, 503);
    }
    log(`pushflow example: ${c.req.method} ${c.req.routePath}: ${error instanceof Error ? `${error.name}: ${error.message}` : "failure"}`);
    return c.json({ error: "internal error" }, 500);
  });

  app.get("/", (c) => c.html(page));

  app.post("/flows", async (c) => {
    const body = await jsonBody(c);
    if (body === undefined) return c.json({ error: "the body is not a JSON object" }, 400);
    const { kind, username, password } = body;
    if ((kind !== "enroll" && kind !== "challenge") || !text(username) || !text(password)) {
      return c.json({ error: "send kind (enroll or challenge), username and password" }, 400);
    }
    const answer = await options.flows.start(kind, { username, password });
    // The flow id shows in URLs; the binding only in this HttpOnly cookie. Advancing needs both.
    if (answer.status === "pending" && answer.binding) setCookie(c, BINDING_COOKIE, answer.binding, cookie);
    return c.json(await toBrowser(answer));
  });

  app.post("/flows/:id/advance", async (c) => {
    const body = await jsonBody(c, true);
    if (body === undefined) return c.json({ error: "the body is not a JSON object" }, 400);
    const binding = getCookie(c, BINDING_COOKIE);
    const answer = await options.flows.advance(c.req.param("id"), body["event"], binding === undefined ? {} : { binding });
    return c.json(await toBrowser(answer));
  });

  async function toBrowser(answer: FlowAnswer): Promise<BrowserAnswer> {
    switch (answer.status) {
      case "pending":
      case "busy":
        return {
          status: answer.status,
          flowId: answer.flowId,
          flow: answer.flow,
          view: withQr(answer.view),
          ...(answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs }),
          ...("recoveryCodes" in answer && answer.recoveryCodes ? { recoveryCodes: answer.recoveryCodes } : {}),
        };
      case "done": {
        const output = answer.outcome;
        const signedIn = output.outcome === "approved" || output.outcome === "enrolled";
        if (signedIn) await options.onSignedIn?.(output, answer.flowId);
        return {
          status: "done",
          flowId: answer.flowId,
          flow: answer.flow,
          outcome: output.outcome,
          reason: output.reason,
          signedIn,
          ...("newRecoveryCode" in output && output.newRecoveryCode ? { newRecoveryCode: output.newRecoveryCode } : {}),
          ...(answer.recoveryCodes ? { recoveryCodes: answer.recoveryCodes } : {}),
        };
      }
      case "reported":
        return { status: "reported", flowId: answer.flowId, flow: answer.flow, outcome: answer.outcome, reason: answer.reason };
      case "gone":
        return { status: "gone", flowId: answer.flowId };
    }
  }

  return app;
}

/** The body as an object; `{}` for an empty one when `emptyIsNothing`; undefined when it is not JSON or not an object. */
async function jsonBody(c: Context, emptyIsNothing = false): Promise<Record<string, unknown> | undefined> {
  const raw = await c.req.text();
  if (raw.trim() === "") return emptyIsNothing ? {} : undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function withQr(view: ServerView): ServerView & { qrSvg?: string } {
  return "qr" in view && view.qr ? { ...view, qrSvg: renderSVG(view.qr.barcodeUri) } : view;
}

function text(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= 256;
}
