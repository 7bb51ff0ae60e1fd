import type { Certificate } from '../flows/flow-types.ts';

/**
 * The server draws a certificate's QR code only when it is issued; keeping the answer for the browser
 * session lets the print page be reloaded without issuing again.
 */
const key = (code: string) => `monazite.certificate.${code.toUpperCase()}`;

export function rememberCertificate(certificate: Certificate): void {
  try {
    sessionStorage.setItem(key(certificate.code), JSON.stringify(certificate));
  } catch {
    // storage full or blocked: the page still has it from navigation state
  }
}

export function rememberedCertificate(code: string): Certificate | null {
  try {
    const text = sessionStorage.getItem(key(code));
    return text ? (JSON.parse(text) as Certificate) : null;
  } catch {
    return null;
  }
}

/** The QR code as an image source: a data URI keeps the server's SVG out of the DOM (no injected markup). */
export function qrImageSource(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
