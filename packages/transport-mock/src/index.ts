export { createTenant, VirtualTenant } from "./tenant.ts";
export type {
  EnrollmentView,
  Grant,
  PushView,
  TenantApi,
  TenantGuardian,
  TenantOptions,
  UserView,
} from "./tenant.ts";
export type { TenantEvent, ClientAuth } from "./state.ts";
export { GRANTS } from "./state.ts";
export type { ClientSpec, UserSpec, GrantMethod } from "./model.ts";
export { DEFAULT_LIMITS, TokenBucket } from "./limits.ts";
export type { TenantLimits } from "./limits.ts";
export { FAILURES, LABELS, toProblem, abortedProblem, wholeSeconds } from "./failures.ts";
export type { Failure, RateLimitInfo, TenantResult, CallLabel } from "./failures.ts";
export { createDevice, VirtualDevice } from "./device.ts";
export type { DeviceAccount, DeviceLogEntry, DeviceOptions, DevicePolicy } from "./device.ts";
export { GuardianError } from "./operations/guardian-error.ts";
export type { LoginInput, LoginOutput } from "./operations/login.ts";
export type { AssociateInput, AssociateOutput, DeviceEnrollment } from "./operations/enrollment.ts";
export type { ChallengeInput, ChallengeOutput } from "./operations/challenge.ts";
export type { VerifyOobInput, VerifyOtpInput, VerifyRecoveryCodeInput } from "./operations/verify.ts";
export { normalizeRecoveryCode } from "./operations/verify.ts";
export type { Bearer } from "./operations/authenticators.ts";
export { createMockTransport, tokensOf } from "./transport.ts";
export type { MockTransportOptions } from "./transport.ts";
export { createScriptedTransport } from "./scripted.ts";
export type { ScriptedTransport, ScriptedTransportOptions } from "./scripted.ts";
export { parseStep, parseSteps, Counter } from "./script.ts";
export type { PlannedAnswer, RequestOf, Script, ScriptObjectStep, ScriptStep, SuccessOf } from "./script.ts";
export { PROBLEM_DEFAULTS, SUCCESS_DEFAULTS } from "./script-defaults.ts";
export type { CallRecord, RecordingTransport, TransportMethod } from "./calls.ts";
// Kept here too: tests that record calls reach for it beside the mock.
export { TRANSPORT_METHODS } from "@pushflow/core/adapter";
export { buildBarcodeUri, enrollmentTxIdOf } from "./uri.ts";
export { cryptoRandomBytes } from "./ids.ts";
export type { RandomBytes } from "./ids.ts";
