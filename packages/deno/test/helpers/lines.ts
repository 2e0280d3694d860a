import type { ChildProcess } from "node:child_process";

type Line = Record<string, unknown>;

/**
 * The JSON lines a child prints on stdout, as they come, with a way to wait for one. A wait fails
 * at once when the child exits first, with what it printed on stderr.
 */
export function jsonLines(child: ChildProcess) {
  const seen: Line[] = [];
  const waiting: { match: (line: Line) => boolean; resolve: (line: Line) => void; reject: (error: Error) => void }[] = [];
  let rest = "";
  let stderr = "";
  let exited = false;
  const failure = (why: string) => new Error(`${why}; saw ${JSON.stringify(seen)}\n--- stderr\n${stderr}`);
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const part of parts) {
      if (!part.trim().startsWith("{")) continue;
      const line = JSON.parse(part) as Line;
      seen.push(line);
      for (const w of [...waiting]) {
        if (!w.match(line)) continue;
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.on("close", (code, signal) => {
    exited = true;
    for (const w of waiting.splice(0)) w.reject(failure(`the process exited (${code ?? signal}) first`));
  });
  return {
    seen,
    /** The first line (already printed or to come) that matches; rejects after `timeoutMs` or on exit. */
    waitFor(match: (line: Line) => boolean, timeoutMs = 10_000): Promise<Line> {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      if (exited) return Promise.reject(failure("the process had exited"));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(failure(`no matching line within ${timeoutMs} ms`)), timeoutMs);
        waiting.push({
          match,
          resolve: (line) => (clearTimeout(timer), resolve(line)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
      });
    },
  };
}
