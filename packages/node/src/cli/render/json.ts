import { onAnyEvent, type CliHandle } from "../handle.ts";

/**
 * `--json`: every adapter event as one JSON line, `type` first; the flow's `done` event is the
 * last line. Nothing else goes to `write`.
 */
export function presentJson(handle: CliHandle, write: (line: string) => void): void {
  onAnyEvent(handle, (name, payload) => write(JSON.stringify({ type: name, ...payload })));
}
