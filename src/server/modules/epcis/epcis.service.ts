import { randomUUID } from 'node:crypto';
import type { Insertable, Selectable } from 'kysely';
import type { SubmissionResult } from '../../../contracts/flows.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { Executor } from '../../db/executor.ts';
import type { CaptureProblem, CaptureSummary, EpcisCaptureTable, EpcisEventTable } from '../../db/schema-epcis.ts';
import { canonicalJson, sm3Hex } from '../../shared/canonical-json.ts';
import { DomainError } from '../../shared/errors.ts';
import { businessCounters } from '../../shared/business-metrics.ts';
import type { Actor } from '../auth/index.ts';
import { ingestFlows, type IngestRow } from '../flows/ingest.service.ts';
import {
  contextList,
  flowProblem,
  prepareEvents,
  raceProblem,
  triage,
  type PreparedEvent,
} from './epcis-capture.rules.ts';
import * as repository from './epcis.repository.ts';
import {
  CAPTURE_LIMIT_EVENTS,
  captureLimitProblem,
  EpcisProblem,
  eventListOf,
  schemaErrors,
  validationProblem,
  type CaptureJob,
} from './epcis.schema.ts';

/**
 * Capture (POST /epcis/capture), synchronously inside the request: the answer is the finished job. Every
 * schema-valid event is stored as captured; those with a Monazite class also become flows, in the same
 * transaction as the EPCIS rows (through `ingestFlows`' alsoWrite), so rollback stores nothing at all.
 */
export async function captureDocument(
  handle: DatabaseHandle,
  actor: Actor,
  input: { document: unknown; errorBehaviour: 'rollback' | 'proceed' },
): Promise<CaptureJob> {
  const enterpriseId = actor.enterpriseId;
  if (enterpriseId === null)
    throw new EpcisProblem(403, 'epcisException:SecurityException', 'Forbidden', 'Only an enterprise captures events.');
  const events = checkDocument(input.document);
  const job = await repository.insertCapture(handle.db, {
    id: randomUUID(),
    enterpriseId,
    createdBy: actor.login,
    errorBehaviour: input.errorBehaviour,
    eventCount: events.length,
  });
  try {
    const context = contextList(input.document);
    const prepared = prepareEvents(events, context);
    const run = { handle, actor, enterpriseId, captureId: job.id, behaviour: input.errorBehaviour, prepared, context };
    const outcome = await runCapture(run);
    const finished = jobView(await repository.finishCapture(handle.db, job.id, outcome));
    businessCounters.captureJobs.inc({ outcome: finished.success ? 'succeeded' : 'failed' });
    return finished;
  } catch (error) {
    businessCounters.captureJobs.inc({ outcome: 'failed' });
    const problem: CaptureProblem = {
      type: 'epcisException:ImplementationException',
      title: 'The capture failed on the server',
      status: 500,
      detail: 'Nothing was stored; the failure has been logged.',
    };
    await repository.finishCapture(handle.db, job.id, { errors: [problem], summary: null }).catch(() => undefined);
    throw error;
  }
}

/** The document's events, once it is an EPCIS document within the limits; otherwise the binding's 400/413. */
function checkDocument(document: unknown): unknown[] {
  const events = eventListOf(document);
  const type = (document as { type?: unknown } | null)?.type;
  if (events === undefined || (type !== 'EPCISDocument' && type !== 'EPCISQueryDocument'))
    throw validationProblem('The body must be an EPCISDocument (or EPCISQueryDocument) with an eventList.');
  if (events.length > CAPTURE_LIMIT_EVENTS)
    throw captureLimitProblem(
      `The document has ${events.length} events; one capture takes at most ${CAPTURE_LIMIT_EVENTS}: split it.`,
      { limit: 'events', max: CAPTURE_LIMIT_EVENTS },
    );
  const errors = schemaErrors(document);
  if (errors.length > 0)
    throw validationProblem(
      `The document does not conform to the EPCIS 2.0 JSON schema: ${errors
        .slice(0, 3)
        .map((error) => `${error.pointer} ${error.message}`)
        .join('; ')}`,
      errors,
    );
  return events;
}

interface CaptureRun {
  readonly handle: DatabaseHandle;
  readonly actor: Actor;
  readonly enterpriseId: string;
  readonly captureId: string;
  readonly behaviour: 'rollback' | 'proceed';
  readonly prepared: readonly PreparedEvent[];
  /** The document's @context, kept with each event. */
  readonly context: readonly unknown[];
}

interface Outcome {
  errors: CaptureProblem[];
  summary: CaptureSummary | null;
}

/** Thrown inside the capture's transaction to roll it back with these problems as the job's answer. */
class Refused extends Error {
  constructor(readonly problems: CaptureProblem[]) {
    super('capture refused');
  }
}

