/** What `cancelOnSignal` needs of a flow handle. */
export interface Cancellable {
  cancel(): void;
  readonly outcome: Promise<unknown>;
}

/** The signals Deno lets a program listen to (SIGBREAK on Windows only). */
export type CancelSignal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGQUIT" | "SIGBREAK" | "SIGUSR1" | "SIGUSR2";

/**
 * Cancels the flow when the process receives `signal` (default SIGINT): the outcome becomes
 * `cancelled` and no request is sent after it. The listener goes once the flow has ended, and
 * after the first signal, so a second Ctrl-C kills a process that is stuck (while a listener is
 * registered, Deno does not exit on the signal). Returns a function that removes it earlier.
 */
export function cancelOnSignal(
  handle: Cancellable,
  signal: CancelSignal = "SIGINT",
  options: { readonly onSignal?: (signal: CancelSignal) => void } = {},
): () => void {
  let listening = true;
  const dispose = () => {
    if (!listening) return;
    listening = false;
    Deno.removeSignalListener(signal, onSignal);
  };
  const onSignal = () => {
    dispose();
    options.onSignal?.(signal);
    handle.cancel();
  };
  Deno.addSignalListener(signal, onSignal);
  void handle.outcome.then(dispose, dispose);
  return dispose;
}
