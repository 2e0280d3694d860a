import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

/**
 * The tests' Redis: `PUSHFLOW_TEST_REDIS_URL` when set (e.g. redis://127.0.0.1:6379), otherwise a
 * `redis-server` this process spawns on a free loopback port, without persistence, and stops.
 * Without either: the suites are skipped locally, and fail with a clear message in CI.
 */
export const REDIS_URL_VARIABLE = "PUSHFLOW_TEST_REDIS_URL";

const givenUrl = process.env[REDIS_URL_VARIABLE];
const installed = givenUrl !== undefined || spawnSync("redis-server", ["--version"]).error === undefined;

/** True when the Redis suites must be skipped: no Redis and not in CI. */
export const skipRedis = !installed && !process.env["CI"];

/** Throws in CI when there is no Redis, so a missing install fails the run instead of skipping it. */
export function requireRedis(): void {
  if (!installed) {
    throw new Error(
      `redis-server is not installed: the @pushflow/server tests need it (Debian: apt-get install -y redis-server), or set ${REDIS_URL_VARIABLE}`,
    );
  }
}

export interface TestRedis {
  readonly url: string;
  /** A new connection (each back-end instance has its own). */
  connect(): Redis;
  stop(): Promise<void>;
  /**
   * Stops the spawned redis-server (SIGTERM: it writes its AOF and exits) and starts it again on
   * the same port and directory. Not available with PUSHFLOW_TEST_REDIS_URL.
   */
  restart?(): Promise<void>;
}

export interface RedisSettings {
  /** `--appendonly yes --appendfsync always`: every write is on disk before Redis answers. */
  readonly appendonly?: boolean;
}

export async function startRedis(settings: RedisSettings = {}): Promise<TestRedis> {
  requireRedis();
  const clients: Redis[] = [];
  const connect = (url: string) => () => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    // Errors reach the calls that failed; the client's own event would only repeat them.
    client.on("error", () => {});
    clients.push(client);
    return client;
  };
  const closeClients = async () => {
    await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  };
  if (givenUrl !== undefined) return { url: givenUrl, connect: connect(givenUrl), stop: closeClients };

  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pushflow-redis-"));
  const persistence = settings.appendonly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const launch = async () => {
    const spawned = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--dir", dir, "--logfile", ""], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    await ready(spawned, port);
    return spawned;
  };
  const halt = async (running: ChildProcess) => {
    if (running.exitCode === null && running.pid !== undefined) {
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGTERM");
      await exited;
    }
  };
  let child = await launch();
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    connect: connect(url),
    stop: async () => {
      await closeClients();
      await halt(child);
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await halt(child);
      child = await launch();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ready(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`redis-server on port ${port} did not start:\n${output}`)), 10_000);
    const onExit = (code: number | null) => fail(new Error(`redis-server exited with ${code}:\n${output}`));
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        // Once ready, a later exit (a restart) is not a failure to start.
        child.off("exit", onExit);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}
