import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '../../src/server/db/executor.ts';
import { ingestFlows } from '../../src/server/modules/flows/ingest.service.ts';
import { monthlyProduction } from '../../src/server/modules/flows/production.repository.ts';
import { summaryDifferences } from '../../src/server/modules/flows/summaries.repository.ts';
import { rebuildSummaries } from '../../src/server/modules/flows/summaries.service.ts';
import { canonicalJson, sm3Hex } from '../../src/server/shared/canonical-json.ts';
import { DomainError } from '../../src/server/shared/errors.ts';
import { startTestApp, type TestContext } from '../support/app.ts';
import { buildChain, chainShape } from './chain-generator.ts';
import { creditCodes, enterpriseIds } from './flow-world.ts';

/**
 * Issue 23: the flow summaries are never behind their lines. For random sequences of submissions, amendments
 * (supersessions), replays and refused submissions, the summaries equal a full recomputation from the lines, and
 * production read from them equals production read from the lines as it was before the summaries existed.
 */

/** Production from the lines: the query the summaries replaced, kept here as the reference. */
async function productionFromLines(db: Executor) {
  const rows = await sql<{ enterprise_id: string; period: string; category: string; reo_kg: number }>`
    WITH live AS (
      SELECT l.enterprise_id, l.period, l.event_id, l.kind, l.direction, l.reo_kg, p.category AS product_category,
             p.ore_type
      FROM flow_line l JOIN product p ON p.code = l.product_code
      WHERE l.kind IN ('produce', 'transform')
        AND NOT EXISTS (SELECT 1 FROM flow_superseded s WHERE s.enterprise_id = l.enterprise_id AND s.event_id = l.event_id)),
    separations AS (
      SELECT enterprise_id, period,
             CASE WHEN coalesce(bool_and(ore_type = 'imported') FILTER (WHERE direction = -1), false) THEN 'separation_imported'
                  WHEN coalesce(bool_and(ore_type = 'monazite') FILTER (WHERE direction = -1), false) THEN 'separation_monazite'
                  ELSE 'separation_domestic' END AS feed,
             coalesce(sum(reo_kg) FILTER (WHERE direction = 1 AND product_category = 'separated'), 0) AS reo_kg
      FROM live WHERE kind = 'transform'
      GROUP BY enterprise_id, period, event_id
      HAVING bool_or(direction = -1 AND product_category = 'mineral'))
    SELECT enterprise_id, period::text AS period,
           CASE WHEN ore_type = 'ion_adsorption' THEN 'mining_ion_adsorption' ELSE 'mining_rock' END AS category,
           sum(reo_kg)::float8 AS reo_kg
    FROM live WHERE kind = 'produce' AND product_category = 'mineral' AND ore_type IS DISTINCT FROM 'imported'
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT enterprise_id, period::text, 'separation|' || feed, sum(reo_kg)::float8
    FROM separations WHERE reo_kg > 0 GROUP BY 1, 2, 3`.execute(db);
  return rows.rows;
}

/** Per enterprise, month, product, kind and direction: the summaries, and the same summed plainly from the lines. */
async function summedBothWays(db: Executor) {
  const shape = sql`enterprise_id, period::text AS period, product_code, kind, direction`;
  const stored = await sql<Record<string, string>>`
    SELECT ${shape}, sum(line_count)::text AS lines, sum(mass_kg)::text AS mass, sum(reo_kg)::text AS reo,
           sum(superseded_lines)::text AS superseded
    FROM flow_summary GROUP BY 1, 2, 3, 4, 5
    HAVING sum(line_count) > 0 OR sum(superseded_lines) > 0 ORDER BY 1, 2, 3, 4, 5`.execute(db);
  const fromLines = await sql<Record<string, string>>`
    SELECT ${shape}, count(*) FILTER (WHERE s.event_id IS NULL)::text AS lines,
           coalesce(sum(l.mass_kg) FILTER (WHERE s.event_id IS NULL), 0)::text AS mass,
           coalesce(sum(l.reo_kg) FILTER (WHERE s.event_id IS NULL), 0)::text AS reo,
           count(s.event_id)::text AS superseded
    FROM flow_line l LEFT JOIN flow_superseded s USING (enterprise_id, event_id)
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`.execute(db);
  return { stored: stored.rows, fromLines: fromLines.rows };
}

const byKey = (rows: readonly { enterprise_id: string; period: string; category: string }[]) =>
  [...rows].sort((a, b) =>
    `${a.enterprise_id}|${a.period}|${a.category}`.localeCompare(`${b.enterprise_id}|${b.period}|${b.category}`),
  );

