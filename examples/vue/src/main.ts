/** Mounting the page. Bundle this file with your app's bundler; no template compiler is needed. */
import { createApp, h } from "vue";
import { ChallengePage } from "./challenge-page.ts";

// The mfa_token comes from your login's `mfa_required` answer (here: from your own back-end).
const answer: unknown = await (await fetch("/session/mfa-token")).json();
const mfaToken = typeof answer === "object" && answer !== null && "mfaToken" in answer ? String(answer.mfaToken) : "";
createApp({ render: () => h(ChallengePage, { options: { domain: "tenant.auth0.com", clientId: "YOUR_PUBLIC_CLIENT_ID", mfaToken } }) }).mount("#root");
