/**
 * Runs the shared conformance suite inside the page: `runScenario` drives the browser adapter
 * with the page's own fetch, sessionStorage, Web Locks and BroadcastChannel, and reaches the
 * emulator through the page server's proxy (same origin).
 */
import { runScenario, scenarios, type ScenarioResult } from "@pushflow/conformance";
import { challenge, enroll } from "../../src/index.ts";

declare global {
  interface Window {
    conformance: { names: string[]; run(name: string): Promise<ScenarioResult> };
  }
}

window.conformance = {
  names: scenarios.map((s) => s.name),
  run(name) {
    const scenario = scenarios.find((s) => s.name === name);
    if (!scenario) throw new Error(`no scenario ${name}`);
    return runScenario({ runtime: "browser", enroll, challenge }, location.origin, scenario);
  },
};
