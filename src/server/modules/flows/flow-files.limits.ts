import { DomainError } from '../../shared/errors.ts';

/**
 * What a flow file may hold and expand to (docs/security.md, "Limits on uploaded files and bodies"). Each is
 * checked while the file is read, so a file over one is refused before it costs more than the limit.
 */
export const flowFileLimits = {
  /** Bytes of the file itself, by upload or from the command line. */
  file_bytes: 200 * 1024 * 1024,
  /** Entries in an XLSX's ZIP archive (a workbook has a dozen or two). */
  xlsx_zip_entries: 1_000,
  /** What one part of an XLSX inflates to, counted as it inflates. */
  xlsx_part_bytes: 1024 * 1024 * 1024,
  /** What all the parts read inflate to together, counted as they inflate. */
  xlsx_total_bytes: 1536 * 1024 * 1024,
  /** Entries of the shared-string table (every distinct text of the workbook). */
  xlsx_shared_strings: 1_000_000,
  /** Characters of all shared strings together: the table is held in memory while the sheet is read. */
  xlsx_shared_string_chars: 32 * 1024 * 1024,
  /** Characters of one cell's text (Excel's own limit). */
  cell_chars: 32_767,
  /** Worksheets in a workbook (only the first is read). */
  xlsx_sheets: 256,
  /** Cells of the first worksheet. */
  xlsx_cells: 40_000_000,
  /** Rows of a file, the header included. */
  rows: 2_000_000,
  /** Columns of a row (the template has 19). */
  columns: 256,
  /** Characters of one CSV record (one line, or several when a quoted cell holds line breaks). */
  csv_record_chars: 64 * 1024,
} as const;

export type FlowFileLimit = keyof typeof flowFileLimits;

/**
 * A file over one of the limits: 413 `file_limit_exceeded`, with the limit's name and value in `params` and
 * the row where it was passed, when there is one.
 */
export function fileLimitExceeded(limit: FlowFileLimit, row?: number): DomainError {
  const max = flowFileLimits[limit];
  const where = row === undefined ? '' : ` (at row ${row})`;
  return new DomainError(
    413,
    'file_limit_exceeded',
    `The file passes the limit ${limit} = ${max}${where}; split it into smaller files.`,
    [{ field: '(file)', message: `limit ${limit}: ${max}`, ...(row === undefined ? {} : { row }) }],
    { limit, max, ...(row === undefined ? {} : { row }) },
  );
}
