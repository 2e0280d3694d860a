import type { ErrorCode, Problem } from "../errors.ts";
import type { Result, Tokens } from "../transport.ts";

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (code: ErrorCode, extra: Partial<Problem> = {}): Result<never> => ({
  ok: false,
  problem: { code, message: extra.message ?? `test answer: ${code}`, ...extra },
});

/** Sample answers, named after what they stand for. */
export const answers = {
  tokens: (): Result<Tokens> => ok({ accessToken: "test-access-token", idToken: "test-id-token", tokenType: "Bearer", expiresIn: 600 }),
  pending: (): Result<never> => fail("authorization_pending"),
  slowDown: (retryAfterMs?: number): Result<never> => fail("slow_down", retryAfterMs === undefined ? {} : { retryAfterMs }),
  rateLimited: (retryAfterMs = 7_000): Result<never> => fail("rate_limited", { retryAfterMs, status: 429 }),
  rejected: (): Result<never> => fail("rejected", { message: "MFA Authorization rejected." }),
  association: (recoveryCodes?: string[]) =>
    ok({
      oobCode: "test-oob-code",
      barcodeUri: "otpauth://totp/Test:user%40example.com?enrollment_tx_id=tx&base_url=https%3A%2F%2Ftest",
      ...(recoveryCodes ? { recoveryCodes } : {}),
    }),
  pushAuthenticators: (count: number) =>
    ok(
      Array.from({ length: count }, (_, i) => ({
        id: `push|dev_${String(i).padStart(16, "0")}`,
        authenticatorType: "oob",
        oobChannel: "auth0",
        active: true,
        name: `Phone ${i + 1}`,
      })),
    ),
  pushChallenge: (oobCode = "test-challenge-oob") => ok({ challengeType: "oob" as const, oobCode }),
};
