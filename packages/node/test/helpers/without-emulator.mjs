// `node --import ./without-emulator.mjs …`: @pushflow/emulator cannot be found, as in an app that
// installed @pushflow/node without it (the emulator is an optional peer dependency).
import { register } from "node:module";

register("./without-emulator-hooks.mjs", import.meta.url);
