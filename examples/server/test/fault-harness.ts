/**
 * What the fault tests share: a recording proxy in front of the emulator (when each push went
 * out, per oob_code), a browser with a cookie jar, instances as child processes (the built
 * example, `kill -9`-able) or in this process, and the figures each fault prints.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { RunningEmulator } from "@pushflow/emulator";

export const INTERVAL_MS = 5_000;
/** Timing slack of a real clock between an instance, the proxy and the emulator. */
const SLACK_MS = 150;
export const CLIENT = { clientId: "pushflow-confidential", clientSecret: "pushflow-demo-secret" };

/** Forwards to the emulator and notes when each push's oob_code was handed out. */
export interface RecordingProxy {
  readonly url: string;
  /** When each push's oob_code was handed out (ms, system clock). */
  readonly pushedAt: Map<string, number>;
  /** Called with each poll's answer before it is passed on (a test may kill its caller then). */
  readonly hook: { pollAnswered: ((ok: boolean) => void) | undefined };
  close(): Promise<void>;
}

export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const pushedAt = new Map<string, number>();
  const hook: RecordingProxy["hook"] = { pollAnswered: undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string" && name !== "host" && name !== "content-length") headers.set(name, value);
      try {
        const answer = await fetch(`${target}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, ...(body.length > 0 ? { body } : {}) });
        const text = await answer.text();
        if (req.url === "/mfa/challenge" && answer.ok) {
          const oob = (JSON.parse(text) as { oob_code?: string }).oob_code;
          if (oob) pushedAt.set(oob, Date.now());
        }
        if (req.url === "/oauth/token" && body.toString().includes("mfa-oob")) hook.pollAnswered?.(answer.ok);
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
        res.end(text);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  // Longer than the clients' keep-alive (undici: 4 s): an idle connection is never closed under a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, pushedAt, hook, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export type Endpoint = (path: string, init: RequestInit) => Promise<Response>;

/** A browser: its own cookie jar (the binding cookie), JSON in and out. */
export function browser() {
  let cookie = "";
  return {
    cookie: () => cookie,
    async post(endpoint: Endpoint, path: string, body: unknown, extraCookie?: string): Promise<{ status: number; body: Record<string, unknown> }> {
      const response = await endpoint(path, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: extraCookie ?? cookie },
        body: JSON.stringify(body),
      });
      const set = response.headers.get("set-cookie");
      if (set && extraCookie === undefined) cookie = set.split(";")[0] ?? "";
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = { error: text };
      }
      return { status: response.status, body: parsed };
    },
  };
}

/** The built example (`pnpm build`), run as an operator would: one process per instance. */
export interface ChildInstance {
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly alive: boolean;
  kill9(): void;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("../dist/main.mjs", import.meta.url));

export async function startChild(name: string, env: Record<string, string>): Promise<ChildInstance> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the example first (pnpm build, or turbo run build --filter=@pushflow/example-server...)`);
  const child: ChildProcess = spawn(process.execPath, [MAIN], { env: { ...process.env, PORT: "0", INSTANCE: name, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let alive = true;
  child.once("exit", () => (alive = false));
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /example on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`instance ${name} exited with ${code}:\n${output}`)));
  });
  return {
    name,
    endpoint: (path, init) => fetch(`${url}${path}`, init),
    get alive() {
      return alive;
    },
    kill9: () => void child.kill("SIGKILL"),
    stop: async () => {
      if (!alive) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

export interface Figures {
  readonly fault: string;
  readonly flows: number;
  readonly right: number;
  /** Ended failed with core's words for an approval lost with a dead instance ("Sign in again"). */
  readonly lostTold: number;
  /** Wrong or missing outcomes, lost without a word: must be 0. */
  readonly lostSilent: number;
  readonly duplicatePolls: number;
  readonly earlyPolls: number;
  readonly slowDowns: number;
  readonly extra?: string;
}

/** Polls per oob_code from the emulator's log: two within one interval, or one sooner than one interval after its push. */
export function pollFigures(emulator: RunningEmulator, pushedAt: ReadonlyMap<string, number>, codes: ReadonlySet<string>) {
  const byCode = new Map<string, number[]>();
  let slowDowns = 0;
  for (const entry of emulator.requests.entries) {
    if (entry.grantType !== "mfa-oob" || entry.oobCode === undefined || !codes.has(entry.oobCode)) continue;
    byCode.set(entry.oobCode, [...(byCode.get(entry.oobCode) ?? []), entry.at]);
    if (entry.status === 429) slowDowns++;
  }
  let duplicatePolls = 0;
  let earlyPolls = 0;
  for (const [code, times] of byCode) {
    times.sort((a, b) => a - b);
    const pushed = pushedAt.get(code);
    if (pushed !== undefined && (times[0] ?? pushed) - pushed < INTERVAL_MS - SLACK_MS) earlyPolls++;
    for (let i = 1; i < times.length; i++) if ((times[i] ?? 0) - (times[i - 1] ?? 0) < INTERVAL_MS - SLACK_MS) duplicatePolls++;
  }
  return { duplicatePolls, earlyPolls, slowDowns };
}

export function print(f: Figures): void {
  console.log(
    `server fault ${f.fault}: ${f.flows} flows, right outcomes ${f.right}/${f.flows}, duplicate polls ${f.duplicatePolls}, early polls ${f.earlyPolls}, ` +
      `slow_down ${f.slowDowns}, lost outcomes ${f.lostSilent} (and ${f.lostTold} told "answer lost, sign in again")${f.extra ? `, ${f.extra}` : ""}`,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The words core gives an approval whose answer was lost with the step that redeemed it. */
export const LOST_WORDS = /answer was lost.*Sign in again/;
