/** `pnpm -C examples/browser start [--port N]`: the emulator and the example page on loopback. */
import { startEmulator } from "@pushflow/emulator";
import { startExampleServer } from "./server.ts";

const portFlag = process.argv.indexOf("--port");
const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : 5173;
const emulator = await startEmulator({ port: 0 });
const page = await startExampleServer({ upstream: emulator.url, port, sourcemap: true });
console.log(`pushflow browser example on ${page.url}  (emulator ${emulator.url}; Ctrl-C stops)`);
console.log("  enroll:    ada@example.com / ada-password-1");
console.log("  challenge: grace@example.com / grace-password-1");
process.on("SIGINT", () => {
  void Promise.all([page.close(), emulator.close()]).then(() => process.exit(0));
});
