import { fileURLToPath } from "node:url";
import { describeInChromium } from "./support/scenarios.ts";

describeInChromium("@pushflow/react", fileURLToPath(new URL("./app/app.ts", import.meta.url)), { strictMode: true });
