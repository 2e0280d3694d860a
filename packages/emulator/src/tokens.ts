import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from "jose";
import type { Grant, VirtualTenant } from "@pushflow/transport-mock";

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
      const audiences =
        grant.scope.split(/\s+/).includes("openid") && grant.audience !== `${tenant.issuer}userinfo`
          ? [grant.audience, `${tenant.issuer}userinfo`]
          : grant.audience;
      const amr = grant.method === "password" ? undefined : ["mfa"];
      const accessToken = await signed(
        {
          iss: tenant.issuer,
          sub: grant.userId,
          aud: audiences,
          azp: grant.clientId,
          scope: grant.scope,
          iat,
          exp: iat + grant.expiresIn,
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
                ...(user === undefined ? {} : { email: user.email, name: user.username }),
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

/** A compact JWS has three base64url parts; anything else in a Bearer header is an mfa_token. */
export function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);
}
