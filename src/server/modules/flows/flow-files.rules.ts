import { flowKinds } from '../../../contracts/flows.ts';
import { invalid, type FieldError } from '../../shared/errors.ts';
import { columnByKey, flowFileColumns, kindNames, type ColumnKey, type FlowFileColumn } from './flow-files.columns.ts';

/**
 * Pure reading of flow files (docs/flows-files.md): headers to columns, cells to values, rows to flow events.
 * Cells are read leniently: what cannot be understood is passed on as it is, so the one validation of
 * `flowEventInput` names the row and column (e.g. "10.5" stays 10.5 and is refused as not a whole number).
 */

/** A cell as CSV (text) or XLSX (typed) gives it. */
export type CellValue = string | number | boolean | Date | null | undefined;

/** The columns of a file, by position; `null` for a column with an empty header (ignored). */
export interface FileHeader {
  readonly columns: readonly (FlowFileColumn | null)[];
}

const normalise = (text: string): string =>
  text
    .normalize('NFKC')
    .replace(/\uFEFF/g, '')
    .replace(/\s+/g, '')
    .toLowerCase();

const headerNames = new Map<string, FlowFileColumn>();
for (const column of flowFileColumns) {
  headerNames.set(normalise(column.header), column);
  headerNames.set(normalise(column.key), column);
  headerNames.set(normalise(column.header.replace(/\(.*\)$/, '')), column);
}
headerNames.set('reo', columnByKey.get('reo_kg')!);

/** The first row of a file → its columns. Unknown, repeated or missing required headers refuse the file. */
export function readHeader(cells: readonly CellValue[], row = 1): FileHeader {
  const errors: FieldError[] = [];
  const seen = new Set<ColumnKey>();
  const columns = cells.map((cell, index): FlowFileColumn | null => {
    const text = cellText(cell) ?? '';
    if (text === '') return null;
    const column = headerNames.get(normalise(text));
    if (!column) {
      errors.push({ row, field: text, message: `第${index + 1}列表头“${text}”不是流向文件的列（unknown column）` });
      return null;
    }
    if (seen.has(column.key))
      errors.push({ row, field: text, message: `表头“${column.header}”重复（column given twice）` });
    seen.add(column.key);
    return column;
  });
  for (const column of flowFileColumns)
    if (column.required && !seen.has(column.key))
      errors.push({ row, field: column.header, message: `缺少必填列“${column.header}”（required column missing）` });
  if (errors.length > 0) {
    const names = errors.map((error) => error.message).join('；');
    throw invalid(`The file's header row (row ${row}) is not a flow file header: ${names}. See the template.`, errors);
  }
  return { columns };
}

/** A cell as trimmed text; empty is absent. Whole numbers print without exponent or decimals. */
export function cellText(cell: CellValue): string | undefined {
  if (cell === null || cell === undefined) return undefined;
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? undefined : beijingTime(cell);
  const text = typeof cell === 'number' && Number.isInteger(cell) ? cell.toFixed(0) : String(cell).trim();
  return text === '' ? undefined : text;
}

/** An integer quantity: 1000, "1000", "1,000". Anything else stays as it is for validation to refuse. */
export function readInteger(cell: CellValue): unknown {
  if (typeof cell === 'number') return cell;
  const text = cellText(cell);
  if (text === undefined) return undefined;
  if (/^[+-]?\d+(\.\d+)?$/.test(text) || /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text))
    return Number(text.replace(/,/g, ''));
  return text;
}

/** An XLSX date cell holds the wall-clock time as if it were UTC: read it as Beijing time. */
function beijingTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+08:00`;
}

const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);

/**
 * An event time: ISO with offset as given; "2026-03-05 08:30" (or 2026/3/5 8:30[:00]) as Beijing time; an
 * XLSX date cell (or a serial day number) as Beijing time. Anything else stays for validation to refuse.
 */
export function readTime(cell: CellValue): unknown {
  if (cell instanceof Date) return cellText(cell);
  if (typeof cell === 'number' && cell > 0 && cell < 100_000)
    return beijingTime(new Date(EXCEL_EPOCH_MS + Math.round(cell * 86_400) * 1000));
  const text = cellText(cell);
  if (text === undefined) return undefined;
  const local = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!local) return text;
  const [, year, month, day, hour, minute, second] = local;
  const two = (part: string | undefined) => (part ?? '0').padStart(2, '0');
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}+08:00`;
}

const kindCodes = new Map<string, string>();
for (const kind of flowKinds) {
  kindCodes.set(kind, kind);
  const name = kindNames[kind];
  if (name) kindCodes.set(name, kind);
}
kindCodes.set('加工', 'transform').set('转化', 'transform').set('stock-count', 'stock_count');

export function readKind(cell: CellValue): unknown {
  const text = cellText(cell);
  return text === undefined ? undefined : (kindCodes.get(text.toLowerCase()) ?? text);
}

export type Direction = 'input' | 'output';
const directions = new Map<string, Direction>([
  ['投入', 'input'],
  ['input', 'input'],
  ['in', 'input'],
  ['产出', 'output'],
  ['output', 'output'],
  ['out', 'output'],
]);

/** 投入/产出 (or input/output) as a direction; anything else as its text, for the event to be refused. */
export function readDirection(cell: CellValue): string | undefined {
  const text = cellText(cell);
  return text === undefined ? undefined : (directions.get(text.toLowerCase()) ?? text);
}

/** "E1; E2" → ["E1", "E2"] (half- or full-width semicolons). */
export function readList(cell: CellValue): string[] | undefined {
  const items = (cellText(cell) ?? '')
    .split(/[;；]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}

export interface EdgeSource {
  readonly from_batch: string;
  readonly reo_kg: unknown;
}

/** "B1:600;B2:400" → REO kg from each input batch. A piece without a colon keeps its text as the batch. */
export function readEdges(cell: CellValue): EdgeSource[] | undefined {
  const pieces = readList(cell);
  if (!pieces) return undefined;
  return pieces.map((piece) => {
    const at = Math.max(piece.lastIndexOf(':'), piece.lastIndexOf('：'));
    if (at < 0) return { from_batch: piece, reo_kg: undefined };
    return { from_batch: piece.slice(0, at).trim(), reo_kg: readInteger(piece.slice(at + 1).trim()) };
  });
}

/** One row's values by column, empty cells left out. */
export type RowValues = Partial<Record<ColumnKey, unknown>>;

export function readRow(header: FileHeader, cells: readonly CellValue[]): RowValues {
  const values: RowValues = {};
  header.columns.forEach((column, index) => {
    if (!column) return;
    const value = readCell(column, cells[index]);
    if (value !== undefined) values[column.key] = value;
  });
  return values;
}

function readCell(column: FlowFileColumn, cell: CellValue): unknown {
  switch (column.type) {
    case 'text':
      return cellText(cell);
    case 'integer':
      return readInteger(cell);
    case 'time':
      return readTime(cell);
    case 'kind':
      return readKind(cell);
    case 'direction':
      return readDirection(cell);
    case 'list':
      return readList(cell);
    case 'edges':
      return readEdges(cell);
  }
}

export const isBlankRow = (cells: readonly CellValue[]): boolean => cells.every((cell) => cellText(cell) === undefined);
