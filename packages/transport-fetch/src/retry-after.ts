/** The longest wait we report: the largest delay `setTimeout` honours (about 24.8 days). */
export const MAX_RETRY_AFTER_MS = 2_147_483_647;

/**
 * How long the server asked us to wait, in ms, from `Retry-After` (delta seconds or an
 * HTTP-date). Undefined when the header is absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get("retry-after")?.trim();
  if (value === undefined || value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return clamp(Number(value) * 1000);
  // An HTTP-date always names a weekday or month, so a bare number never gets here.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : clamp(at - now);
}

/**
 * How long until `x-ratelimit-reset` (Auth0 sends unix seconds), in ms. Undefined when the
 * header is absent or unreadable.
 */
export function rateLimitResetMs(headers: Headers, now: number): number | undefined {
  const value = headers.get("x-ratelimit-reset")?.trim();
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  return clamp(Number(value) * 1000 - now);
}

function clamp(ms: number): number | undefined {
  // A number too large for a double still means "much later": it becomes the maximum.
  if (Number.isNaN(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}
