// `node --conditions=@pushflow/source --import ./register-ts.mjs src/cli.ts`: the CLI from its sources.
import { register } from "node:module";

register("./ts-hooks.mjs", import.meta.url);
