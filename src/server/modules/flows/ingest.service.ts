import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { RowError, SubmissionResult } from '../../../contracts/flows.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { Executor } from '../../db/executor.ts';
import { noteWrites, type TableChanges } from '../../db/statistics.ts';
import { conflict, DomainError, invalid } from '../../shared/errors.ts';
import { businessCounters } from '../../shared/business-metrics.ts';
import { enterpriseCategories, postConsumption, returnConsumption } from '../ledger/ledger.service.ts';
import { ledgerCategory, submissionReplayDifferences, type SubmissionParameters } from './flows.rules.ts';
import * as repo from './flows.repository.ts';
import { newChunkState, processChunk, type ConsumptionDeltas } from './ingest.chunk.ts';
import { prepareEvent, type IngestContext, type PreparedEvent } from './ingest.prepare.ts';
import { addToSummaries } from './summaries.repository.ts';

/** One row of a submission: its 1-based position (array index + 1, or the line in a file) and the raw event. */
export interface IngestRow {
  readonly row: number;
  /** Anything: validated against `flowEventInput` here, so every way in gets the same checks. */
  readonly event: unknown;
  /** Field names as the source spells them (e.g. a file's Chinese headers), used in error messages. */
  readonly fieldLabels?: Readonly<Record<string, string>>;
  /** Problems the source found that the event's shape cannot carry (a file's layout): the row is refused with them. */
  readonly problems?: readonly { readonly field: string; readonly message: string; readonly row?: number }[];
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
  /** How the caller names its parameters in errors: `query.` for a route's query string (default none). */
  readonly parameterPrefix?: string;
}

/** Events validated and written together; a transform counts once. */
export const CHUNK_EVENTS = 2_000;
/** A refused submission lists this many row errors at most (and says how many more there were). */
export const MAX_ROW_ERRORS = 1_000;

/**
 * Submissions one process ingests at the same time on PostgreSQL; the others wait their turn holding no connection.
 * Each ingest holds a pooled connection for its whole transaction: with the pool of 10, at month end when every
 * enterprise files at once, 6 stay free for the officials' reads and the other writes (and the CPU is not split
 * between hundreds of half-done submissions). PGlite has one connection: one at a time.
 */
export const INGEST_SLOTS = 4;
const admissions = new WeakMap<DatabaseHandle, pLimit.Limit>();

function admitted<T>(handle: DatabaseHandle, work: () => Promise<T>): Promise<T> {
  let limit = admissions.get(handle);
  if (!limit) {
    limit = pLimit(handle.engine === 'postgres' ? INGEST_SLOTS : 1);
    admissions.set(handle, limit);
  }
  return limit(work);
}

/**
 * Validates and stores a submission of flow events, in chunks, in one transaction: all or nothing in
 * rollback mode. Rows may come from an array or stream (async iterable) so a large file never sits in memory.
 * Resolves to the submission's result; a refused rollback submission rejects with a DomainError (422) whose
 * `errors` list every rejected row (`row`, `field`, `message`).
 */
export async function ingestFlows(
  handle: DatabaseHandle,
  options: IngestOptions,
  rows: Iterable<IngestRow> | AsyncIterable<IngestRow>,
): Promise<SubmissionResult> {
  try {
    const result = await ingestOnce(handle, options, rows);
    businessCounters.flowSubmissions.inc({ outcome: result.replayed ? 'replayed' : 'stored' });
    if (!result.replayed) businessCounters.flowEventsIngested.inc(result.accepted);
    return result;
  } catch (error) {
    if (error instanceof DomainError && error.status < 500)
      businessCounters.flowSubmissions.inc({ outcome: 'refused' });
    throw error;
  }
}

