import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from "jose";
import type { Grant, VirtualTenant } from "@pushflow/tenant";

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

/** The tenant's signing key: RS256 access and id tokens, verifiable against `jwks`. */
export interface TokenSigner {
  readonly jwks: { readonly keys: readonly JWK[] };
  /** The access token (a JWT whose `jti` is the grant id) and, for `openid`, the id token. */
  sign(grant: Grant): Promise<{ readonly accessToken: string; readonly idToken: string | undefined }>;
  /** The grant id of one of our access tokens; undefined when the token is not ours or is expired. */
  verifyAccessToken(token: string): Promise<string | undefined>;
}

/** Generates a key pair for this run; tokens carry the tenant clock's times. */
export async function createTokenSigner(tenant: VirtualTenant): Promise<TokenSigner> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const publicJwk: JWK = { ...jwk, kid, alg: "RS256", use: "sig" };
  const jwks = { keys: [publicJwk] };
  const localJwks = createLocalJWKSet(jwks);

  const signed = (claims: Record<string, unknown>, key: SigningKey) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(key);

  return {
    jwks,
    async sign(grant) {
      const iat = Math.floor(grant.issuedAt / 1000);
      const user = tenant.userById(grant.userId);
      const scopes = grant.scope.split(/\s+/);
      const userinfo = `${tenant.issuer}userinfo`;
      const amr = grant.method === "password" ? undefined : ["mfa"];
      // Auth0 issues a JWT only for an API audience; a login without one (the audience is then
      // the userinfo endpoint) gets an opaque access token.
      const accessToken =
        grant.audience === userinfo
          ? opaqueToken()
          : await signed(
              {
                iss: tenant.issuer,
                sub: grant.userId,
                aud: scopes.includes("openid") ? [grant.audience, userinfo] : grant.audience,
                iat,
                exp: iat + grant.expiresIn,
                scope: grant.scope,
                azp: grant.clientId,
                jti: grant.id,
                ...(amr === undefined ? {} : { amr }),
              },
              privateKey,
            );
      const idToken =
        grant.idToken === undefined
          ? undefined
          : await signed(
              {
                iss: tenant.issuer,
                sub: grant.userId,
                aud: grant.clientId,
                iat,
                exp: iat + 36_000,
                ...(user === undefined ? {} : userClaims(user.email, scopes, grant.issuedAt)),
                ...(amr === undefined ? {} : { amr }),
              },
              privateKey,
            );
      return { accessToken, idToken };
    },
    async verifyAccessToken(token) {
      try {
        const { payload } = await jwtVerify(token, localJwks, {
          issuer: tenant.issuer,
          algorithms: ["RS256"],
          currentDate: new Date(tenant.now()),
        });
        return typeof payload.jti === "string" ? payload.jti : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** An opaque access token: 32 random characters, like the ones Auth0 issues without an audience. */
function opaqueToken(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/**
 * The id_token's user claims, by scope as Auth0 sends them for a database user: `profile` gives
 * `name` (the address), `nickname` (its local part), `picture` and `updated_at`; `email` gives
 * `email` and `email_verified`. With `openid` alone there are none.
 */
function userClaims(email: string, scopes: readonly string[], issuedAt: number): Record<string, unknown> {
  const nickname = email.split("@")[0] ?? email;
  return {
    ...(scopes.includes("profile")
      ? {
          nickname,
          name: email,
          picture: `https://cdn.auth0.com/avatars/${nickname.slice(0, 2).toLowerCase()}.png`,
          updated_at: new Date(issuedAt).toISOString(),
        }
      : {}),
    ...(scopes.includes("email") ? { email, email_verified: false } : {}),
  };
}

/** A compact JWS has three base64url parts; anything else in a Bearer header is an mfa_token. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}
