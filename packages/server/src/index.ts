export { createFlowServer } from "./flow-server.ts";
export { parseEvent } from "./events.ts";
export { ENTRY_FORMAT } from "./envelope.ts";
export type { FlowEntry } from "./envelope.ts";
export type { EncryptionKey } from "./sealer.ts";
export type { ClaimedLease, Lease, LeasedEntry, LeaseStore } from "./lease.ts";
export type {
  BusyAnswer,
  DoneAnswer,
  FlowAccess,
  FlowAnswer,
  FlowServer,
  FlowServerEvent,
  FlowServerOptions,
  GoneAnswer,
  PendingAnswer,
  ReportedAnswer,
  ServerView,
  StartInput,
  StartOptions,
} from "./types.ts";
// The in-memory store is core's: for tests and single-process apps.
export { MemoryFlowStore } from "@pushflow/core";
export type { FlowStore, StoredEntry } from "@pushflow/core";
