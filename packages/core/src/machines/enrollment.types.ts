import type { FlowContext, FlowInput, MachineSettings } from "./shared.ts";

/** Input of the enrollment machine. */
export interface EnrollmentInput extends FlowInput {
  /** How long the QR stays valid from the association (Auth0 gives 5 minutes), and the whole enrollment may take from its start. */
  readonly enrollmentWindowMs?: number;
  /**
   * `manual` (default): after the device confirms a first enrollment, the flow waits in
   * `awaitingAcknowledgement` until the app sends ACK_RECOVERY_CODES (or cancels, or the window
   * passes). `auto`: the codes count as acknowledged once emitted; for apps that print them and go on.
   */
  readonly acknowledgeRecoveryCodes?: "manual" | "auto";
}

/**
 * The states a saved enrollment goes on from: every state that waits on the clock, and
 * `associating`, saved before the enrollment is requested (see ChallengeResumePoint).
 */
export type EnrollmentResumePoint = "associating" | "retryingAssociate" | "awaitingDevice";

/** What the machine starts from: new options, or a saved flow's context and where it stood. */
export type EnrollmentMachineInput =
  | (EnrollmentInput & { readonly resume?: undefined })
  | { readonly resume: { readonly at: EnrollmentResumePoint; readonly context: EnrollmentContext } };

/** Context of the enrollment machine. Recovery codes are never kept here: they go out once, as an event. */
export interface EnrollmentContext extends FlowContext {
  readonly settings: MachineSettings & { readonly enrollmentWindowMs: number; readonly acknowledgeRecoveryCodes: "manual" | "auto" };
  /** What the QR shows (not a secret on its own: it is single-use and short-lived). */
  readonly barcodeUri: string | undefined;
  /** When the QR stops working, on the flow clock. */
  readonly expiresAt: number | undefined;
  /** A first enrollment returned recovery codes that the user has not acknowledged yet. */
  readonly recoveryCodesPending: boolean;
  /** Set only while a resumed flow starts: the state it goes on from. */
  readonly resumeAt: EnrollmentResumePoint | undefined;
}

/** Events the enrollment machine accepts from the app. */
export type EnrollmentEvent = { readonly type: "CANCEL" } | { readonly type: "ACK_RECOVERY_CODES" };
