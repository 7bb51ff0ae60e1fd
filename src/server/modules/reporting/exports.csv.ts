import { figure, writeCsv, type CsvCell } from '../../shared/tabular.ts';
import { cellText, type ColumnKind, type ExportCell, type ExportDocument, type ExportTable } from './exports.model.ts';

/**
 * The CSV rendering: UTF-8 with a BOM (so spreadsheet programs in China open it as UTF-8), one section after
 * another separated by an empty record — the title, the header block as label/value pairs, each table (its
 * caption, its header, its rows), the notes, the signature lines. Figures are plain integers (no separators,
 * so they read back as numbers); utilisation is a percentage with two decimals; the board's tree is indented
 * with ideographic spaces. Written by the shared tabular writer: texts are neutralised against formula injection,
 * figures are numbers (a negative remaining indicator stays a number).
 */

/** Figures as numbers (percentages as the server's own text); texts as texts. */
function csvValue(kind: ColumnKind, value: ExportCell): CsvCell {
  if (typeof value !== 'number' || kind === 'text') return cellText(kind, value, false);
  if (kind === 'percent') return figure(value, (ppm) => cellText(kind, ppm, false));
  return value;
}

function tableRecords(table: ExportTable): CsvCell[][] {
  const records: CsvCell[][] = [];
  if (table.caption) records.push([table.caption]);
  records.push(table.columns.map((column) => column.header));
  for (const row of table.rows)
    records.push(
      row.cells.map((cell, index) => {
        const value = csvValue(table.columns[index]?.kind ?? 'text', cell);
        return index === 0 && row.indent && typeof value === 'string' ? '\u3000'.repeat(row.indent) + value : value;
      }),
    );
  records.push([]);
  return records;
}

export function renderCsv(document: ExportDocument): Buffer {
  const records: CsvCell[][] = [
    [document.title],
    ...document.meta.map((item) => [item.label, item.value]),
    [],
    ...document.tables.flatMap(tableRecords),
    ...document.notes.map((item) => [item.label, item.value]),
  ];
  if (document.signatureLines.length > 0)
    records.push(
      [],
      document.signatureLines.map((label) => `${label}：`),
    );
  return Buffer.from(writeCsv(records, { bom: true, recordDelimiter: 'windows' }), 'utf8');
}
