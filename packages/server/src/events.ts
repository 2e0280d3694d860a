import { PushflowError, type FlowKind } from "@pushflow/core";
import type { FlowServerEvent } from "./types.ts";

const PLAIN: Record<FlowKind, readonly string[]> = {
  enroll: ["CANCEL", "ACK_RECOVERY_CODES"],
  challenge: ["CANCEL", "RESEND", "USE_OTP", "USE_RECOVERY_CODE", "BACK_TO_PUSH"],
};

/** Events that carry one text field, with its name and longest length. */
const WITH_TEXT: Record<string, readonly [field: string, max: number]> = {
  CHOOSE_AUTHENTICATOR: ["id", 256],
  SUBMIT_OTP: ["otp", 64],
  SUBMIT_RECOVERY_CODE: ["code", 128],
};

/**
 * Checks an event that came from a browser: a known type for this kind of flow, text fields of
 * a sane length, nothing else kept. Throws PushflowError (`bad_input`) otherwise; the message
 * never repeats the value (it may be a code).
 */
export function parseEvent(kind: FlowKind, event: unknown): FlowServerEvent {
  if (event === null || typeof event !== "object") throw bad("an event is an object with a type");
  const type = (event as Record<string, unknown>)["type"];
  if (typeof type !== "string") throw bad("an event is an object with a type");
  if (PLAIN[kind].includes(type)) return { type } as FlowServerEvent;
  const spec = kind === "challenge" ? WITH_TEXT[type] : undefined;
  if (spec === undefined) throw bad(`${type.slice(0, 40)} is not an event of a ${kind} flow`);
  const [field, max] = spec;
  const value = (event as Record<string, unknown>)[field];
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw bad(`${type} needs a ${field} of 1 to ${max} characters`);
  }
  return { type, [field]: value } as unknown as FlowServerEvent;
}

function bad(message: string): PushflowError {
  return new PushflowError("bad_input", message);
}
