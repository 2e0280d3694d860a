import { createAdapter } from "@pushflow/core/adapter";
import { createFetchTransport } from "@pushflow/transport-fetch";

/**
 * The Deno adapter: core's shared adapter API over the fetch transport, which uses only web
 * APIs (fetch, AbortSignal, URL). Deno needs `--allow-net` for the tenant's host.
 */
const adapter = createAdapter({ createTransport: createFetchTransport });

/** Starts (or resumes, with a `store`) a push enrollment. */
export const enroll = adapter.enroll;

/** Starts (or resumes, with a `store`) a push challenge. */
export const challenge = adapter.challenge;
