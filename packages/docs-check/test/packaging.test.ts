import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
