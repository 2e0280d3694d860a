import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { runScenario, scenarios, type AdapterUnderTest } from "@pushflow/conformance";
import { describe, expect, it } from "vitest";
import { challenge, createFileStore, enroll } from "../src/index.ts";
import { useEmulator } from "./helpers/emulator.ts";

const env = useEmulator("pushflow-conformance-");

const plain: AdapterUnderTest = { runtime: "node", enroll, challenge };

describe("the shared conformance suite, Node adapter", () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const result = await runScenario(plain, env.emulator.url, scenario);
      expect(result.outcome).toBe(scenario.expect.outcome);
      if (scenario.expect.method) expect(result.method).toBe(scenario.expect.method);
      expect(result.events).toEqual(scenario.expect.events);
    });
  }
});

describe("the shared conformance suite, Node adapter saving to a file store", () => {
  for (const scenario of scenarios) {
    it(scenario.name, async () => {
      const store = createFileStore(join(env.dir, scenario.name.replace(/\W+/g, "-")));
      const adapter: AdapterUnderTest = {
        runtime: "node-file",
        enroll: (options) => enroll({ ...options, store }),
        challenge: (options) => challenge({ ...options, store }),
      };
      const result = await runScenario(adapter, env.emulator.url, scenario);
      expect(result.outcome).toBe(scenario.expect.outcome);
      await store.flush();
      // A finished flow leaves nothing behind.
      expect(await readdir(join(env.dir, scenario.name.replace(/\W+/g, "-")))).toEqual([]);
    });
  }
});
