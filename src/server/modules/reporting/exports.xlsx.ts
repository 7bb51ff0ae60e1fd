import ExcelJS from 'exceljs';
import {
  percentFraction,
  type ColumnKind,
  type ExportCell,
  type ExportDocument,
  type ExportTable,
  type LabelledValue,
} from './exports.model.ts';
import { xlsxValue } from '../../shared/tabular.ts';

/**
 * The XLSX rendering: one worksheet laid out as a Chinese official table — a merged title row, the header block
 * (填报单位 left, 报告期 centre, 计量单位 right), bordered tables with bold headers, figures as numeric cells
 * formatted `#,##0` (kg) and `0.00%` (utilisation), the notes, and the signature lines; printed on A4 landscape,
 * one page wide. Every text goes through the shared tabular writer's `xlsxValue` (neutralised against formula
 * injection, as in CSV); figures are numeric cells.
 */

const thin: Partial<ExcelJS.Border> = { style: 'thin', color: { argb: 'FF000000' } };
const borders: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const headerFill: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7E6E6' } };
const numberFormats: Partial<Record<ColumnKind, string>> = { kg: '#,##0', percent: '0.00%', integer: '0' };

const columnCount = (document: ExportDocument) => Math.max(...document.tables.map((table) => table.columns.length));

/** A table narrower than the sheet whose last column is text lets that column run to the sheet's edge. */
const spansToEdge = (table: ExportTable, count: number) =>
  table.columns.length < count && table.columns.at(-1)?.kind === 'text';

/** The widest column at each position over every table (a column running to the edge does not count). */
function columnWidths(document: ExportDocument): number[] {
  const count = columnCount(document);
  return Array.from({ length: count }, (_, index) =>
    Math.max(
      8,
      ...document.tables.map((table) =>
        spansToEdge(table, count) && index === table.columns.length - 1 ? 0 : (table.columns[index]?.width ?? 0),
      ),
    ),
  );
}

/** Borders the last column's cell through to the sheet's edge, and merges it. */
function runToEdge(sheet: ExcelJS.Worksheet, row: ExcelJS.Row, from: number, count: number): void {
  for (let column = from; column <= count; column += 1) row.getCell(column).border = borders;
  sheet.mergeCells(row.number, from, row.number, count);
}

/** Splits columns 1..count into `parts` runs, merging each; returns the first cell of each run. */
function spread(sheet: ExcelJS.Worksheet, rowNumber: number, count: number, parts: number): ExcelJS.Cell[] {
  return Array.from({ length: parts }, (_, index) => {
    const from = Math.floor((index * count) / parts) + 1;
    const to = Math.floor(((index + 1) * count) / parts);
    if (to > from) sheet.mergeCells(rowNumber, from, rowNumber, to);
    return sheet.getCell(rowNumber, from);
  });
}

function writeTitle(sheet: ExcelJS.Worksheet, document: ExportDocument, count: number): void {
  const row = sheet.addRow([]);
  const [cell] = spread(sheet, row.number, count, 1);
  cell!.value = xlsxValue(document.title);
  cell!.font = { bold: true, size: 16 };
  cell!.alignment = { horizontal: 'center', vertical: 'middle' };
  row.height = 30;
}

function writeLine(sheet: ExcelJS.Worksheet, items: readonly string[], count: number): void {
  const row = sheet.addRow([]);
  const cells = spread(sheet, row.number, count, items.length);
  cells.forEach((cell, index) => {
    cell.value = xlsxValue(items[index] ?? '');
    const last = index === cells.length - 1 && cells.length > 1;
    cell.alignment = { horizontal: index === 0 ? 'left' : last ? 'right' : 'center', vertical: 'middle' };
  });
  row.height = 20;
}

function cellValue(kind: ColumnKind, value: ExportCell): ExcelJS.CellValue {
  if (value === null) return kind === 'text' ? '' : '—';
  if (kind === 'percent' && typeof value === 'number') return percentFraction(value);
  return xlsxValue(value);
}

function writeTable(sheet: ExcelJS.Worksheet, table: ExportTable, count: number): void {
  if (table.caption) {
    const caption = sheet.addRow([]);
    const [cell] = spread(sheet, caption.number, count, 1);
    cell!.value = xlsxValue(table.caption);
    cell!.font = { bold: true, size: 12 };
  }
  const span = spansToEdge(table, count);
  const header = sheet.addRow(table.columns.map((column) => xlsxValue(column.header)));
  header.height = 32;
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = headerFill;
    cell.border = borders;
    cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  });
  if (span) runToEdge(sheet, header, table.columns.length, count);
  for (const item of table.rows) {
    const row = sheet.addRow(item.cells.map((value, index) => cellValue(table.columns[index]?.kind ?? 'text', value)));
    table.columns.forEach((column, index) => {
      const cell = row.getCell(index + 1);
      cell.border = borders;
      const format = numberFormats[column.kind];
      if (format && typeof cell.value === 'number') cell.numFmt = format;
      const numeric = column.kind !== 'text';
      cell.alignment = {
        horizontal: numeric ? 'right' : 'left',
        vertical: 'middle',
        wrapText: !numeric,
        ...(index === 0 && item.indent ? { indent: item.indent } : {}),
      };
    });
    if (span) runToEdge(sheet, row, table.columns.length, count);
  }
  sheet.addRow([]);
}

function writeNotes(sheet: ExcelJS.Worksheet, notes: readonly LabelledValue[], count: number, widths: number[]) {
  const total = widths.reduce((sum, width) => sum + width, 0);
  for (const note of notes) {
    const row = sheet.addRow([]);
    const [cell] = spread(sheet, row.number, count, 1);
    const text = `${note.label}：${note.value}`;
    cell!.value = xlsxValue(text);
    cell!.alignment = { horizontal: 'left', vertical: 'top', wrapText: true };
    // A merged cell does not grow by itself: give it the lines its text needs (CJK counts two).
    const lines = Math.max(1, Math.ceil((text.length * 2) / Math.max(1, total)));
    row.height = 16 * lines;
  }
}

export async function renderXlsx(document: ExportDocument): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Monazite';
  workbook.title = document.title;
  const sheet = workbook.addWorksheet(document.sheetName.slice(0, 31), {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '第 &P 页，共 &N 页' },
  });
  const widths = columnWidths(document);
  sheet.columns = widths.map((width) => ({ width: width + 2 }));
  const count = columnCount(document);
  writeTitle(sheet, document, count);
  writeLine(
    sheet,
    document.meta.map((item) => `${item.label}：${item.value}`),
    count,
  );
  for (const table of document.tables) writeTable(sheet, table, count);
  writeNotes(sheet, document.notes, count, widths);
  if (document.signatureLines.length > 0) {
    sheet.addRow([]);
    writeLine(
      sheet,
      document.signatureLines.map((label) => `${label}：____________`),
      count,
    );
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
