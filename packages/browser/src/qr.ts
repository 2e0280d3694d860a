/**
 * The QR of an enrollment as SVG, from the optional entry `@pushflow/browser/qr`: apps that draw
 * their own QR never load the encoder (uqr, ~4 kB min+gz).
 */
import { renderSVG } from "uqr";

/** Options of {@link qrSvg}. */
export interface QrSvgOptions {
  /** Error correction level; default `M`. */
  readonly ecc?: "L" | "M" | "Q" | "H";
  /** Quiet zone in modules; default 2. */
  readonly border?: number;
  /** Size of one module in px; default 8. */
  readonly pixelSize?: number;
  readonly darkColor?: string;
  readonly lightColor?: string;
}

/** The `barcodeUri` of the `qr` event as an SVG document (a string for `innerHTML` or a file). */
export function qrSvg(barcodeUri: string, options: QrSvgOptions = {}): string {
  return renderSVG(barcodeUri, {
    ecc: options.ecc ?? "M",
    border: options.border ?? 2,
    pixelSize: options.pixelSize ?? 8,
    ...(options.darkColor === undefined ? {} : { blackColor: options.darkColor }),
    ...(options.lightColor === undefined ? {} : { whiteColor: options.lightColor }),
  });
}

/** The same SVG as a `data:` URL, for `<img src>` (no markup injected into the page). */
export function qrDataUrl(barcodeUri: string, options: QrSvgOptions = {}): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qrSvg(barcodeUri, options))}`;
}
