/** `otpauth://totp/<Tenant>:<email>?enrollment_tx_id=<tx>&base_url=<urlencoded base>` (spec §9.1). */
export function buildBarcodeUri(tenantName: string, account: string, txId: string, baseUrl: string): string {
  const label = `${encodeURIComponent(tenantName)}:${encodeURIComponent(account)}`;
  return `otpauth://totp/${label}?enrollment_tx_id=${txId}&base_url=${encodeURIComponent(baseUrl)}`;
}

/**
 * The enrollment transaction id of a barcode_uri, like Guardian's SDKs read it (scheme
 * `otpauth`, host `totp`, `enrollment_tx_id`); a bare ticket is accepted as Guardian.Android does.
 */
export function enrollmentTxIdOf(uriOrTicket: string): string | undefined {
  const text = uriOrTicket.trim();
  if (/^[A-Za-z0-9]+$/.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== "otpauth:" || url.host !== "totp") return undefined;
  const tx = url.searchParams.get("enrollment_tx_id");
  return tx === null || tx === "" ? undefined : tx;
}
