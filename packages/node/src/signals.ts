/** What `cancelOnSignal` needs of a flow handle. */
export interface Cancellable {
  cancel(): void;
  readonly outcome: Promise<unknown>;
}

/**
 * Cancels the flow when the process receives `signal` (default SIGINT): the outcome becomes
 * `cancelled` and no request is sent after it. The listener goes once the flow has ended, and
 * after the first signal, so a second Ctrl-C still kills a process that is stuck. Returns a
 * function that removes the listener earlier.
 */
export function cancelOnSignal(
  handle: Cancellable,
  signal: NodeJS.Signals = "SIGINT",
  options: { readonly onSignal?: (signal: NodeJS.Signals) => void } = {},
): () => void {
  const onSignal = () => {
    options.onSignal?.(signal);
    handle.cancel();
  };
  const dispose = () => void process.removeListener(signal, onSignal);
  process.once(signal, onSignal);
  void handle.outcome.then(dispose, dispose);
  return dispose;
}
