import type { Authenticator } from "@pushflow/core";
import * as v from "valibot";

/** One entry of `GET /mfa/authenticators`; newer tenants add `type` and more, which we ignore. */
const AuthenticatorSchema = v.object({
  id: v.pipe(v.string(), v.minLength(1, "is empty")),
  authenticator_type: v.string(),
  active: v.boolean(),
  oob_channel: v.nullish(v.string()),
  name: v.nullish(v.string()),
});

export const AuthenticatorsSchema = v.array(AuthenticatorSchema);

export type AuthenticatorsBody = v.InferOutput<typeof AuthenticatorsSchema>;

export function toAuthenticators(body: AuthenticatorsBody): readonly Authenticator[] {
  return body.map((entry) => ({
    id: entry.id,
    authenticatorType: entry.authenticator_type,
    active: entry.active,
    ...(entry.oob_channel == null ? {} : { oobChannel: entry.oob_channel }),
    ...(entry.name == null ? {} : { name: entry.name }),
  }));
}
