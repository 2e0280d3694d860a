import { parseCommandLine } from "./args.ts";
import { USAGE_ERROR } from "./exit-codes.ts";
import { processIo, type CliIo } from "./io.ts";
import { USAGE } from "./usage.ts";

/** The `pushflow` command: answers the exit code (DESIGN.md's table, 2 for a usage error). */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (!parsed.ok) {
    io.stderr.write(`pushflow: ${parsed.message}\nRun "pushflow --help" for the usage.\n`);
    return USAGE_ERROR;
  }
  const { command } = parsed;
  if (command.kind === "help") {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command.kind === "demo") {
    // Loaded on demand: only the demo needs the emulator (an optional peer dependency: hono, jose).
    const { runDemo } = await import("../demo/demo.ts");
    return runDemo(io);
  }
  const { runFlow } = await import("./run-flow.ts");
  return runFlow(command, io);
}
