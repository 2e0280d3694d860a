/**
 * "Auth0" for the fault suite, in a process of its own: the emulator (built, `@pushflow/emulator`)
 * and, in front of it, one recording proxy per instance. Run by fault-harness.ts with an IPC
 * channel (`fork`); see there for the messages.
 *
 * Why its own process: the suite first ran the emulator and the proxy in the test's process, on
 * the event loop that also drives up to 2,000 browsers. At 2,000 flows a poll then spent up to
 * 6.9 s between the instance's `fetch` and its answer (one 1.8 s before the proxy saw it and 2.8 s
 * more from the proxy's forward to the emulator, both inside the test process), often longer than
 * the instances' requestTimeoutMs (2 s): the emulator redeemed approvals whose sender had already given up, and
 * the sender's next poll, sent one interval after it gave up as core's rules say, reached the
 * emulator less than one interval after the late one. Those were counted as duplicate polls
 * (75–222 per run) and their flows as lost, for a delay the test itself made. Auth0 is a
 * separate, well-provisioned service; here it is at least a separate event loop, and the proxy
 * forwards with node:http on kept-alive connections (not fetch). The proxy notes each poll's
 * sender, call number and send time (`x-pushflow-call`, `x-sent-at`: call-preload.mjs), so a poll
 * whose answer its sender never read (it says so) is counted instead of guessed at.
 */
import { createServer, request as httpRequest, Agent } from "node:http";
import { startEmulator } from "@pushflow/emulator";

const INTERVAL_MS = Number(process.env.INTERVAL_MS ?? 5_000);
const emulator = await startEmulator({ limits: { pollBurst: 1, pollRefillMs: INTERVAL_MS, pushBurst: 5 } });
const target = new URL(emulator.url);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** oob_code → when the push that made it was handed out (ms, system clock). */
const pushedAt = new Map();
/** Every poll (mfa-oob) as the proxies saw it. */
const polls = [];
/** Kill `pid` as the emulator answers the `after`th approved poll, before that answer is passed on. */
let killer;

async function proxy(via) {
  const server = createServer((req, res) => {
    const arrived = Date.now();
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const form = req.url === "/oauth/token" ? new URLSearchParams(body.toString()) : undefined;
      const poll = form?.get("grant_type")?.endsWith("mfa-oob")
        ? {
            via,
            oob: form.get("oob_code") ?? "",
            call: req.headers["x-pushflow-call"],
            sentAt: Number(req.headers["x-sent-at"] ?? 0) || undefined,
            arrived,
            status: undefined,
            answered: undefined,
          }
        : undefined;
      if (poll) polls.push(poll);
      const headers = { ...req.headers, host: target.host, "content-length": String(body.length) };
      delete headers["x-sent-at"];
      delete headers["x-pushflow-call"];
      const out = httpRequest({ agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers }, (answer) => {
        const parts = [];
        answer.on("data", (chunk) => parts.push(chunk));
        answer.on("end", () => {
          const text = Buffer.concat(parts);
          const ok = (answer.statusCode ?? 500) < 300;
          if (req.url === "/mfa/challenge" && ok) {
            try {
              const oob = JSON.parse(text.toString()).oob_code;
              if (oob) pushedAt.set(oob, Date.now());
            } catch {}
          }
          if (poll) {
            poll.status = answer.statusCode;
            poll.answered = Date.now();
            if (ok && killer && ++killer.approved === killer.after) {
              try {
                process.kill(killer.pid, "SIGKILL");
              } catch {}
              process.send?.({ event: "killed", at: Date.now() });
              killer = undefined;
            }
          }
          res.writeHead(answer.statusCode ?? 500, { "content-type": answer.headers["content-type"] ?? "application/json" });
          res.end(text);
        });
      });
      out.on("error", () => res.writeHead(502).end());
      out.end(body);
    });
  });
  // Longer than the clients' keep-alive (undici: 4 s): an idle connection is never closed under a request.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

const ops = {
  proxy: ({ via }) => proxy(via),
  /** Users with the password "pw", their device enrolled, approving `answerAfterMs` after each push. */
  users: ({ users }) => {
    for (const { username, answerAfterMs } of users) {
      emulator.tenant.addUser({ username, password: "pw" });
      const device = emulator.device(username);
      device.enroll(username);
      device.setPolicy({ answer: "approve", answerAfterMs });
    }
  },
  pushedCodes: () => [...pushedAt.keys()],
  /** The polls of `codes`, as the emulator logged them (its clock) and as the proxies saw them. */
  polls: ({ codes }) => {
    const wanted = new Set(codes);
    return {
      pushedAt: [...pushedAt].filter(([code]) => wanted.has(code)),
      logged: emulator.requests.entries.filter((e) => e.grantType === "mfa-oob" && wanted.has(e.oobCode)).map((e) => ({ oob: e.oobCode, at: e.at, status: e.status })),
      seen: polls.filter((p) => wanted.has(p.oob)),
      // Whose push each oob_code is (the tenant's own map: this is a test tool).
      users: [...wanted].map((code) => {
        const ref = emulator.tenant.state.oobCodes.get(code);
        return [code, ref ? emulator.tenant.state.user(ref.record.userId).username : ""];
      }),
    };
  },
  killOnApprovedPoll: ({ pid, after }) => {
    killer = { pid, after, approved: 0 };
  },
  stopKilling: () => {
    killer = undefined;
  },
};

process.on("message", async ({ id, op, args }) => {
  try {
    process.send?.({ id, value: await ops[op](args ?? {}) });
  } catch (error) {
    process.send?.({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
process.on("disconnect", () => void emulator.close().finally(() => process.exit(0)));
process.send?.({ event: "ready", url: await proxy("main") });
