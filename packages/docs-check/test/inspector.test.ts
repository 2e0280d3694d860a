import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { settle } from "@pushflow/core/testing";
import { createScriptedTransport } from "@pushflow/transport-mock";
import { describe, expect, it } from "vitest";
import ts from "typescript";
import { SimulatedClock } from "xstate";
import { ROOT } from "./root.ts";
import { tracedChallenge } from "./snippets/inspector-trace.ts";

// docs/inspector.md shows each snippet between `<!-- example: NAME … -->` and its ```ts block.
const page = readFileSync(join(ROOT, "docs/inspector.md"), "utf8");
const blockOf = (name: string) => new RegExp(`<!-- example: ${name}[^>]*-->\\n\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(page)?.[1];

const MFA = "Fe26.2*docs*mfa-token";
// The scripted transport's oob codes (`oob-code-N`), tokens (`mock-access-token-N`, …) and ours.
const SECRET = /Fe26\.2\*|oob-code-\d|mock-(access|id)-token/;
const script = { listAuthenticators: "ok", challenge: "ok", verifyOob: ["pending", "approve"] } as const;

/** Appended to the relay snippet: runs it on a scripted tenant, with a receiver on the relay. */
const RELAY_DRIVER = `
const { createWebSocketReceiver } = await import("@statelyai/inspect");
const { createScriptedTransport } = await import("@pushflow/transport-mock");
const port = Number(process.argv.at(-1));
const transport = createScriptedTransport(${JSON.stringify(script)});
const run = inspectedChallenge({ transport, mfaToken: ${JSON.stringify(MFA)}, pollIntervalMs: 300, warn: () => {} }, port);
await new Promise((resolve) => setTimeout(resolve, 100));
const events = [];
const subscription = createWebSocketReceiver({ server: "ws://127.0.0.1:" + port }).subscribe((event) => void events.push(event));
const output = await run;
subscription.unsubscribe();
console.log(JSON.stringify({ outcome: output.outcome, events }));
process.exit(0);
`;

describe("docs/inspector.md", () => {
  for (const name of ["inspector-relay", "inspector-trace"]) {
    it(`carries test/snippets/${name}.ts, which typechecks and runs here`, () => {
      expect(blockOf(name), `no <!-- example: ${name} --> block`).toBe(readFileSync(join(ROOT, `packages/docs-check/test/snippets/${name}.ts`), "utf8"));
    });
  }

  it("a custom callback: the trace holds the run, redacted", async () => {
    const clock = new SimulatedClock();
    const transport = createScriptedTransport(script, { clock });
    const { flow, trace } = tracedChallenge({ transport, clock, mfaToken: MFA, warn: () => {} });
    await flow.started;
    for (let i = 0; i < 3; i++) {
      clock.increment(5_000);
      await settle();
    }
    expect((await flow.outcome).outcome).toBe("approved");
    const text = trace.join("\n");
    expect(trace.length).toBeGreaterThan(20);
    expect(text).toContain('"type":"@xstate.snapshot"');
    expect(text).toContain("[redacted]");
    expect(text).not.toMatch(SECRET);
  });

  it("@statelyai/inspect through a local relay: the receiver sees the run, redacted", async () => {
    // Plain Node on the built packages, as a user runs it: under vitest's resolve conditions
    // ("import"), isomorphic-ws gets ws's ES module namespace instead of its WebSocket class.
    expect(existsSync(join(ROOT, "packages/node/dist/index.mjs")), "run `pnpm build` first").toBe(true);
    const snippet = ts.transpileModule(readFileSync(join(ROOT, "packages/docs-check/test/snippets/inspector-relay.ts"), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", snippet + RELAY_DRIVER, String(port)], {
      cwd: join(ROOT, "packages/docs-check"),
      timeout: 30_000,
    });
    const { outcome, events } = JSON.parse(stdout.trim().split("\n").at(-1)!) as { outcome: string; events: { type: string }[] };
    expect(outcome).toBe("approved");
    expect(events.filter((e) => e.type === "@xstate.snapshot").length).toBeGreaterThan(3);
    const text = JSON.stringify(events);
    expect(text).toContain("[redacted]");
    expect(text).not.toMatch(SECRET);
  });
});
