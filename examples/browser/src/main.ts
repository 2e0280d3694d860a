/**
 * The example page: sign in with a password, then enroll or challenge with push. A reload resumes
 * the flow saved in this tab; a second tab mirrors the first one's flow instead of polling too.
 */
import { challenge, enroll, hasSavedFlow, type BrowserEnrollmentHandle, type BrowserOptions, type FlowKind } from "@pushflow/browser";
import { qrSvg } from "@pushflow/browser/qr";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
// Auth0 allows a poll every 5 s; the emulator demo goes faster (`?interval=200` in the tests).
const pollIntervalMs = Number(params.get("interval") ?? 1000);
const connection = { domain: location.origin, clientId: "pushflow-demo", pollIntervalMs };
const USERNAME_KEY = "example:username"; // for the simulated phone after a reload; not a secret

let current: { cancel(): void; acknowledge(): void } | undefined;

function log(line: string) {
  const item = document.createElement("li");
  item.textContent = `${new Date().toISOString().slice(11, 23)} ${line}`;
  $("log").prepend(item);
}

function run(kind: FlowKind, credentials: Pick<BrowserOptions, "username" | "password">) {
  const options: BrowserOptions = { ...connection, ...credentials };
  const handle = kind === "enroll" ? enroll(options) : challenge(options);
  // The button shows only in an enrollment (and a challenge would ignore the event anyway).
  current = { cancel: () => handle.cancel(), acknowledge: () => (handle as BrowserEnrollmentHandle).send({ type: "ACK_RECOVERY_CODES" }) };
  $("flow").hidden = false;
  $("kind").textContent = kind;
  $("outcome").textContent = "";
  $("polls").textContent = "0";
  $("qr").hidden = true;
  $("codes").hidden = true;
  $("start").querySelectorAll("button").forEach((b) => (b.disabled = true));
  void handle.resumed.then((resumed) => ($("resumed").textContent = resumed ? " · resumed" : ""));

  handle.events.on("state", ({ view }) => {
    $("state").textContent = view.state;
    $("role").textContent = handle.role();
  });
  handle.events.on("qr", ({ barcodeUri }) => {
    $("qr").innerHTML = qrSvg(barcodeUri);
    $("qr").hidden = false;
    log("qr");
  });
  handle.events.on("recovery-codes", ({ codes }) => {
    $("code-list").replaceChildren(...codes.map((code) => Object.assign(document.createElement("li"), { textContent: code })));
    $("codes").hidden = false;
    log(`recovery codes (${codes.length})`);
  });
  handle.events.on("poll", ({ attempt, answer }) => {
    $("polls").textContent = String(attempt);
    log(`poll ${attempt}: ${answer}`);
  });
  handle.events.on("backoff", ({ cause }) => log(`backoff: ${cause}`));
  handle.events.on("done", (done) => {
    // Tokens are in `done` (done.tokens): hand them to the app; never print them.
    $("outcome").textContent = done.outcome;
    $("qr").hidden = true;
    $("codes").hidden = true;
    $("role").textContent = handle.role();
    $("start").querySelectorAll("button").forEach((b) => (b.disabled = false));
    log(`done: ${done.outcome} (${done.reason})`);
  });
}

$("start").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = new FormData(event.target as HTMLFormElement);
  const kind = (event as SubmitEvent).submitter?.getAttribute("value") as FlowKind;
  const username = String(form.get("username"));
  sessionStorage.setItem(USERNAME_KEY, username);
  run(kind, { username, password: String(form.get("password")) });
});
$("ack").addEventListener("click", () => {
  current?.acknowledge();
  $("codes").hidden = true;
});
$("cancel").addEventListener("click", () => current?.cancel());

const phone = (action: string) => async () => {
  const username = sessionStorage.getItem(USERNAME_KEY) ?? (document.querySelector("input[name=username]") as HTMLInputElement).value;
  const answer = await fetch(`/__emulator/devices/${encodeURIComponent(username)}/${action}`, { method: "POST" });
  log(`phone ${action}: ${answer.status}`);
};
$("scan").addEventListener("click", phone("scan"));
$("approve").addEventListener("click", phone("approve"));
$("reject").addEventListener("click", phone("reject"));

// A reload in the middle of a flow picks it up where it was: same QR or push, no new request.
for (const kind of ["enroll", "challenge"] as const) {
  if (hasSavedFlow(kind)) {
    run(kind, {});
    break;
  }
}
