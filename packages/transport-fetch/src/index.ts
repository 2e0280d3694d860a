export { createFetchTransport } from "./fetch-transport.ts";
export type { FetchFunction, FetchTransportOptions } from "./options.ts";
export { DEFAULT_TIMEOUT_MS } from "./options.ts";
export { MAX_BODY_BYTES } from "./read-body.ts";
export type { CallKind } from "./classify.ts";
export { classifyOAuthError } from "./classify.ts";
export { isLoopbackHost } from "./url.ts";
// Not exported on purpose: the schemas, the body reader and the message builder are
// implementation details; the `Transport` interface and `Problem` come from @pushflow/core.