async function ingestOnce(
  handle: DatabaseHandle,
  options: IngestOptions,
  rows: Iterable<IngestRow> | AsyncIterable<IngestRow>,
): Promise<SubmissionResult> {
  const previous = await repo.findSubmission(handle.db, options.enterpriseId, options.contentSm3);
  if (previous) return replayOf(previous, options);
  const context = await loadContext(handle.db, options);
  const written: Required<TableChanges> = {
    flow_line: 0,
    flow_batch: 0,
    batch_edge: 0,
    batch_origin: 0,
    batch_holding: 0,
    flow_superseded: 0,
    flow_summary: 0,
  };
  try {
    const result = await admitted(handle, () =>
      handle.copyTransaction((tx, copy) => ingestInTransaction(tx, copy, context, options, rows, written)),
    );
    // Committed: the statistics keeper (if the app runs one) may analyse the touched tables in the background.
    noteWrites(handle, written);
    return result;
  } catch (error) {
    // The same submission committed by another request while this one ran: answer as a replay. It shows either as a
    // unique key taken at commit, or — when the other committed before this one read the events it would store — as
    // a refusal of every event as stored already.
    const raced = (error as { code?: string }).code === '23505';
    if (!raced && !(error instanceof DomainError && error.status === 422)) throw error;
    const first = await repo.findSubmission(handle.db, options.enterpriseId, options.contentSm3);
    if (first) return replayOf(first, options);
    if (!raced) throw error;
    throw conflict('Some of these events were stored by another submission at the same moment: send it again.');
  }
}

const parametersOf = (options: IngestOptions): SubmissionParameters => ({
  period: options.period ?? null,
  on_error: options.errorBehaviour ?? 'rollback',
});

/**
 * The first answer to the same content, when the replay was made with the same parameters; otherwise 409
 * `replay_mismatch` naming each parameter that differs (with the first submission's value), and nothing changes.
 */
function replayOf(first: { result: unknown; parameters: unknown }, options: IngestOptions): SubmissionResult {
  const again = parametersOf(options);
  const recorded = first.parameters as Partial<SubmissionParameters> | null;
  const differences = submissionReplayDifferences(recorded, again);
  if (differences.length === 0) return { ...(first.result as SubmissionResult), replayed: true };
  const prefix = options.parameterPrefix ?? '';
  const shown = (value: string | null | undefined) => value ?? '(none)';
  const errors = differences.map((name) => ({
    field: `${prefix}${name}`,
    message: `differs from the first submission of the same content (${shown(recorded?.[name])}, now ${shown(again[name])})`,
  }));
  const firstDifference = differences[0]!;
  return throwMismatch(errors, {
    parameter: firstDifference,
    first: shown(recorded?.[firstDifference]),
    now: shown(again[firstDifference]),
  });
}

function throwMismatch(errors: { field: string; message: string }[], params: Record<string, string>): never {
  throw new DomainError(
    409,
    'replay_mismatch',
    `The same content was submitted before with other parameters (${errors.map((error) => error.field).join(', ')}): ` +
      'send it with the same parameters to get the first answer, or change the content.',
    errors,
    params,
  );
}

async function loadContext(db: Executor, options: IngestOptions): Promise<IngestContext> {
  const creditCode = await repo.creditCodeOf(db, options.enterpriseId);
  if (creditCode === undefined) throw invalid(`Enterprise ${options.enterpriseId} is not in the register.`);
  return {
    enterpriseId: options.enterpriseId,
    creditCode,
    products: await repo.productCatalogue(db),
    enterpriseIds: await repo.enterpriseIdsByCode(db),
    sealed: await repo.sealedPeriods(db, options.enterpriseId),
    now: new Date(),
    period: options.period === undefined ? undefined : `${options.period}-01`,
  };
}

