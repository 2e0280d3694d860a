import type { ChallengeAnswer } from "@pushflow/core";
import * as v from "valibot";

/**
 * `POST /mfa/challenge`: `{"challenge_type":"oob","oob_code":"…"}` for push (no binding_method),
 * `{"challenge_type":"otp"}` for a one-time code. An oob challenge without an oob_code could
 * never be polled, so it is refused here.
 */
export const ChallengeSchema = v.pipe(
  v.object({
    challenge_type: v.picklist(["oob", "otp"]),
    oob_code: v.nullish(v.pipe(v.string(), v.minLength(1, "is empty"))),
    binding_method: v.nullish(v.string()),
  }),
  v.forward(
    v.check((body) => body.challenge_type !== "oob" || typeof body.oob_code === "string", "is missing for an oob challenge"),
    ["oob_code"],
  ),
);

export type ChallengeBody = v.InferOutput<typeof ChallengeSchema>;

export function toChallengeAnswer(body: ChallengeBody): ChallengeAnswer {
  return {
    challengeType: body.challenge_type,
    ...(body.oob_code == null ? {} : { oobCode: body.oob_code }),
    ...(body.binding_method == null ? {} : { bindingMethod: body.binding_method }),
  };
}
