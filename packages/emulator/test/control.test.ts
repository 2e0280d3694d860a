import { createTenant } from "@pushflow/tenant";
import { createMockTransport } from "@pushflow/transport-mock";
import { describe, expect, it } from "vitest";
import { startEmulator } from "../src/index.ts";
import { enroll, start, USER } from "./helpers.ts";

const base = "/__emulator";

describe("control API", () => {
  it("lists its routes", async () => {
    const { get } = await start();
    const a = await get(base);
    expect(a.status).toBe(200);
    expect((a.body.routes as string[]).some((r) => r.includes("/devices/:username/approve"))).toBe(true);
  });

  it("creates users and clients, mints mfa_tokens", async () => {
    const { post, send, login, form } = await start();
    expect((await post(`${base}/users`, { username: "bob", password: "pw" })).status).toBe(201);
    expect((await post(`${base}/users`, { username: "bob", password: "pw" })).status).toBe(400);
    expect((await post(`${base}/clients`, { client_id: "spa", mfa_grant: false })).status).toBe(201);
    const bob = await form("/oauth/token", { grant_type: "password", client_id: "spa", username: "bob", password: "pw" });
    expect(bob.body.error).toBe("mfa_required");
    expect((await send("PATCH", `${base}/clients/spa`, { mfa_grant: true })).status).toBe(200);
    const minted = await post(`${base}/mfa-token`, { username: USER.username, client_id: "app" });
    expect(minted.body.mfa_token).toMatch(/^Fe26\.2\*/);
    expect(typeof (await login())).toBe("string");
  });

  it("scans by enrollment_tx_id, by barcode_uri, or the user's newest enrollment", async () => {
    const { post, get, login, associate, poll } = await start();
    const token = await login();
    const first = await associate(token);
    const tx = String(first.body.barcode_uri).match(/enrollment_tx_id=(\w+)/)?.[1];
    const scanned = await post(`${base}/scan`, { enrollment_tx_id: tx });
    expect(scanned.status).toBe(200);
    expect(scanned.body).toMatchObject({ username: USER.username, authenticator_id: expect.stringMatching(/^push\|dev_/) });
    expect((await poll(token, String(first.body.oob_code))).status).toBe(200);

    await post(`${base}/users`, { username: "bob", password: "pw" });
    const bobToken = String((await post(`${base}/mfa-token`, { username: "bob", client_id: "app" })).body.mfa_token);
    const bobs = await associate(bobToken);
    expect((await post(`${base}/scan`, { barcode_uri: bobs.body.barcode_uri })).body.username).toBe("bob");

    await post(`${base}/users`, { username: "eve", password: "pw" });
    const eveToken = String((await post(`${base}/mfa-token`, { username: "eve", client_id: "app" })).body.mfa_token);
    await associate(eveToken);
    const byUser = await post(`${base}/devices/eve/scan`, {});
    expect(byUser.body.username).toBe("eve");
    const none = await post(`${base}/devices/eve/scan`, {});
    expect(none.status).toBe(404);
    expect(none.body).toMatchObject({ errorCode: "enrollment_transaction_not_found", statusCode: 404 });
    expect((await get(`${base}/users/eve`)).body.enrolled).toBe(true);
  });

  it("approves and rejects the pending push, reads the TOTP", async () => {
    const { emulator, post, get, login, challenge, poll, form } = await start();
    const { pushId } = enroll(emulator);
    const token = await login();
    const c = await challenge(token, pushId);
    const device = await get(`${base}/devices/${USER.username}`);
    expect(device.body.pending).toMatchObject({ authenticator_id: pushId });
    const approved = await post(`${base}/devices/${USER.username}/approve`, {});
    expect(approved.body).toMatchObject({ action: "approve", authenticator_id: pushId });
    expect((await poll(token, String(c.body.oob_code))).status).toBe(200);
    expect((await post(`${base}/devices/${USER.username}/reject`, {})).status).toBe(404);

    const totp = await get(`${base}/devices/${USER.username}/totp`);
    expect(totp.body.otp).toMatch(/^\d{6}$/);
    const ok = await form("/oauth/token", {
      grant_type: "http://auth0.com/oauth/grant-type/mfa-otp",
      client_id: "app",
      mfa_token: token,
      otp: String(totp.body.otp),
    });
    expect(ok.status).toBe(200);
  });

  it("runs an automatic policy on the emulator clock: scan after 3 s, approve after 2 s", async () => {
    const { send, clock, login, associate, poll, challenge, emulator } = await start();
    const set = await send("PUT", `${base}/policy`, { scan_after_ms: 3000, answer: "approve", answer_after_ms: 2000 });
    expect(set.body.policy).toEqual({ scan_after_ms: 3000, answer: "approve", answer_after_ms: 2000 });
    const token = await login();
    const a = await associate(token);
    clock.increment(2_999);
    expect((await poll(token, String(a.body.oob_code))).body.error).toBe("authorization_pending");
    clock.increment(1);
    expect((await poll(token, String(a.body.oob_code))).status).toBe(200);
    const pushId = emulator.device(USER.username).accounts[0]?.pushAuthenticatorId ?? "";
    const c = await challenge(token, pushId);
    clock.increment(2_000);
    expect((await poll(token, String(c.body.oob_code))).status).toBe(200);

    const perUser = await send("PUT", `${base}/devices/${USER.username}/policy`, { answer: "reject" });
    expect(perUser.body.policy).toMatchObject({ answer: "reject" });
    const d = await challenge(token, pushId);
    expect((await poll(token, String(d.body.oob_code))).body.error).toBe("access_denied");
    expect((await send("PUT", `${base}/policy`, { answer: "maybe" })).status).toBe(400);
  });

  it("counts requests per route and per oob_code", async () => {
    const { get, send, login, associate, poll } = await start();
    const token = await login();
    const a = await associate(token);
    const oobCode = String(a.body.oob_code);
    for (let i = 0; i < 3; i++) await poll(token, oobCode);
    await get(`${base}/devices/${USER.username}`);
    const log = await get(`${base}/requests`);
    expect(log.body).toMatchObject({
      total: 5,
      byRoute: { "POST /oauth/token": 4, "POST /mfa/associate": 1 },
      byGrant: { password: 1, "mfa-oob": 3 },
      byOobCode: { [oobCode]: 3 },
      byStatus: { "400": 3, "403": 1, "200": 1 },
    });
    expect((await send("DELETE", `${base}/requests`)).status).toBe(204);
    expect((await get(`${base}/requests`)).body.total).toBe(0);
  });

  it("serves the same tenant as the mock transport: one model, two faces", async () => {
    const { emulator, get } = await start();
    const transport = createMockTransport(emulator.tenant, { clientId: "app" });
    const login = await transport.login(USER);
    if (!login.ok || login.value.type !== "mfa_required") throw new Error("expected mfa_required");
    const association = await transport.associate({ mfaToken: login.value.mfaToken });
    expect(association.ok).toBe(true);
    const listed = await get("/mfa/authenticators", { authorization: `Bearer ${login.value.mfaToken}` });
    expect(listed.list).toHaveLength(3);
  });

  it("leaves a shared tenant alone once closed: its devices stop acting", async () => {
    const tenant = createTenant({ clients: [{ clientId: "app" }], users: [USER] });
    const emulator = await startEmulator({ tenant, seed: false, devicePolicy: { scanAfterMs: 0, answer: "approve" } });
    await emulator.close();
    const transport = createMockTransport(tenant, { clientId: "app" });
    const mfaToken = tenant.mintMfaToken(USER.username, "app");
    const association = await transport.associate({ mfaToken });
    expect(association.ok).toBe(true);
    expect((await transport.verifyOob({ mfaToken, oobCode: association.ok ? association.value.oobCode : "" })).ok).toBe(false);
    expect(tenant.enrollments(USER.username).map((e) => e.status)).toEqual(["pending"]);
  });
});