async function ingestInTransaction(
  tx: Executor,
  copy: Parameters<Parameters<DatabaseHandle['copyTransaction']>[0]>[1],
  context: IngestContext,
  options: IngestOptions,
  rows: Iterable<IngestRow> | AsyncIterable<IngestRow>,
  written: Required<TableChanges>,
): Promise<SubmissionResult> {
  const proceed = options.errorBehaviour === 'proceed';
  const submissionId = randomUUID();
  const state = newChunkState(context, submissionId);
  const tally = { received: 0, accepted: 0, unchanged: 0, rejected: 0, errorCount: 0 };
  const errors: RowError[] = [];
  const keep = (found: readonly RowError[]) => {
    tally.errorCount += found.length;
    for (const error of found) if (errors.length < MAX_ROW_ERRORS) errors.push(error);
  };
  for await (const batch of chunksOf(rows, CHUNK_EVENTS)) {
    const prepared: PreparedEvent[] = [];
    const found: RowError[] = [];
    for (const row of batch) {
      const result = prepareEvent(context, row.row, row.event, row.fieldLabels, row.problems);
      if (Array.isArray(result)) {
        found.push(...result);
        tally.rejected += 1;
      } else prepared.push(result);
    }
    const outcome = await processChunk(tx, state, prepared, proceed || (tally.errorCount === 0 && found.length === 0));
    keep([...found, ...outcome.errors].sort((a, b) => a.row - b.row));
    tally.received += batch.length;
    tally.accepted += outcome.accepted;
    tally.unchanged += outcome.unchanged;
    tally.rejected += prepared.length - outcome.accepted - outcome.unchanged;
    if (proceed || tally.errorCount === 0) {
      await repo.writeChunk(tx, copy, outcome.writes);
      countWrites(written, outcome.writes);
      written.flow_summary += await summarise(tx, context.enterpriseId, outcome.writes);
    }
    options.onProgress?.(tally.received);
  }
  if (tally.errorCount > 0 && !proceed) {
    const more = tally.errorCount > errors.length ? ` (the first ${errors.length} are listed)` : '';
    throw invalid(
      `${tally.rejected} of ${tally.received} events were refused, so nothing was stored: ${tally.errorCount} problems${more}.`,
      errors,
    );
  }
  await postConsumptionDeltas(tx, context.enterpriseId, submissionId, state.consumption, options.createdBy);
  const result: SubmissionResult = {
    submission_id: submissionId,
    enterprise_id: context.enterpriseId,
    source: options.source,
    received: tally.received,
    accepted: tally.accepted,
    unchanged: tally.unchanged,
    rejected: tally.rejected,
    errors,
    replayed: false,
    created_at: new Date().toISOString(),
  };
  const inserted = await repo.insertSubmission(tx, {
    id: submissionId,
    enterprise_id: context.enterpriseId,
    source: options.source,
    content_sm3: options.contentSm3,
    file_name: options.fileName ?? null,
    event_count: tally.accepted,
    result,
    parameters: parametersOf(options),
    created_by: options.createdBy,
  });
  if (!inserted) throw Object.assign(new Error('submission stored concurrently'), { code: '23505' });
  await options.alsoWrite?.(tx, result);
  return result;
}

/** The chunk's events count in the summaries, and the events it supersedes stop counting (same transaction). */
async function summarise(tx: Executor, enterpriseId: string, writes: repo.ChunkWrites): Promise<number> {
  const added = [...new Set(writes.lines.map((line) => line[1] as string))];
  const withdrawn = writes.superseded.map((row) => row[1] as string);
  return addToSummaries(tx, enterpriseId, added, withdrawn);
}

/** Rows a chunk wrote per table (re-made batches count on each table they rewrite). */
function countWrites(written: Required<TableChanges>, writes: repo.ChunkWrites): void {
  const remade = writes.remadeBatchIds.length;
  written.flow_line += writes.lines.length;
  written.flow_batch += writes.batches.length + remade;
  written.batch_edge += writes.edges.length + remade;
  written.batch_origin += writes.origins.length + remade;
  written.batch_holding += writes.holdings.size;
  written.flow_superseded += writes.superseded.length;
}

async function* chunksOf(
  rows: Iterable<IngestRow> | AsyncIterable<IngestRow>,
  size: number,
): AsyncGenerator<IngestRow[]> {
  let chunk: IngestRow[] = [];
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Production consumes quota (Art. 8): one ledger entry per year and category for the submission. Separation
 * goes to the feed's category when the enterprise was allocated by feed, else to the whole separation category.
 */
async function postConsumptionDeltas(
  tx: Executor,
  enterpriseId: string,
  submissionId: string,
  deltas: ConsumptionDeltas,
  createdBy: string,
): Promise<void> {
  const settled = new Map<string, number>();
  for (const [key, reo] of deltas) {
    const [yearText, rawCategory] = key.split(':') as [string, string];
    const held = rawCategory.startsWith('separation|')
      ? await enterpriseCategories(tx, enterpriseId, Number(yearText))
      : new Set<string>();
    const category = ledgerCategory(rawCategory, held);
    const id = `${yearText}:${category}`;
    settled.set(id, (settled.get(id) ?? 0) + reo);
  }
  for (const [id, reo] of settled) {
    if (reo === 0) continue;
    const [yearText, category] = id.split(':') as [string, string];
    const posting = {
      enterpriseId,
      year: Number(yearText),
      category,
      reoKg: Math.abs(reo),
      sourceId: `flow-submission:${submissionId}:${id}`,
      createdBy,
    };
    if (reo > 0) await postConsumption(tx, posting);
    else await returnConsumption(tx, posting);
  }
}
