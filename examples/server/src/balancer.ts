/**
 * A round-robin load balancer for the demo: every request goes to the next instance, so the
 * request that starts a flow and the ones that advance it land on different instances.
 */
export function roundRobin(upstreams: readonly string[]): (request: Request) => Promise<Response> {
  let next = 0;
  return async (request) => {
    const target = upstreams[next++ % upstreams.length]!;
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    headers.delete("host");
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    try {
      return await fetch(`${target}${url.pathname}${url.search}`, { method: request.method, headers, ...(body ? { body } : {}) });
    } catch {
      // The instance is down: the browser asks again and the next request goes elsewhere.
      return Response.json({ error: "the instance did not answer" }, { status: 502 });
    }
  };
}
