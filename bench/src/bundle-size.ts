import { constants, gzipSync } from "node:zlib";
import { build, type Metafile, type Plugin } from "esbuild";
import { BENCH_DIR, benchRequire } from "./paths.ts";

/** The size of one browser bundle: minified, and minified + gzipped (level 9, as bundle-size tools report). */
export interface BundleSize {
  readonly minBytes: number;
  readonly gzipBytes: number;
  /** The names the bundle exports: tells whether an entry exposes what an app needs. */
  readonly exports: readonly string[];
  readonly metafile: Metafile;
  /** The unminified code, kept for bundles whose imports are read back (deps externalized). */
  readonly code: string;
  /** Externalized dependencies: the folder each was imported from (so a deps-only entry resolves the same copies). */
  readonly depDirs: Readonly<Record<string, string>>;
}

export interface BundleOptions {
  /** Leave every bare import that is not `@pushflow/*` out of the bundle. */
  readonly externalDeps?: boolean;
  /** Resolve workspace packages to their TypeScript sources (for attributing bytes to files). */
  readonly fromSources?: boolean;
  readonly minify?: boolean;
  /** Resolve the entry's bare imports from these folders (package name → folder), as `depDirs` recorded them. */
  readonly resolveFrom?: Readonly<Record<string, string>>;
  /** Packages left out of the bundle (a binding's framework, which the app has anyway). */
  readonly external?: readonly string[];
}

/**
 * Node built-ins that auth0-guardian-js requires; its own build (webpack 4) substitutes the npm
 * polyfills of the same name, so the bench does the same for every bundle.
 */
const POLYFILLS = new Set(["events", "url"]);

const polyfills: Plugin = {
  name: "node-polyfills",
  setup(b) {
    b.onResolve({ filter: /^(events|url)$/ }, (args) =>
      POLYFILLS.has(args.path) ? { path: benchRequire.resolve(`${args.path}/`) } : undefined,
    );
  },
};

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageRoot(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

function externalDeps(depDirs: Record<string, string>): Plugin {
  return {
    name: "external-deps",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith("@pushflow/")) return undefined;
        depDirs[packageRoot(args.path)] ??= args.resolveDir;
        return { path: args.path, external: true };
      });
    },
  };
}

/** Resolves the entry's own bare imports from other folders (only the entry's: its resolveDir is the bench folder). */
function resolveFrom(dirs: Readonly<Record<string, string>>): Plugin {
  return {
    name: "resolve-from",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        const dir = dirs[packageRoot(args.path)];
        if (dir === undefined || args.resolveDir !== BENCH_DIR || args.pluginData === "redirected") return undefined;
        const resolved = await b.resolve(args.path, { resolveDir: dir, kind: args.kind, pluginData: "redirected" });
        return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path };
      });
    },
  };
}

/** Bundles an entry (JS source, resolved from the bench folder) for the browser, as an app's bundler would. */
export async function bundle(source: string, options: BundleOptions = {}): Promise<BundleSize> {
  const minify = options.minify ?? true;
  const depDirs: Record<string, string> = {};
  const plugins = [polyfills];
  if (options.externalDeps) plugins.unshift(externalDeps(depDirs));
  if (options.resolveFrom) plugins.unshift(resolveFrom(options.resolveFrom));
  const result = await build({
    stdin: { contents: source, resolveDir: BENCH_DIR, sourcefile: "entry.js", loader: "js" },
    bundle: true,
    write: false,
    metafile: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify,
    treeShaking: true,
    // Code only: license banners are kept or dropped by each app's own settings.
    legalComments: "none",
    define: { "process.env.NODE_ENV": '"production"' },
    ...(options.external ? { external: [...options.external] } : {}),
    logLevel: "silent",
    ...(options.fromSources ? { conditions: ["@pushflow/source", "module"] } : {}),
    plugins,
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output");
  const outputMeta = Object.values(result.metafile.outputs)[0];
  return {
    minBytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents, { level: constants.Z_BEST_COMPRESSION }).byteLength,
    exports: outputMeta?.exports ?? [],
    metafile: result.metafile,
    code: minify ? "" : output.text,
    depDirs,
  };
}

/** One import an entry makes from a dependency: a name, `default`, or `*` (a whole namespace). */
export interface DepImport {
  readonly from: string;
  readonly name: string;
}

const IMPORT = /import\s+([\s\S]*?)\s+from\s+"([^"]+)";/g;
const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * Reads back what a bundle with externalized dependencies imports from them, after tree-shaking.
 * Namespace imports (`import * as v from "valibot"`) become the members the code touches.
 */
export function readDepImports(code: string): DepImport[] {
  const found = new Map<string, DepImport>();
  const add = (from: string, name: string) => found.set(`${from}\u0000${name}`, { from, name });
  for (const match of code.matchAll(IMPORT)) {
    const clause = match[1]?.trim() ?? "";
    const from = match[2] ?? "";
    const namespace = /^\*\s+as\s+([\w$]+)$/.exec(clause);
    if (namespace) {
      const local = namespace[1] ?? "";
      const members = [...code.matchAll(new RegExp(`(?<![\\w$.])${local.replace(/\$/g, "\\$")}\\.([A-Za-z_$][\\w$]*)`, "g"))];
      const computed = new RegExp(`(?<![\\w$.])${local.replace(/\$/g, "\\$")}(?![\\w$.])`).test(code.replace(match[0], ""));
      if (computed || members.length === 0) add(from, "*");
      for (const member of members) add(from, member[1] ?? "");
      continue;
    }
    const braces = /\{([^}]*)\}/.exec(clause);
    const defaultPart = clause.replace(/,?\s*\{[^}]*\}/, "").trim();
    if (defaultPart !== "" && IDENT.test(defaultPart)) add(from, "default");
    for (const part of braces?.[1]?.split(",") ?? []) {
      const name = part.trim().split(/\s+as\s+/)[0]?.trim();
      if (name) add(from, name);
    }
  }
  return [...found.values()];
}

/** An entry that imports exactly these names and keeps them (exported), and nothing else. */
export function depsOnlyEntry(imports: readonly DepImport[]): string {
  const lines: string[] = [];
  const locals: string[] = [];
  imports.forEach((imp, i) => {
    const local = `__dep${i}`;
    locals.push(local);
    if (imp.name === "*") lines.push(`import * as ${local} from ${JSON.stringify(imp.from)};`);
    else if (imp.name === "default") lines.push(`import ${local} from ${JSON.stringify(imp.from)};`);
    else lines.push(`import { ${imp.name} as ${local} } from ${JSON.stringify(imp.from)};`);
  });
  lines.push(`export { ${locals.join(", ")} };`);
  return lines.join("\n");
}

/** Minified bytes per source file (or per package for dependencies), biggest first. */
export function bytesByModule(metafile: Metafile): { readonly module: string; readonly bytes: number }[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const key = moduleLabel(path);
      totals.set(key, (totals.get(key) ?? 0) + input.bytesInOutput);
    }
  }
  return [...totals.entries()].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** `../node_modules/.pnpm/x@1/node_modules/@s/p/dist/a.js` → `@s/p`; `../packages/core/src/a.ts` → `core/src/a.ts`. */
function moduleLabel(path: string): string {
  const at = path.lastIndexOf("node_modules/");
  if (at >= 0) {
    const parts = path.slice(at + "node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1] ?? ""}` : (parts[0] ?? path);
  }
  const packages = path.indexOf("packages/");
  return packages >= 0 ? path.slice(packages + "packages/".length) : path;
}
