/**
 * Server-side rendering: the package imports without a `window`, and a component that calls the
 * composables renders its idle state and starts no flow (mounted hooks never run on the server).
 */
import { createSSRApp, defineComponent, h } from "vue";
import { renderToString } from "vue/server-renderer";
import { describe, expect, it } from "vitest";
import { createControlledTransport, settle } from "@pushflow/core/testing";

describe("@pushflow/vue on the server", () => {
  it("imports and renders without a window, and sends nothing", async () => {
    expect(typeof window).toBe("undefined");
    const { useChallenge, useEnrollment } = await import("../src/index.ts");
    const transport = createControlledTransport();
    const Page = defineComponent(() => {
      const push = useChallenge({ transport, mfaToken: "SECRET-MFA-TOKEN" });
      const enrollment = useEnrollment({ transport, mfaToken: "SECRET-MFA-TOKEN" });
      return () =>
        h("main", [
          h("p", `${push.view.value?.state ?? "idle"} ${Object.keys(push.actions.value).length} actions`),
          h("p", enrollment.outcome.value?.outcome ?? "no outcome"),
        ]);
    });
    const html = await renderToString(createSSRApp(Page));
    expect(html).toContain("idle 0 actions");
    expect(html).toContain("no outcome");
    expect(html).not.toContain("SECRET-MFA-TOKEN");
    await settle();
    expect(transport.pending).toEqual([]);
  });
});
