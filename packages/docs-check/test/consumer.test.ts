/**
 * The packages as an app gets them: every public package packed (`pnpm pack`), installed by npm
 * into new folders outside the repository, third-party packages from the registry. In there: the
 * quick start and each adapter page's example run as written against the packed emulator (in
 * Node, under deno, and bundled by esbuild in Chromium), tsc under node16 and bundler resolution
 * over every entry point, a browser bundle without Node built-ins, the two CLIs' --help, and the
 * install size of each adapter beside its ceiling. Needs the packages built (`pnpm test` builds
 * first), the npm registry and /usr/bin/chromium (`.ci/run` installs both).
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { publicPackages } from "../src/index.ts";
import { writeAppSources } from "./consumer/app.ts";
import { bundleForBrowser, type BrowserBundle } from "./consumer/bundle.ts";
import { runInChromium } from "./consumer/chromium.ts";
import { denoBinary, denoEnv } from "./consumer/deno.ts";
import { adapterExamples, adapterPages } from "./consumer/docs.ts";
import { approvePush, mfaTokenOf, newUser, startEmulatorCli, type EmulatorProcess } from "./consumer/emulator.ts";
import { entryPoints, packPublicPackages, peerInstalls, tarballsFor, type Tarball } from "./consumer/pack.ts";
import { footprint, installProject, type Footprint } from "./consumer/project.ts";
import { explain, mustRun, quietEnv, run, runWithCue } from "./consumer/run.ts";
import { overCeiling, sizeTable } from "./consumer/sizes.ts";
import { ROOT } from "./root.ts";

/** The adapters whose install an app pays for, measured alone. */
const SIZED = ["@pushflow/browser", "@pushflow/node", "@pushflow/server"];
/** The app's own tools, from the registry (the versions the workspace uses). */
const TOOLS = ["typescript@5.9.3", "esbuild@0.28.2", "@types/node@20.19.43"];

const tmp = mkdtempSync(join(tmpdir(), "pushflow-consumer-"));
const app = join(tmp, "app");
let tarballs: Tarball[] = [];
let sizing: Promise<{ name: string; footprint: Footprint }[]> = Promise.resolve([]);
let emulator: EmulatorProcess | undefined;

