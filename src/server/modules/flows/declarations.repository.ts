import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';

/** The SQL of monthly declarations. */

/**
 * SM3 over an enterprise-month's events in event-id order: each event's id, its content hash, and whether an
 * amendment has superseded it. Read in pages so a month of any size hashes in flat memory.
 */
export async function monthDigest(
  db: Executor,
  enterpriseId: string,
  period: string,
): Promise<{ sm3: string; count: number }> {
  const hash = createHash('sm3');
  let after = '';
  let count = 0;
  for (;;) {
    const page = await sql<{ event_id: string; content_sm3: string; superseded: boolean }>`
      SELECT l.event_id, l.content_sm3,
             EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id) AS superseded
      FROM flow_line l
      WHERE l.enterprise_id = ${enterpriseId} AND l.period = ${period} AND l.line_no = 0 AND l.event_id > ${after}
      ORDER BY l.event_id LIMIT 10000`.execute(db);
    for (const row of page.rows) hash.update(`${row.event_id}\t${row.content_sm3}\t${row.superseded ? 'S' : '-'}\n`);
    count += page.rows.length;
    const last = page.rows.at(-1);
    if (!last || page.rows.length < 10000) break;
    after = last.event_id;
  }
  return { sm3: hash.digest('hex'), count };
}

/**
 * What the digests of some enterprise-months depend on, read cheaply: for each (credit code, month) its latest
 * seal's version and the summaries' counts of live and superseded lines. Lines are only ever added and an amendment
 * supersedes lines (ADR 0010), so while this text is unchanged no event was recorded or superseded in those months
 * and no seal was made. It cannot see a change made outside Monazite: only a digest can.
 */
export async function monthMarks(
  db: Executor,
  months: readonly { credit_code: string; period: string }[],
): Promise<string> {
  if (months.length === 0) return '';
  const rows = await sql<{ marks: string }>`
    SELECT string_agg(concat(m.credit_code, ':', m.period, ':', coalesce(e.id::text, '-'), ':',
      coalesce((SELECT max(d.version) FROM declaration d WHERE d.enterprise_id = e.id AND d.period = m.period)::text, '-'),
      ':', coalesce((SELECT sum(s.line_count) || '/' || sum(s.superseded_lines) FROM flow_summary s
                     WHERE s.enterprise_id = e.id AND s.period = m.period), '-')), ',' ORDER BY m.ord) AS marks
    FROM unnest(${months.map((month) => month.credit_code)}::text[],
                ${months.map((month) => `${month.period.slice(0, 7)}-01`)}::date[]) WITH ORDINALITY AS m(credit_code, period, ord)
    LEFT JOIN enterprise e ON e.credit_code = m.credit_code`.execute(db);
  return rows.rows[0]?.marks ?? '';
}

export interface SealRow {
  enterprise_id: string;
  period: string;
  version: number;
  events_sm3: string;
  event_count: number;
  late: boolean;
  sealed_by: string;
  sealed_at: Date;
}

export async function sealsOf(
  db: Executor,
  enterpriseIds: readonly string[],
  periods: readonly string[],
): Promise<SealRow[]> {
  if (enterpriseIds.length === 0 || periods.length === 0) return [];
  const rows = await sql<SealRow>`
    SELECT enterprise_id, period::text AS period, version, events_sm3, event_count, late, sealed_by, sealed_at
    FROM declaration
    WHERE enterprise_id = ANY(${enterpriseIds}::uuid[]) AND period = ANY(${periods}::date[])
    ORDER BY enterprise_id, period, version`.execute(db);
  return rows.rows;
}

/** Events and amendments per enterprise-month: how many, and how many amendments came after the last seal. */
export async function monthCounts(
  db: Executor,
  enterpriseIds: readonly string[],
  periods: readonly string[],
): Promise<{ enterprise_id: string; period: string; events: number }[]> {
  if (enterpriseIds.length === 0 || periods.length === 0) return [];
  const rows = await sql<{ enterprise_id: string; period: string; events: number }>`
    SELECT enterprise_id, period::text AS period, count(*)::int AS events FROM flow_line
    WHERE enterprise_id = ANY(${enterpriseIds}::uuid[]) AND period = ANY(${periods}::date[]) AND line_no = 0
    GROUP BY enterprise_id, period`.execute(db);
  return rows.rows;
}

export async function lockEnterpriseMonth(tx: Executor, enterpriseId: string, period: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`declaration:${enterpriseId}:${period}`}))`.execute(tx);
}

export async function insertSeal(tx: Executor, row: SealRow): Promise<SealRow> {
  const inserted = await tx
    .insertInto('declaration')
    .values(row)
    .returning(['enterprise_id', 'period', 'version', 'events_sm3', 'event_count', 'late', 'sealed_by', 'sealed_at'])
    .executeTakeFirstOrThrow();
  return inserted;
}

/** The enterprises whose declarations an official's board shows: designated (Art. 7) ones in the scope. */
export async function designatedEnterprises(
  db: Executor,
  prefix: string | null,
  onDate: string,
): Promise<{ id: string; name: string; domicile_code: string }[]> {
  const rows = await sql<{ id: string; name: string; domicile_code: string }>`
    SELECT e.id, e.name, e.domicile_code FROM enterprise e
    WHERE EXISTS (SELECT 1 FROM designation d WHERE d.enterprise_id = e.id AND d.effective_on <= ${onDate}
                  AND (d.revoked_on IS NULL OR d.revoked_on > ${onDate}))
      ${prefix === null ? sql`` : sql`AND e.domicile_code LIKE ${`${prefix}%`}`}
    ORDER BY e.domicile_code, e.name`.execute(db);
  return rows.rows;
}
