import { RawNode, sql, type CompiledQuery, type KyselyPlugin, type RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchRegister } from '../../src/cli/bench-flows.data.ts';
import {
  countiesByProvince,
  insertRegister,
  loadMonths,
  openBenchDatabase,
  prepareSchema,
  type BenchDatabase,
} from '../../src/cli/bench-flows.load.ts';
import { FlowSimulation } from '../../src/cli/bench-flows.sim.ts';
import type { Executor } from '../../src/server/db/executor.ts';
import { KEPT_TABLES } from '../../src/server/db/statistics.ts';
import * as checks from '../../src/server/modules/checks/checks.repository.ts';
import { monthDigest, sealsOf } from '../../src/server/modules/flows/declarations.repository.ts';
import { monthlyProduction } from '../../src/server/modules/flows/production.repository.ts';
import * as trace from '../../src/server/modules/trace/trace.repository.ts';
import { testEngine } from '../support/database.ts';

/**
 * Plans that cannot collapse (ADR 0009): ~10^5 rows (all flow tables together) filed through the ingest into a fresh database whose flow
 * tables were never analysed (autovacuum off on them, no ANALYZE, no statistics keeper), then each hot read
 * EXPLAINed as the application sends it. Every read of a big flow table must go through an index with a
 * condition (no sequential scan, no walk of a whole index), and no plan may be JIT-compiled. No timing.
 */

type PlanNode = Record<string, unknown> & { 'Node Type': string; Plans?: PlanNode[] };
interface Explained {
  Plan: PlanNode;
  JIT?: unknown;
}

// flow_superseded is left out: it holds a row per amended event only, so hashing all of it is the right plan.
const BIG = new Set<string>(['flow_line', 'flow_batch', 'batch_edge', 'batch_origin', 'batch_holding']);

/** Every read of a big table in the plan, with what is wrong with it (if anything). */
function bigTableReads(node: PlanNode, found: { table: string; node: string; problem: string | null }[] = []) {
  const table = node['Relation Name'];
  if (typeof table === 'string' && BIG.has(table)) {
    const type = node['Node Type'];
    let problem: string | null = null;
    if (type === 'Index Scan' || type === 'Index Only Scan') {
      if (!node['Index Cond']) problem = `${type} without an index condition (a walk of the whole index)`;
    } else if (type === 'Bitmap Heap Scan') {
      const conditions = (node.Plans ?? []).flatMap(function walk(child: PlanNode): PlanNode[] {
        return child['Node Type'] === 'Bitmap Index Scan' ? [child] : (child.Plans ?? []).flatMap(walk);
      });
      if (conditions.length === 0 || conditions.some((child) => !child['Index Cond']))
        problem = 'bitmap scan without an index condition';
    } else problem = type;
    found.push({ table, node: type, problem });
  }
  for (const child of node.Plans ?? []) bigTableReads(child, found);
  return found;
}

/** The executor the repositories get: every raw SQL statement is EXPLAINed instead of run, its plan kept. */
function explaining(db: Executor, plans: Explained[]): Executor {
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }): RootOperationNode => {
      if (node.kind !== 'RawNode') return node;
      const [first = '', ...rest] = node.sqlFragments;
      return { ...node, sqlFragments: [`EXPLAIN (FORMAT JSON) ${first}`, ...rest] };
    },
    transformResult: async ({ result }) => {
      const row = result.rows[0] as Record<string, unknown> | undefined;
      const raw = row?.['QUERY PLAN'];
      const [plan] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Explained[];
      plans.push(plan!);
      return { ...result, rows: [] };
    },
  };
  return db.withPlugin(plugin);
}

/**
 * The plans PostgreSQL keeps for a prepared statement (`prepared`, ADR 0013): each statement the repository sends
 * is prepared in a transaction of its own with plan_cache_mode = force_generic_plan and its EXECUTE explained, so
 * the plan is the one made without the values, as a long-lived connection runs it.
 */
