/**
 * Mounting the screen in a page. Bundle this file with your app's bundler (any that reads TSX);
 * the tests render the same components on the server instead.
 */
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ChallengePage } from "./live-challenge.tsx";

// The mfa_token comes from your login's `mfa_required` answer (here: from your own back-end).
const { mfaToken } = (await (await fetch("/session/mfa-token")).json()) as { mfaToken: string };
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ChallengePage options={{ domain: "tenant.auth0.com", clientId: "YOUR_PUBLIC_CLIENT_ID", mfaToken }} />
    </StrictMode>,
  );
}
