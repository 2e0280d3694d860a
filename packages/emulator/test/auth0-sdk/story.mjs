// An app's test, as a user of Auth0's own SDK would write it: run by auth0-sdk.test.ts in a Node
// process started with NODE_EXTRA_CA_CERTS=<the emulator's CA file>, the trust line the emulator
// prints. Nothing here knows it is not talking to Auth0, except the /__emulator calls that stand
// in for the person holding the phone. Prints one JSON line: what each step saw (claims, never
// tokens or codes).
import { AuthClient, isMfaRequiredError, MfaVerifyError } from "@auth0/auth0-auth-js";
import { createRemoteJWKSet, jwtVerify } from "jose";

const { domain, clientId, clientSecret, username, password, audience } = JSON.parse(process.env.STORY_CONFIG ?? "{}");
const base = `https://${domain}`;
const auth = new AuthClient({ domain, clientId, clientSecret });

/** A password login that Auth0 answers with mfa_required: its mfa_token. */
async function mfaToken() {
  try {
    await auth.getTokenByPassword({ username, password, audience, scope: "openid profile email" });
  } catch (error) {
    if (isMfaRequiredError(error)) return error.cause.mfa_token;
    throw error;
  }
  throw new Error("the login did not ask for MFA");
}

/** The phone: the emulator's control API, over the same trusted TLS. */
async function device(path, body) {
  const response = await fetch(`${base}/__emulator${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw new Error(`device ${path}: ${response.status}`);
  return response.json();
}

async function totp() {
  const response = await fetch(`${base}/__emulator/devices/${encodeURIComponent(username)}/totp`);
  return (await response.json()).otp;
}

const metadata = await auth.getServerMetadata();
const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));

/** Both tokens verified against the JWKS the discovery document names, with its issuer. */
async function verified(tokens) {
  const access = await jwtVerify(tokens.accessToken, jwks, { issuer: metadata.issuer, audience });
  const id = await jwtVerify(tokens.idToken, jwks, { issuer: metadata.issuer, audience: clientId });
  return { access: access.payload, id: id.payload, claims: tokens.claims, hasRecoveryCode: typeof tokens.recoveryCode === "string" };
}

const report = { issuer: metadata.issuer, jwksUri: metadata.jwks_uri };

// Enrollment: list (nothing yet), enroll push, the device scans the barcode, verify the oob_code.
const enrollToken = await mfaToken();
report.before = (await auth.mfa.listAuthenticators({ mfaToken: enrollToken })).map((a) => a.authenticatorType);
const enrollment = await auth.mfa.enrollAuthenticator({ authenticatorTypes: ["oob"], oobChannels: ["auth0"], mfaToken: enrollToken });
report.enrollment = { authenticatorType: enrollment.authenticatorType, oobChannel: enrollment.oobChannel, barcode: enrollment.barcodeUri?.split("?")[0] };
try {
  await auth.mfa.verify({ factorType: "oob", mfaToken: enrollToken, oobCode: enrollment.oobCode });
  report.pending = "tokens before the scan";
} catch (error) {
  report.pending = error instanceof MfaVerifyError ? error.cause?.error : String(error);
}
await device("/scan", { barcode_uri: enrollment.barcodeUri });
report.enrolled = await verified(await auth.mfa.verify({ factorType: "oob", mfaToken: enrollToken, oobCode: enrollment.oobCode }));
const recoveryCode = enrollment.recoveryCodes?.[0];

// Challenge: list, push to the device, it approves, verify the oob_code.
const pushToken = await mfaToken();
const authenticators = await auth.mfa.listAuthenticators({ mfaToken: pushToken });
report.after = authenticators.map((a) => ({ type: a.authenticatorType, active: a.active, oobChannels: a.oobChannels }));
const push = authenticators.find((a) => a.authenticatorType === "oob" && a.active);
const challenge = await auth.mfa.challengeAuthenticator({ challengeType: "oob", authenticatorId: push?.id, mfaToken: pushToken });
report.challenge = challenge.challengeType;
await device(`/devices/${encodeURIComponent(username)}/approve`);
report.pushed = await verified(await auth.mfa.verify({ factorType: "oob", mfaToken: pushToken, oobCode: challenge.oobCode }));

// The OTP fallback: the device's current code.
const otpToken = await mfaToken();
const otpChallenge = await auth.mfa.challengeAuthenticator({ challengeType: "otp", mfaToken: otpToken });
report.otpChallenge = otpChallenge.challengeType;
report.otp = await verified(await auth.mfa.verify({ factorType: "otp", mfaToken: otpToken, otp: await totp() }));

// The recovery code shown at enrollment; Auth0 answers with the next one.
const recoveryToken = await mfaToken();
report.recovery = await verified(await auth.mfa.verify({ factorType: "recovery-code", mfaToken: recoveryToken, recoveryCode }));

process.stdout.write(`${JSON.stringify(report)}\n`);
