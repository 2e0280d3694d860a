import { ALTERNATIVES, BINDINGS, BROWSER_ENTRY, BROWSER_PROBE, CORE_FETCH_ENTRY, QR_ENTRY } from "./bundle-entries.ts";
import { bundle, bytesByModule, depsOnlyEntry, readDepImports, type DepImport } from "./bundle-size.ts";
import { installedVersion } from "./paths.ts";

export interface Size {
  readonly minBytes: number;
  readonly gzipBytes: number;
}

export interface AlternativeSize extends Partial<Size> {
  readonly id: string;
  readonly packageName: string;
  readonly version: string;
  readonly takes: string;
  /** Why it could not be bundled, when it could not. */
  readonly error?: string;
}

export interface BundleResults {
  /** `@pushflow/browser` once it exports the flows; `core + transport-fetch` until then. */
  readonly entry: "@pushflow/browser" | "@pushflow/core + @pushflow/transport-fetch";
  readonly ours: Size;
  /** xstate, ky, valibot, eventemitter3 with exactly the imports our code makes. */
  readonly depsOnly: Size;
  /** ours − depsOnly. */
  readonly own: Size;
  readonly depImports: readonly DepImport[];
  /** Minified bytes per file of ours (from sources) and per dependency, biggest first. */
  readonly modules: readonly { readonly module: string; readonly bytes: number }[];
  /** `@pushflow/browser/qr` alone, and what it adds to the main entry; undefined while it exports nothing. */
  readonly qr: { readonly alone: Size; readonly added: Size } | undefined;
  /** Each UI binding alone: what it adds to the main entry, its framework left out. */
  readonly bindings: readonly { readonly name: string; readonly peer: string; readonly added: Size | undefined; readonly error?: string }[];
  readonly alternatives: readonly AlternativeSize[];
}

const size = (s: Size): Size => ({ minBytes: s.minBytes, gzipBytes: s.gzipBytes });
const minus = (a: Size, b: Size): Size => ({ minBytes: a.minBytes - b.minBytes, gzipBytes: a.gzipBytes - b.gzipBytes });

async function browserReady(): Promise<boolean> {
  try {
    const probe = await bundle(BROWSER_PROBE, { minify: false });
    return probe.exports.includes("enroll") && probe.exports.includes("challenge");
  } catch {
    return false;
  }
}

async function qrSizes(mainEntry: string, main: Size): Promise<BundleResults["qr"]> {
  try {
    const alone = await bundle(QR_ENTRY);
    if (alone.exports.length === 0) return undefined;
    const both = await bundle(`${mainEntry}\n${QR_ENTRY}`);
    return { alone: size(alone), added: minus(both, main) };
  } catch {
    return undefined;
  }
}

async function bindingSizes(mainEntry: string, main: Size): Promise<BundleResults["bindings"]> {
  const sizes: BundleResults["bindings"][number][] = [];
  for (const binding of BINDINGS) {
    try {
      const both = await bundle(`${mainEntry}\n${binding.entry}`, { external: [binding.peer] });
      sizes.push({ name: binding.name, peer: binding.peer, added: minus(both, main) });
    } catch (error) {
      sizes.push({ name: binding.name, peer: binding.peer, added: undefined, error: error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error) });
    }
  }
  return sizes;
}

export async function runBundleBench(): Promise<BundleResults> {
  const useBrowser = await browserReady();
  const entry = useBrowser ? BROWSER_ENTRY : CORE_FETCH_ENTRY;
  const ours = await bundle(entry);
  const externalized = await bundle(entry, { externalDeps: true, minify: false });
  const depImports = readDepImports(externalized.code);
  const depsOnly = await bundle(depsOnlyEntry(depImports), { resolveFrom: externalized.depDirs });
  const fromSources = await bundle(entry, { fromSources: true });

  const alternatives: AlternativeSize[] = [];
  for (const alt of ALTERNATIVES) {
    const base = { id: alt.id, packageName: alt.packageName, version: installedVersion(alt.packageName), takes: alt.takes };
    try {
      alternatives.push({ ...base, ...size(await bundle(alt.entry)) });
    } catch (error) {
      alternatives.push({ ...base, error: error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error) });
    }
  }

  return {
    entry: useBrowser ? "@pushflow/browser" : "@pushflow/core + @pushflow/transport-fetch",
    ours: size(ours),
    depsOnly: size(depsOnly),
    own: minus(ours, depsOnly),
    depImports,
    modules: bytesByModule(fromSources.metafile),
    qr: await qrSizes(entry, ours),
    bindings: await bindingSizes(entry, ours),
    alternatives,
  };
}
