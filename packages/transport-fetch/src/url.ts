import { PushflowError } from "@pushflow/core";

/**
 * Turns the `domain` option into the base URL every request is built on.
 *
 * A bare host (`tenant.auth0.com`, `localhost:3000`) means HTTPS. A URL may use `http:` only for
 * a loopback host, because the emulator runs there and nothing else should ever see a token in
 * clear text.
 *
 * @throws PushflowError `bad_input` when the domain cannot be parsed, `insecure_url` for plain
 *   HTTP to a host that is not loopback.
 */
export function resolveBaseUrl(domain: string): URL {
  const trimmed = domain.trim();
  if (trimmed === "") {
    throw new PushflowError("bad_input", "domain is empty: pass a host like tenant.auth0.com or a URL");
  }
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  let url: URL;
  try {
    url = new URL(hasScheme ? trimmed : `https://${trimmed}`);
  } catch {
    throw new PushflowError("bad_input", `domain ${JSON.stringify(trimmed)} is not a host or a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new PushflowError("bad_input", `domain must be an https URL, not ${url.protocol}`);
  }
  if (url.hostname === "") {
    throw new PushflowError("bad_input", `domain ${JSON.stringify(trimmed)} has no host`);
  }
  // Credentials, queries and fragments in a base URL would leak into every request or be
  // silently dropped; either way the configuration is wrong.
  if (url.username !== "" || url.password !== "") {
    throw new PushflowError("bad_input", "domain must not carry a user name or password");
  }
  if (url.search !== "" || url.hash !== "") {
    throw new PushflowError("bad_input", "domain must not carry a query or a fragment");
  }
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new PushflowError(
      "insecure_url",
      `refusing plain http to ${url.host}: use https (http is allowed only for localhost, 127.0.0.0/8 and [::1])`,
    );
  }
  return url;
}

/** True for `localhost`, `127.0.0.0/8` and `[::1]`, as the URL parser normalises them. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost" || host === "[::1]") return true;
  // The WHATWG parser already turned `127.1` or `0x7f.1` into dotted decimal.
  const octets = host.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/**
 * The full URL of an endpoint path (which starts with `/`) below the base URL. A base path (a
 * proxy prefix) is kept, without its trailing slash so that the two join cleanly.
 */
export function endpointUrl(base: URL, path: string): string {
  return `${base.origin}${base.pathname.replace(/\/+$/, "")}${path}`;
}
