import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { flowEventInput } from '../../src/contracts/flows.ts';
import { toIngestRow } from '../../src/server/modules/flows/flow-files.ingest.ts';
import { readEdges, readInteger, readTime } from '../../src/server/modules/flows/flow-files.rules.ts';
import { discard, spoolUpload } from '../../src/server/modules/flows/flow-files.service.ts';
import { flowTemplateCsv, flowTemplateXlsx } from '../../src/server/modules/flows/flow-files.template.ts';
import { BAYAN, csvOf, gb18030, HEADERS, KUNDULUN, parseBytes, parseFailure, xlsxOf } from './file-helpers.ts';

const produce = (overrides: Record<string, string | number> = {}) => ({
  事件编号: 'P-1',
  类型: '生产',
  事件时间: '2026-03-05 08:30',
  批次号: 'B1',
  产品代码: 'BASTNAESITE_CONC',
  '质量(kg)': '1000',
  '品位(ppm)': '500000',
  ...overrides,
});

/** The zod issues of an event, as `path: message`. */
function issues(event: unknown): string[] {
  const parsed = flowEventInput.safeParse(event);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('flow files: cells', () => {
  it('reads integers with thousands separators and keeps anything else for validation to refuse', () => {
    expect(readInteger('1,000')).toBe(1000);
    expect(readInteger('1,234,567')).toBe(1_234_567);
    expect(readInteger(' 42 ')).toBe(42);
    expect(readInteger(42)).toBe(42);
    expect(readInteger('10.5')).toBe(10.5);
    expect(readInteger('1,00')).toBe('1,00');
    expect(readInteger('十')).toBe('十');
    expect(readInteger('')).toBeUndefined();
  });

  it('reads times: ISO with offset as given, local times and XLSX dates as Beijing time', () => {
    expect(readTime('2026-03-05T08:30:00+08:00')).toBe('2026-03-05T08:30:00+08:00');
    expect(readTime('2026-03-05T00:30:00Z')).toBe('2026-03-05T00:30:00Z');
    expect(readTime('2026-03-05 08:30')).toBe('2026-03-05T08:30:00+08:00');
    expect(readTime('2026/3/5 8:30:15')).toBe('2026-03-05T08:30:15+08:00');
    expect(readTime(new Date(Date.UTC(2026, 2, 5, 8, 30)))).toBe('2026-03-05T08:30:00+08:00');
    expect(readTime(46086.5)).toBe('2026-03-05T12:00:00+08:00'); // an Excel serial day without a date format
    expect(readTime('5 March')).toBe('5 March');
  });

  it('reads edges, with half- and full-width separators', () => {
    expect(readEdges('B1:600;B2:400')).toEqual([
      { from_batch: 'B1', reo_kg: 600 },
      { from_batch: 'B2', reo_kg: 400 },
    ]);
    expect(readEdges('B1：1,600； B2:0.5 ;')).toEqual([
      { from_batch: 'B1', reo_kg: 1600 },
      { from_batch: 'B2', reo_kg: 0.5 },
    ]);
    expect(readEdges('B1')).toEqual([{ from_batch: 'B1', reo_kg: undefined }]);
    expect(readEdges('')).toBeUndefined();
  });
});

describe('flow files: headers', () => {
  it('accepts the Chinese headers, English aliases, full-width brackets and any column order', async () => {
    const headers = ['kind', 'event_id', ' 事件时间 ', 'Batch', '产品代码', '质量（KG）', 'REO', '品位'];
    const row = { kind: 'produce', event_id: 'P-1', ' 事件时间 ': '2026-03-05 08:30', Batch: 'B1' };
    const [item] = await parseBytes(csvOf([{ ...row, 产品代码: 'ND2O3', '质量（KG）': '5', REO: '5' }], headers));
    expect(item?.event).toEqual({
      kind: 'produce',
      event_id: 'P-1',
      event_time: '2026-03-05T08:30:00+08:00',
      batch: 'B1',
      product: 'ND2O3',
      mass_kg: 5,
      reo_kg: 5,
    });
  });

  it('refuses unknown, repeated and missing columns, naming each', async () => {
    const failure = await parseFailure(
      csvOf([], ['事件编号', '类型', '事件时间', '批次号', '产品代码', '重量', '类型']),
    );
    expect(failure.status).toBe(422);
    expect(failure.detail).toContain('重量');
    expect(failure.detail).toContain('类型');
    expect(failure.detail).toContain('质量(kg)');
    expect(failure.errors).toHaveLength(3);
  });

  it('refuses files that are not CSV or XLSX, and empty ones', async () => {
    expect((await parseFailure('')).detail).toMatch(/empty/);
    expect((await parseFailure(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]))).detail).toMatch(
      /\.xls/,
    );
    expect((await parseFailure(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).detail).toMatch(/neither/);
    expect((await parseFailure(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]))).detail).toMatch(/XLSX/);
    expect((await parseFailure(`${HEADERS.join(',')}\n"P-1,生产\n`)).detail).toMatch(/CSV/);
    expect((await parseFailure('\n\n')).status).toBe(422);
  });
});