async function explainGeneric(db: Executor, read: (db: Executor) => Promise<unknown>): Promise<Explained[]> {
  const statements: CompiledQuery[] = [];
  // The repository's statements are compiled and kept, and answered with no row.
  const capturing = db.withPlugin({
    transformQuery: ({ node, queryId }): RootOperationNode => {
      statements.push(db.getExecutor().compileQuery(node, queryId));
      return RawNode.createWithSql('SELECT NULL WHERE false');
    },
    transformResult: async ({ result }) => result,
  });
  await read(capturing);
  const plans: Explained[] = [];
  for (const [index, statement] of statements.entries())
    await db.transaction().execute(async (tx) => {
      const name = `generic_probe_${index}_${Date.now()}`;
      await sql`SET LOCAL plan_cache_mode = force_generic_plan`.execute(tx);
      await sql.raw(`PREPARE ${name} AS ${statement.sql}`).execute(tx);
      const values = sql.join(statement.parameters.map((value) => sql.lit(value)));
      const explained = await sql<{
        'QUERY PLAN': Explained[];
      }>`EXPLAIN (FORMAT JSON) EXECUTE ${sql.raw(name)}(${values})`.execute(tx);
      plans.push(explained.rows[0]!['QUERY PLAN'][0]!);
      await sql.raw(`DEALLOCATE ${name}`).execute(tx);
    });
  return plans;
}

let bench: BenchDatabase;
const ids = { metal: 0, mine: 0, period: '2025-02-01', previous: '2025-01-01', enterprise: '' };
let rows: Record<string, number> = {};

beforeAll(async () => {
  bench = await openBenchDatabase(testEngine === 'postgres' ? process.env.DATABASE_URL : undefined);
  const { handle } = bench;
  await prepareSchema(handle.db);
  // As on a server with autovacuum off (and PGlite, which has none): nothing analyses these tables.
  for (const table of KEPT_TABLES)
    await sql`ALTER TABLE ${sql.table(table)} SET (autovacuum_enabled = false)`.execute(handle.db);
  const counties = await countiesByProvince(handle.db);
  const shape = { events: 14_000, months: 2, seed: 11 };
  const register = benchRegister(shape, (province) => counties.get(province) ?? []);
  const enterpriseIds = await insertRegister(handle.db, register);
  await loadMonths(handle, enterpriseIds, new FlowSimulation(register, shape), shape.months, shape.seed, () => {});
  const one = async (query: ReturnType<typeof sql<{ id: number }>>) => (await query.execute(handle.db)).rows[0]!.id;
  ids.metal = await one(sql`SELECT max(b.id)::float8 AS id FROM flow_batch b
    WHERE b.origin_kind = 'transform' AND EXISTS (SELECT 1 FROM batch_edge e WHERE e.child_id = b.id)`);
  ids.mine = await one(sql`SELECT min(id)::float8 AS id FROM flow_batch WHERE origin_kind = 'mine'`);
  ids.enterprise = enterpriseIds[0]!;
  const counted = await sql<{ table: string; n: number }>`
    SELECT 'flow_line' AS table, count(*)::float8 AS n FROM flow_line UNION ALL
    SELECT 'flow_batch', count(*)::float8 FROM flow_batch UNION ALL
    SELECT 'batch_edge', count(*)::float8 FROM batch_edge UNION ALL
    SELECT 'batch_origin', count(*)::float8 FROM batch_origin UNION ALL
    SELECT 'batch_holding', count(*)::float8 FROM batch_holding`.execute(handle.db);
  rows = Object.fromEntries(counted.rows.map((row) => [row.table, row.n]));
}, 600_000);

afterAll(async () => {
  await bench?.dispose(false);
});

const national = { kind: 'national' } as const;
const province = { kind: 'division', divisionCode: '150000', prefix: '15' } as const;
const enterprise = () => ({ kind: 'enterprise', enterpriseId: ids.enterprise }) as const;

