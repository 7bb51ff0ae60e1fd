import type { Executor } from '../../db/executor.ts';
import type { Actor, Scope } from '../auth/index.ts';
import {
  encodePageToken,
  MAX_PER_PAGE,
  queryDocument,
  type EventFilters,
  type EventQuery,
} from './epcis-query.rules.ts';
import * as repository from './epcis.repository.ts';
import { EpcisProblem, type CaptureJob, type EpcisQueryDocument } from './epcis.schema.ts';
import { jobView } from './epcis.service.ts';

/** The reads of the EPCIS binding: the events query, one event, capture jobs. Scoped like every read. */
const notFound = (detail: string) =>
  new EpcisProblem(404, 'epcisException:NoSuchResourceException', 'Resource not found', detail);

/** One page of the events the scope sees, as an EPCISQueryDocument, and the next page's token (if any). */
export async function queryEvents(
  db: Executor,
  scope: Scope,
  query: EventQuery,
): Promise<{ document: EpcisQueryDocument; nextPageToken: string | null }> {
  const rows = await repository.findEvents(db, scope, {
    filters: query.filters,
    after: query.after,
    limit: query.perPage + 1,
  });
  const page = rows.slice(0, query.perPage);
  const last = page.at(-1);
  const nextPageToken = rows.length > query.perPage && last ? encodePageToken(last.id, query.fingerprint) : null;
  return { document: answer(page), nextPageToken };
}

/** GET /events/{eventID}: the event (of each enterprise in scope that captured one with this id). */
export async function eventById(db: Executor, scope: Scope, eventId: string): Promise<EpcisQueryDocument> {
  const filters: EventFilters = { eventIds: [eventId] };
  const rows = await repository.findEvents(db, scope, { filters, after: null, limit: MAX_PER_PAGE });
  if (rows.length === 0) throw notFound(`No event ${eventId} you may see.`);
  return answer(rows);
}

function answer(rows: Awaited<ReturnType<typeof repository.findEvents>>): EpcisQueryDocument {
  return queryDocument(
    rows.map((row) => ({
      eventId: row.event_id,
      document: row.document,
      context: row.context,
      recordTime: row.record_time,
    })),
    new Date(),
  );
}

/** A capture job of the caller's enterprise; another's is not found. */
export async function captureById(db: Executor, actor: Actor, captureId: string): Promise<CaptureJob> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const row =
    actor.enterpriseId !== null && uuid.test(captureId)
      ? await repository.findCapture(db, actor.enterpriseId, captureId)
      : undefined;
  if (!row) throw notFound(`No capture job ${captureId} of your enterprise.`);
  return jobView(row);
}

/** The caller's enterprise's capture jobs, newest first, a page at a time. */
export async function listCaptureJobs(
  db: Executor,
  actor: Actor,
  page: { perPage: number; nextPageToken?: string | undefined },
): Promise<{ jobs: CaptureJob[]; nextPageToken: string | null }> {
  if (actor.enterpriseId === null) return { jobs: [], nextPageToken: null };
  const perPage = Math.min(page.perPage, MAX_PER_PAGE);
  let before: string | null = null;
  if (page.nextPageToken !== undefined) {
    before = /^\d{1,19}$/.test(page.nextPageToken) ? page.nextPageToken : null;
    if (before === null)
      throw new EpcisProblem(
        400,
        'epcisException:QueryParameterException',
        'Bad page token',
        'nextPageToken is not one this list gave.',
      );
  }
  const rows = await repository.listCaptures(db, actor.enterpriseId, before, perPage + 1);
  const jobs = rows.slice(0, perPage);
  const last = jobs.at(-1);
  return { jobs: jobs.map(jobView), nextPageToken: rows.length > perPage && last ? last.seq : null };
}