beforeAll(async () => {
  const packs = join(tmp, "packs");
  const cache = join(tmp, "npm-cache");
  mkdirSync(packs);
  const startedAt = Date.now();
  tarballs = await packPublicPackages(ROOT, packs);
  const peers = peerInstalls(tarballs);
  console.log(`app installs: ${tarballs.map((t) => t.name).join(", ")} (tarballs); ${[...TOOLS, ...peers].join(", ")} (registry)`);
  // The installs wait on the registry: all four at once. Only the size test waits for the three small ones.
  sizing = Promise.all(
    SIZED.map(async (name) => {
      const dir = join(tmp, `only-${name.replace(/^@pushflow\//, "")}`);
      await installProject(dir, tarballsFor([name], tarballs).map((t) => t.file), cache);
      return { name, footprint: await footprint(dir) };
    }),
  );
  // Failures are reported by the size test that awaits it, not as an unhandled rejection before.
  sizing.catch(() => {});
  await installProject(app, [...tarballs.map((t) => t.file), ...TOOLS, ...peers], cache);
  console.log(`packed and installed in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);

  emulator = await startEmulatorCli(app, 0.5);
  writeAppSources(app, ROOT, tarballs.flatMap(entryPoints), emulator.url);
  // Node runs JavaScript: the app's own esbuild turns its TypeScript into modules, packages left to node_modules.
  await mustRun("esbuild (node programs)", join(app, "node_modules/.bin/esbuild"), [
    "docs/quick-start.ts",
    "run-adapter-node.ts",
    "--bundle",
    "--platform=node",
    "--format=esm",
    "--packages=external",
    "--outdir=out",
    "--out-extension:.js=.mjs",
    "--log-level=warning",
  ], { cwd: app });
}, 300_000);

afterAll(() => {
  emulator?.child.kill();
  rmSync(tmp, { recursive: true, force: true });
});

/** The app's browser bundle, built once for the two tests that use it. */
let bundling: Promise<BrowserBundle> | undefined;
const browserBundle = () => (bundling ??= bundleForBrowser(app, "browser-app.ts"));

function emulatorUrl(): string {
  if (!emulator) throw new Error("the emulator did not start");
  return emulator.url;
}

/** A new user and the mfa_token of their password login against the emulator. */
async function loginOfNewUser(prefix: string, enrolled: boolean): Promise<{ username: string; mfaToken: string }> {
  const user = await newUser(emulatorUrl(), prefix, enrolled);
  return { username: user.username, mfaToken: await mfaTokenOf(emulatorUrl(), user) };
}

/** What a driver program (app.ts) saw, from its last line. */
const seenBy = (stdout: string): unknown => JSON.parse(stdout.trim().split("\n").at(-1) ?? "");

// The checks wait on processes and the network, not on this one: they run side by side.
describe.concurrent("the packed packages, installed by npm into an app", () => {
  it("packs every public package of the workspace", ({ expect }) => {
    console.log(`packed: ${tarballs.map((t) => t.name).join(", ")}`);
    expect(tarballs.map((t) => t.name).sort()).toEqual(publicPackages(ROOT).map((p) => p.manifest.name).sort());
  });

  for (const config of ["node16", "bundler"]) {
    it(`tsc --noEmit (strict, ${config} resolution) accepts every entry point and the doc snippets`, async ({ expect }) => {
      const result = await run(join(app, "node_modules/.bin/tsc"), ["-p", `tsconfig.${config}.json`], { cwd: app, timeoutMs: 170_000 });
      expect(result.code, explain(`tsc (${config})`, result)).toBe(0);
    }, 180_000);
  }

  it("the quick start runs as written against the emulator: the push is approved", async ({ expect }) => {
    const { username, mfaToken } = await loginOfNewUser("quick-start", true);
    // The phone approves once the snippet says it waits: its poll listener is then known to work.
    const result = await runWithCue("node", ["out/docs/quick-start.mjs"], { cwd: app, env: quietEnv({ PUSHFLOW_MFA_TOKEN: mfaToken }), timeoutMs: 60_000 }, /waiting for the phone/, () =>
      approvePush(emulatorUrl(), username),
    );
    expect(result.code, explain("the quick start", result)).toBe(0);
    expect(result.stdout).toMatch(/waiting for the phone \(poll 1\)/);
    expect(result.stdout).toMatch(/^tokens: an access token$/m);
  }, 70_000);

  it("every adapter page's shared example is run here (Node, Deno, Chromium)", ({ expect }) => {
    const pages = adapterPages(ROOT);
    const without = pages.filter((page) => page.example === undefined).map((page) => page.adapter);
    if (without.length > 0) console.log(`adapter pages without the shared example, not run here: ${without.join(", ")}`);
    expect(adapterExamples(ROOT).map((e) => e.adapter).filter((adapter) => !["node", "deno", "browser"].includes(adapter))).toEqual([]);
  });

  it("the Node adapter page's example enrolls a user with no phone (QR, recovery codes) in Node", async ({ expect }) => {
    const { mfaToken } = await loginOfNewUser("node-enroll", false);
    const result = await run("node", ["out/run-adapter-node.mjs"], { cwd: app, env: quietEnv({ PUSHFLOW_MFA_TOKEN: mfaToken }), timeoutMs: 60_000 });
    expect(result.code, explain("the Node example", result)).toBe(0);
    expect(seenBy(result.stdout)).toMatchObject({ qr: true, recoveryCodes: 1, accessToken: true });
  }, 70_000);

  it("the Node adapter page's example gets a push approved for an enrolled user in Node", async ({ expect }) => {
    const { username, mfaToken } = await loginOfNewUser("node-push", true);
    const result = await runWithCue("node", ["out/run-adapter-node.mjs"], { cwd: app, env: quietEnv({ PUSHFLOW_MFA_TOKEN: mfaToken }), timeoutMs: 60_000 }, /^status: Approve the notification/m, () =>
      approvePush(emulatorUrl(), username),
    );
    expect(result.code, explain("the Node example", result)).toBe(0);
    expect(seenBy(result.stdout)).toMatchObject({ qr: false, recoveryCodes: 0, accessToken: true });
  }, 70_000);

  it("the Deno adapter page's example enrolls a user with no phone under deno run", async ({ expect }) => {
    const { mfaToken } = await loginOfNewUser("deno-enroll", false);
    const port = new URL(emulatorUrl()).port;
    const result = await run(denoBinary(), ["run", `--allow-net=127.0.0.1:${port}`, "--allow-env=PUSHFLOW_MFA_TOKEN", "--no-prompt", "run-adapter-deno.ts"], {
      cwd: app,
      env: denoEnv(join(tmp, "deno-dir"), { PUSHFLOW_MFA_TOKEN: mfaToken }),
      timeoutMs: 90_000,
    });
    expect(result.code, explain("the Deno example", result)).toBe(0);
    expect(seenBy(result.stdout)).toMatchObject({ qr: true, recoveryCodes: 1, accessToken: true });
  }, 100_000);

  it("the Browser adapter page's example, with @pushflow/browser/qr, bundles for the browser with no Node built-in", async ({ expect }) => {
    const bundle = await browserBundle();
    expect(bundle.result.code, explain("esbuild (browser)", bundle.result)).toBe(0);
    console.log(`browser bundle: ${(bundle.code.length / 1000).toFixed(1)} kB minified`);
    expect(bundle.code).toContain("pushflowApp");
    expect(bundle.builtins).toEqual([]);
  }, 70_000);

  it("the Browser adapter page's example, bundled, enrolls a user with no phone in Chromium", async ({ expect }) => {
    const bundle = await browserBundle();
    expect(bundle.result.code, explain("esbuild (browser)", bundle.result)).toBe(0);
    const { mfaToken } = await loginOfNewUser("browser-enroll", false);
    expect(await runInChromium(bundle.code, emulatorUrl(), mfaToken)).toMatchObject({ qr: true, recoveryCodes: 1, accessToken: true });
  }, 90_000);

  for (const bin of ["pushflow", "pushflow-emulator"]) {
    it(`npx ${bin} --help prints its usage and exits 0`, async ({ expect }) => {
      const result = await run("npx", [bin, "--help"], { cwd: app, timeoutMs: 60_000 });
      expect(result.code, explain(`npx ${bin} --help`, result)).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`usage:?\\s+${bin}\\b`, "i"));
    }, 70_000);
  }

  it("each adapter installs alone within its ceiling of size and packages", async ({ expect }) => {
    const sizes = await sizing;
    console.log(`npm install of one adapter (its node_modules):\n${sizeTable(sizes)}`);
    expect(sizes.map((s) => s.name)).toEqual(SIZED);
    expect(overCeiling(sizes)).toEqual([]);
  }, 150_000);
});
