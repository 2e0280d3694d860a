/**
 * Server-side rendering: the package and its QR entry import without a `window`, and a component
 * that calls the hooks renders its idle state and starts no flow (effects never run on the server).
 */
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { createControlledTransport, settle } from "@pushflow/core/testing";

describe("@pushflow/react on the server", () => {
  it("imports and renders without a window, and sends nothing", async () => {
    expect(typeof window).toBe("undefined");
    const { useChallenge, useEnrollment } = await import("../src/index.ts");
    const { PushQr } = await import("../src/qr.ts");
    const transport = createControlledTransport();
    function Page() {
      const push = useChallenge({ transport, mfaToken: "SECRET-MFA-TOKEN" });
      const enrollment = useEnrollment({ transport, mfaToken: "SECRET-MFA-TOKEN" });
      return createElement(
        "main",
        null,
        createElement("p", null, `${push.view?.state ?? "idle"} ${Object.keys(push.actions).length} actions`),
        createElement("p", null, enrollment.outcome?.outcome ?? "no outcome"),
        createElement(PushQr, { barcodeUri: "otpauth://totp/Test:user?secret=X" }),
      );
    }
    const html = renderToString(createElement(Page));
    expect(html).toContain("idle 0 actions");
    expect(html).toContain("no outcome");
    expect(html).toMatch(/<img src="data:image\/svg\+xml;charset=utf-8,[^"]+" alt="QR code to scan with the Guardian app"\/>/);
    expect(html).not.toContain("SECRET-MFA-TOKEN");
    await settle();
    expect(transport.pending).toEqual([]);
  });
});