/** The application's hot reads, each as the repositories send it. */
const hotReads: [string, (db: Executor) => Promise<unknown>][] = [
  ['trace: the batch (a ministry)', (db) => trace.visibleNode(db, national, ids.metal)],
  ['trace: the batch (an enterprise)', (db) => trace.visibleNode(db, enterprise(), ids.metal)],
  ['trace: batches by code (a province)', (db) => trace.findBatch(db, province, undefined, 'no-such-code')],
  ['trace: lineage up (a ministry)', (db) => trace.lineageUp(db, national, ids.metal)],
  ['trace: lineage up (an enterprise)', (db) => trace.lineageUp(db, enterprise(), ids.metal)],
  ['trace: lineage up (a province)', (db) => trace.lineageUp(db, province, ids.metal)],
  ['trace: lineage down (a ministry)', (db) => trace.lineageDown(db, national, ids.mine)],
  ['trace: lineage down (an enterprise)', (db) => trace.lineageDown(db, enterprise(), ids.mine)],
  ['trace: lineage down (a province)', (db) => trace.lineageDown(db, province, ids.mine)],
  ['certificate: month digest', (db) => monthDigest(db, ids.enterprise, ids.period)],
  ['certificate: seals', (db) => sealsOf(db, [ids.enterprise], [ids.period])],
  ['checks: mass balance', (db) => checks.balances(db, ids.period, ids.previous)],
  ['checks: shipment matching', (db) => checks.shipmentMatches(db, ids.period)],
  ['checks: Art. 7 parties', (db) => checks.undesignatedParties(db, ids.period)],
  ['checks: yields', (db) => checks.transformYields(db, ids.period)],
  ['checks: sample events', (db) => checks.sampleEvents(db, ids.period, [ids.enterprise], ['ship'])],
  ['dashboard: production of the month', (db) => monthlyProduction(db, ids.period, ids.period, null)],
];

describe(`plans of the hot reads on never-analysed flow tables (${testEngine})`, () => {
  it('has about 10^5 rows in the flow tables, none of them analysed', async () => {
    const total = Object.values(rows).reduce((sum, n) => sum + n, 0);
    expect(total).toBeGreaterThan(40_000);
    expect(rows.batch_edge).toBeGreaterThan(5_000);
    const analysed = await sql<{ relname: string }>`
      SELECT relname FROM pg_stat_user_tables
      WHERE relname = ANY(${[...KEPT_TABLES]}::text[]) AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)`.execute(
      bench.handle.db,
    );
    expect(analysed.rows).toEqual([]);
  });

  if (testEngine === 'postgres')
    it("runs the application's connections without JIT", async () => {
      const shown = await sql<{ jit: string }>`SHOW jit`.execute(bench.handle.db);
      expect(shown.rows[0]?.jit).toBe('off');
    });

  it.each(hotReads)('%s: big tables read by index with a condition only, no JIT', async (_name, read) => {
    const plans: Explained[] = [];
    await read(explaining(bench.handle.db, plans));
    expect(plans.length).toBeGreaterThan(0);
    for (const plan of plans) {
      expect(plan.JIT, JSON.stringify(plan.JIT)).toBeUndefined();
      const reads = bigTableReads(plan.Plan);
      expect(
        reads.filter((read) => read.problem !== null),
        JSON.stringify(plan.Plan, null, 1),
      ).toEqual([]);
    }
  });

  // On PostgreSQL the traces run as prepared statements (ADR 0013): their generic plans must hold the same rule.
  const preparedReads = hotReads.filter(([name]) => name.startsWith('trace: lineage'));
  if (testEngine === 'postgres')
    it.each(preparedReads)(
      '%s, as a generic plan: big tables read by index with a condition only',
      async (_name, read) => {
        const plans = await explainGeneric(bench.handle.db, read);
        expect(plans).toHaveLength(1);
        const reads = bigTableReads(plans[0]!.Plan);
        expect(reads.length).toBeGreaterThan(0);
        expect(
          reads.filter((read) => read.problem !== null),
          JSON.stringify(plans[0]!.Plan, null, 1),
        ).toEqual([]);
      },
    );

  it('reads the big tables in every trace query (the rule is not vacuous)', async () => {
    const plans: Explained[] = [];
    await trace.lineageUp(explaining(bench.handle.db, plans), province, ids.metal);
    await trace.lineageDown(explaining(bench.handle.db, plans), enterprise(), ids.mine);
    expect(plans.flatMap((plan) => bigTableReads(plan.Plan).map((read) => read.table))).toEqual(
      expect.arrayContaining(['batch_edge', 'batch_origin', 'batch_holding', 'flow_batch', 'flow_line']),
    );
  });
});
