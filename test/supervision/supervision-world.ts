import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import type { Client } from '../support/app.ts';

/** Helpers of the supervision tests: evidence files of each kind, and raw uploads. */

/** A small but well-formed-looking PDF. */
export function pdfBytes(tag = 'evidence'): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n% ${tag}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}
export const pngBytes = (): Buffer =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR-test-image')]);
export const jpegBytes = (): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF-test')]);

/** A minimal ZIP holding the named entries (stored with deflate), enough for the content sniffing. */
export function zipBytes(entries: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const name of entries) {
    const data = deflateRawSync(Buffer.from('<xml/>'));
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(6, 22);
    header.writeUInt16LE(Buffer.byteLength(name), 26);
    parts.push(header, Buffer.from(name), data);
  }
  return Buffer.concat(parts);
}
export const xlsxBytes = () => zipBytes(['[Content_Types].xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
export const docxBytes = () => zipBytes(['[Content_Types].xml', 'word/document.xml']);

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
export const sm3Of = (bytes: Buffer) => createHash('sm3').update(bytes).digest('hex');

/** Sends a file as the raw request body. */
export function upload(client: Client, inspectionId: string, name: string, bytes: Buffer, type = 'application/pdf') {
  return client.request(
    'POST',
    `/api/v1/supervision/inspections/${inspectionId}/evidence?name=${encodeURIComponent(name)}`,
    bytes,
    { 'content-type': type },
  );
}

let serial = 0;
/** A client-made idempotency key, unique within the test process. */
export const key = (tag: string): string => {
  serial += 1;
  return `${tag}-${process.pid}-${serial}`;
};
