/**
 * Mounting the screen in a page. Bundle this file with your app's bundler (any that reads TSX);
 * the tests render the same components on the server instead.
 */
import { challenge } from "@pushflow/browser";
import { createRoot } from "react-dom/client";
import { ChallengePage } from "./live-challenge.tsx";

// The mfa_token comes from your login's `mfa_required` answer (here: from your own back-end).
const { mfaToken } = (await (await fetch("/session/mfa-token")).json()) as { mfaToken: string };
const handle = challenge({ domain: "tenant.auth0.com", clientId: "YOUR_PUBLIC_CLIENT_ID", mfaToken });
createRoot(document.getElementById("root")!).render(<ChallengePage handle={handle} />);
