/**
 * Serves a test app next to the emulator for the bindings' Chromium suites: the app's script is
 * bundled with rolldown from the workspace sources (the bundler examples/browser uses), in
 * development mode (React's StrictMode double mount happens only there), and every other path is
 * proxied to the emulator, so that the page and the Auth0 routes share one origin.
 */
import { createServer, request as forward } from "node:http";
import type { AddressInfo } from "node:net";
import { rolldown } from "rolldown";

export interface AppServer {
  readonly url: string;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>pushflow binding test</title></head>
  <body><div id="root"></div><script type="module" src="/app.js"></script></body>
</html>`;

export async function bundleApp(entry: string): Promise<string> {
  const build = await rolldown({
    input: entry,
    platform: "browser",
    resolve: { conditionNames: ["@pushflow/source", "browser", "import", "default"] },
    transform: { define: { "process.env.NODE_ENV": JSON.stringify("development"), __VUE_OPTIONS_API__: "false", __VUE_PROD_DEVTOOLS__: "false", __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false" } },
    logLevel: "warn",
  });
  try {
    const { output } = await build.generate({ format: "esm" });
    const [chunk] = output;
    if (output.length !== 1 || chunk.type !== "chunk") throw new Error(`${entry}: expected one chunk, got ${output.length} files`);
    return chunk.code;
  } finally {
    await build.close();
  }
}

export async function startAppServer(entry: string, upstream: string): Promise<AppServer> {
  const target = new URL(upstream);
  const script = await bundleApp(entry);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://page").pathname;
    if (req.method === "GET" && (path === "/" || path === "/app.js")) {
      res.writeHead(200, { "content-type": path === "/" ? "text/html; charset=utf-8" : "text/javascript; charset=utf-8", "cache-control": "no-store" });
      res.end(path === "/" ? PAGE : script);
      return;
    }
    const proxied = forward({ hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    proxied.on("error", () => res.destroy());
    req.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
