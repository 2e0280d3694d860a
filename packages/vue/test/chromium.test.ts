import { fileURLToPath } from "node:url";
import { describeInChromium } from "../../react/test/support/scenarios.ts";

describeInChromium("@pushflow/vue", fileURLToPath(new URL("./app/app.ts", import.meta.url)), { strictMode: false });