async function expectSummariesEqualLines(db: Executor) {
  expect(await summaryDifferences(db, null)).toEqual([]);
  const both = await summedBothWays(db);
  expect(both.stored).toEqual(both.fromLines);
  expect(byKey(await monthlyProduction(db, '2000-01-01', '2100-12-01', null))).toEqual(
    byKey(await productionFromLines(db)),
  );
}

async function summaryDigest(db: Executor) {
  const rows = await sql<{ digest: string }>`
    SELECT count(*) || '/' || coalesce(sum(line_count), 0) || '/' || coalesce(sum(mass_kg), 0) || '/' ||
           coalesce(sum(reo_kg), 0) || '/' || coalesce(sum(superseded_lines), 0) AS digest FROM flow_summary`.execute(
    db,
  );
  return rows.rows[0]!.digest;
}

type Operation =
  | { type: 'replay'; pick: number }
  | { type: 'amend'; pick: number; deltaKg: number }
  | { type: 'refuse'; pick: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ type: fc.constant('replay' as const), pick: fc.nat() }),
  fc.record({ type: fc.constant('amend' as const), pick: fc.nat(), deltaKg: fc.integer({ min: -500, max: 200 }) }),
  fc.record({ type: fc.constant('refuse' as const), pick: fc.nat() }),
);

