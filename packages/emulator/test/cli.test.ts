import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli-main.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe("pushflow-emulator CLI", () => {
  it("prints its URL, the seeded user, a client id and curl lines", async () => {
    const { io, out } = capture();
    const { exitCode, emulator } = await runCli(["--port", "0"], io);
    try {
      expect(exitCode).toBe(0);
      const text = out.join("\n");
      expect(text).toMatch(/^pushflow emulator listening on http:\/\/127\.0\.0\.1:\d+$/m);
      expect(text).toContain("ada@example.com / ada-password-1");
      expect(text).toContain("pushflow-demo");
      expect(text).toContain(`curl -s -X POST ${emulator?.url}/__emulator/devices/grace@example.com/approve`);
      const login = await fetch(`${emulator?.url}/oauth/token`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "password", client_id: "pushflow-demo", username: "ada@example.com", password: "ada-password-1" }),
      });
      expect(((await login.json()) as { error: string }).error).toBe("mfa_required");
    } finally {
      await emulator?.close();
    }
  });

  it("prints one JSON line with --json, and takes a device policy", async () => {
    const { io, out } = capture();
    const { emulator } = await runCli(["--json", "--scan-after", "3", "--answer", "approve", "--answer-after", "2"], io);
    try {
      expect(out).toHaveLength(1);
      const info = JSON.parse(out[0] ?? "") as Record<string, unknown>;
      expect(info).toMatchObject({ url: emulator?.url, client_id: "pushflow-demo", user: { username: "ada@example.com" } });
      expect(emulator?.devices.policy).toEqual({ scanAfterMs: 3_000, answer: "approve", answerAfterMs: 2_000 });
    } finally {
      await emulator?.close();
    }
  });

  it("refuses bad arguments with exit code 2, and shows help", async () => {
    for (const argv of [["--port", "x"], ["--answer", "maybe"], ["--scan-after", "soon"], ["--bogus"]]) {
      const { io, err } = capture();
      expect((await runCli(argv, io)).exitCode).toBe(2);
      expect(err.length).toBeGreaterThan(0);
    }
    const { io, out } = capture();
    expect((await runCli(["--help"], io)).exitCode).toBe(0);
    expect(out.join("\n")).toContain("Usage: pushflow-emulator");
  });

  const built = fileURLToPath(new URL("../dist/cli.mjs", import.meta.url));
  // The bin runs the built packages it depends on: only after a workspace build.
  const dependencies = ["../../core/dist/index.mjs", "../../tenant/dist/index.mjs"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  it.skipIf(![built, ...dependencies].every((f) => existsSync(f)))("the built bin prints its URL", async () => {
    const child = spawn(process.execPath, [built, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(text);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        child.once("exit", (code) => reject(new Error(`exited with ${String(code)}: ${text}`)));
      });
      expect((await fetch(`${url}/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      child.kill("SIGINT");
    }
  });
});
