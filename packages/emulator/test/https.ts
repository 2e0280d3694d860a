import { request } from "node:https";

export interface HttpsAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * One HTTPS request that trusts `ca` only (this process started without NODE_EXTRA_CA_CERTS, and
 * Node's fetch takes no CA). Rejects with the TLS error when the chain does not verify.
 */
export function httpsJson(
  url: string,
  ca: string | undefined,
  init: { readonly method?: string; readonly form?: Record<string, string> } = {},
): Promise<HttpsAnswer> {
  const body = init.form === undefined ? undefined : new URLSearchParams(init.form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? (body === undefined ? "GET" : "POST"),
        ...(ca === undefined ? {} : { ca }),
        headers: body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          const parsed: unknown = text === "" ? {} : JSON.parse(text);
          const isObject = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
          resolve({ status: res.statusCode ?? 0, body: isObject ? (parsed as Record<string, unknown>) : {} });
        });
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}
