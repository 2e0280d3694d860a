/**
 * `pnpm -C examples/server demo [--port 3000] [--store memory]`: the emulator as Auth0, two
 * back-end instances sharing one Redis (REDIS_URL, default redis://127.0.0.1:6379), and a
 * round-robin balancer in front of them, all on loopback.
 *
 * `pnpm -C examples/server start`: one instance for a real tenant, from the environment:
 * AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, REDIS_URL, PUSHFLOW_ENCRYPTION_KEYS
 * (`id:base64` of 32 random bytes, comma-separated; the first seals: `k1:$(openssl rand -base64 32)`),
 * PORT (default 3000); PUSHFLOW_DEVELOPMENT=1 allows running without keys (flows kept in clear);
 * PUSHFLOW_LEASE_MS (default 30000), PUSHFLOW_REQUEST_TIMEOUT_MS (Auth0 call timeout, default
 * 10000), INSTANCE (a name for the `x-instance` header).
 */
import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import { MemoryFlowStore, type FlowStore } from "@pushflow/core";
import { startEmulator } from "@pushflow/emulator";
import { createFlowServer, type EncryptionKey } from "@pushflow/server";
import { RedisFlowStore } from "@pushflow/server/redis";
import { createApp } from "./app.ts";
import { roundRobin } from "./balancer.ts";

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const env = process.env;
const port = Number(flag("--port") ?? env["PORT"] ?? 3000);
const useMemory = flag("--store") === "memory";
const redisUrl = env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
const keys = keysFrom(env["PUSHFLOW_ENCRYPTION_KEYS"] ?? "");
const development = env["PUSHFLOW_DEVELOPMENT"] === "1";
const leaseMs = env["PUSHFLOW_LEASE_MS"] ? Number(env["PUSHFLOW_LEASE_MS"]) : undefined;
const requestTimeoutMs = env["PUSHFLOW_REQUEST_TIMEOUT_MS"] ? Number(env["PUSHFLOW_REQUEST_TIMEOUT_MS"]) : undefined;
const memory = new MemoryFlowStore();
const connections: Redis[] = [];

/** Each instance has its own Redis connection, as separate processes would. */
function storeFor(): FlowStore {
  if (useMemory) return memory;
  // A sick Redis fails a request within about commandTimeout (the page gets a JSON 503 and asks
  // again) instead of queueing it until Redis is back.
  const redis = new Redis(redisUrl, { commandTimeout: 2_000, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
  redis.on("error", (error: Error) => console.error(`redis: ${error.message}`));
  connections.push(redis);
  return new RedisFlowStore(redis);
}

function listen(fetch: (request: Request) => Response | Promise<Response>, listenPort: number): Promise<string> {
  return new Promise((resolve) => {
    serve({ fetch, port: listenPort, hostname: "127.0.0.1" }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
}

const onSignedIn = (output: { outcome: string }, flowId: string) => {
  // A real app stores the tokens in its server-side session here; the browser gets a session cookie.
  console.log(`flow ${flowId.slice(0, 6)}…: ${output.outcome}, tokens kept on the server`);
};

if (args.includes("--demo")) {
  const emulator = await startEmulator({ port: 0, devicePolicy: { scanAfterMs: 4_000, answer: "approve", answerAfterMs: 4_000 } });
  const encryptionKeys = keys.length > 0 ? keys : [{ id: "demo", key: crypto.getRandomValues(new Uint8Array(32)) }];
  const urls = await Promise.all(
    ["a", "b"].map((instance) => {
      const flows = createFlowServer({
        store: storeFor(),
        domain: emulator.url,
        clientId: "pushflow-confidential",
        clientSecret: "pushflow-demo-secret",
        encryptionKeys,
        instanceId: instance,
      });
      return listen(createApp({ flows, instance, onSignedIn }).fetch, 0);
    }),
  );
  const front = await listen(roundRobin(urls), port);
  console.log(`pushflow server example on ${front}  (instances ${urls.join(", ")}; ${useMemory ? "in-memory store" : redisUrl})`);
  console.log(`  emulator ${emulator.url}: the phone scans and approves 4 s after each QR or push`);
  console.log("  enroll:    ada@example.com / ada-password-1");
  console.log("  challenge: grace@example.com / grace-password-1");
  process.on("SIGINT", () => void emulator.close().finally(() => process.exit(0)));
} else {
  const domain = env["AUTH0_DOMAIN"];
  const clientId = env["AUTH0_CLIENT_ID"];
  if (!domain || !clientId) {
    console.error("set AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (or run with --demo)");
    process.exit(2);
  }
  const secret = env["AUTH0_CLIENT_SECRET"];
  let flows;
  try {
    // Refuses a key of the wrong length, and no key at all without PUSHFLOW_DEVELOPMENT=1, now.
    flows = createFlowServer({
      store: storeFor(),
      domain,
      clientId,
      ...(secret ? { clientSecret: secret } : {}),
      encryptionKeys: keys,
      unsealedForDevelopment: development,
      ...(leaseMs === undefined ? {} : { leaseMs }),
      ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
      ...(env["INSTANCE"] ? { instanceId: env["INSTANCE"] } : {}),
    });
  } catch (error) {
    console.error(`pushflow server example: ${error instanceof Error ? error.message : String(error)} (PUSHFLOW_ENCRYPTION_KEYS, PUSHFLOW_DEVELOPMENT=1)`);
    process.exit(2);
  }
  if (keys.length === 0) console.warn("pushflow server example: PUSHFLOW_DEVELOPMENT=1 and no key: flows (mfa_token, oob_code) are kept in Redis in clear");
  const instance = env["INSTANCE"];
  const app = createApp({ flows, onSignedIn, secureCookies: env["SECURE_COOKIES"] === "1", ...(instance ? { instance } : {}) });
  const url = await listen(app.fetch, port);
  console.log(`pushflow server example on ${url}  (${useMemory ? "in-memory store" : redisUrl})`);
}

/** `id:base64,id:base64`: the first seals, any opens. A malformed entry stops the start. */
function keysFrom(text: string): EncryptionKey[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const at = part.indexOf(":");
      if (at <= 0) {
        console.error("pushflow server example: PUSHFLOW_ENCRYPTION_KEYS is id:base64[,id:base64…]");
        process.exit(2);
      }
      return { id: part.slice(0, at), key: Uint8Array.from(Buffer.from(part.slice(at + 1), "base64")) };
    });
}

process.on("SIGTERM", () => {
  for (const redis of connections) redis.disconnect();
  process.exit(0);
});
