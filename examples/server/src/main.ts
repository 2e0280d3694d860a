/**
 * `pnpm -C examples/server demo [--port 3000] [--store memory]`: the emulator as Auth0, two
 * back-end instances sharing one Redis (REDIS_URL, default redis://127.0.0.1:6379), and a
 * round-robin balancer in front of them, all on loopback.
 *
 * `pnpm -C examples/server start`: one instance for a real tenant, from the environment:
 * AUTH0_DOMAIN, AUTH0_CLIENT_ID, AUTH0_CLIENT_SECRET, REDIS_URL, PUSHFLOW_ENCRYPTION_KEY (base64 of
 * 32 random bytes: `openssl rand -base64 32`), PORT (default 3000).
 */
import { serve } from "@hono/node-server";
import { Redis } from "ioredis";
import { MemoryFlowStore, type FlowStore } from "@pushflow/core";
import { startEmulator } from "@pushflow/emulator";
import { createFlowServer } from "@pushflow/server";
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
const key = env["PUSHFLOW_ENCRYPTION_KEY"] ? Uint8Array.from(Buffer.from(env["PUSHFLOW_ENCRYPTION_KEY"], "base64")) : undefined;
const memory = new MemoryFlowStore();
const connections: Redis[] = [];

/** Each instance has its own Redis connection, as separate processes would. */
function storeFor(): FlowStore {
  if (useMemory) return memory;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
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
  const encryptionKey = key ?? crypto.getRandomValues(new Uint8Array(32));
  const urls = await Promise.all(
    ["a", "b"].map((instance) => {
      const flows = createFlowServer({
        store: storeFor(),
        domain: emulator.url,
        clientId: "pushflow-confidential",
        clientSecret: "pushflow-demo-secret",
        encryptionKey,
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
  const flows = createFlowServer({
    store: storeFor(),
    domain,
    clientId,
    ...(secret ? { clientSecret: secret } : {}),
    ...(key ? { encryptionKey: key } : {}),
  });
  const url = await listen(createApp({ flows, onSignedIn, secureCookies: env["SECURE_COOKIES"] === "1" }).fetch, port);
  console.log(`pushflow server example on ${url}  (${useMemory ? "in-memory store" : redisUrl})`);
}

process.on("SIGTERM", () => {
  for (const redis of connections) redis.disconnect();
  process.exit(0);
});
