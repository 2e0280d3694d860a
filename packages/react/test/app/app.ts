/**
 * The test app of the Chromium suite: `useChallenge` or `useEnrollment` against the emulator, with
 * the DOM contract the shared scenarios drive (#state, #outcome, a button per allowed action, #code,
 * #qr, #codes, #toggle). `?strict=1` mounts it in StrictMode, `?unmount=keep` keeps the flow on unmount.
 */
import { StrictMode, createElement as h, useState, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { useChallenge, useEnrollment, type ChallengeActions, type EnrollmentActions, type FlowHookOptions } from "../../src/index.ts";
import { PushQr } from "../../src/qr.ts";

const params = new URLSearchParams(location.search);
const options: FlowHookOptions = {
  domain: location.origin,
  clientId: "pushflow-demo",
  username: params.get("username") ?? "",
  password: params.get("password") ?? "",
  pollIntervalMs: Number(params.get("interval") ?? 1000),
  onUnmount: params.get("unmount") === "keep" ? "keep" : "cancel",
};

const code = () => {
  const input = document.getElementById("code");
  return input instanceof HTMLInputElement ? input.value : "";
};

function Buttons({ actions }: { readonly actions: ChallengeActions | EnrollmentActions }) {
  const run: Record<string, () => void> = {};
  for (const [name, action] of Object.entries(actions)) {
    if (typeof action === "function") run[name] = name === "submitOtp" || name === "submitRecoveryCode" ? () => action(code()) : () => action();
  }
  return h("p", null, ...Object.entries(run).map(([name, click]) => h("button", { key: name, "data-action": name, onClick: click }, name)));
}

function Fields(props: { readonly state: string | undefined; readonly outcome: string | undefined; readonly attempt: number | undefined; readonly seconds: number | undefined; readonly children?: ReactNode }) {
  return h(
    "section",
    null,
    h("output", { id: "state" }, props.state ?? ""),
    h("output", { id: "outcome" }, props.outcome ?? ""),
    h("output", { id: "attempt" }, String(props.attempt ?? "")),
    h("output", { id: "seconds" }, String(props.seconds ?? "")),
    h("input", { id: "code", autoComplete: "one-time-code" }),
    props.children,
  );
}

function Challenge() {
  const { view, outcome, actions, secondsLeft } = useChallenge(options);
  return h(
    Fields,
    { state: view?.state, outcome: outcome?.outcome, attempt: view?.attempt, seconds: secondsLeft },
    h(Buttons, { actions }),
    h("output", { id: "method" }, outcome?.outcome === "approved" ? outcome.method : ""),
    h("output", { id: "reason" }, outcome?.reason ?? ""),
  );
}

function Enrollment() {
  const { view, outcome, actions, secondsLeft, qr, recoveryCodes } = useEnrollment(options);
  return h(
    Fields,
    { state: view?.state, outcome: outcome?.outcome, attempt: view?.attempt, seconds: secondsLeft },
    h(Buttons, { actions }),
    h("div", { id: "qr" }, qr ? h(PushQr, { barcodeUri: qr.barcodeUri, pixelSize: 4 }) : null),
    h("ul", { id: "codes" }, ...(recoveryCodes ?? []).map((c) => h("li", { key: c }, c))),
  );
}

function App() {
  const [mounted, setMounted] = useState(true);
  const flow = params.get("flow") === "enroll" ? Enrollment : Challenge;
  return h("main", null, h("button", { id: "toggle", onClick: () => setMounted(!mounted) }, mounted ? "unmount" : "mount"), mounted ? h(flow) : null);
}

const root = document.getElementById("root");
if (root) createRoot(root).render(params.get("strict") === "1" ? h(StrictMode, null, h(App)) : h(App));
