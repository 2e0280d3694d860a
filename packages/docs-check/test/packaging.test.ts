import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  apiDifferences,
  apiReports,
  checkPackage,
  mapLimit,
  packageEntries,
  parseTables,
  plain,
  privateDependencies,
  publicPackages,
  readmeGaps,
  workspacePackages,
  type ToolReport,
} from "../src/index.ts";
import { ROOT } from "./root.ts";

const all = workspacePackages(ROOT);
const targets = publicPackages(ROOT);
const BIN = join(ROOT, "node_modules", ".bin");
/** The sections npm installs from (an optional peer only when the app has it). */
const runtimeSections = ["dependencies", "peerDependencies", "optionalDependencies"] as const;

/** A package.json as written (`workspace:*` and all), by folder. */
function manifestOf(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, path, "package.json"), "utf8")) as Record<string, unknown>;
}

/** The package names an app gets by installing `name` (ours followed through the workspace; third-party ones not expanded). */
function installed(name: string): string[] {
  const seen = new Set<string>();
  const visit = (pkg: string) => {
    const found = all.find((p) => p.manifest.name === pkg);
    if (!found) return;
    const raw = manifestOf(found.path);
    const optional = (raw["peerDependenciesMeta"] ?? {}) as Record<string, { optional?: boolean }>;
    const needed = [
      ...Object.keys((raw["dependencies"] ?? {}) as object),
      ...Object.keys((raw["optionalDependencies"] ?? {}) as object),
      ...Object.keys((raw["peerDependencies"] ?? {}) as object).filter((peer) => optional[peer]?.optional !== true),
    ];
    for (const dep of needed) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      visit(dep);
    }
  };
  visit(name);
  return [...seen].sort();
}