describe('flow files: rows', () => {
  it('reads UTF-8 with and without BOM, and GB18030 (GBK) alike', async () => {
    const csv = csvOf([produce({ 原因: '样品' })]);
    const expected = await parseBytes(csv);
    expect(expected[0]?.event).toMatchObject({
      kind: 'produce',
      event_time: '2026-03-05T08:30:00+08:00',
      mass_kg: 1000,
    });
    expect(await parseBytes(`\uFEFF${csv}`)).toEqual(expected);
    expect(await parseBytes(gb18030(csv))).toEqual(expected);
  });

  it('reads large files whose multi-byte characters straddle read chunks, in UTF-8 and GB18030', async () => {
    const rows = Array.from({ length: 6000 }, (_, index) =>
      produce({ 事件编号: `P-${index}`, 原因: '首批稀土精矿样品，质量以化验为准'.slice(0, 1 + (index % 16)) }),
    );
    const csv = csvOf(rows);
    expect(Buffer.byteLength(csv)).toBeGreaterThan(512 * 1024); // two read chunks and more
    const fromUtf8 = await parseBytes(csv);
    expect(fromUtf8).toHaveLength(6000);
    expect(fromUtf8[15]?.event.reason).toBe('首批稀土精矿样品，质量以化验为准');
    expect(await parseBytes(gb18030(csv))).toEqual(fromUtf8);
  });

  it('spools an upload to a temporary file while hashing it, and refuses one over the limit with 413', async () => {
    const file = await spoolUpload(Readable.from([Buffer.from('a,b\n'), Buffer.from('c,d\n')]), 100);
    expect(file).toMatchObject({ bytes: 8, format: 'csv', encoding: 'utf-8' });
    expect(file.sm3).toBe(createHash('sm3').update('a,b\nc,d\n').digest('hex'));
    expect(await readFile(file.path, 'utf8')).toBe('a,b\nc,d\n');
    await discard(file);
    expect(existsSync(file.path)).toBe(false);
    const tooBig = spoolUpload(Readable.from([Buffer.alloc(60, 65), Buffer.alloc(60, 65)]), 100);
    await expect(tooBig).rejects.toMatchObject({ status: 413, code: 'body_too_large' });
  });

  it('accepts the Chinese kinds and the English codes', async () => {
    const kinds = ['生产', '发货', '收货', '进口', '出口', '盘点', '损耗', 'produce', 'Ship', 'stock_count'];
    const events = await parseBytes(csvOf(kinds.map((kind, index) => produce({ 事件编号: `E${index}`, 类型: kind }))));
    expect(events.map((item) => item.event.kind)).toEqual([
      'produce',
      'ship',
      'receive',
      'import',
      'export',
      'stock_count',
      'loss',
      'produce',
      'ship',
      'stock_count',
    ]);
  });

  it('builds every kind of event in the flowEventInput shape', async () => {
    const events = await parseBytes(
      csvOf([
        produce({ 发票号: 'F1', 运单号: 'W1' }),
        produce({ 事件编号: 'S-1', 类型: '发货', 交易对方信用代码: KUNDULUN, 'REO(kg)': '500' }),
        produce({ 事件编号: 'I-1', 类型: '进口', 交易对方名称: 'Myanmar Mining Co.', 国家: 'MM', 报关单号: 'C1' }),
        produce({ 事件编号: 'L-1', 类型: '损耗', 原因: '运输撒漏', 批次生产企业: BAYAN }),
        produce({ 事件编号: 'A-1', 更正事件编号: 'P-1; P-0；P-2', 原因: '质量录错' }),
      ]),
    );
    for (const item of events) expect(issues(item.event), String(item.event.event_id)).toEqual([]);
    expect(events[0]?.event.documents).toEqual({ invoice_no: 'F1', waybill_no: 'W1' });
    expect(events[1]?.event).toMatchObject({ counterparty: KUNDULUN, reo_kg: 500 });
    expect(events[2]?.event).toMatchObject({ country: 'MM', documents: { customs_declaration_no: 'C1' } });
    expect(events[3]?.event).toMatchObject({ batch_maker: BAYAN, reason: '运输撒漏' });
    expect(events[4]?.event.amends).toEqual(['P-1', 'P-0', 'P-2']);
  });

  it('numbers rows as the file does (header = 1), skipping blank rows', async () => {
    const csv = `${csvOf([produce()])}\n,,,\n${csvOf([produce({ 事件编号: 'P-2' })]).split('\n')[1]}\n`;
    const events = await parseBytes(csv);
    expect(events.map((item) => [item.row, item.event.event_id])).toEqual([
      [2, 'P-1'],
      [5, 'P-2'],
    ]);
  });

  it('skips blank rows above the header, still numbering rows as the file does', async () => {
    const events = await parseBytes(`,,\n\n${csvOf([produce()])}`);
    expect(events.map((item) => item.row)).toEqual([4]);
    const failure = await parseFailure(`\n${csvOf([], ['事件编号', '重量'])}`);
    expect(failure.errors).toContainEqual(expect.objectContaining({ row: 2, field: '重量' }));
  });

  it('leaves bad cells for validation to name by row and header', async () => {
    const [item] = await parseBytes(
      csvOf([produce({ '质量(kg)': '10.5', '品位(ppm)': '五十万', 类型: '开采', 事件时间: '3月5日' })]),
    );
    expect(item?.row).toBe(2);
    expect(item?.event).toMatchObject({ mass_kg: 10.5, grade_ppm: '五十万', kind: '开采', event_time: '3月5日' });
    expect(item?.fieldLabels).toMatchObject({ mass_kg: '质量(kg)', grade_ppm: '品位(ppm)', kind: '类型' });
    const [mass] = await parseBytes(csvOf([produce({ '质量(kg)': '10.5' })]));
    expect(issues(mass?.event)).toEqual(['mass_kg: must be a whole number of kg']);
  });
});

