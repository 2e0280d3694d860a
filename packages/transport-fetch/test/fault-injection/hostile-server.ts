import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { hostileAnswer, type HandedOut, type Hostile, type Route } from "./hostile-answers.ts";
import type { Rng } from "./random.ts";

/** What the server knows of one flow, found by its mfa_token. */
export interface FlowSide {
  readonly rng: Rng;
  /** The flow's simulated time: when each request arrived. */
  readonly now: () => number;
  readonly handed: HandedOut;
  /**
   * Whether the flow still waits for a request of this route: if not, it gave up on this one (a
   * timeout) before it arrived, and it arrives late.
   */
  readonly waitsFor: (route: Route) => boolean;
  readonly received: { readonly route: Route; readonly at: number; readonly late: boolean }[];
}

export interface HostileServer {
  readonly url: string;
  /** Serves the flow whose requests carry `mfaToken`. */
  register(mfaToken: string, side: FlowSide): void;
  forget(mfaToken: string): void;
  close(): Promise<void>;
}

function routeOf(method: string, path: string, form: URLSearchParams): Route {
  if (method === "POST" && path === "/mfa/associate") return "associate";
  if (method === "GET" && path === "/mfa/authenticators") return "authenticators";
  if (method === "POST" && path === "/mfa/challenge") return "challenge";
  if (method === "POST" && path === "/oauth/token" && form.get("grant_type")?.endsWith("mfa-oob")) return "oob-grant";
  return "other";
}

/** The mfa_token a request carries: a bearer token for /mfa/*, a form field (or JSON) for the token grant. */
function mfaTokenOf(req: IncomingMessage, body: string): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
  if (bearer) return bearer;
  const form = new URLSearchParams(body).get("mfa_token");
  if (form) return form;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === "object" && "mfa_token" in parsed && typeof parsed.mfa_token === "string") return parsed.mfa_token;
  } catch {
    // not JSON: no token
  }
  return undefined;
}

/**
 * A loopback Auth0 that answers every MFA route at random, per flow, from the flow's seeded
 * generator: valid answers and every way an answer can go wrong (hostile-answers.ts).
 */
export async function startHostileServer(): Promise<HostileServer> {
  const flows = new Map<string, FlowSide>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const path = (req.url ?? "").split("?")[0] ?? "";
      const route = routeOf(req.method ?? "", path, new URLSearchParams(body));
      const side = flows.get(mfaTokenOf(req, body) ?? "");
      if (!side) {
        res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid_token"}');
        return;
      }
      side.received.push({ route, at: side.now(), late: !side.waitsFor(route) });
      answer(req, res, hostileAnswer(side.rng, route, side.handed, Math.floor(Date.now() / 1000)));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    register: (mfaToken, side) => void flows.set(mfaToken, side),
    forget: (mfaToken) => void flows.delete(mfaToken),
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(req: IncomingMessage, res: ServerResponse, hostile: Hostile): void {
  res.on("error", () => undefined);
  // One request per connection: a connection another flow's fault left half-read is never reused.
  res.shouldKeepAlive = false;
  switch (hostile.kind) {
    case "hang":
      return;
    case "reset":
      req.socket.destroy();
      return;
    case "truncated":
      // Declares the whole length, sends part of it, then closes: the client reads a cut body.
      res.writeHead(hostile.status, { "content-type": "application/json", "content-length": String(hostile.body.length * 2) });
      res.write(hostile.body);
      setImmediate(() => req.socket.destroy());
      return;
    case "huge": {
      res.writeHead(hostile.status, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, "a");
      let left = hostile.bytes;
      const pump = (): void => {
        while (left > 0 && !res.destroyed) {
          left -= chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
        res.end();
      };
      res.write('{"error":"');
      pump();
      return;
    }
    case "answer":
      res.writeHead(hostile.status, { ...hostile.headers, "content-length": String(Buffer.byteLength(hostile.body)) });
      res.end(hostile.body);
  }
}
