/**
 * @pushflow/deno: the Deno adapter. `enroll` and `challenge` take the options every adapter takes
 * (core's `AdapterOptions`); flows are saved in files with `createFileStore` and cancelled on
 * Ctrl-C with `cancelOnSignal`. Everything of `@pushflow/core` is re-exported, so an app imports
 * this one package. Only web APIs and `Deno.*`: no Node API.
 */
export * from "@pushflow/core";
export { enroll, challenge } from "./adapter.ts";
export { createFileStore } from "./file-store.ts";
export type { FileFlowStore, FileStoreOptions } from "./file-store.ts";
export { cancelOnSignal } from "./signals.ts";
export type { Cancellable, CancelSignal } from "./signals.ts";
