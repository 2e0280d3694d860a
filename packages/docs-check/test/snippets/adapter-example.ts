import { challenge, enroll, type Tokens } from "@pushflow/browser";

/** What the example needs from your UI. */
interface Ui {
  status(text: string): void;
  showQr(barcodeUri: string): void;
  /** Shows the recovery codes once; resolves when the user has saved them. */
  showOnce(codes: readonly string[]): Promise<void>;
}

const connection = { domain: "tenant.auth0.com", clientId: "YOUR_CLIENT_ID" };

/** The second factor of a login: a push to the user's phone, after enrolling one if needed. */
export async function secondFactor(mfaToken: string, ui: Ui): Promise<Tokens> {
  const push = challenge({ ...connection, mfaToken });
  push.events.on("poll", ({ attempt }) => ui.status(`Approve the notification on your phone (check ${attempt})`));
  push.events.on("backoff", ({ cause }) => ui.status(`Waiting a little longer (${cause})`));
  const pushed = await push.outcome;
  if (pushed.outcome === "approved") return pushed.tokens;
  if (pushed.outcome !== "not_enrolled") throw new Error(pushed.reason);

  // No phone yet: enroll one. The same mfa_token works while the user has no active factor.
  const enrollment = enroll({ ...connection, mfaToken });
  enrollment.events.on("qr", ({ barcodeUri }) => ui.showQr(barcodeUri));
  enrollment.events.on("recovery-codes", ({ codes }) => {
    void ui.showOnce(codes).then(() => enrollment.send({ type: "ACK_RECOVERY_CODES" }));
  });
  const enrolled = await enrollment.outcome;
  if (enrolled.outcome === "enrolled") return enrolled.tokens;
  throw new Error(enrolled.reason);
}