describe("packaging", () => {
  it("the public packages are the ones the root README lists", () => {
    const table = parseTables(readFileSync(join(ROOT, "README.md"), "utf8")).find((t) => t.header[0] === "package");
    const listed = (table?.rows ?? []).map((row) => plain((row[0] ?? "").replace(/\[([^\]]*)\]\([^)]*\)/, "$1")));
    expect(listed.sort()).toEqual(targets.map((p) => p.manifest.name).sort());
  });

  // publint packs each package (pnpm pack) and attw packs it again (npm pack) then resolves its
  // types as node16 and bundler would: about 5 s a package, two at a time (the machine has two cores, and other suites run beside it).
  it(
    "publint --strict and attw --pack --profile esm-only are clean for every public package (after pnpm build)",
    async () => {
      const unbuilt = targets.filter((p) => !existsSync(join(p.dir, "dist")));
      expect(unbuilt.map((p) => p.path), "not built: run `pnpm build` first (the root `pnpm test` does)").toEqual([]);
      const reports = await mapLimit(targets, 2, (pkg) => checkPackage(pkg, BIN));
      const problems = targets.flatMap((pkg, i) =>
        (reports[i] ?? []).filter((r: ToolReport) => !r.ok).map((r) => `${pkg.manifest.name}: ${r.tool}\n${r.output}`),
      );
      expect(problems.join("\n\n"), "run `pnpm check:package` for the same report").toBe("");
    },
    180_000,
  );

  it("no public package needs a private one at run time (npm could not install it; changesets refuses it)", () => {
    const bad = targets.flatMap((pkg) => privateDependencies(pkg, all).map((dep) => `${pkg.manifest.name} → ${dep} (move it to devDependencies)`));
    expect(bad).toEqual([]);
  });

  it("every public package declares engines, an MIT license with its LICENSE file, the repository, and sideEffects", () => {
    const license = readFileSync(join(ROOT, "LICENSE"), "utf8");
    const urls = new Set<unknown>();
    for (const { path } of targets) {
      const raw = manifestOf(path);
      expect(raw["engines"], `${path}: engines`).toEqual({ node: ">=20" });
      expect(raw["license"], `${path}: license`).toBe("MIT");
      expect(existsSync(join(ROOT, path, "LICENSE")) && readFileSync(join(ROOT, path, "LICENSE"), "utf8"), `${path}/LICENSE (the root's)`).toBe(license);
      const repository = raw["repository"] as Record<string, unknown> | undefined;
      expect(repository, `${path}: repository`).toEqual({ type: "git", url: expect.stringMatching(/^git\+https:\/\/.+\.git$/), directory: path });
      urls.add(repository?.["url"]);
      // A bin runs when it is loaded: only it has side effects. Nothing else in a package does.
      const bins = Object.values((raw["bin"] ?? {}) as Record<string, string>).map((file) => (file.startsWith("./") ? file : `./${file}`));
      expect(raw["sideEffects"], `${path}: sideEffects`).toEqual(bins.length === 0 ? false : bins);
    }
    expect(urls.size, "one repository url for every package").toBe(1);
  });

  // An exact pin in a published package gives an app on another patch of xstate two copies of it;
  // the lockfile still pins what the repository tests.
  // Ours: workspace:* as dependencies (the set is versioned in lockstep). As a peer, a lower bound
  // (`workspace:>=`): changesets bumps a peer's dependents to a new major when the peer leaves
  // their range, and `^0.1.0` would leave at the set's next minor, taking every package to 1.0.0.
  it("every public package takes a caret range of each third-party package it needs at run time, and workspace: ranges of ours", () => {
    const bad = targets.flatMap(({ path }) =>
      runtimeSections.flatMap((section) =>
        Object.entries((manifestOf(path)[section] ?? {}) as Record<string, string>)
          .filter(([name, spec]) =>
            name.startsWith("@pushflow/")
              ? !(section === "peerDependencies" ? /^workspace:>=\d+\.\d+\.\d+$/ : /^workspace:\*$/).test(spec)
              : !/^\^\d+\.\d+\.\d+$/.test(spec),
          )
          .map(([name, spec]) => `${path} ${section}: "${name}": "${spec}"`),
      ),
    );
    expect(bad).toEqual([]);
  });

  it("no package here pins exactly a library that a public package takes a range of", () => {
    const ranged = new Set(targets.flatMap(({ path }) => runtimeSections.flatMap((section) => Object.keys((manifestOf(path)[section] ?? {}) as object))));
    const bad = all.flatMap(({ path }) =>
      [...runtimeSections, "devDependencies"].flatMap((section) =>
        Object.entries((manifestOf(path)[section] ?? {}) as Record<string, string>)
          .filter(([name, spec]) => ranged.has(name) && /^\d/.test(spec))
          .map(([name, spec]) => `${path} ${section}: "${name}": "${spec}"`),
      ),
    );
    expect(bad).toEqual([]);
  });

  // What `npm install <package>` brings: its dependencies and required peers, and theirs; an
  // optional peer only when the app installs it.
  describe("what installing a public package brings: what its main use needs, nothing for its extras", () => {
    it("@pushflow/node: not the emulator (the demo's optional peer) nor its HTTP stack", () => {
      const brought = installed("@pushflow/node");
      for (const name of ["@pushflow/emulator", "@pushflow/transport-mock", "@pushflow/tenant", "hono", "@hono/node-server", "jose", "otpauth"]) expect(brought).not.toContain(name);
      expect(manifestOf("packages/node")["peerDependenciesMeta"]).toEqual({ "@pushflow/emulator": { optional: true } });
    });

    // One tenant model, two faces: the in-process face brings the model, never the HTTP one.
    it("@pushflow/transport-mock: the tenant model, not the emulator nor its HTTP stack; @pushflow/tenant: neither face", () => {
      const mock = installed("@pushflow/transport-mock");
      expect(mock).toContain("@pushflow/tenant");
      for (const name of ["@pushflow/emulator", "hono", "@hono/node-server", "jose"]) expect(mock).not.toContain(name);
      const tenant = installed("@pushflow/tenant");
      for (const name of ["@pushflow/transport-mock", "@pushflow/emulator", "hono", "@hono/node-server", "jose"]) expect(tenant).not.toContain(name);
      expect(installed("@pushflow/emulator")).toContain("@pushflow/tenant");
    });

    it("@pushflow/server: not the Node adapter (nor, through it, the emulator), and ioredis only as an optional peer", () => {
      const brought = installed("@pushflow/server");
      for (const name of ["@pushflow/node", "@pushflow/emulator", "ioredis", "hono", "jose"]) expect(brought).not.toContain(name);
      expect(manifestOf("packages/server")["peerDependencies"]).toEqual({ ioredis: expect.stringMatching(/^\^5\./) });
      expect(manifestOf("packages/server")["peerDependenciesMeta"]).toEqual({ ioredis: { optional: true } });
    });
  });

  it("the built `pushflow demo`, installed without the emulator, says how to get it and exits 2 (after pnpm build)", () => {
    expect(existsSync(join(ROOT, "packages/node/dist/cli.mjs")), "not built: run `pnpm build` first").toBe(true);
    // An app's node_modules: @pushflow/node as npm would unpack it, its dependencies beside it, no emulator.
    const app = mkdtempSync(join(tmpdir(), "pushflow-no-emulator-"));
    try {
      const modules = join(app, "node_modules");
      const node = join(modules, "@pushflow", "node");
      mkdirSync(node, { recursive: true });
      cpSync(join(ROOT, "packages/node/dist"), join(node, "dist"), { recursive: true });
      cpSync(join(ROOT, "packages/node/package.json"), join(node, "package.json"));
      for (const name of Object.keys((manifestOf("packages/node")["dependencies"] ?? {}) as object)) {
        mkdirSync(dirname(join(modules, name)), { recursive: true });
        symlinkSync(realpathSync(join(ROOT, "packages/node/node_modules", name)), join(modules, name), "dir");
      }
      const run = spawnSync(process.execPath, [join(node, "dist/cli.mjs"), "demo"], { cwd: app, encoding: "utf8", timeout: 20_000 });
      expect(run.stderr).toContain("npm i -D @pushflow/emulator");
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stdout).toBe("");
      expect(run.status).toBe(2);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it("every public package has a description, a license, ESM-only exports and the files it publishes", () => {
    for (const { manifest, path } of targets) {
      const raw = JSON.parse(readFileSync(join(ROOT, path, "package.json"), "utf8")) as Record<string, unknown>;
      expect(manifest.description, `${path}: description`).toBeTruthy();
      expect(raw["license"], `${path}: license`).toBe("MIT");
      expect(raw["type"], `${path}: type`).toBe("module");
      expect(raw["files"], `${path}: files`).toEqual(expect.arrayContaining(["dist"]));
      expect(raw["main"] ?? raw["module"], `${path}: exports only, no main/module`).toBeUndefined();
    }
  });
});

