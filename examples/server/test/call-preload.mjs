/**
 * Loaded into the fault suite's instances (`node --import`). Every request an instance sends
 * carries `x-sent-at` (when its `fetch` was called) and `x-pushflow-call` (a number), and the
 * instance writes `PUSHFLOW_GAVE_UP <number>` to stderr for each call whose answer it did not
 * read to the end: the fetch failed (its timeout, a dropped connection) or the body was cancelled
 * (transport-fetch's deadline). So the suite knows, for each poll Auth0 answered, whether the
 * instance heard the answer, instead of guessing from timings. It changes nothing else; the
 * recording proxy strips both headers.
 */
const inner = globalThis.fetch;
let calls = 0;
const gaveUp = (call) => process.stderr.write(`PUSHFLOW_GAVE_UP ${call}\n`);

/** The same response, with a body that reports a read that stopped before its end. */
function watched(response, call) {
  if (response.body === null) return response;
  const reader = response.body.getReader();
  const body = new ReadableStream({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        gaveUp(call);
        controller.error(error);
      }
    },
    cancel(reason) {
      gaveUp(call);
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

globalThis.fetch = async (input, init) => {
  const call = String(++calls);
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  headers.set("x-sent-at", String(Date.now()));
  headers.set("x-pushflow-call", call);
  let sent;
  if (input instanceof Request && init === undefined) {
    for (const [name, value] of headers) input.headers.set(name, value);
    sent = inner(input);
  } else sent = inner(input, { ...init, headers });
  try {
    return watched(await sent, call);
  } catch (error) {
    gaveUp(call);
    throw error;
  }
};
