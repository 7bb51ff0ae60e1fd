import { describe, expect, it } from 'vitest';
import { flowFileLimits } from '../../src/server/modules/flows/flow-files.limits.ts';
import {
  bufferSource,
  entryChunks,
  InflateBudget,
  readEntries,
  ZipFormatError,
  ZipLimitError,
} from '../../src/server/shared/zip.ts';
import { deflatedRepeat, unzipEntries, zipOf, type ZipEntry } from '../support/zip-writer.ts';
import { csvOf, HEADERS, parseBytes, parseFailure, xlsxOf } from './file-helpers.ts';

/**
 * What a flow file may expand to (flow-files.limits.ts): XLSX bombs built here — honest, and with a central
 * directory that lies about sizes — are refused naming the limit, with memory bounded by the limits rather
 * than by what the file claims; CSV lines and fields the same; and an XLSX reads the same whatever the order
 * of its parts inside the ZIP.
 */

const produce = (id: string, overrides: Record<string, string | number> = {}) => ({
  事件编号: id,
  类型: '生产',
  事件时间: '2026-03-05 08:30',
  批次号: `批次-${id}`,
  产品代码: 'BASTNAESITE_CONC',
  '质量(kg)': 1000,
  '品位(ppm)': 500_000,
  原因: `首批 ${id}`,
  ...overrides,
});

interface Refusal {
  status: number;
  code: string;
  params?: Record<string, unknown>;
  errors?: { row?: number; field: string; message: string }[];
}

/** The reader's refusal of the bytes, with the peak memory seen while it read them. */
async function refusalWithPeak(bytes: Buffer): Promise<{ refusal: Refusal; peak: { rss: number; heapUsed: number } }> {
  const peak = { rss: 0, heapUsed: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    peak.rss = Math.max(peak.rss, usage.rss);
    peak.heapUsed = Math.max(peak.heapUsed, usage.heapUsed);
  };
  const timer = setInterval(sample, 5);
  try {
    const refusal = (await parseFailure(bytes)) as unknown as Refusal;
    sample();
    return { refusal, peak };
  } finally {
    clearInterval(timer);
  }
}

/** A workbook's usual parts around a given sharedStrings part (a part made by the caller, maybe a bomb). */
async function workbookWith(sharedStrings: ZipEntry): Promise<Buffer> {
  const parts = unzipEntries(await xlsxOf([produce('S-1')]));
  return zipOf([
    ...parts.filter((part) => part.name !== 'xl/sharedStrings.xml'),
    { ...sharedStrings, name: 'xl/sharedStrings.xml' },
  ]);
}

