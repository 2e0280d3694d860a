import type { RequestLogEntry, RunningEmulator } from "@pushflow/emulator";

type DeviceLogEntry = ReturnType<RunningEmulator["device"]>["log"][number];

/** The requests Auth0 (the emulator) saw, runs of the same one folded: `3× POST /oauth/token (mfa-oob) → 400`. */
export function requestLines(entries: readonly RequestLogEntry[]): string[] {
  const lines: { label: string; count: number }[] = [];
  for (const e of entries) {
    const label = `${e.route}${e.grantType === undefined ? "" : ` (${e.grantType})`} → ${e.status ?? "?"}`;
    const last = lines[lines.length - 1];
    if (last?.label === label) last.count++;
    else lines.push({ label, count: 1 });
  }
  return lines.map(({ label, count }) => (count > 1 ? `${count}× ${label}` : label));
}

/** What the simulated phone did, in words. */
export function deviceLine(entry: DeviceLogEntry, since: number): string {
  const after = `${((entry.at - since) / 1000).toFixed(1)} s in`;
  switch (entry.type) {
    case "scanned":
      return `📱 the device scanned the QR code (${after})`;
    case "approved":
      return `📱 the device approved the push (${after})`;
    case "rejected":
      return `📱 the device rejected the push (${after})`;
    case "ignored":
      return `📱 the device ignored the push (${after})`;
    case "error":
      return `📱 the device could not act: ${entry.message}`;
  }
}
