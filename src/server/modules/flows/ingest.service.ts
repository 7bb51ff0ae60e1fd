import type { DatabaseHandle } from '../../db/database.ts';
import type { Executor } from '../../db/executor.ts';
import type { SubmissionResult } from '../../../contracts/flows.ts';

/** One row of a submission: its 1-based position (array index + 1, or the line in a file) and the raw event. */
export interface IngestRow {
  readonly row: number;
  /** Anything: validated against `flowEventInput` here, so every way in gets the same checks. */
  readonly event: unknown;
  /** Field names as the source spells them (e.g. a file's Chinese headers), used in error messages. */
  readonly fieldLabels?: Readonly<Record<string, string>>;
}

export interface IngestOptions {
  readonly source: 'api' | 'file' | 'epcis' | 'cli';
  /** The recording enterprise (the caller's own). */
  readonly enterpriseId: string;
  /** Who: a user login, or `cli:<os user>` for the command line. */
  readonly createdBy: string;
  /** SM3 of the submission's bytes (file) or canonical JSON (API): the same content again is a replay. */
  readonly contentSm3: string;
  readonly fileName?: string;
  /** `rollback` (default): any error refuses the whole submission. `proceed`: store the good rows, list the bad. */
  readonly errorBehaviour?: 'rollback' | 'proceed';
  /** When given (YYYY-MM), every event must fall in this month (Asia/Shanghai). */
  readonly period?: string;
  /** Extra writes that must commit or roll back with the flows (e.g. the EPCIS documents as captured). */
  readonly alsoWrite?: (tx: Executor, result: SubmissionResult) => Promise<void>;
  /** Called after each chunk with the rows read so far (for a progress bar). */
  readonly onProgress?: (rowsRead: number) => void;
}

/**
 * Validates and stores a submission of flow events, in chunks, in one transaction: all or nothing in
 * rollback mode. Rows may come from an array or stream (async iterable) so a large file never sits in memory.
 * Resolves to the submission's result; a refused rollback submission rejects with a DomainError (422) whose
 * `errors` list every rejected row (`row`, `field`, `message`).
 */
export async function ingestFlows(
  _handle: DatabaseHandle,
  _options: IngestOptions,
  _rows: Iterable<IngestRow> | AsyncIterable<IngestRow>,
): Promise<SubmissionResult> {
  throw new Error('ingestFlows: being written');
}
