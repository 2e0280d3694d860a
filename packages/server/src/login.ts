import type { FlowOutput, LoginRequest, Problem, Transport } from "@pushflow/core";

export type LoginResult = { readonly ok: true; readonly mfaToken: string } | { readonly ok: false; readonly output: FlowOutput };

/** A password login whose `mfa_required` answer carries the flow's mfa_token (the same rules as core's launch). */
export async function mfaTokenFromLogin(transport: Transport, request: LoginRequest): Promise<LoginResult> {
  const answer = await transport.login(request);
  if (answer.ok) {
    if (answer.value.type === "mfa_required") return { ok: true, mfaToken: answer.value.mfaToken };
    const error: Problem = { code: "invalid_request", message: "the login succeeded without MFA: this user has no MFA requirement" };
    return { ok: false, output: { outcome: "failed", reason: error.message, error } };
  }
  const problem = answer.problem;
  if (problem.code === "misconfigured") return { ok: false, output: { outcome: "misconfigured", reason: problem.message } };
  if (problem.code === "rate_limited") return { ok: false, output: { outcome: "rate_limited", reason: problem.message } };
  return { ok: false, output: { outcome: "failed", reason: `login failed: ${problem.message}`, error: problem } };
}
