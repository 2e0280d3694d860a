import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { headingAnchors, markdownFiles, relativeLinks } from "../src/index.ts";
import { ROOT } from "./root.ts";

const pages = await markdownFiles(join(ROOT, "docs"));
const extra = [join(ROOT, "README.md"), join(ROOT, "examples/react/README.md"), join(ROOT, "examples/vue/README.md")];
const ADAPTERS = ["node", "browser", "deno"] as const;
const EXAMPLE = /<!-- example: adapter[^>]*-->\n```ts\n([\s\S]*?)```/;

describe("the docs", () => {
  it("has the pages the docs promise", () => {
    const names = pages.map((p) => relative(join(ROOT, "docs"), p)).sort();
    for (const page of [
      "README.md",
      "quick-start.md",
      "concepts/flows.md",
      "concepts/outcomes.md",
      "concepts/polling.md",
      "concepts/persistence.md",
      "concepts/security.md",
      "adapters/node.md",
      "adapters/browser.md",
      "adapters/deno.md",
      "adapters/react.md",
      "adapters/vue.md",
      "transports.md",
      "cli.md",
      "testing.md",
      "inspector.md",
      "troubleshooting.md",
      "server.md",
    ]) {
      expect(names).toContain(page);
    }
  });

  for (const page of [...pages, ...extra]) {
    const name = relative(ROOT, page);
    it(`${name}: every relative link and anchor resolves`, () => {
      const markdown = readFileSync(page, "utf8");
      const broken: string[] = [];
      for (const { target, line } of relativeLinks(markdown)) {
        const [path = "", anchor] = target.split("#");
        const file = path === "" ? page : join(dirname(page), decodeURIComponent(path));
        if (!existsSync(file)) {
          broken.push(`line ${line}: ${target} (no such file)`);
          continue;
        }
        if (anchor && statSync(file).isFile() && file.endsWith(".md") && !headingAnchors(readFileSync(file, "utf8")).has(anchor)) {
          broken.push(`line ${line}: ${target} (no such heading)`);
        }
      }
      expect(broken).toEqual([]);
    });
  }

  // What works in this repository is not what works in an app: pnpm gives an app only the packages
  // it installed, and its commands are the packages' bins.
  const readmes = ["packages", "examples"].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .map((name) => join(ROOT, dir, name, "README.md"))
      .filter((file) => existsSync(file)),
  );

  it("no page or README imports xstate: an app need not depend on it (SimulatedClock is in @pushflow/core/testing)", () => {
    const bad = [...pages, ...extra, ...readmes].filter((file) => /from "xstate"/.test(readFileSync(file, "utf8"))).map((file) => relative(ROOT, file));
    expect(bad).toEqual([]);
  });

  it("a page that runs a CLI from this repository's build (node packages/…/dist/cli.mjs) also shows the npx command an app runs", () => {
    const missing: string[] = [];
    for (const file of [...pages, ...extra, ...readmes]) {
      const markdown = readFileSync(file, "utf8");
      for (const [, folder] of markdown.matchAll(/node packages\/([\w-]+)\/dist\/cli\.mjs/g)) {
        const manifest = JSON.parse(readFileSync(join(ROOT, "packages", folder!, "package.json"), "utf8")) as { bin?: Record<string, string> };
        const bins = Object.keys(manifest.bin ?? {});
        if (!bins.some((bin) => markdown.includes(`npx ${bin} `))) missing.push(`${relative(ROOT, file)}: npx ${bins.join(" | ")} (for packages/${folder})`);
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });

  it("every adapter page carries the same example, the one that typechecks in test/snippets", () => {
    const snippet = readFileSync(join(ROOT, "packages/docs-check/test/snippets/adapter-example.ts"), "utf8");
    for (const adapter of ADAPTERS) {
      const markdown = readFileSync(join(ROOT, `docs/adapters/${adapter}.md`), "utf8");
      const code = EXAMPLE.exec(markdown)?.[1];
      expect(code, `docs/adapters/${adapter}.md has no <!-- example: adapter --> block`).toBeDefined();
      expect(code!.replace(`"@pushflow/${adapter}"`, '"@pushflow/browser"'), `docs/adapters/${adapter}.md`).toBe(snippet);
    }
  });
});
