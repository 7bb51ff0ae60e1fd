import { stringify } from 'csv-stringify/sync';
import { cellText, type ExportDocument, type ExportTable } from './exports.model.ts';

/**
 * The CSV rendering: UTF-8 with a BOM (so spreadsheet programs in China open it as UTF-8), one section after
 * another separated by an empty record — the title, the header block as label/value pairs, each table (its
 * caption, its header, its rows), the notes, the signature lines. Figures are plain integers (no separators,
 * so they read back as numbers); utilisation is a percentage with two decimals; the board's tree is indented
 * with ideographic spaces.
 */

function tableRecords(table: ExportTable): string[][] {
  const records: string[][] = [];
  if (table.caption) records.push([table.caption]);
  records.push(table.columns.map((column) => column.header));
  for (const row of table.rows)
    records.push(
      row.cells.map((cell, index) => {
        const text = cellText(table.columns[index]?.kind ?? 'text', cell, false);
        return index === 0 && row.indent ? '\u3000'.repeat(row.indent) + text : text;
      }),
    );
  records.push([]);
  return records;
}

export function renderCsv(document: ExportDocument): Buffer {
  const records: string[][] = [
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
  return Buffer.from(stringify(records, { bom: true, record_delimiter: 'windows' }), 'utf8');
}
