/**
 * @pushflow/browser: Auth0 MFA push enrollment and challenge in a page. A reload resumes the flow
 * (sessionStorage), polls wait while the page is hidden or offline, and one tab polls for all.
 * The QR as SVG is in the optional entry `@pushflow/browser/qr`.
 */
export * from "@pushflow/core";
export { enroll, challenge, hasSavedFlow } from "./adapter.ts";
export type { BrowserOptions, BrowserHandle, BrowserEnrollmentHandle, BrowserChallengeHandle } from "./adapter.ts";
export { SessionFlowStore } from "./storage.ts";
export { createPauseGate, pausingTransport } from "./pause.ts";
export type { PauseGate } from "./pause.ts";
export type { TabRole } from "./tabs.ts";
