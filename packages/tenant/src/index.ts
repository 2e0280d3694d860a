// The virtual Auth0 tenant and Guardian device. @pushflow/transport-mock serves it in process,
// @pushflow/emulator over HTTP.
export { createTenant, VirtualTenant } from "./tenant.ts";
export type {
  EnrollmentTransactionView,
  Grant,
  PushView,
  TenantApi,
  TenantGuardian,
  TenantOptions,
  UserView,
} from "./tenant.ts";
export type { TenantEvent, ClientAuth } from "./state.ts";
export type { ClientSpec, UserSpec, GrantMethod } from "./model.ts";
export { DEFAULT_LIMITS } from "./limits.ts";
export type { TenantLimits } from "./limits.ts";
export type { RandomBytes } from "./ids.ts";
export { createDevice, VirtualDevice } from "./device.ts";
export type { DeviceAccount, DeviceLogEntry, DeviceOptions, DevicePolicy } from "./device.ts";
export { GuardianError } from "./operations/guardian-error.ts";
export type { LoginInput, LoginOutput } from "./operations/login.ts";
export type { AssociateInput, AssociateOutput, DeviceEnrollment } from "./operations/enrollment.ts";
export type { TenantChallengeInput, TenantChallengeOutput } from "./operations/challenge.ts";
export type { VerifyOobInput, VerifyOtpInput, VerifyRecoveryCodeInput } from "./operations/verify.ts";
export type { Bearer } from "./operations/authenticators.ts";
export type { Failure, RateLimitInfo, TenantResult } from "./failures.ts";
// For the faces: the refusals as Auth0 words them, the grant types of the token endpoint, and
// how a Guardian app reads a barcode_uri. The mock transport and the HTTP emulator both need them.
export { FAILURES } from "./failures.ts";
export { GRANTS } from "./state.ts";
export { enrollmentTxIdOf } from "./uri.ts";
