/**
 * `localhost`, `127.0.0.0/8` and `[::1]` (a URL's `hostname`, already normalized by the WHATWG
 * parser): the hosts pushflow's fetch transport lets plain HTTP name, and so does the issuer.
 */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The issuer identifier as Auth0 writes it: an absolute `https://` URL ending in `/`, with no
 * query, fragment or credentials. `http://` is accepted for a loopback host only, as pushflow's
 * fetch transport accepts it: an issuer is where clients send passwords and tokens. Throws a
 * message naming what is wrong.
 */
export function normalizeIssuer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`the issuer must be an absolute URL such as https://auth.example.test/, got "${value}"`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new Error(`the issuer must use https:// (http:// only for a loopback host), got "${value}"`);
  }
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    throw new Error(`the issuer takes no query, fragment or credentials, got "${value}"`);
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}