describe("public API", () => {
  // Each public entry's exported names, read from its built declarations with the TypeScript
  // compiler, against the list committed in packages/<package>/api.md: a name cannot appear in or
  // vanish from the API unnoticed.
  it("every entry of every public package exports exactly the names its api.md lists (after pnpm build)", () => {
    const unbuilt = targets.flatMap((pkg) => packageEntries(pkg)).filter((e) => !existsSync(e.types));
    expect(unbuilt.map((e) => e.entry), "not built: run `pnpm build` first (the root `pnpm test` does)").toEqual([]);
    const stale = apiReports(targets).filter((r) => r.actual !== r.expected);
    const legend = "(+ exported but not listed, - listed but no longer exported)";
    const diff = stale.map((r) => [`${r.path} is out of date ${legend}:`, ...apiDifferences(r).map((line) => `  ${line}`)].join("\n"));
    expect(
      diff.join("\n\n"),
      "the exported names changed: run `pnpm api` (it builds, then rewrites packages/*/api.md), review the change, and commit the reports with it",
    ).toBe("");
  });

  it("every public package names a declaration file (`types`) for each entry it exports", () => {
    for (const pkg of targets) {
      const subpaths = Object.keys((pkg.manifest.exports ?? {}) as object).filter((subpath) => subpath !== "./package.json");
      expect(subpaths.length, `${pkg.path}: no exports`).toBeGreaterThan(0);
      expect(packageEntries(pkg).length, `${pkg.path}: an entry without \`types\` would be missing from api.md`).toBe(subpaths.length);
    }
  });
});

describe("changesets", () => {
  const config = JSON.parse(readFileSync(join(ROOT, ".changeset/config.json"), "utf8")) as Record<string, unknown>;

  it("versions every public package in lockstep and publishes them publicly", () => {
    expect(config["fixed"]).toEqual([["@pushflow/*"]]);
    expect(config["access"]).toBe("public");
    expect(new Set(targets.map((p) => p.manifest.version)).size, "public packages share one version").toBe(1);
  });

  it("leaves the private packages alone", () => {
    expect(config["privatePackages"]).toEqual({ version: false, tag: false });
  });

  it("bumps a peer's dependents only when the peer leaves their range (else a minor of the emulator, @pushflow/node's optional peer, would take the set to a major)", () => {
    expect(config["___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH"]).toEqual({ onlyUpdatePeerDependentsWhenOutOfRange: true });
  });

  it("every workspace package has a version (changesets version crashes on one without)", () => {
    const workspaces = ["packages", "examples"].flatMap((dir) =>
      readdirSync(join(ROOT, dir)).map((name) => join(dir, name, "package.json")),
    );
    const missing = [...workspaces, "bench/package.json"]
      .filter((file) => existsSync(join(ROOT, file)))
      .filter((file) => typeof (JSON.parse(readFileSync(join(ROOT, file), "utf8")) as { version?: unknown }).version !== "string");
    expect(missing).toEqual([]);
  });
});

describe("package READMEs", () => {
  for (const pkg of targets) {
    it(`${pkg.path}/README.md says what it is, how to install it, and shows a short example`, () => {
      expect(readmeGaps(pkg)).toEqual([]);
    });
  }
});