describe('flow summaries', () => {
  let context: TestContext;
  let codes: Record<string, string>;
  let ids: Record<string, string>;
  let run = 0;
  const months: string[] = [];
  for (let year = 2023; year <= 2025; year += 1)
    for (let month = 1; month <= 12; month += 1) months.push(`${year}-${String(month).padStart(2, '0')}`);

  const submit = (key: string, events: readonly Record<string, unknown>[]) =>
    ingestFlows(
      context.database,
      { source: 'api', enterpriseId: ids[key]!, createdBy: `test.${key}`, contentSm3: sm3Hex(canonicalJson(events)) },
      events.map((event, index) => ({ row: index + 1, event })),
    );

  /** A submission that may be refused: refused → nothing changed (summaries, lines). */
  async function submitOrRefused(key: string, events: readonly Record<string, unknown>[]): Promise<boolean> {
    const db = context.database.db;
    const before = await summaryDigest(db);
    try {
      await submit(key, events);
      return true;
    } catch (error) {
      if (!(error instanceof DomainError) || error.status !== 422) throw error;
      expect(await summaryDigest(db)).toBe(before);
      return false;
    }
  }

  beforeAll(async () => {
    context = await startTestApp();
    codes = await creditCodes(context.database.db);
    ids = await enterpriseIds(context.database.db);
  });
  afterAll(() => context.close());

  it('equal a recomputation from the lines after any sequence of submissions, amendments, replays and refusals', async () => {
    await fc.assert(
      fc.asyncProperty(chainShape, fc.nat(), fc.array(operation, { maxLength: 6 }), async (shape, cut, operations) => {
        const month = months[run % months.length]!;
        const chain = buildChain(shape, month, `SUM${run++}`, { mine: codes.bayan!, plant: codes.kundulun! });
        const db = context.database.db;
        // The mine's events in one or two submissions, then the plant's.
        const at = 1 + (cut % chain.mine.length);
        const submitted: { key: string; events: Record<string, unknown>[] }[] = [];
        for (const [key, events] of [
          ['bayan', chain.mine.slice(0, at)],
          ['bayan', chain.mine.slice(at)],
          ['kundulun', chain.plant],
        ] as const) {
          if (events.length === 0) continue;
          if (await submitOrRefused(key, events)) submitted.push({ key, events });
        }
        await expectSummariesEqualLines(db);
        let amendments = 0;
        for (const step of operations) {
          if (submitted.length === 0) break;
          const submission = submitted[step.pick % submitted.length]!;
          const target = submission.events[step.pick % submission.events.length]!;
          if (step.type === 'replay') {
            const before = await summaryDigest(db);
            const again = await submit(submission.key, submission.events);
            expect(again.replayed).toBe(true);
            expect(await summaryDigest(db)).toBe(before);
          } else if (step.type === 'amend') {
            const mass = Number(target.mass_kg ?? 0) + step.deltaKg;
            const corrected = {
              ...target,
              event_id: `${String(target.event_id)}-A${amendments++}`,
              amends: [target.event_id],
              reason: '更正',
              ...(target.mass_kg === undefined ? {} : { mass_kg: Math.max(1, mass) }),
            };
            delete (corrected as { reo_kg?: unknown }).reo_kg;
            if (await submitOrRefused(submission.key, [corrected]))
              submitted.push({ key: submission.key, events: [corrected] });
          } else {
            // A new event that is fine, then one the ingest refuses: the first must not stay counted.
            const fine = { ...target, event_id: `${String(target.event_id)}-N${amendments++}` };
            const bad = { ...fine, event_id: `${String(fine.event_id)}-bad`, product: 'NO_SUCH_PRODUCT' };
            expect(await submitOrRefused(submission.key, [fine, bad])).toBe(false);
          }
          await expectSummariesEqualLines(db);
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });

  it('a submission refused in its second chunk leaves the summaries (and lines) as they were', async () => {
    const db = context.database.db;
    const events = Array.from({ length: 2_001 }, (_, index) => ({
      event_id: `MIDWAY-${index}`,
      kind: 'produce',
      event_time: '2024-06-10T10:00:00+08:00',
      batch: `MIDWAY-${index}`,
      product: index === 2_000 ? 'NO_SUCH_PRODUCT' : 'BASTNAESITE_CONC',
      mass_kg: 1_000,
      grade_ppm: 500_000,
    }));
    const before = await summaryDigest(db);
    const lines = await sql<{ n: string }>`SELECT count(*)::text AS n FROM flow_line`.execute(db);
    await expect(submit('bayan', events)).rejects.toMatchObject({ status: 422 });
    expect(await summaryDigest(db)).toBe(before);
    expect((await sql<{ n: string }>`SELECT count(*)::text AS n FROM flow_line`.execute(db)).rows).toEqual(lines.rows);
  });

  it('two enterprises filing at once both count, in full', async () => {
    const db = context.database.db;
    const produce = (prefix: string, product: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({
        event_id: `${prefix}-${index}`,
        kind: 'produce',
        event_time: `2024-07-${String(1 + (index % 28)).padStart(2, '0')}T10:00:00+08:00`,
        batch: `${prefix}-${index}`,
        product,
        mass_kg: 1_000 + index,
        grade_ppm: 400_000,
      }));
    await Promise.all([
      submit('bayan', produce('PAR-BY', 'BASTNAESITE_CONC', 300)),
      submit('longnan', produce('PAR-LN', 'ION_LEACHATE', 300)),
      submit('bayan', produce('PAR-BY2', 'BASTNAESITE_CONC', 200)),
    ]);
    await expectSummariesEqualLines(db);
  });

  it('pages a month of flow lines by keyset: the same lines as by page, the total from the summary', async () => {
    const mine = await context.as('ent.bayan');
    const base = `/api/v1/flows?enterprise_id=${ids.bayan}&period=2024-07`;
    const all = await mine.get(`${base}&page_size=200`);
    expect(all.statusCode, all.body).toBe(200);
    const everything = all.json<{ items: { event_id: string; line_no: number }[]; total: number }>();
    const counted = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM flow_line WHERE enterprise_id = ${ids.bayan} AND period = '2024-07-01'`.execute(
      context.database.db,
    );
    expect(everything.total).toBe(counted.rows[0]!.n);
    const walked: { event_id: string; line_no: number }[] = [];
    let after: string | null = null;
    for (let page = 1; page <= 10; page += 1) {
      const response = await mine.get(`${base}&page_size=7&page=${page}${after ? `&after=${after}` : ''}`);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json<{ items: { event_id: string; line_no: number }[]; next: string | null }>();
      walked.push(...body.items);
      after = body.next;
      if (after === null) break;
    }
    expect(walked.length).toBeGreaterThan(7);
    expect(walked).toEqual(everything.items.slice(0, walked.length));
    const refused = await mine.get(`${base}&after=not-a-cursor`);
    expect(refused.statusCode).toBe(422);
  });

  it('the rebuild finds a summary that fell behind, puts it right, and records it in the audit chain', async () => {
    const db = context.database.db;
    await sql`UPDATE flow_summary SET reo_kg = reo_kg + 7
      WHERE (enterprise_id, period, product_code, kind, direction, inputs) IN (
        SELECT enterprise_id, period, product_code, kind, direction, inputs FROM flow_summary
        WHERE period = '2024-07-01' AND line_count > 0 ORDER BY 1, 3, 4, 5 LIMIT 1)`.execute(db);
    const audit = { actor: { id: 'test', login: 'test.rebuild', role: 'cli' }, requestId: 'summaries-rebuild' };
    const found = await rebuildSummaries(context.database, audit, '2024-07');
    expect(found.differences).toHaveLength(1);
    expect(found.rows).toBeGreaterThan(0);
    await expectSummariesEqualLines(db);
    const again = await rebuildSummaries(context.database, audit, null);
    expect(again.differences).toEqual([]);
    const entries = await sql<{ action: string; object_id: string }>`
      SELECT action, object_id FROM audit_entry WHERE request_id = 'summaries-rebuild' ORDER BY seq`.execute(db);
    expect(entries.rows).toEqual([
      { action: 'flow.summaries_rebuild', object_id: '2024-07' },
      { action: 'flow.summaries_rebuild', object_id: 'all' },
    ]);
  });
});
