import { createAdapter } from "@pushflow/core/adapter";
import { createFetchTransport } from "@pushflow/transport-fetch";

/**
 * The Node adapter: core's shared adapter API over the fetch transport. Warnings (e.g. a poll
 * interval below 5 s) go to stderr so that stdout stays the app's.
 */
const adapter = createAdapter({
  createTransport: createFetchTransport,
  defaults: () => ({ warn: (message: string) => void process.stderr.write(`${message}\n`) }),
});

/** Starts (or resumes, with a `store`) a push enrollment. */
export const enroll = adapter.enroll;

/** Starts (or resumes, with a `store`) a push challenge. */
export const challenge = adapter.challenge;
