/** What the replay tests of the bindings check a rendered step against: the machine itself. */
import type { AnyStateMachine, EventObject } from "xstate";

/** The action for each event, with a payload the machine's guards let through. */
const ACTION_OF: Record<string, { name: string; event: (context: object) => EventObject }> = {
  CANCEL: { name: "cancel", event: () => ({ type: "CANCEL" }) },
  CHOOSE_AUTHENTICATOR: { name: "choose", event: (c) => ({ type: "CHOOSE_AUTHENTICATOR", id: ("choices" in c && Array.isArray(c.choices) ? c.choices[0]?.id : undefined) ?? "" }) },
  RESEND: { name: "resend", event: () => ({ type: "RESEND" }) },
  USE_OTP: { name: "useOtp", event: () => ({ type: "USE_OTP" }) },
  SUBMIT_OTP: { name: "submitOtp", event: () => ({ type: "SUBMIT_OTP", otp: "123456" }) },
  USE_RECOVERY_CODE: { name: "useRecoveryCode", event: () => ({ type: "USE_RECOVERY_CODE" }) },
  SUBMIT_RECOVERY_CODE: { name: "submitRecoveryCode", event: () => ({ type: "SUBMIT_RECOVERY_CODE", code: "CODE" }) },
  BACK_TO_PUSH: { name: "backToPush", event: () => ({ type: "BACK_TO_PUSH" }) },
  ACK_RECOVERY_CODES: { name: "acknowledgeRecoveryCodes", event: () => ({ type: "ACK_RECOVERY_CODES" }) },
};

/**
 * The actions the machine accepts in a snapshot: its own `can`, asked with each event (the store
 * derives them another way, from the state nodes). Acknowledging recovery codes that are not
 * pending is accepted by the machine and changes nothing: a screen does not offer it.
 */
export function acceptedBy(snapshot: { can(event: EventObject): boolean; context: object }): string[] {
  const codesPending = "recoveryCodesPending" in snapshot.context && snapshot.context.recoveryCodesPending === true;
  return Object.values(ACTION_OF)
    .filter(({ name, event }) => snapshot.can(event(snapshot.context)) && (name !== "acknowledgeRecoveryCodes" || codesPending))
    .map(({ name }) => name)
    .sort();
}

/** Every state a view can show, from the machine: leaves, without the poll loop's steps. */
export function viewStates(machine: AnyStateMachine): string[] {
  const states = new Set<string>();
  const walk = (node: AnyStateMachine["root"]) => {
    const children = Object.values(node.states);
    if (children.length === 0) states.add(node.path.join(".").replace(/\.(waiting|requesting)$/, ""));
    children.forEach(walk);
  };
  walk(machine.root);
  return [...states].sort();
}

/** The state path of a snapshot, as the view shows it. */
export function replayState(snapshot: { value: unknown }): string {
  const path = (value: unknown): string =>
    typeof value === "string" ? value : Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}.${path(v)}`)[0] ?? "";
  return path(snapshot.value).replace(/\.(waiting|requesting)$/, "");
}
