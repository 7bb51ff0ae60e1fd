import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { parse as parseCsv, CsvError } from 'csv-parse';
import ExcelJS from 'exceljs';
import { invalid } from '../../shared/errors.ts';
import { EventAssembler, type FileEvent } from './flow-files.events.ts';
import { isBlankRow, readHeader, readRow, type CellValue, type FileHeader } from './flow-files.rules.ts';

/**
 * Streams a flow file into events with flat memory: CSV through csv-parse, XLSX through exceljs's streaming
 * reader (first worksheet only; later sheets, such as the template's explanation, are not read). Only the
 * rows of one open transform are held.
 */

export type FlowFileFormat = 'csv' | 'xlsx';
export type FlowFileEncoding = 'utf-8' | 'gb18030';

export interface FlowFileSource {
  readonly path: string;
  readonly format: FlowFileFormat;
  /** CSV only: GB18030 (which covers GBK) when the bytes are not valid UTF-8. */
  readonly encoding: FlowFileEncoding;
}

/** A row of cells with its row number in the file (header = 1). */
interface CellRow {
  readonly row: number;
  readonly cells: readonly CellValue[];
}

/**
 * The events of a flow file, in file order. A file-level problem (not a CSV/XLSX, a bad header) rejects with
 * a DomainError 422. `onBytes` is told the bytes read from the file so far.
 */
export async function* readFlowFile(
  source: FlowFileSource,
  onBytes?: (bytesRead: number) => void,
): AsyncGenerator<FileEvent> {
  const stream = createReadStream(source.path, { highWaterMark: 256 * 1024 });
  try {
    const rows = source.format === 'csv' ? csvRows(stream, source.encoding) : xlsxRows(stream);
    let header: FileHeader | undefined;
    const assembler = new EventAssembler();
    for await (const { row, cells } of rows) {
      if (!header) {
        if (!isBlankRow(cells)) header = readHeader(cells, row);
        continue;
      }
      if (isBlankRow(cells)) continue;
      if (onBytes && row % 1000 === 0) onBytes(stream.bytesRead);
      yield* assembler.push({ row, values: readRow(header, cells) });
    }
    if (!header) throw invalid('The file has no header row: it is empty. Start from the template.');
    yield* assembler.finish();
  } finally {
    stream.destroy();
  }
}

/** Decodes GB18030 (GBK) bytes to UTF-8 text on the way, keeping multi-byte characters split across chunks. */
function gb18030ToUtf8(): Transform {
  const decoder = new TextDecoder('gb18030');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, decoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decoder.decode());
    },
  });
}

async function* csvRows(stream: Readable, encoding: FlowFileEncoding): AsyncGenerator<CellRow> {
  const parser = parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: false });
  const input = encoding === 'gb18030' ? stream.pipe(gb18030ToUtf8()) : stream;
  for (const source of new Set([stream, input])) source.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row += 1;
      yield { row, cells: record };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw invalid(`The file is not a well-formed CSV${line ? ` (near line ${line})` : ''}: ${error.message}`, [
        { row: line ?? row + 1, field: '(file)', message: error.message },
      ]);
    }
    throw error;
  } finally {
    parser.destroy();
  }
}

type ExcelCell = ExcelJS.CellValue;

/** An exceljs cell value as text, number, date or boolean: formulas give their result, rich text its text. */
function excelCell(value: ExcelCell): CellValue {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    return typeof result === 'object' && result !== null && !(result instanceof Date)
      ? undefined
      : (result as CellValue);
  }
  if ('text' in value) return typeof value.text === 'string' ? value.text : excelCell(value.text);
  if ('error' in value) return String(value.error);
  return undefined;
}

async function* xlsxRows(stream: Readable): AsyncGenerator<CellRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // date cells are known by their number format
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let first = true;
  try {
    for await (const worksheet of reader) {
      // The first worksheet is the data. Later ones are read through and dropped: one left unread keeps a
      // temporary file the reader spooled it to open while the reader removes it (an uncaught ENOENT).
      if (!first) {
        for await (const _row of worksheet) void _row;
        continue;
      }
      first = false;
      for await (const row of worksheet) {
        const values = row.values as ExcelCell[];
        yield { row: row.number, cells: values.slice(1).map(excelCell) };
      }
    }
  } catch (error) {
    if (error instanceof Error && !('status' in error))
      throw invalid(`The file could not be read as an XLSX workbook: ${error.message}`, [
        { row: 0, field: '(file)', message: error.message },
      ]);
    throw error;
  }
}
