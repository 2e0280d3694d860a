import type { ApprovalMethod, Outcome } from "@pushflow/core";

/** The demo's timings: the whole story takes seconds, not minutes. */
export const DEMO = {
  pollIntervalMs: 500,
  scanAfterMs: 2_000,
  answerAfterMs: 1_500,
  clientId: "pushflow-demo",
  username: "ada@example.com",
  password: "ada-password-1",
} as const;

/** One chapter of the story. */
export interface DemoStep {
  readonly title: string;
  readonly flow: "enroll" | "challenge";
  /** What the simulated device does during this step. */
  readonly device: { readonly scanAfterMs?: number; readonly answer?: "approve" | "reject" | "ignore"; readonly answerAfterMs?: number };
  /** What the person does once the push is pending. */
  readonly user?: "types-otp" | "types-recovery-code";
  readonly expect: { readonly outcome: Outcome; readonly method?: ApprovalMethod };
}

export const STEPS: readonly DemoStep[] = [
  {
    title: "Push enrollment: the device scans the QR code",
    flow: "enroll",
    device: { scanAfterMs: DEMO.scanAfterMs },
    expect: { outcome: "enrolled" },
  },
  {
    title: "Push challenge: the device approves",
    flow: "challenge",
    device: { answer: "approve", answerAfterMs: DEMO.answerAfterMs },
    expect: { outcome: "approved", method: "push" },
  },
  {
    title: "Push challenge: the device rejects",
    flow: "challenge",
    device: { answer: "reject", answerAfterMs: DEMO.answerAfterMs },
    expect: { outcome: "rejected" },
  },
  {
    title: "Push challenge: the phone is out of reach, the user types the app's one-time code",
    flow: "challenge",
    device: { answer: "ignore" },
    user: "types-otp",
    expect: { outcome: "approved", method: "otp" },
  },
  {
    title: "Push challenge: the phone is lost, the user types the recovery code from the enrollment",
    flow: "challenge",
    device: { answer: "ignore" },
    user: "types-recovery-code",
    expect: { outcome: "approved", method: "recovery-code" },
  },
];
