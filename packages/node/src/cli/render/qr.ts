import { renderUnicodeCompact } from "uqr";

/** The QR as terminal lines (two modules per character), with a quiet zone so phones can read it. */
export function drawQr(uri: string): string[] {
  return renderUnicodeCompact(uri, { border: 2 }).split("\n");
}
