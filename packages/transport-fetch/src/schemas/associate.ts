import type { Association } from "@pushflow/core";
import * as v from "valibot";

/**
 * `POST /mfa/associate` for push: the QR content and the oob_code to poll with. Recovery codes
 * come only with a user's first authenticator.
 */
export const AssociateSchema = v.object({
  oob_code: v.pipe(v.string(), v.minLength(1, "is empty")),
  barcode_uri: v.pipe(v.string(), v.startsWith("otpauth://", "is not an otpauth:// URI")),
  recovery_codes: v.nullish(v.array(v.string())),
});

export type AssociateBody = v.InferOutput<typeof AssociateSchema>;

export function toAssociation(body: AssociateBody): Association {
  return {
    oobCode: body.oob_code,
    barcodeUri: body.barcode_uri,
    ...(body.recovery_codes == null ? {} : { recoveryCodes: body.recovery_codes }),
  };
}
