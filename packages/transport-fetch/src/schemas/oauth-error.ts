import * as v from "valibot";

/**
 * An OAuth-style error answer: `{"error":"…","error_description":"…"}`, plus the `mfa_token`
 * and `mfa_requirements` of an `mfa_required` answer. Other fields are ignored.
 */
export const OAuthErrorSchema = v.object({
  error: v.pipe(v.string(), v.check((error) => error.trim() !== "", "is blank")),
  error_description: v.nullish(v.string()),
  mfa_token: v.nullish(v.string()),
  mfa_requirements: v.optional(v.unknown()),
});

export type OAuthError = v.InferOutput<typeof OAuthErrorSchema>;
