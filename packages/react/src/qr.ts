/**
 * `<PushQr>`, from the optional entry `@pushflow/react/qr`: apps that draw their own QR never load
 * the encoder (uqr, ~4 kB min+gz).
 */
import { createElement, useMemo, type ImgHTMLAttributes } from "react";
import { qrDataUrl, type QrSvgOptions } from "@pushflow/browser/qr";

export interface PushQrProps extends QrSvgOptions, Omit<ImgHTMLAttributes<HTMLImageElement>, "src"> {
  /** The enrollment's `qr.barcodeUri` (from `useEnrollment`). */
  readonly barcodeUri: string;
}

/** The enrollment QR as an `<img>` of an SVG `data:` URL: no markup injected into the page. */
export function PushQr({ barcodeUri, ecc, border, pixelSize, darkColor, lightColor, alt = "QR code to scan with the Guardian app", ...img }: PushQrProps) {
  const src = useMemo(
    () =>
      qrDataUrl(barcodeUri, {
        ...(ecc === undefined ? {} : { ecc }),
        ...(border === undefined ? {} : { border }),
        ...(pixelSize === undefined ? {} : { pixelSize }),
        ...(darkColor === undefined ? {} : { darkColor }),
        ...(lightColor === undefined ? {} : { lightColor }),
      }),
    [barcodeUri, ecc, border, pixelSize, darkColor, lightColor],
  );
  return createElement("img", { ...img, src, alt });
}