const SST =
  '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('XLSX bombs', () => {
  it('refuses a shared-string table expanding to gigabytes, whose central directory says 1 kB, within bounded memory', async () => {
    // Strings of 30,000 characters, 200,000 of them: 6 GB of text in about 6 MB of ZIP.
    const text = 'a'.repeat(30_000);
    const bomb = deflatedRepeat(SST, `<si><t>${text}</t></si>`, 200_000, '</sst>');
    const bytes = await workbookWith({ name: '', data: '', deflated: bomb, claimedSize: 1024 });
    const before = process.memoryUsage();
    const { refusal, peak } = await refusalWithPeak(bytes);
    expect(refusal).toMatchObject({
      status: 413,
      code: 'file_limit_exceeded',
      params: { limit: 'xlsx_shared_string_chars', max: flowFileLimits.xlsx_shared_string_chars },
    });
    // The table is held only up to its limit: two bytes a character at most, and as much again for the
    // strings' headers, buffers and garbage not yet collected.
    const bound = 4 * 2 * flowFileLimits.xlsx_shared_string_chars;
    expect(peak.heapUsed - before.heapUsed).toBeLessThan(bound);
    console.log(
      `XLSX bomb (lying directory): ${(bytes.length / MiB).toFixed(1)} MiB compressed, ` +
        `${(bomb.size / GiB).toFixed(2)} GiB expanded; peak RSS ${(peak.rss / MiB).toFixed(0)} MiB ` +
        `(before ${(before.rss / MiB).toFixed(0)} MiB), peak heap ${(peak.heapUsed / MiB).toFixed(0)} MiB ` +
        `(before ${(before.heapUsed / MiB).toFixed(0)} MiB)`,
    );
  });

  it('refuses more shared strings than the table may hold, counted as they are read', async () => {
    const bomb = deflatedRepeat(SST, '<si><t>x</t></si>', flowFileLimits.xlsx_shared_strings + 10, '</sst>');
    const refusal = (await parseFailure(
      await workbookWith({ name: '', data: '', deflated: bomb, claimedSize: 100 }),
    )) as unknown as Refusal;
    expect(refusal).toMatchObject({ status: 413, params: { limit: 'xlsx_shared_strings' } });
  });

  it('refuses a part whose declared size passes the limit before inflating anything', async () => {
    const bomb = deflatedRepeat(SST, ' ', 2 * MiB, '</sst>');
    const refusal = (await parseFailure(
      await workbookWith({ name: '', data: '', deflated: bomb, claimedSize: flowFileLimits.xlsx_part_bytes + 1 }),
    )) as unknown as Refusal;
    expect(refusal).toMatchObject({
      status: 413,
      params: { limit: 'xlsx_part_bytes', max: flowFileLimits.xlsx_part_bytes },
    });
  });

  it('counts inflated bytes as they stream: a part that lies about its size is stopped at the part limit', async () => {
    // Whitespace costs the XML scanner nothing: only the byte count can stop it.
    const bomb = deflatedRepeat(SST, ' ', flowFileLimits.xlsx_part_bytes + MiB, '</sst>');
    const bytes = await workbookWith({ name: '', data: '', deflated: bomb, claimedSize: 10 });
    const { refusal, peak } = await refusalWithPeak(bytes);
    expect(refusal).toMatchObject({
      status: 413,
      params: { limit: 'xlsx_part_bytes', max: flowFileLimits.xlsx_part_bytes },
    });
    console.log(
      `XLSX part bomb: ${(bytes.length / MiB).toFixed(1)} MiB compressed, ${(bomb.size / GiB).toFixed(2)} GiB ` +
        `expanded; peak RSS ${(peak.rss / MiB).toFixed(0)} MiB`,
    );
  });

  it('refuses a string longer than a cell holds, and more columns than a row may have', async () => {
    const long = deflatedRepeat(`${SST}<si><t>`, 'x', flowFileLimits.cell_chars + 1, '</t></si></sst>');
    expect(
      (await parseFailure(await workbookWith({ name: '', data: '', deflated: long }))) as unknown as Refusal,
    ).toMatchObject({ status: 413, params: { limit: 'cell_chars' } });

    const parts = unzipEntries(await xlsxOf([produce('C-1')]));
    const wide = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>事件编号</t></is></c><c r="JZ1"><v>1</v></c></row></sheetData></worksheet>`;
    const refusal = (await parseFailure(
      zipOf(parts.map((part) => (part.name === 'xl/worksheets/sheet1.xml' ? { ...part, data: wide } : part))),
    )) as unknown as Refusal;
    expect(refusal).toMatchObject({ status: 413, params: { limit: 'columns', max: flowFileLimits.columns, row: 1 } });
  });

  it('refuses text XML does not allow — a NUL or a lone surrogate by reference, a control character raw or in CDATA', async () => {
    const parts = unzipEntries(await xlsxOf([produce('X-1')]));
    const table = parts.find((part) => part.name === 'xl/sharedStrings.xml')!;
    const reason = '<t>首批 X-1</t>';
    expect(table.data.toString('utf8')).toContain(reason);
    for (const text of ['N&#0;UL', 'half &#xD800;', 'bell \u0007', '<![CDATA[N\u0000UL]]>']) {
      const data = table.data.toString('utf8').replace(reason, `<t>${text}</t>`);
      const bytes = zipOf(parts.map((part) => (part === table ? { ...part, data } : part)));
      expect((await parseFailure(bytes)) as unknown as Refusal, text).toMatchObject({
        status: 422,
        code: 'invalid',
        errors: [{ field: '(file)' }],
      });
    }
  });

  it('refuses a sheet with rows beyond the row limit, naming the limit', async () => {
    const parts = unzipEntries(await xlsxOf([produce('R-1')]));
    const far = `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="${flowFileLimits.rows + 1}"><c r="A${flowFileLimits.rows + 1}"><v>1</v></c></row></sheetData></worksheet>`;
    const refusal = (await parseFailure(
      zipOf(parts.map((part) => (part.name === 'xl/worksheets/sheet1.xml' ? { ...part, data: far } : part))),
    )) as unknown as Refusal;
    expect(refusal).toMatchObject({ status: 413, params: { limit: 'rows', max: flowFileLimits.rows } });
  });

  it('refuses an archive with more entries than a workbook has', async () => {
    const parts = unzipEntries(await xlsxOf([produce('E-1')]));
    const padding = Array.from({ length: flowFileLimits.xlsx_zip_entries }, (_, index) => ({
      name: `xl/media/pad${index}.bin`,
      data: '',
      stored: true,
    }));
    const refusal = (await parseFailure(zipOf([...parts, ...padding]))) as unknown as Refusal;
    expect(refusal).toMatchObject({ status: 413, params: { limit: 'xlsx_zip_entries' } });
  });

  it('refuses an archive whose directory understates a part that stays within the limits: the sizes must agree', async () => {
    const parts = unzipEntries(await xlsxOf([produce('L-1')]));
    const lying = zipOf(
      parts.map((part) => (part.name === 'xl/sharedStrings.xml' ? { ...part, claimedSize: 10 } : part)),
    );
    const refusal = (await parseFailure(lying)) as unknown as Refusal;
    expect(refusal).toMatchObject({ status: 422 });
    expect(JSON.stringify(refusal.errors)).toContain('inflates to');
  });

  it('the ZIP reader counts every entry against one total budget', async () => {
    const one = deflatedRepeat('', 'z', 600_000, '');
    const zip = zipOf([
      { name: 'a', data: '', deflated: one },
      { name: 'b', data: '', deflated: one },
    ]);
    const source = bufferSource(zip);
    const entries = await readEntries(source, { maxEntries: 10 });
    const budget = new InflateBudget({ maxEntryBytes: 1_000_000, maxTotalBytes: 1_000_000 });
    for await (const chunk of entryChunks(source, entries[0]!, budget)) void chunk;
    const second = async () => {
      for await (const chunk of entryChunks(source, entries[1]!, budget)) void chunk;
    };
    await expect(second()).rejects.toBeInstanceOf(ZipLimitError);
    await expect(
      readEntries(bufferSource(Buffer.from('PK\u0003\u0004 not a zip')), { maxEntries: 10 }),
    ).rejects.toBeInstanceOf(ZipFormatError);
  });
});

/** Every order of the items. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('XLSX part order', () => {
  it('reads the same rows whatever the order of the parts inside the ZIP, every time', async () => {
    const rows = Array.from({ length: 40 }, (_, index) =>
      produce(`O-${index}`, { 类型: index % 2 ? '生产' : 'produce' }),
    );
    const original = await xlsxOf(rows);
    const expected = await parseBytes(original);
    expect(expected).toHaveLength(40);
    expect(expected[0]!.event).toMatchObject({ event_id: 'O-0', batch: '批次-O-0', reason: '首批 O-0' });

    const parts = unzipEntries(original);
    const key = ['xl/workbook.xml', 'xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'];
    for (const name of key) expect(parts.map((part) => part.name)).toContain(name);
    const others = parts.filter((part) => !key.includes(part.name));
    const byName = new Map(parts.map((part) => [part.name, part]));
    const orders = permutations(key).flatMap((order) => {
      const keyParts = order.map((name) => byName.get(name)!);
      return [
        [...keyParts, ...others],
        [...others, ...keyParts],
      ];
    });
    orders.push([...parts].reverse());
    for (const order of orders) {
      const zip = zipOf(order);
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const events = await parseBytes(zip);
        expect(
          events.map((item) => item.event),
          order.map((part) => part.name).join(' '),
        ).toEqual(expected.map((item) => item.event));
      }
    }
  });
});

describe('CSV limits', () => {
  it('refuses an over-long line, naming the limit and the row', async () => {
    const csv = `${csvOf([produce('L-1')])}${'x'.repeat(flowFileLimits.csv_record_chars + 10)}\n`;
    const refusal = (await parseFailure(csv)) as unknown as Refusal;
    expect(refusal).toMatchObject({
      status: 413,
      code: 'file_limit_exceeded',
      params: { limit: 'csv_record_chars', max: flowFileLimits.csv_record_chars, row: 3 },
    });
  });

  it('refuses a row with more fields than a row may have, naming the row', async () => {
    const csv = `${HEADERS.join(',')}\n${Array.from({ length: flowFileLimits.columns + 1 }, () => 'a').join(',')}\n`;
    const refusal = (await parseFailure(csv)) as unknown as Refusal;
    expect(refusal).toMatchObject({
      status: 413,
      params: { limit: 'columns', max: flowFileLimits.columns, row: 2 },
    });
  });
});
