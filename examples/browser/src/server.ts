/**
 * A tiny page server for the example and the browser tests: it bundles the page's module scripts
 * (from the workspace sources, with rolldown) and proxies every other path to the emulator. The
 * page and the Auth0 routes thus share one origin: the emulator sends no CORS headers, and a real
 * app calls its Auth0 custom domain or its own back-end proxy the same way.
 */
import { readFile } from "node:fs/promises";
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

export interface PageServerOptions {
  /** The emulator (or any Auth0-like server) that every other path goes to. */
  readonly upstream: string;
  /** Path → HTML file. */
  readonly pages: Readonly<Record<string, string>>;
  /** Path → TypeScript entry, bundled once at start. */
  readonly scripts: Readonly<Record<string, string>>;
  readonly port?: number;
  readonly hostname?: string;
  /** Inline source maps in the scripts (for a person in the developer tools; tests skip them). */
  readonly sourcemap?: boolean;
}

export interface PageServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  close(): Promise<void>;
}

/** A page script bundled for the browser, with the modules it took in. */
export interface Bundle {
  readonly code: string;
  readonly modules: readonly string[];
}

/** Bundles a page script for the browser from workspace sources (the `@pushflow/source` condition). */
export async function bundle(entry: string, options: { readonly minify?: boolean; readonly sourcemap?: boolean } = {}): Promise<Bundle> {
  const build = await rolldown({
    input: entry,
    platform: "browser",
    resolve: { conditionNames: ["@pushflow/source", "browser", "import", "default"] },
    logLevel: "warn",
  });
  try {
    const { output } = await build.generate({ format: "esm", minify: options.minify ?? false, sourcemap: options.sourcemap ? "inline" : false });
    const chunk = output[0];
    if (output.length !== 1 || chunk.type !== "chunk") throw new Error(`${entry}: expected one chunk, got ${output.length} files`);
    return { code: chunk.code, modules: chunk.moduleIds };
  } finally {
    await build.close();
  }
}

export async function startPageServer(options: PageServerOptions): Promise<PageServer> {
  const upstream = new URL(options.upstream);
  const files = new Map<string, { type: string; body: string }>();
  for (const [path, file] of Object.entries(options.pages)) files.set(path, { type: "text/html; charset=utf-8", body: await readFile(file, "utf8") });
  for (const [path, entry] of Object.entries(options.scripts)) files.set(path, { type: "text/javascript; charset=utf-8", body: (await bundle(entry, { sourcemap: options.sourcemap ?? false })).code });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://page").pathname;
    const file = req.method === "GET" ? files.get(path) : undefined;
    if (file) {
      res.writeHead(200, { "content-type": file.type, "cache-control": "no-store" });
      res.end(file.body);
      return;
    }
    const proxied = forward(
      { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    proxied.on("error", () => {
      // The emulator dropped the connection (a `drop` fault): so does the proxy.
      res.destroy();
    });
    req.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.hostname ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.hostname ?? "127.0.0.1"}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The example page: `/` and its script, proxied to the emulator at `upstream`. */
export function startExampleServer(options: { readonly upstream: string; readonly port?: number; readonly sourcemap?: boolean }): Promise<PageServer> {
  return startPageServer({
    upstream: options.upstream,
    sourcemap: options.sourcemap ?? false,
    pages: { "/": fileOf("../index.html") },
    scripts: { "/main.js": fileOf("./main.ts") },
    ...(options.port === undefined ? {} : { port: options.port }),
  });
}

function fileOf(relative: string): string {
  // The same relative paths work from src/ (tests) and from dist/ (the start script).
  const base = import.meta.url.includes("/dist/") ? new URL("../src/", import.meta.url) : new URL("./", import.meta.url);
  return fileURLToPath(new URL(relative, base));
}
