import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import type { Client } from '../support/app.ts';
import { zipOf } from '../support/zip-writer.ts';

/** Helpers of the supervision tests: evidence files of each kind, and raw uploads. */

/** A small but well-formed-looking PDF. */
export function pdfBytes(tag = 'evidence'): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n% ${tag}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}
/** A PNG of one pixel: the signature and IHDR, IDAT and IEND chunks with their CRCs. */
export function pngBytes(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed) >>> 0);
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, 0]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
/** A JPEG's frame: start of image, an APP0 (JFIF) segment, end of image. */
export const jpegBytes = (): Buffer =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF-test'),
    Buffer.from([0xff, 0xd9]),
  ]);

const CONTENT_TYPES: Record<string, string> = {
  'xl/workbook.xml': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml',
  'word/document.xml': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml',
  'ppt/presentation.xml': 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml',
};

/**
 * A ZIP holding the named entries (deflated, with a central directory); `[Content_Types].xml`, when named,
 * gives the OOXML main parts among them their content types.
 */
export function zipBytes(entries: readonly string[]): Buffer {
  const overrides = entries
    .filter((name) => CONTENT_TYPES[name])
    .map((name) => `<Override PartName="/${name}" ContentType="${CONTENT_TYPES[name]}"/>`)
    .join('');
  return zipOf(
    entries.map((name) => ({
      name,
      data:
        name === '[Content_Types].xml'
          ? `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${overrides}</Types>`
          : '<xml/>',
    })),
  );
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