describe('flow files: transforms', () => {
  const row = (direction: string, batch: string, extra: Record<string, string> = {}) => ({
    事件编号: 'T-1',
    类型: '加工转化',
    事件时间: '2026-03-10 14:00',
    方向: direction,
    批次号: batch,
    产品代码: 'ND2O3',
    '质量(kg)': '100',
    ...extra,
  });

  it('groups consecutive rows of one event id into inputs, outputs and edges', async () => {
    const events = await parseBytes(
      csvOf([
        produce(),
        row('投入', 'B1'),
        row('input', 'B2', { 事件时间: '' }),
        row('产出', 'O1', { 来源批次REO: 'B1:60;B2:40' }),
        row('output', 'O2', { 来源批次REO: 'B1:40;B2:60' }),
        produce({ 事件编号: 'P-2' }),
        row('投入', 'O1'),
        row('产出', 'O3'),
      ]),
    );
    expect(events.map((item) => [item.row, item.event.event_id])).toEqual([
      [2, 'P-1'],
      [3, 'T-1'],
      [7, 'P-2'],
      [8, 'T-1'],
    ]);
    const transform = events[1]!;
    expect(transform.problems).toEqual([]);
    expect(issues(transform.event)).toEqual([]);
    expect(transform.event).toMatchObject({
      event_time: '2026-03-10T14:00:00+08:00',
      inputs: [{ batch: 'B1' }, { batch: 'B2' }],
      outputs: [{ batch: 'O1' }, { batch: 'O2' }],
      edges: [
        { from_batch: 'B1', to_batch: 'O1', reo_kg: 60 },
        { from_batch: 'B2', to_batch: 'O1', reo_kg: 40 },
        { from_batch: 'B1', to_batch: 'O2', reo_kg: 40 },
        { from_batch: 'B2', to_batch: 'O2', reo_kg: 60 },
      ],
    });
    expect(transform.fieldLabels['inputs.1.mass_kg']).toBe('质量(kg)（第4行）');
    expect(transform.fieldLabels['edges.3.reo_kg']).toBe('来源批次REO（第6行）');
    expect(events[3]?.event).not.toHaveProperty('edges');
  });

  it('names layout mistakes by row and column, and the ingest refuses the event for them', async () => {
    const events = await parseBytes(
      csvOf([
        row('投入', 'B1', { 来源批次REO: 'B9:1' }),
        row('', 'B2'),
        row('出', 'O1', { 事件时间: '2026-03-11 14:00', 交易对方信用代码: KUNDULUN }),
        produce({ 方向: '投入', 来源批次REO: 'B1:1' }),
      ]),
    );
    expect(events[0]?.problems.map((problem) => `${problem.row} ${problem.field}`)).toEqual([
      '2 来源批次REO',
      '3 方向',
      '4 事件时间',
      '4 交易对方信用代码',
      '4 方向',
    ]);
    expect(events[1]?.problems.map((problem) => `${problem.row} ${problem.field}`)).toEqual([
      '5 方向',
      '5 来源批次REO',
    ]);
    const ingestRow = toIngestRow(events[1]!);
    expect(ingestRow.problems?.map((problem) => `${problem.row} ${problem.field}`)).toEqual([
      '5 方向',
      '5 来源批次REO',
    ]);
  });
});

