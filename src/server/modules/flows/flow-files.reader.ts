import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { parse as parseCsv, CsvError } from 'csv-parse';
import { invalid } from '../../shared/errors.ts';
import { EventAssembler, type FileEvent } from './flow-files.events.ts';
import { fileLimitExceeded, flowFileLimits } from './flow-files.limits.ts';
import { isBlankRow, readHeader, readRow, type CellValue, type FileHeader } from './flow-files.rules.ts';
import { xlsxRows } from './flow-files.xlsx.ts';

/**
 * Streams a flow file into events with flat memory and hard limits (flow-files.limits.ts): CSV through
 * csv-parse, XLSX through the bounded reader of flow-files.xlsx.ts (first worksheet only; later sheets, such
 * as the template's explanation, are not read). Only the rows of one open transform are held.
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
  const stream = source.format === 'csv' ? createReadStream(source.path, { highWaterMark: 256 * 1024 }) : undefined;
  try {
    const rows = stream ? csvRows(stream, source.encoding) : xlsxRows(source.path, onBytes);
    let header: FileHeader | undefined;
    const assembler = new EventAssembler();
    for await (const { row, cells } of rows) {
      if (!header) {
        if (!isBlankRow(cells)) header = readHeader(cells, row);
        continue;
      }
      if (isBlankRow(cells)) continue;
      if (stream && onBytes && row % 1000 === 0) onBytes(stream.bytesRead);
      yield* assembler.push({ row, values: readRow(header, cells) });
    }
    if (!header) throw invalid('The file has no header row: it is empty. Start from the template.');
    yield* assembler.finish();
  } finally {
    stream?.destroy();
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
  const parser = parseCsv({
    bom: true,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: flowFileLimits.csv_record_chars,
  });
  const input = encoding === 'gb18030' ? stream.pipe(gb18030ToUtf8()) : stream;
  for (const source of new Set([stream, input])) source.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row += 1;
      if (row > flowFileLimits.rows) throw fileLimitExceeded('rows', row);
      if (record.length > flowFileLimits.columns) throw fileLimitExceeded('columns', row);
      yield { row, cells: record };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      if (error.code === 'CSV_MAX_RECORD_SIZE') throw fileLimitExceeded('csv_record_chars', line ?? row + 1);
      throw invalid(`The file is not a well-formed CSV${line ? ` (near line ${line})` : ''}: ${error.message}`, [
        { row: line ?? row + 1, field: '(file)', message: error.message },
      ]);
    }
    throw error;
  } finally {
    parser.destroy();
  }
}
