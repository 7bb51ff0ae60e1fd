import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { makeCreditCode } from '../../src/contracts/credit-code.rules.ts';
import { flowFileColumns } from '../../src/server/modules/flows/flow-files.columns.ts';
import type { FileEvent } from '../../src/server/modules/flows/flow-files.events.ts';
import { readFlowFile } from '../../src/server/modules/flows/flow-files.reader.ts';
import { inspectFile } from '../../src/server/modules/flows/flow-files.service.ts';

/** The demo enterprises' credit codes, made as demo-data.ts makes them. */
export const BAYAN = makeCreditCode('91', '150206', 'MA0B1001');
export const KUNDULUN = makeCreditCode('91', '150203', 'MA0B1002');

export const HEADERS = flowFileColumns.map((column) => column.header);

/** A CSV with the template's headers; rows as records by header (missing cells empty). */
export function csvOf(rows: readonly Record<string, string | number>[], headers: readonly string[] = HEADERS): string {
  return stringify([headers, ...rows.map((row) => headers.map((header) => String(row[header] ?? '')))]);
}

/** An XLSX workbook with one sheet of these rows (cells as given: numbers, strings, dates). */
export async function xlsxOf(
  rows: readonly Record<string, ExcelJS.CellValue>[],
  headers: readonly string[] = HEADERS,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('流向记录');
  sheet.addRow([...headers]);
  for (const row of rows) sheet.addRow(headers.map((header) => row[header] ?? null));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

let encoder: Map<string, number[]> | undefined;
/** GB18030 bytes of a text, from the decoder's own table (there is no GB18030 encoder in Node). */
export function gb18030(text: string): Buffer {
  if (!encoder) {
    encoder = new Map();
    const decoder = new TextDecoder('gb18030');
    for (let lead = 0x81; lead <= 0xfe; lead += 1)
      for (let trail = 0x40; trail <= 0xfe; trail += 1) {
        if (trail === 0x7f) continue;
        const char = decoder.decode(Uint8Array.from([lead, trail]));
        if (char.length === 1 && !encoder.has(char)) encoder.set(char, [lead, trail]);
      }
  }
  const bytes: number[] = [];
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) bytes.push(char.charCodeAt(0));
    else {
      const code = encoder.get(char);
      if (!code) throw new Error(`no GB18030 two-byte code for ${char}`);
      bytes.push(...code);
    }
  }
  return Buffer.from(bytes);
}

/** Writes the bytes to a temporary file, reads it as a flow file, and returns the events. */
export async function parseBytes(bytes: Buffer | string): Promise<FileEvent[]> {
  const directory = await mkdtemp(join(tmpdir(), 'monazite-flow-test-'));
  try {
    const path = join(directory, 'flows');
    await writeFile(path, bytes);
    const events: FileEvent[] = [];
    for await (const event of readFlowFile(await inspectFile(path))) events.push(event);
    return events;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The file's problem, when reading it fails. */
export async function parseFailure(
  bytes: Buffer | string,
): Promise<{ status: number; detail: string; errors: unknown[] }> {
  try {
    await parseBytes(bytes);
  } catch (error) {
    return error as { status: number; detail: string; errors: unknown[] };
  }
  throw new Error('the file was read without error');
}
