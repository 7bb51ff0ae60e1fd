import { stringify } from 'csv-stringify/sync';
import { neutraliseFormula } from './cell-text.rules.ts';

/**
 * The one writer of tabular exports (CSV and the cells of XLSX files): every text cell is neutralised against
 * formula injection (`cell-text.rules.ts`); numbers are written as numbers. A figure the server formats itself
 * from a number (a percentage such as `-1.25%`) is a `Figure`: it is no user's text, so it is left as it is.
 */

/** A number the server formatted as text (never user input): written unchanged. */
export interface Figure {
  readonly figure: string;
}

/** Formats a number as a figure cell. */
export const figure = (value: number, format: (value: number) => string = String): Figure => ({
  figure: format(value),
});

export type CsvCell = string | number | null | undefined | Figure;

/** A cell as CSV receives it: text neutralised, numbers and figures as they are, nothing as empty. */
export function csvCell(cell: CsvCell): string | number {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'string') return neutraliseFormula(cell);
  return cell.figure;
}

export interface CsvOptions {
  /** Begin with a UTF-8 byte-order mark (so spreadsheet programs in China read the Chinese). */
  readonly bom?: boolean;
  readonly recordDelimiter?: 'unix' | 'windows';
}

/** Records as CSV text. */
export function writeCsv(records: readonly (readonly CsvCell[])[], options: CsvOptions = {}): string {
  const text = stringify(
    records.map((record) => record.map(csvCell)),
    // A lone carriage return or line feed inside a text is quoted too (csv-stringify quotes only the record
    // delimiter by itself), or a reader would end the record there.
    { record_delimiter: options.recordDelimiter ?? 'unix', quoted_match: /[\r\n]/ },
  );
  return options.bom ? `\uFEFF${text}` : text;
}

/**
 * An XLSX cell value: a text neutralised as in CSV (an XLSX text cell is never evaluated, but a file converted to
 * CSV, or a cell edited and confirmed, would be), anything else (numbers, dates, empty) as it is.
 */
export function xlsxValue<T>(value: T): T | string {
  return typeof value === 'string' ? neutraliseFormula(value) : value;
}
