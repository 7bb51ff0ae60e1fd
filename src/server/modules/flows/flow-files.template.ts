import ExcelJS from 'exceljs';
import { writeCsv, xlsxValue } from '../../shared/tabular.ts';
import { flowFileColumns, kindNames, type ColumnKey } from './flow-files.columns.ts';

/**
 * The flow file templates: the headers and example rows (two mine outputs, a transform of both into two
 * batches with the REO of each edge, and a shipment of one of them), as CSV and as XLSX with a second sheet
 * explaining each column.
 */

/** An example counterparty: a separation plant's credit code (valid check character). */
const EXAMPLE_COUNTERPARTY = '91150203MA0B10029R';

type ExampleRow = Partial<Record<ColumnKey, string>>;

const transformRow = (row: ExampleRow): ExampleRow => ({
  event_id: 'EX-2026-0003',
  kind: kindNames.transform!,
  event_time: '2026-03-10 14:00',
  ...row,
});

export const templateRows: readonly ExampleRow[] = [
  {
    event_id: 'EX-2026-0001',
    kind: kindNames.produce!,
    event_time: '2026-03-05 08:30',
    batch: 'BC-2026-0001',
    product: 'BASTNAESITE_CONC',
    mass_kg: '100000',
    grade_ppm: '500000',
  },
  {
    event_id: 'EX-2026-0002',
    kind: kindNames.produce!,
    event_time: '2026-03-06T08:30:00+08:00',
    batch: 'BC-2026-0002',
    product: 'BASTNAESITE_CONC',
    mass_kg: '60000',
    grade_ppm: '500000',
    reo_kg: '30000',
  },
  transformRow({
    direction: '投入',
    batch: 'BC-2026-0001',
    product: 'BASTNAESITE_CONC',
    mass_kg: '100000',
    grade_ppm: '500000',
  }),
  transformRow({
    direction: '投入',
    batch: 'BC-2026-0002',
    product: 'BASTNAESITE_CONC',
    mass_kg: '60000',
    grade_ppm: '500000',
  }),
  transformRow({
    direction: '产出',
    batch: 'RC-2026-0001',
    product: 'RE_CHLORIDE',
    mass_kg: '100000',
    grade_ppm: '450000',
    edges: 'BC-2026-0001:28000;BC-2026-0002:17000',
  }),
  transformRow({
    direction: '产出',
    batch: 'RC-2026-0002',
    product: 'RE_CHLORIDE',
    mass_kg: '62000',
    grade_ppm: '500000',
    edges: 'BC-2026-0001:19500;BC-2026-0002:11500',
  }),
  {
    event_id: 'EX-2026-0004',
    kind: kindNames.ship!,
    event_time: '2026-03-12 09:00',
    batch: 'RC-2026-0001',
    product: 'RE_CHLORIDE',
    mass_kg: '100000',
    grade_ppm: '450000',
    counterparty: EXAMPLE_COUNTERPARTY,
    invoice_no: 'FP-2026-000123',
    waybill_no: 'YD-2026-000456',
  },
];

const headers = flowFileColumns.map((column) => column.header);
const cellsOf = (row: ExampleRow): string[] => flowFileColumns.map((column) => row[column.key] ?? '');

/** UTF-8 with a byte-order mark, so Excel opens it with the Chinese headers intact. */
export function flowTemplateCsv(): string {
  return writeCsv([headers, ...templateRows.map(cellsOf)], { bom: true, recordDelimiter: 'windows' });
}

const numericColumns = new Set<ColumnKey>(['mass_kg', 'grade_ppm', 'reo_kg']);

export async function flowTemplateXlsx(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Monazite';
  const sheet = workbook.addWorksheet('流向记录', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = flowFileColumns.map((column) => ({
    header: column.header,
    key: column.key,
    width: Math.max(12, column.header.length * 2 + 4, column.key === 'edges' ? 40 : 0),
    // Text columns stay text: Excel must not turn credit codes, batch numbers or times into numbers.
    style: numericColumns.has(column.key) ? { numFmt: '#,##0' } : { numFmt: '@' },
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of templateRows) {
    sheet.addRow(
      Object.fromEntries(
        Object.entries(row).map(([key, value]) => [
          key,
          numericColumns.has(key as ColumnKey) ? Number(value) : xlsxValue(value),
        ]),
      ),
    );
  }
  const notes = workbook.addWorksheet('填写说明');
  notes.columns = [
    { header: '列名', key: 'header', width: 18 },
    { header: '英文名', key: 'key', width: 24 },
    { header: '是否必填', key: 'required', width: 10 },
    { header: '说明', key: 'note', width: 100 },
  ];
  notes.getRow(1).font = { bold: true };
  for (const column of flowFileColumns)
    notes.addRow({
      header: column.header,
      key: column.key,
      required: column.required ? '必填' : '',
      note: column.note,
    });
  notes.addRow({});
  for (const line of fileNotes) notes.addRow({ header: line });
  notes.getColumn('note').alignment = { wrapText: true, vertical: 'top' };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const fileNotes = [
  '只读取第一个工作表；第一行为表头，每行一个批次。',
  '加工转化：投入和产出各占一行，连续几行使用同一事件编号。',
  '数量均为整数（千克、ppm），不可带小数。',
  '同一文件再次上传不会重复记录，返回第一次的结果。',
];
