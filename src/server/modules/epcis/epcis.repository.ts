import { sql, type Expression, type ExpressionBuilder, type Insertable, type SqlBool } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { Database } from '../../db/schema.ts';
import type { CaptureProblem, CaptureSummary, EpcisEventTable } from '../../db/schema-epcis.ts';
import type { Scope } from '../auth/index.ts';
import { enterpriseVisible } from '../registry/index.ts';
import type { EpcMatch, EventFilters } from './epcis-query.rules.ts';

/** Rows per INSERT or IN list: well under the bind-parameter limit. */
const CHUNK = 500;

// ------------------------------------------------------------------------------------------- capture jobs

export interface NewCapture {
  readonly id: string;
  readonly enterpriseId: string;
  readonly createdBy: string;
  readonly errorBehaviour: 'rollback' | 'proceed';
  readonly eventCount: number;
}

export async function insertCapture(db: Executor, capture: NewCapture) {
  return db
    .insertInto('epcis_capture')
    .values({
      id: capture.id,
      enterprise_id: capture.enterpriseId,
      created_by: capture.createdBy,
      error_behaviour: capture.errorBehaviour,
      running: true,
      success: true,
      event_count: capture.eventCount,
      errors: '[]',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function finishCapture(
  db: Executor,
  id: string,
  outcome: { errors: readonly CaptureProblem[]; summary: CaptureSummary | null },
) {
  return db
    .updateTable('epcis_capture')
    .set({
      running: false,
      success: outcome.errors.length === 0,
      errors: JSON.stringify(outcome.errors),
      summary: outcome.summary === null ? null : JSON.stringify(outcome.summary),
      finished_at: sql<Date>`clock_timestamp()`,
    })
    .where('id', '=', id)
    .where('running', '=', true)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findCapture(db: Executor, enterpriseId: string, id: string) {
  return db
    .selectFrom('epcis_capture')
    .selectAll()
    .where('id', '=', id)
    .where('enterprise_id', '=', enterpriseId)
    .executeTakeFirst();
}

/** An enterprise's jobs, newest first, after the job numbered `beforeSeq`. */
export function listCaptures(db: Executor, enterpriseId: string, beforeSeq: string | null, limit: number) {
  let query = db.selectFrom('epcis_capture').selectAll().where('enterprise_id', '=', enterpriseId);
  if (beforeSeq !== null) query = query.where('seq', '<', beforeSeq);
  return query.orderBy('seq', 'desc').limit(limit).execute();
}

// ------------------------------------------------------------------------------------------------- events

/** The content hash of each of these events the enterprise has stored already. */
export async function storedHashes(
  db: Executor,
  enterpriseId: string,
  eventIds: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (let start = 0; start < eventIds.length; start += CHUNK) {
    const rows = await db
      .selectFrom('epcis_event')
      .select(['event_id', 'content_sm3'])
      .where('enterprise_id', '=', enterpriseId)
      .where('event_id', 'in', eventIds.slice(start, start + CHUNK))
      .execute();
    for (const row of rows) found.set(row.event_id, row.content_sm3);
  }
  return found;
}

/** Inserts the events not stored yet (by enterprise and eventID); returns the eventIDs it inserted. */
export async function insertEvents(db: Executor, rows: readonly Insertable<EpcisEventTable>[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let start = 0; start < rows.length; start += CHUNK) {
    const result = await db
      .insertInto('epcis_event')
      .values(rows.slice(start, start + CHUNK))
      .onConflict((conflict) => conflict.columns(['enterprise_id', 'event_id']).doNothing())
      .returning('event_id')
      .execute();
    for (const row of result) inserted.add(row.event_id);
  }
  return inserted;
}

type EventBuilder = ExpressionBuilder<Database, 'epcis_event'>;

/** Only the events of enterprises the scope sees. */
function visible(db: Executor, eb: EventBuilder, scope: Scope): Expression<SqlBool> {
  if (scope.kind === 'national') return sql<SqlBool>`true`;
  if (scope.kind === 'enterprise') return eb('epcis_event.enterprise_id', '=', scope.enterpriseId);
  return eb(
    'epcis_event.enterprise_id',
    'in',
    db
      .selectFrom('enterprise')
      .select('enterprise.id')
      .where((inner) => enterpriseVisible(inner, scope)),
  );
}

function epcMatch(columns: readonly ('epcs' | 'other_epcs')[], match: EpcMatch): Expression<SqlBool> {
  const tests = columns.flatMap((column) => [
    sql<SqlBool>`${sql.ref(`epcis_event.${column}`)} && ${match.exact}::text[]`,
    sql<SqlBool>`EXISTS (SELECT 1 FROM unnest(${sql.ref(`epcis_event.${column}`)}) AS item (epc)
      WHERE item.epc ~ ANY (${match.patterns}::text[]))`,
  ]);
  return sql<SqlBool>`(${sql.join(tests, sql` OR `)})`;
}

function classMatch(columns: readonly ('epc_classes' | 'other_epc_classes')[], classes: string[]) {
  const tests = columns.map((column) => sql<SqlBool>`${sql.ref(`epcis_event.${column}`)} && ${classes}::text[]`);
  return sql<SqlBool>`(${sql.join(tests, sql` OR `)})`;
}

/** An ISO time with its zone, compared as timestamptz. */
const at = (time: string) => sql<Date>`${time}::timestamptz`;

function filtered(eb: EventBuilder, filters: EventFilters): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  const f = filters;
  if (f.eventTypes) conditions.push(eb('epcis_event.event_type', 'in', f.eventTypes));
  if (f.geEventTime) conditions.push(eb('epcis_event.event_time', '>=', at(f.geEventTime)));
  if (f.ltEventTime) conditions.push(eb('epcis_event.event_time', '<', at(f.ltEventTime)));
  if (f.geRecordTime) conditions.push(eb('epcis_event.record_time', '>=', at(f.geRecordTime)));
  if (f.ltRecordTime) conditions.push(eb('epcis_event.record_time', '<', at(f.ltRecordTime)));
  if (f.actions) conditions.push(eb('epcis_event.action', 'in', f.actions));
  if (f.bizSteps) conditions.push(eb('epcis_event.biz_step', 'in', f.bizSteps));
  if (f.dispositions) conditions.push(eb('epcis_event.disposition', 'in', f.dispositions));
  if (f.eventIds) conditions.push(eb('epcis_event.event_id', 'in', f.eventIds));
  if (f.matchEpc) conditions.push(epcMatch(['epcs'], f.matchEpc));
  if (f.matchAnyEpc) conditions.push(epcMatch(['epcs', 'other_epcs'], f.matchAnyEpc));
  if (f.matchEpcClass) conditions.push(classMatch(['epc_classes'], f.matchEpcClass));
  if (f.matchAnyEpcClass) conditions.push(classMatch(['epc_classes', 'other_epc_classes'], f.matchAnyEpcClass));
  return conditions;
}

/** The visible events matching the filters, in record order, after id `after`: at most `limit`. */
export function findEvents(
  db: Executor,
  scope: Scope,
  query: { filters: EventFilters; after: string | null; limit: number },
) {
  return db
    .selectFrom('epcis_event')
    .select(['id', 'event_id', 'document', 'context', 'record_time'])
    .where((eb) =>
      eb.and([
        visible(db, eb, scope),
        ...filtered(eb, query.filters),
        ...(query.after === null ? [] : [eb('epcis_event.id', '>', query.after)]),
      ]),
    )
    .orderBy('id')
    .limit(query.limit)
    .execute();
}
