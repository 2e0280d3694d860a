import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What the server answers to one request. */
export interface CannedAnswer {
  /** Default 200. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string or bytes as is; anything else as JSON (with a JSON content-type unless one is set). */
  readonly body?: unknown;
  /**
   * How the answer misbehaves:
   * - `hang`: never answer (the socket stays open until the client gives up);
   * - `drop`: destroy the connection as soon as the request arrived;
   * - `drop-mid-body`: send the head and half the body, then destroy the connection;
   * - `stall-body`: send the head and half the body, then nothing more;
   * - `endless`: stream the body in 64 KiB chunks until the client goes away.
   */
  readonly mode?: "hang" | "drop" | "drop-mid-body" | "stall-body" | "endless";
}

export type Responder = (request: RecordedRequest) => CannedAnswer;

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** The raw request target, undecoded (so `%7C` stays `%7C`). */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Answers `METHOD /path` (raw path, query ignored) with a canned answer or a responder. */
  on(method: string, path: string, answer: CannedAnswer | Responder): void;
  /** Answers every request that has no route. Default: 404 `{"error":"not_found"}`. */
  otherwise(answer: CannedAnswer | Responder): void;
  /** Forgets routes and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

/**
 * A small HTTP server on 127.0.0.1 (port 0) for transport tests: canned status, headers and
 * bodies per route, a few ways to misbehave, and a record of what it received.
 */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const routes = new Map<string, CannedAnswer | Responder>();
  const notFound: CannedAnswer = { status: 404, body: { error: "not_found", error_description: "no route" } };
  let fallback: CannedAnswer | Responder = notFound;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      const route = routes.get(`${recorded.method} ${recorded.path.split("?")[0] ?? ""}`) ?? fallback;
      const answer = typeof route === "function" ? route(recorded) : route;
      try {
        respond(req, res, answer);
      } catch {
        // A status or header node refuses: drop the connection, the client must cope.
        req.socket.destroy();
      }
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // The client cancelling a body makes our writes fail; that is expected here.
    socket.on("error", () => undefined);
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    on(method, path, answer) {
      routes.set(`${method.toUpperCase()} ${path}`, answer);
    },
    otherwise(answer) {
      fallback = answer;
    },
    reset() {
      routes.clear();
      fallback = notFound;
      requests.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function respond(req: IncomingMessage, res: ServerResponse, answer: CannedAnswer): void {
  res.on("error", () => undefined);
  if (answer.mode === "hang") return;
  if (answer.mode === "drop") {
    req.socket.destroy();
    return;
  }
  const headers: Record<string, string> = { ...answer.headers };
  const body = encodeBody(answer.body, headers);
  // A complete answer declares its length, as Auth0's do; the misbehaving modes stream chunked.
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  if (answer.mode === undefined && !names.includes("content-length") && !names.includes("transfer-encoding")) {
    headers["content-length"] = String(body.length);
  }
  res.writeHead(answer.status ?? 200, headers);
  switch (answer.mode) {
    case "drop-mid-body":
      res.write(body.subarray(0, Math.ceil(body.length / 2)));
      setTimeout(() => req.socket.destroy(), 20);
      return;
    case "stall-body":
      res.write(body.subarray(0, Math.ceil(body.length / 2)));
      return;
    case "endless":
      streamForever(res);
      return;
    default:
      res.end(body);
  }
}

function encodeBody(body: unknown, headers: Record<string, string>): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
    headers["content-type"] = "application/json";
  }
  return Buffer.from(JSON.stringify(body), "utf8");
}

function streamForever(res: ServerResponse): void {
  const chunk = Buffer.alloc(64 * 1024, "a");
  let open = true;
  res.on("close", () => {
    open = false;
  });
  const pump = (): void => {
    while (open && res.write(chunk)) {
      // keep writing until the socket asks us to wait
    }
    if (open) res.once("drain", pump);
  };
  pump();
}
