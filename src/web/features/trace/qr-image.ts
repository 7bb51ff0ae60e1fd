/** The QR code as an image source: a data URI keeps the server's SVG out of the DOM (no injected markup). */
export function qrImageSource(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
