import type { Rng } from "./random.ts";

/** The Auth0 MFA routes a flow calls, as the server tells them apart. */
export type Route = "associate" | "authenticators" | "challenge" | "oob-grant" | "other";

/** How the server answers one request. */
export type Hostile =
  | { readonly kind: "answer"; readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string }
  /** Send the head and part of a JSON body, then end: the body is cut short. */
  | { readonly kind: "truncated"; readonly status: number; readonly body: string }
  /** A body of a few MB, over the transport's 1 MiB limit. */
  | { readonly kind: "huge"; readonly status: number; readonly bytes: number }
  /** `socket.destroy()` as soon as the request arrived. */
  | { readonly kind: "reset" }
  /** Never answer: only the transport's own timeout ends the request. */
  | { readonly kind: "hang" };

/** The secrets the server hands out to one flow: none may leave the flow except in its `done` outcome. */
export interface HandedOut {
  readonly oobCodes: string[];
  readonly tokens: string[];
  readonly recoveryCodes: string[];
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Hostile => ({
  kind: "answer",
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

const GARBAGE_WAITS = ["soon", "-5", "1e400", "NaN", "", "Tue, 99 Foo 2026 25:61:00 GMT", "99999999999999999999", "0x10", "3.5.1", "86400", "2", "0"];
const UNKNOWN_ERRORS = ["bad_luck", "", "AUTHORIZATION_PENDING", "server_on_fire", "null"];
const STATUSES = [200, 201, 204, 301, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503, 504];

/** Draws the wait headers of a 429 or 5xx: absent, sane, huge, or garbage. */
function waitHeaders(rng: Rng, secondsNow: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (rng.chance(0.6)) headers["retry-after"] = rng.chance(0.5) ? String(rng.int(0, 30)) : rng.pick(GARBAGE_WAITS);
  if (rng.chance(0.3)) headers["x-ratelimit-reset"] = rng.chance(0.5) ? String(secondsNow + rng.int(-10, 90_000)) : rng.pick(GARBAGE_WAITS);
  return headers;
}

const secret = (rng: Rng, prefix: string) => `${prefix}-${rng.int(0, 2 ** 31).toString(36)}${rng.int(0, 2 ** 31).toString(36)}`;

/** A well-formed answer of the route, good news or bad, remembering every secret it hands out. */
function validAnswer(rng: Rng, route: Route, handed: HandedOut, secondsNow: number): Hostile {
  switch (route) {
    case "associate": {
      if (rng.chance(0.15)) return json(400, { error: "access_denied", error_description: "User is already enrolled." });
      const oob = secret(rng, "OOB");
      handed.oobCodes.push(oob);
      const codes = rng.chance(0.5) ? [secret(rng, "RECOVERY")] : undefined;
      if (codes) handed.recoveryCodes.push(...codes);
      return json(200, {
        authenticator_type: "oob",
        oob_channel: "auth0",
        oob_code: oob,
        barcode_uri: "otpauth://totp/Hostile:user?enrollment_tx_id=tx&base_url=http%3A%2F%2F127.0.0.1",
        ...(codes ? { recovery_codes: codes } : {}),
      });
    }
    case "authenticators": {
      const count = rng.pick([0, 1, 1, 1, 2, 3]);
      return json(
        200,
        Array.from({ length: count }, (_, i) => ({ id: `push|dev_${i}`, authenticator_type: "oob", oob_channel: rng.chance(0.9) ? "auth0" : "sms", active: rng.chance(0.9), name: `Phone ${i}` })),
      );
    }
    case "challenge": {
      const oob = secret(rng, "OOB");
      handed.oobCodes.push(oob);
      return json(200, { challenge_type: "oob", oob_code: oob, binding_method: "prompt" });
    }
    case "oob-grant": {
      const roll = rng.next();
      if (roll < 0.45) return json(400, { error: "authorization_pending", error_description: "Authorization pending: please repeat the request in a few seconds." });
      if (roll < 0.55) return json(429, { error: "slow_down", error_description: "You are polling faster than allowed." }, rng.chance(0.3) ? waitHeaders(rng, secondsNow) : {});
      if (roll < 0.65) return json(429, { error: "too_many_requests", error_description: "Too many requests." }, waitHeaders(rng, secondsNow));
      if (roll < 0.72) return json(403, { error: "invalid_grant", error_description: "MFA Authorization rejected." });
      if (roll < 0.76) return json(403, { error: "expired_token", error_description: "oob_code is expired" });
      if (roll < 0.79) {
        const newMfaToken = secret(rng, "NEWMFA");
        handed.tokens.push(newMfaToken);
        return json(403, { error: "mfa_required", error_description: "Multifactor authentication required", mfa_token: newMfaToken });
      }
      const access = secret(rng, "ACCESS");
      const id = secret(rng, "IDTOKEN");
      handed.tokens.push(access, id);
      return json(200, { access_token: access, id_token: id, token_type: "Bearer", expires_in: 86_400 });
    }
    case "other":
      return json(404, { error: "not_found" });
  }
}

/**
 * One hostile answer: most are well-formed (so that flows get far enough to poll and end), the
 * rest are every way an answer can go wrong.
 */
export function hostileAnswer(rng: Rng, route: Route, handed: HandedOut, secondsNow: number): Hostile {
  const roll = rng.next();
  if (roll < 0.55) return validAnswer(rng, route, handed, secondsNow);
  if (roll < 0.63) return json(rng.pick([429, 503, 500]), { error: rng.pick(["too_many_requests", "server_error", "temporarily_unavailable"]) }, waitHeaders(rng, secondsNow));
  if (roll < 0.7) return json(rng.pick(STATUSES), { error: rng.pick(UNKNOWN_ERRORS), error_description: rng.chance(0.5) ? "who knows" : 42 });
  if (roll < 0.75) return { kind: "answer", status: rng.pick(STATUSES), headers: { "content-type": rng.pick(["application/json", "text/html", ""]) }, body: rng.pick(["", "<html>oops</html>", "null", "[]", "{}", "\u0000\u0001"]) };
  if (roll < 0.81) return { kind: "truncated", status: rng.pick([200, 400, 429, 503]), body: '{"error":"authorization_pending","error_description":"Authorization pend' };
  if (roll < 0.82) return { kind: "huge", status: rng.pick([200, 400, 503]), bytes: rng.int(2, 3) * 1024 * 1024 };
  if (roll < 0.95) return { kind: "reset" };
  return { kind: "hang" };
}
