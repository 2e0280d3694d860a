/**
 * The test app of the Chromium suite: `useChallenge` or `useEnrollment` against the emulator, with
 * the DOM contract the shared scenarios drive (#state, #outcome, a button per allowed action, #code,
 * #qr, #codes, #toggle). `?unmount=keep` keeps the flow when the component unmounts.
 */
import { createApp, defineComponent, h, ref } from "vue";
import { qrDataUrl } from "@pushflow/browser/qr";
import { useChallenge, useEnrollment, type ChallengeActions, type EnrollmentActions, type FlowComposableOptions } from "../../src/index.ts";

const params = new URLSearchParams(location.search);
const options: FlowComposableOptions = {
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

function buttons(actions: ChallengeActions | EnrollmentActions) {
  return h(
    "p",
    Object.entries(actions).flatMap(([name, action]) =>
      typeof action === "function"
        ? [h("button", { key: name, "data-action": name, onClick: () => (name === "submitOtp" || name === "submitRecoveryCode" ? action(code()) : action()) }, name)]
        : [],
    ),
  );
}

function fields(state: string | undefined, outcome: string | undefined, attempt: number | undefined, seconds: number | undefined) {
  return [
    h("output", { id: "state" }, state ?? ""),
    h("output", { id: "outcome" }, outcome ?? ""),
    h("output", { id: "attempt" }, String(attempt ?? "")),
    h("output", { id: "seconds" }, String(seconds ?? "")),
    h("input", { id: "code", autocomplete: "one-time-code" }),
  ];
}

const Challenge = defineComponent(() => {
  const { view, outcome, actions, secondsLeft } = useChallenge(options);
  return () =>
    h("section", [
      ...fields(view.value?.state, outcome.value?.outcome, view.value?.attempt, secondsLeft.value),
      buttons(actions.value),
      h("output", { id: "method" }, outcome.value?.outcome === "approved" ? outcome.value.method : ""),
      h("output", { id: "reason" }, outcome.value?.reason ?? ""),
    ]);
});

const Enrollment = defineComponent(() => {
  const { view, outcome, actions, secondsLeft, qr, recoveryCodes } = useEnrollment(options);
  return () =>
    h("section", [
      ...fields(view.value?.state, outcome.value?.outcome, view.value?.attempt, secondsLeft.value),
      buttons(actions.value),
      h("div", { id: "qr" }, qr.value ? [h("img", { src: qrDataUrl(qr.value.barcodeUri, { pixelSize: 4 }), alt: "QR code to scan with the Guardian app" })] : []),
      h("ul", { id: "codes" }, (recoveryCodes.value ?? []).map((c) => h("li", { key: c }, c))),
    ]);
});

const App = defineComponent(() => {
  const mounted = ref(true);
  const flow = params.get("flow") === "enroll" ? Enrollment : Challenge;
  return () =>
    h("main", [h("button", { id: "toggle", onClick: () => (mounted.value = !mounted.value) }, mounted.value ? "unmount" : "mount"), mounted.value ? h(flow) : null]);
});

createApp(App).mount("#root");
