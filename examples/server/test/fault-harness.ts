/**
 * What the fault tests share: Auth0 (the emulator and a recording proxy per instance, noting when
 * each push went out and each poll was sent) in a process of its own, a browser with a cookie
 * jar, instances as child processes (the built example, `kill -9`-able) or in this process, and
 * the figures each fault prints.
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const INTERVAL_MS = 5_000;
/** Timing slack of a real clock between an instance, the proxy and the emulator. */
const SLACK_MS = 150;
export const CLIENT = { clientId: "pushflow-confidential", clientSecret: "pushflow-demo-secret" };

/**
 * A poll as the recording proxy saw it: which instance sent it, its call number and when it was
 * sent (call-preload.mjs), and when its answer came back.
 */
export interface SeenPoll {
  readonly via: string;
  readonly oob: string;
  readonly call: string | undefined;
  readonly sentAt: number | undefined;
  readonly arrived: number;
  readonly status: number | undefined;
  readonly answered: number | undefined;
}

/** What the Auth0 process knows about some oob_codes' polls. */
export interface PollLog {
  readonly pushedAt: readonly [string, number][];
  /** As the emulator logged them (its clock: when each poll reached it). */
  readonly logged: readonly { readonly oob: string; readonly at: number; readonly status: number | undefined }[];
  readonly seen: readonly SeenPoll[];
  /** The user each oob_code was pushed to. */
  readonly users: readonly [string, string][];
}

/**
 * Auth0 in a process of its own (auth0-process.mjs: the built emulator, and a recording proxy in
 * front of it per instance), driven over IPC.
 */
export interface Auth0 {
  /** The proxy for in-process instances. */
  readonly url: string;
  /** A proxy of its own for an instance, so each poll is known by its sender. */
  proxyFor(via: string): Promise<string>;
  /** Users with the password "pw", whose phone approves `answerAfterMs` after each push. */
  users(users: readonly { readonly username: string; readonly answerAfterMs: number }[]): Promise<void>;
  /** The oob_codes of every push handed out so far. */
  pushedCodes(): Promise<string[]>;
  polls(codes: readonly string[]): Promise<PollLog>;
  /** `kill -9` of `pid` as the emulator answers the `after`th approved poll from now, before that answer is passed on. */
  killOnApprovedPoll(pid: number, after: number): Promise<void>;
  /** When the kill was done (ms), or 0. */
  readonly killedAt: number;
  close(): Promise<void>;
}

const AUTH0_PROCESS = fileURLToPath(new URL("./auth0-process.mjs", import.meta.url));

export async function startAuth0(): Promise<Auth0> {
  const child = fork(AUTH0_PROCESS, [], { execArgv: [], env: { ...process.env, INTERVAL_MS: String(INTERVAL_MS) }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let lastId = 0;
  let killedAt = 0;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the Auth0 process did not start (is @pushflow/emulator built? pnpm build)")), 20_000);
    child.once("exit", (code) => reject(new Error(`the Auth0 process exited with ${code} (is @pushflow/emulator built? pnpm build)`)));
    child.on("message", (message: { event?: string; url?: string; at?: number; id?: number; value?: unknown; error?: string }) => {
      if (message.event === "ready") {
        clearTimeout(timer);
        resolve(message.url ?? "");
      } else if (message.event === "killed") killedAt = message.at ?? Date.now();
      else if (message.id !== undefined) {
        const call = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.error !== undefined) call?.reject(new Error(message.error));
        else call?.resolve(message.value);
      }
    });
  });
  const call = <T>(op: string, args?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = ++lastId;
      waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, op, args });
    });
  return {
    url,
    proxyFor: (via) => call("proxy", { via }),
    users: (users) => call("users", { users }),
    pushedCodes: () => call("pushedCodes"),
    polls: (codes) => call("polls", { codes }),
    killOnApprovedPoll: (pid, after) => call("killOnApprovedPoll", { pid, after }),
    get killedAt() {
      return killedAt;
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.disconnect();
      await exited;
    },
  };
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
  readonly pid: number;
  /** Its calls whose answer it did not read to the end (call-preload.mjs says so on stderr). */
  readonly gaveUp: ReadonlySet<string>;
  readonly endpoint: Endpoint;
  readonly alive: boolean;
  kill9(): void;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL("../dist/main.mjs", import.meta.url));
const CALL_PRELOAD = fileURLToPath(new URL("./call-preload.mjs", import.meta.url));