describe('flow files: XLSX', () => {
  it('reads typed cells: numbers, dates as Beijing time, formulas, rich text', async () => {
    const bytes = await xlsxOf([
      {
        事件编号: 1001,
        类型: { richText: [{ text: '生' }, { text: '产' }] },
        事件时间: new Date(Date.UTC(2026, 2, 5, 8, 30)),
        批次号: 'B1',
        产品代码: 'ND2O3',
        '质量(kg)': { formula: '500*2', result: 1000 },
        '品位(ppm)': 10.5,
      },
    ]);
    const [item] = await parseBytes(bytes);
    expect(item?.event).toEqual({
      event_id: '1001',
      kind: 'produce',
      event_time: '2026-03-05T08:30:00+08:00',
      batch: 'B1',
      product: 'ND2O3',
      mass_kg: 1000,
      grade_ppm: 10.5,
    });
  });
});

describe('flow files: templates', () => {
  it('the CSV template parses back into valid events: two produce, a 2 → 2 transform with edges, a ship', async () => {
    const events = await parseBytes(flowTemplateCsv());
    expect(events.map((item) => item.event.kind)).toEqual(['produce', 'produce', 'transform', 'ship']);
    for (const item of events) {
      expect(item.problems).toEqual([]);
      expect(issues(item.event)).toEqual([]);
    }
    expect(events[2]?.event).toMatchObject({ inputs: [{}, {}], outputs: [{}, {}] });
    expect((events[2]?.event.edges as unknown[]).length).toBe(4);
  });

  it('the XLSX template reads the same events, and its explanation sheet is not read', async () => {
    const fromXlsx = await parseBytes(await flowTemplateXlsx());
    const fromCsv = await parseBytes(flowTemplateCsv());
    expect(fromXlsx.map((item) => item.event)).toEqual(fromCsv.map((item) => item.event));
    expect(fromXlsx.map((item) => item.row)).toEqual(fromCsv.map((item) => item.row));
  });
});
