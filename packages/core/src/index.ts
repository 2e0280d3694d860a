export type { ErrorCode, Problem } from "./errors.ts";
export { PushflowError, isPushflowError, TRANSIENT_CODES } from "./errors.ts";
export type {
  Association,
  Authenticator,
  CallOptions,
  ChallengeAnswer,
  LoginAnswer,
  LoginRequest,
  RecoveryTokens,
  Result,
  Tokens,
  Transport,
} from "./transport.ts";
export type { FlowClock } from "./clock.ts";
export { systemClock } from "./clock.ts";
