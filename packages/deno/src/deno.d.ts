/**
 * The few Deno APIs this package uses, so that `tsc` checks it without Deno's own lib (the
 * package's tsconfig has `types: []`). Shapes follow Deno 2's `lib.deno.ns.d.ts`; `deno check`
 * checks the same sources against the real declarations (see test/deno.test.ts).
 */
declare namespace Deno {
  interface WriteFileOptions {
    mode?: number;
    createNew?: boolean;
  }
  interface MkdirOptions {
    recursive?: boolean;
    mode?: number;
  }
  interface OpenOptions {
    read?: boolean;
    write?: boolean;
    create?: boolean;
    mode?: number;
  }
  interface FsFile {
    lock(exclusive?: boolean): Promise<void>;
    close(): void;
  }
  type Signal = "SIGINT" | "SIGTERM" | "SIGHUP" | "SIGQUIT" | "SIGBREAK" | "SIGUSR1" | "SIGUSR2";

  const pid: number;
  function readTextFile(path: string): Promise<string>;
  function writeTextFile(path: string, data: string, options?: WriteFileOptions): Promise<void>;
  function rename(oldpath: string, newpath: string): Promise<void>;
  function remove(path: string): Promise<void>;
  function mkdir(path: string, options?: MkdirOptions): Promise<void>;
  function open(path: string, options?: OpenOptions): Promise<FsFile>;
  function addSignalListener(signal: Signal, handler: () => void): void;
  function removeSignalListener(signal: Signal, handler: () => void): void;

  namespace errors {
    class NotFound extends Error {}
    class AlreadyExists extends Error {}
  }
}
