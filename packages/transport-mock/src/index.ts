// The in-process face of the virtual tenant (which lives in @pushflow/tenant), and the scripted transport.
export { createMockTransport, tokensOf } from "./transport.ts";
export type { MockTransportOptions } from "./transport.ts";
export { createScriptedTransport } from "./scripted.ts";
export type { ScriptedTransport, ScriptedTransportOptions } from "./scripted.ts";
export type { RequestOf, Script, ScriptObjectStep, ScriptStep, SuccessOf } from "./script.ts";
export { PROBLEM_DEFAULTS, SUCCESS_DEFAULTS } from "./script-defaults.ts";
export type { CallRecord, RecordingTransport, TransportMethod } from "./calls.ts";
// Kept here too: tests that record calls reach for it beside the mock.
export { TRANSPORT_METHODS } from "@pushflow/core/adapter";