async function runCapture(run: CaptureRun): Promise<Outcome> {
  const { prepared } = run;
  const stored = await repository.storedHashes(
    run.handle.db,
    run.enterpriseId,
    prepared.map((event) => event.eventId),
  );
  const sorted = triage(prepared, stored);
  const refusedAll = (problems: CaptureProblem[]): Outcome => ({
    errors: problems,
    summary: { events: prepared.length, stored: 0, unchanged: 0, rejected: prepared.length, flows: null },
  });
  if (run.behaviour === 'rollback' && sorted.problems.length > 0) return refusedAll(sorted.problems);
  const flowRows: IngestRow[] = sorted.fresh.flatMap((event) =>
    event.mapping.kind === 'flow'
      ? [{ row: event.index + 1, event: event.mapping.event, fieldLabels: topLevel(event.mapping.labels) }]
      : [],
  );
  try {
    const written =
      flowRows.length === 0 ? await storeOnly(run, sorted.fresh) : await storeWithFlows(run, sorted.fresh, flowRows);
    const errors = [...sorted.problems, ...written.problems];
    const rejected = prepared.length - written.stored - sorted.unchanged.length - written.unchanged;
    return {
      errors,
      summary: {
        events: prepared.length,
        stored: written.stored,
        unchanged: sorted.unchanged.length + written.unchanged,
        rejected,
        flows: written.flows,
      },
    };
  } catch (error) {
    if (error instanceof Refused) return refusedAll([...sorted.problems, ...error.problems]);
    if (error instanceof DomainError) {
      const rowErrors = error.errors.map((item) => ({ row: item.row ?? 0, field: item.field, message: item.message }));
      const problems = rowErrors.map((item) => flowProblem(item, prepared));
      return refusedAll(
        problems.length > 0 ? problems : [flowProblem({ row: 0, field: '(flows)', message: error.detail }, prepared)],
      );
    }
    throw error;
  }
}

/** Flow labels without a dot: the only ones `ingestFlows` applies itself (the rest are mapped back here). */
const topLevel = (labels: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(labels).filter(([field]) => !field.includes('.')));

interface Written {
  stored: number;
  unchanged: number;
  problems: CaptureProblem[];
  flows: CaptureSummary['flows'];
}

async function storeOnly(run: CaptureRun, events: readonly PreparedEvent[]): Promise<Written> {
  const result = await run.handle.db.transaction().execute((tx) => storeEvents(tx, run, events));
  return { ...result, flows: null };
}

async function storeWithFlows(run: CaptureRun, events: readonly PreparedEvent[], rows: IngestRow[]): Promise<Written> {
  let written: Omit<Written, 'flows'> | undefined;
  const keep = (result: SubmissionResult) => {
    const rejectedRows = new Set(result.errors.map((error) => error.row));
    return events.filter((event) => !rejectedRows.has(event.index + 1));
  };
  const result = await ingestFlows(
    run.handle,
    {
      source: 'epcis',
      enterpriseId: run.enterpriseId,
      createdBy: run.actor.login,
      contentSm3: sm3Hex(canonicalJson({ capture: 'epcis', errorBehaviour: run.behaviour, rows })),
      errorBehaviour: run.behaviour,
      alsoWrite: async (tx, submitted) => {
        written = await storeEvents(tx, run, keep(submitted));
      },
    },
    rows,
  );
  // A replayed submission answers with its first result and writes nothing: store the events here.
  written ??= await run.handle.db.transaction().execute((tx) => storeEvents(tx, run, keep(result)));
  const flowErrors = result.errors.map((error) => flowProblem(error, run.prepared));
  return {
    stored: written.stored,
    unchanged: written.unchanged,
    problems: [...flowErrors, ...written.problems],
    flows: {
      submissionID: result.submission_id,
      accepted: result.accepted,
      unchanged: result.unchanged,
      rejected: result.rejected,
      replayed: result.replayed,
    },
  };
}

/**
 * Inserts the events; one that a concurrent capture stored first counts as unchanged when its content is the
 * same, and is a problem otherwise (in rollback mode, the whole capture's).
 */
async function storeEvents(
  tx: Executor,
  run: CaptureRun,
  events: readonly PreparedEvent[],
): Promise<Omit<Written, 'flows'>> {
  const inserted = await repository.insertEvents(
    tx,
    events.map((event) => eventRow(run, event)),
  );
  const missed = events.filter((event) => !inserted.has(event.eventId));
  const hashes = await repository.storedHashes(
    tx,
    run.enterpriseId,
    missed.map((event) => event.eventId),
  );
  const problems = missed.filter((event) => hashes.get(event.eventId) !== event.contentSm3).map(raceProblem);
  if (problems.length > 0 && run.behaviour === 'rollback') throw new Refused(problems);
  return { stored: inserted.size, unchanged: missed.length - problems.length, problems };
}

function eventRow(run: CaptureRun, event: PreparedEvent): Insertable<EpcisEventTable> {
  const { columns } = event;
  return {
    enterprise_id: run.enterpriseId,
    event_id: event.eventId,
    capture_id: run.captureId,
    event_type: columns.eventType,
    event_time: event.eventTime,
    action: columns.action,
    biz_step: columns.bizStep,
    disposition: columns.disposition,
    epcs: columns.epcs,
    other_epcs: columns.otherEpcs,
    epc_classes: columns.epcClasses,
    other_epc_classes: columns.otherEpcClasses,
    content_sm3: event.contentSm3,
    document: JSON.stringify(event.document),
    context: JSON.stringify(run.context),
  };
}

export function jobView(row: Selectable<EpcisCaptureTable>): CaptureJob {
  return {
    captureID: row.id,
    createdAt: row.created_at.toISOString(),
    ...(row.finished_at === null ? {} : { finishedAt: row.finished_at.toISOString() }),
    running: row.running,
    success: row.success,
    captureErrorBehaviour: row.error_behaviour,
    errors: row.errors,
    ...(row.summary === null ? {} : { summary: row.summary }),
  };
}