export async function startChild(name: string, env: Record<string, string>): Promise<ChildInstance> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the example first (pnpm build, or turbo run build --filter=@pushflow/example-server...)`);
  const child: ChildProcess = spawn(process.execPath, ["--import", CALL_PRELOAD, MAIN], { env: { ...process.env, PORT: "0", INSTANCE: name, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let alive = true;
  child.once("exit", () => (alive = false));
  const gaveUp = new Set<string>();
  let partial = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line.startsWith("PUSHFLOW_GAVE_UP ")) gaveUp.add(line.slice("PUSHFLOW_GAVE_UP ".length).trim());
  });
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
    pid: child.pid ?? 0,
    gaveUp,
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
  /** Ended failed with core's words for an approval whose answer was lost ("Sign in again"). */
  readonly lostTold: number;
  /** Wrong or missing outcomes, lost without a word: must be 0. */
  readonly lostSilent: number;
  readonly duplicatePolls: number;
  readonly earlyPolls: number;
  readonly slowDowns: number;
  /**
   * Polls Auth0 answered whose sender never read the answer (its timeout or a dropped connection;
   * child instances only: call-preload.mjs). Not a fault of the server's rules, but what turns an
   * approval into a lost one; printed so that a loss is explained by what happened, not guessed at.
   */
  readonly unheardAnswers: number;
  readonly extra?: string;
}

/** Whether the instance `via` said it never read the answer of its call `call`. */
export type GaveUp = (via: string, call: string | undefined) => boolean;

/** `gaveUp` over child instances. */
export const gaveUpOf =
  (children: readonly ChildInstance[]): GaveUp =>
  (via, call) =>
    call !== undefined && children.some((c) => c.name === via && c.gaveUp.has(call));

/**
 * Polls per oob_code from the emulator's log (when each reached it): two within one interval, or
 * one sooner than one interval after its push.
 */
export function pollFigures(log: PollLog, gaveUp: GaveUp = () => false) {
  const pushedAt = new Map(log.pushedAt);
  const byCode = new Map<string, number[]>();
  let slowDowns = 0;
  for (const entry of log.logged) {
    byCode.set(entry.oob, [...(byCode.get(entry.oob) ?? []), entry.at]);
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
  const unheardAnswers = log.seen.filter((p) => p.status !== undefined && gaveUp(p.via, p.call)).length;
  return { duplicatePolls, earlyPolls, slowDowns, unheardAnswers };
}

/**
 * Why each flow that did not end approved lost its approval, from the polls of its pushes: a poll
 * the killed instance sent that Auth0 answered with the tokens (lost with the process), or one
 * answered with the tokens whose sender never read the answer (lost in transit); anything else
 * (an instance read the tokens and the flow still lost them) is listed as unexplained.
 */
export function explainLosses(log: PollLog, flows: readonly { readonly username: string; readonly outcome?: string }[], killed: string | undefined, gaveUp: GaveUp) {
  const codesOf = new Map<string, string[]>();
  for (const [code, username] of log.users) codesOf.set(username, [...(codesOf.get(username) ?? []), code]);
  const redeemed = new Map<string, SeenPoll>();
  for (const poll of log.seen) if (poll.status === 200) redeemed.set(poll.oob, poll);
  let withKilled = 0;
  let inTransit = 0;
  const unexplained: string[] = [];
  for (const flow of flows) {
    if (flow.outcome === "approved") continue;
    const polls = (codesOf.get(flow.username) ?? []).map((code) => redeemed.get(code)).filter((p): p is SeenPoll => p !== undefined);
    if (polls.some((p) => p.via === killed)) withKilled++;
    else if (polls.some((p) => gaveUp(p.via, p.call))) inTransit++;
    else unexplained.push(flow.username);
  }
  return { withKilled, inTransit, unexplained };
}

export function print(f: Figures): void {
  console.log(
    `server fault ${f.fault}: ${f.flows} flows, right outcomes ${f.right}/${f.flows}, duplicate polls ${f.duplicatePolls}, early polls ${f.earlyPolls}, ` +
      `slow_down ${f.slowDowns}, lost outcomes ${f.lostSilent} (and ${f.lostTold} told "answer lost, sign in again"), ` +
      `poll answers their sender never read ${f.unheardAnswers}${f.extra ? `, ${f.extra}` : ""}`,
  );
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The words core gives an approval whose answer was lost with the step that redeemed it. */
export const LOST_WORDS = /answer was lost.*Sign in again/;
