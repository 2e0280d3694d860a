/**
 * @pushflow/node: the Node adapter. `enroll` and `challenge` take the options every adapter
 * takes (core's `AdapterOptions`); flows are saved in files with `createFileStore` and cancelled
 * on Ctrl-C with `cancelOnSignal`. Everything of `@pushflow/core` is re-exported, so an app
 * installs this one package.
 */
export * from "@pushflow/core";
export { enroll, challenge } from "./adapter.ts";
export { createFileStore, createSingleFileStore } from "./file-store.ts";
export type { FileFlowStore, FileStoreOptions } from "./file-store.ts";
export { cancelOnSignal } from "./signals.ts";
export type { Cancellable } from "./signals.ts";
