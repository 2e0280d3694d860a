import type { FlowContext, FlowInput, MachineSettings } from "./shared.ts";

/** Input of the challenge machine. */
export interface ChallengeInput extends FlowInput {
  /** Challenge this authenticator (`push|dev_…`); by default the only active push one, or the user chooses. */
  readonly authenticatorId?: string;
  /** How long the whole challenge may take, from its start (list, choice, push and polls); default 5 minutes. */
  readonly timeoutMs?: number;
  /** Minimum time between two pushes; default 12 s (Auth0 sends 5 a minute). */
  readonly resendCooldownMs?: number;
}

/**
 * The states a saved challenge goes on from: every state that waits on the user or the clock, and
 * `challenging`, saved before the push is requested, so that a push whose answer was lost is
 * requested again knowingly (with a `resume` event that says so), never silently.
 */
export type ChallengeResumePoint = "retryingList" | "choosing" | "challenging" | "retryingChallenge" | "polling" | "otpEntry" | "recoveryEntry";

/** What the machine starts from: new options, or a saved flow's context and where it stood. */
export type ChallengeMachineInput =
  | (ChallengeInput & { readonly resume?: undefined })
  | { readonly resume: { readonly at: ChallengeResumePoint; readonly context: ChallengeContext } };

/** An active push authenticator the user can choose. */
export interface PushAuthenticator {
  readonly id: string;
  readonly name?: string;
}

/** What a challenge was started with. */
export interface ChallengeSettings extends MachineSettings {
  readonly requestedId: string | undefined;
  readonly timeoutMs: number;
  readonly resendCooldownMs: number;
}

/** Context of the challenge machine. */
export interface ChallengeContext extends FlowContext {
  readonly settings: ChallengeSettings;
  /** The active push authenticators, once listed. */
  readonly choices: readonly PushAuthenticator[];
  readonly authenticatorId: string | undefined;
  /** When the next push may be sent, on the flow clock. */
  readonly resendAvailableAt: number;
  /** The cooldown has passed while the user waited for the push. */
  readonly resendReady: boolean;
  /** Why the last code was refused, for the code screen. */
  readonly codeError: string | undefined;
  /** Set only while a resumed flow starts: the state it goes on from. */
  readonly resumeAt: ChallengeResumePoint | undefined;
}

/** Events the challenge machine accepts from the app. */
export type ChallengeEvent =
  | { readonly type: "CANCEL" }
  | { readonly type: "CHOOSE_AUTHENTICATOR"; readonly id: string }
  | { readonly type: "RESEND" }
  | { readonly type: "USE_OTP" }
  | { readonly type: "SUBMIT_OTP"; readonly otp: string }
  | { readonly type: "USE_RECOVERY_CODE" }
  | { readonly type: "SUBMIT_RECOVERY_CODE"; readonly code: string }
  | { readonly type: "BACK_TO_PUSH" };
