/**
 * The back-end for the page: it runs the flows with @pushflow/server and tells the browser how
 * they stand. Tokens never leave it: the browser learns the outcome's name, and the app makes its
 * session from the tokens here (`onSignedIn`).
 */
import { readFileSync } from "node:fs";
import { Hono } from "hono";
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

const FLOW_COOKIE = "pushflow_flow";
const page = readFileSync(new URL("../public/index.html", import.meta.url), "utf8");

export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const cookie = { httpOnly: true, sameSite: "Strict", path: "/flows", secure: options.secureCookies ?? false } as const;

  app.use(async (c, next) => {
    await next();
    if (options.instance) c.header("x-instance", options.instance);
    c.header("cache-control", "no-store");
  });

  app.get("/", (c) => c.html(page));

  app.post("/flows", async (c) => {
    const body = await c.req.json<Record<string, unknown>>().catch(() => ({}) as Record<string, unknown>);
    const { kind, username, password } = body;
    if ((kind !== "enroll" && kind !== "challenge") || !text(username) || !text(password)) {
      return c.json({ error: "send kind (enroll or challenge), username and password" }, 400);
    }
    const answer = await options.flows.start(kind, { username, password });
    // The flow id is a capability: only this browser may advance the flow.
    setCookie(c, FLOW_COOKIE, answer.flowId, cookie);
    return c.json(await toBrowser(answer));
  });

  app.post("/flows/:id/advance", async (c) => {
    const flowId = c.req.param("id");
    if (getCookie(c, FLOW_COOKIE) !== flowId) return c.json({ error: "this flow was started in another browser" }, 403);
    const body = await c.req.json<{ event?: unknown }>().catch(() => ({ event: undefined }));
    try {
      return c.json(await toBrowser(await options.flows.advance(flowId, body.event)));
    } catch (error) {
      if (isPushflowError(error) && error.code === "bad_input") return c.json({ error: error.message }, 400);
      throw error;
    }
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

function withQr(view: ServerView): ServerView & { qrSvg?: string } {
  return "qr" in view && view.qr ? { ...view, qrSvg: renderSVG(view.qr.barcodeUri) } : view;
}

function text(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= 256;
}
