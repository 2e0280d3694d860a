import { PushflowError, type ChallengeEvent, type FlowKind } from "@pushflow/core";
import type { FlowServerEvent } from "./types.ts";

/** Events without a field, by kind; a Map, so that only its own keys match (not `toString`). */
const PLAIN: Record<FlowKind, ReadonlyMap<string, FlowServerEvent>> = {
  enroll: new Map<string, FlowServerEvent>([
    ["CANCEL", { type: "CANCEL" }],
    ["ACK_RECOVERY_CODES", { type: "ACK_RECOVERY_CODES" }],
  ]),
  challenge: new Map<string, FlowServerEvent>([
    ["CANCEL", { type: "CANCEL" }],
    ["RESEND", { type: "RESEND" }],
    ["USE_OTP", { type: "USE_OTP" }],
    ["USE_RECOVERY_CODE", { type: "USE_RECOVERY_CODE" }],
    ["BACK_TO_PUSH", { type: "BACK_TO_PUSH" }],
  ]),
};

/** Challenge events that carry one text field: its name, its longest length, and the event it makes. */
interface TextEvent {
  readonly field: string;
  readonly max: number;
  readonly event: (value: string) => ChallengeEvent;
}

const WITH_TEXT: ReadonlyMap<string, TextEvent> = new Map<string, TextEvent>([
  ["CHOOSE_AUTHENTICATOR", { field: "id", max: 256, event: (id) => ({ type: "CHOOSE_AUTHENTICATOR", id }) }],
  ["SUBMIT_OTP", { field: "otp", max: 64, event: (otp) => ({ type: "SUBMIT_OTP", otp }) }],
  ["SUBMIT_RECOVERY_CODE", { field: "code", max: 128, event: (code) => ({ type: "SUBMIT_RECOVERY_CODE", code }) }],
]);

/**
 * Checks an event that came from a browser: a known type for this kind of flow, text fields of
 * a sane length, nothing else kept. Throws PushflowError (`bad_input`) otherwise; the message
 * never repeats the value (it may be a code).
 */
export function parseEvent(kind: FlowKind, event: unknown): FlowServerEvent {
  if (event === null || typeof event !== "object") throw bad("an event is an object with a type");
  const type: unknown = Reflect.get(event, "type");
  if (typeof type !== "string") throw bad("an event is an object with a type");
  const plain = PLAIN[kind].get(type);
  // A copy: the caller owns the event it is given.
  if (plain !== undefined) return { ...plain };
  const spec = kind === "challenge" ? WITH_TEXT.get(type) : undefined;
  if (spec === undefined) throw bad(`${type.slice(0, 40)} is not an event of a ${kind} flow`);
  const value: unknown = Reflect.get(event, spec.field);
  if (typeof value !== "string" || value.length === 0 || value.length > spec.max) {
    throw bad(`${type} needs a ${spec.field} of 1 to ${spec.max} characters`);
  }
  return spec.event(value);
}

function bad(message: string): PushflowError {
  return new PushflowError("bad_input", message);
}
