import type { RecoveryTokens, Tokens } from "@pushflow/core";
import * as v from "valibot";

/**
 * A token endpoint success (password, password-realm and the three MFA grants). The
 * recovery-code grant adds `recovery_code`, the code that replaces the one just used.
 */
export const TokenSchema = v.object({
  access_token: v.pipe(v.string(), v.minLength(1, "is empty")),
  token_type: v.string(),
  expires_in: v.pipe(v.number(), v.finite("is not a finite number"), v.minValue(0, "is negative")),
  id_token: v.nullish(v.string()),
  refresh_token: v.nullish(v.string()),
  scope: v.nullish(v.string()),
  recovery_code: v.nullish(v.string()),
});

export type TokenBody = v.InferOutput<typeof TokenSchema>;

/** snake_case to the core type; absent and null optional fields are both left out. */
export function toTokens(body: TokenBody): Tokens {
  return {
    accessToken: body.access_token,
    tokenType: body.token_type,
    expiresIn: body.expires_in,
    ...(body.id_token == null ? {} : { idToken: body.id_token }),
    ...(body.refresh_token == null ? {} : { refreshToken: body.refresh_token }),
    ...(body.scope == null ? {} : { scope: body.scope }),
  };
}

export function toRecoveryTokens(body: TokenBody): RecoveryTokens {
  return {
    ...toTokens(body),
    ...(body.recovery_code == null ? {} : { recoveryCode: body.recovery_code }),
  };
}
