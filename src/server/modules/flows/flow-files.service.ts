import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { SubmissionResult } from '../../../contracts/flows.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { limitedBody } from '../../shared/body.ts';
import { DomainError, invalid } from '../../shared/errors.ts';
import { recordAudit, type AuditContext } from '../audit/index.ts';
import { toIngestRows } from './flow-files.ingest.ts';
import { flowFileLimits } from './flow-files.limits.ts';
import type { FlowFileSource } from './flow-files.reader.ts';
import { readFlowFileOffThread } from './flow-files.stream.ts';
import { ingestFlows, type IngestOptions } from './ingest.service.ts';

/**
 * Flow files in: the bytes are read once to hash them (SM3: the same file again is a replay), check their
 * size and tell CSV from XLSX and UTF-8 from GB18030; then read again, streaming, into the ingest.
 */

/** The largest flow file accepted, by upload or from the command line. */
export const MAX_FLOW_FILE_BYTES = flowFileLimits.file_bytes;

export interface InspectedFile extends FlowFileSource {
  readonly bytes: number;
  readonly sm3: string;
}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const SNIFF_BYTES = 64 * 1024;

/** Looks at every byte once, as it streams past: hash, count, the first bytes, and whether it is UTF-8. */
class Inspector {
  private readonly hash: Hash = createHash('sm3');
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private validUtf8 = true;
  private head = Buffer.alloc(0);
  bytes = 0;

  constructor(private readonly limitBytes: number) {}

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limitBytes) throw tooLarge(this.limitBytes);
    this.hash.update(chunk);
    if (this.head.length < SNIFF_BYTES)
      this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF_BYTES - this.head.length)]);
    if (this.validUtf8 && !this.head.subarray(0, 4).equals(ZIP)) {
      try {
        this.utf8.decode(chunk, { stream: true });
      } catch {
        this.validUtf8 = false;
      }
    }
  }

  finish(path: string): InspectedFile {
    if (this.validUtf8) {
      try {
        this.utf8.decode();
      } catch {
        this.validUtf8 = false;
      }
    }
    const base = { path, bytes: this.bytes, sm3: this.hash.digest('hex') };
    return { ...base, ...sniff(this.head, this.validUtf8) };
  }
}

export const tooLarge = (limitBytes: number): DomainError =>
  new DomainError(
    413,
    'body_too_large',
    `The file is larger than ${Math.floor(limitBytes / 1024 / 1024)} MB; split it into several files.`,
    [],
    { limit: 'file_bytes', max: limitBytes },
  );

/** CSV or XLSX, by the bytes (not the name or content type, which clients get wrong). */
function sniff(head: Buffer, validUtf8: boolean): Pick<FlowFileSource, 'format' | 'encoding'> {
  if (head.length === 0) throw invalid('The file is empty. Start from the template (CSV or XLSX).');
  if (head.subarray(0, 4).equals(ZIP)) return { format: 'xlsx', encoding: 'utf-8' };
  if (head.subarray(0, 4).equals(OLE2))
    throw invalid('This is an old Excel 97–2003 workbook (.xls): save it as .xlsx (Excel Workbook) or as CSV.');
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    throw invalid('The file is UTF-16 text ("Unicode text"): save it as CSV (UTF-8) or as .xlsx.');
  if (head.includes(0)) throw invalid('The file is neither a CSV nor an XLSX workbook (it holds binary data).');
  return { format: 'csv', encoding: validUtf8 ? 'utf-8' : 'gb18030' };
}

/**
 * Writes an upload to a temporary file while inspecting it (flat memory), refusing it with 413 once it
 * passes `limitBytes`. The caller removes the file with `discard` when done.
 */
export async function spoolUpload(source: Readable, limitBytes: number): Promise<InspectedFile> {
  const directory = await mkdtemp(join(tmpdir(), 'monazite-upload-'));
  const path = join(directory, 'flows');
  const inspector = new Inspector(limitBytes);
  const out = createWriteStream(path);
  try {
    // Not a pipeline: an upload refused at the limit must keep its connection, so that the 413 reaches a
    // client still sending (limitedBody drains the rest).
    for await (const chunk of limitedBody(source, limitBytes, () => tooLarge(limitBytes))) {
      inspector.update(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await finished(out);
    return inspector.finish(path);
  } catch (error) {
    out.destroy();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/** Removes a spooled upload. */
export async function discard(file: InspectedFile): Promise<void> {
  await rm(join(file.path, '..'), { recursive: true, force: true });
}

/** Inspects a file on disk (the command line): one pass to hash and sniff it. */
export async function inspectFile(path: string, limitBytes = MAX_FLOW_FILE_BYTES): Promise<InspectedFile> {
  const inspector = new Inspector(limitBytes);
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) inspector.update(chunk as Buffer);
  return inspector.finish(path);
}

export type FlowFileOptions = Omit<IngestOptions, 'contentSm3' | 'alsoWrite'> & {
  /** Told the bytes read from the file so far, as the ingest goes. */
  readonly onBytes?: (bytesRead: number) => void;
};

/**
 * Streams an inspected flow file into the ingest: one submission, all or nothing unless `proceed`, recorded in
 * the audit chain (`flow.file`) in the same transaction. Every way a file comes in (the upload route, the
 * command line, the command line through a running server's admin socket) calls this, so none stores events
 * without its audit entry. A replay stores nothing and records nothing.
 */
export async function importFlowFile(
  handle: DatabaseHandle,
  context: AuditContext,
  options: FlowFileOptions,
  file: InspectedFile,
): Promise<SubmissionResult> {
  const { onBytes, ...ingestOptions } = options;
  return ingestFlows(
    handle,
    {
      ...ingestOptions,
      contentSm3: file.sm3,
      alsoWrite: async (tx, result) => {
        if (result.replayed) return;
        await recordAudit(tx, context, {
          action: 'flow.file',
          objectType: 'flow_submission',
          objectId: result.submission_id,
          after: {
            source: options.source,
            file_name: options.fileName ?? null,
            format: file.format,
            bytes: file.bytes,
            content_sm3: file.sm3,
            received: result.received,
            accepted: result.accepted,
            unchanged: result.unchanged,
            rejected: result.rejected,
          },
        });
      },
    },
    toIngestRows(readFlowFileOffThread(file, onBytes)),
  );
}
