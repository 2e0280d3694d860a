/** The shared conformance suite, run by `deno test` with the Deno adapter against the emulator. */
import { runScenario, scenarios, type AdapterUnderTest } from "@pushflow/conformance";
import { challenge, enroll } from "../../src/index.ts";
import { assert, assertEquals, emulatorUrl } from "./assert.ts";

const adapter: AdapterUnderTest = { runtime: "deno", enroll, challenge };

for (const scenario of scenarios) {
  Deno.test(`conformance: ${scenario.name}`, async () => {
    const result = await runScenario(adapter, emulatorUrl(), scenario);
    assertEquals(result.outcome, scenario.expect.outcome, "outcome");
    if (scenario.expect.method !== undefined) assertEquals(result.method, scenario.expect.method, "method");
    for (const name of scenario.expect.events) assert(result.events.includes(name), `no "${name}" event in ${result.events.join(", ")}`);
    assert(result.polls >= 1, "the flow never polled");
  });
}
