import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { prepared, type CopyValue, type DatabaseHandle } from '../server/db/database.ts';
import type { Executor } from '../server/db/executor.ts';
import { runChecks } from '../server/modules/checks/checks.service.ts';
import { lineColumns } from '../server/modules/flows/flows.repository.ts';
import * as trace from '../server/modules/trace/trace.repository.ts';
import { backwardView, forwardView, lineageUp } from '../server/modules/trace/trace.service.ts';
import { Rng } from './bench-flows.data.ts';

/**
 * The measurements of the flow benchmark, each with the baseline it is compared to, measured on the same data
 * in the same run: ingest vs a raw COPY, traces vs a plain reachability query, checks vs one scan of the month.
 */

export const round2 = (value: number) => Math.round(value * 100) / 100;

export function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const began = performance.now();
  const result = await work();
  return [performance.now() - began, result];
}

// ——— ingest vs COPY ———

const COPY_PAGE_ROWS = 50_000;

function copyValue(value: unknown): CopyValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(String);
  return value as CopyValue;
}

/**
 * The baseline of the ingest: the flow lines it stored, read back and COPYed into a bare copy of the table (no
 * indexes, no constraints, no triggers) with the same COPY the ingest uses, in pages of 50,000 rows. Only the
 * COPY is timed.
 */
export async function copyBaseline(handle: DatabaseHandle): Promise<{ rows: number; seconds: number }> {
  await sql`DROP TABLE IF EXISTS flow_line_bare`.execute(handle.db);
  await sql`CREATE TABLE flow_line_bare (LIKE flow_line)`.execute(handle.db);
  const columns = sql.raw(lineColumns.join(', '));
  return handle.copyTransaction(async (tx, copy) => {
    let rows = 0;
    let copyMs = 0;
    let after: [string, string, number] | null = null;
    for (;;) {
      const page: { rows: Record<string, unknown>[] } = await sql<Record<string, unknown>>`
        SELECT ${columns} FROM flow_line
        ${after ? sql`WHERE (enterprise_id, event_id, line_no) > (${after[0]}::uuid, ${after[1]}, ${after[2]})` : sql``}
        ORDER BY enterprise_id, event_id, line_no LIMIT ${COPY_PAGE_ROWS}`.execute(tx);
      if (page.rows.length === 0) break;
      const values = page.rows.map((row) => lineColumns.map((column) => copyValue(row[column])));
      const [ms] = await timed(() => copy('flow_line_bare', lineColumns, values));
      copyMs += ms;
      rows += values.length;
      const last = page.rows.at(-1)!;
      after = [String(last.enterprise_id), String(last.event_id), Number(last.line_no)];
      if (page.rows.length < COPY_PAGE_ROWS) break;
    }
    return { rows, seconds: copyMs / 1000 };
  });
}

// ——— traces vs reachability ———

/**
 * The baseline of a trace: the plain recursive reachability query over the same edges, ids only; prepared, as the
 * traces are (a prepared statement skips parsing and planning: comparing one to a statement planned on every call
 * would flatter it).
 */
async function reach(db: Executor, direction: 'up' | 'down', batchId: number): Promise<number> {
  const query =
    direction === 'up'
      ? sql<{
          id: string;
        }>`${prepared}WITH RECURSIVE r(id) AS (SELECT ${batchId}::bigint UNION SELECT e.parent_id FROM batch_edge e JOIN r ON e.child_id = r.id) SELECT id FROM r`
      : sql<{
          id: string;
        }>`${prepared}WITH RECURSIVE r(id) AS (SELECT ${batchId}::bigint UNION SELECT e.child_id FROM batch_edge e JOIN r ON e.parent_id = r.id) SELECT id FROM r`;
  return (await query.execute(db)).rows.length;
}

const NATIONAL = { kind: 'national' } as const;

/** The backward trace as the API answers it for the ministries: one statement, then origin shares and paths. */
async function traceBack(db: Executor, batchId: number): Promise<{ edges: number; origins: number }> {
  const result = backwardView(await lineageUp(db, NATIONAL, batchId));
  return { edges: result.edges.length, origins: result.origins.length };
}

/** The forward trace as the API answers it for the ministries: one statement, then paths and movements. */
async function traceForward(db: Executor, batchId: number): Promise<{ edges: number; movements: number }> {
  const lineage = await trace.lineageDown(db, NATIONAL, batchId);
  if (!lineage) throw new Error(`batch ${batchId} not found`);
  const result = forwardView(lineage, null);
  return { edges: result.edges.length, movements: result.movements.length };
}

/** `count` ids drawn from `pool` with a seed: without repeats when the pool is large enough. */
export function sampleIds(pool: readonly number[], count: number, seed: number): number[] {
  const rng = new Rng(seed);
  if (pool.length >= count) return rng.sample(pool, count);
  return Array.from({ length: count }, () => rng.pick(pool));
}

export interface TraceFigures {
  samples: number;
  back_p50_ms: number;
  back_p99_ms: number;
  reach_up_p50_ms: number;
  reach_up_p99_ms: number;
  forward_p50_ms: number;
  forward_p99_ms: number;
  reach_down_p50_ms: number;
  reach_down_p99_ms: number;
  back_edges_mean: number;
  back_origins_mean: number;
  forward_edges_mean: number;
  forward_movements_mean: number;
}

/**
 * Each sampled batch traced and reached in turn (which goes first alternates), after a warm-up, so both see
 * the same caches.
 */
export async function measureTraces(
  db: Executor,
  backIds: readonly number[],
  forwardIds: readonly number[],
): Promise<TraceFigures> {
  const warm = Math.min(50, backIds.length);
  for (let index = 0; index < warm; index += 1) {
    await traceBack(db, backIds[index]!);
    await traceForward(db, forwardIds[index % forwardIds.length]!);
  }
  const times = { back: [] as number[], up: [] as number[], forward: [] as number[], down: [] as number[] };
  const sizes = { backEdges: 0, origins: 0, forwardEdges: 0, movements: 0 };
  for (let index = 0; index < backIds.length; index += 1) {
    const backId = backIds[index]!;
    const forwardId = forwardIds[index % forwardIds.length]!;
    const pairs: [() => Promise<void>, () => Promise<void>][] = [
      [
        async () => void times.up.push((await timed(() => reach(db, 'up', backId)))[0]),
        async () => {
          const [ms, found] = await timed(() => traceBack(db, backId));
          times.back.push(ms);
          sizes.backEdges += found.edges;
          sizes.origins += found.origins;
        },
      ],
      [
        async () => void times.down.push((await timed(() => reach(db, 'down', forwardId)))[0]),
        async () => {
          const [ms, found] = await timed(() => traceForward(db, forwardId));
          times.forward.push(ms);
          sizes.forwardEdges += found.edges;
          sizes.movements += found.movements;
        },
      ],
    ];
    for (const [baseline, measured] of pairs) {
      if (index % 2 === 0) {
        await baseline();
        await measured();
      } else {
        await measured();
        await baseline();
      }
    }
  }
  const n = backIds.length;
  return {
    samples: n,
    back_p50_ms: round2(percentile(times.back, 0.5)),
    back_p99_ms: round2(percentile(times.back, 0.99)),
    reach_up_p50_ms: round2(percentile(times.up, 0.5)),
    reach_up_p99_ms: round2(percentile(times.up, 0.99)),
    forward_p50_ms: round2(percentile(times.forward, 0.5)),
    forward_p99_ms: round2(percentile(times.forward, 0.99)),
    reach_down_p50_ms: round2(percentile(times.down, 0.5)),
    reach_down_p99_ms: round2(percentile(times.down, 0.99)),
    back_edges_mean: round2(sizes.backEdges / n),
    back_origins_mean: round2(sizes.origins / n),
    forward_edges_mean: round2(sizes.forwardEdges / n),
    forward_movements_mean: round2(sizes.movements / n),
  };
}

/** Batches to trace: backward from what the metal makers made, forward from what the mines produced. */
export async function traceSamples(db: Executor, makerIds: readonly string[], count: number, seed: number) {
  const made = await sql<{ id: number }>`
    SELECT id::float8 AS id FROM flow_batch WHERE maker_id = ANY(${[...makerIds]}::uuid[]) ORDER BY id`.execute(db);
  const mined = await sql<{
    id: number;
  }>`SELECT id::float8 AS id FROM flow_batch WHERE origin_kind = 'mine' ORDER BY id`.execute(db);
  return {
    back: sampleIds(
      made.rows.map((row) => row.id),
      count,
      seed,
    ),
    forward: sampleIds(
      mined.rows.map((row) => row.id),
      count,
      seed + 1,
    ),
  };
}

// ——— checks vs one scan ———

export interface CheckFigures {
  period: string;
  rows: number;
  checks_s: number;
  checks_rerun_s: number;
  scan_s: number;
  scan_forced_seq_s: number;
  anomalies: number;
  by_rule: Record<string, number>;
}

/**
 * A month of checks, once as first run (it records the anomalies) and once again (it finds the same ones),
 * against the baseline: one aggregate over the month's rows, as the planner runs it (the median of three), and
 * the same forced to a sequential scan of the whole table.
 */
export async function measureChecks(handle: DatabaseHandle, period: string): Promise<CheckFigures> {
  const db = handle.db;
  const first = `${period}-01`;
  const scan = () =>
    sql<{
      rows: string;
    }>`SELECT count(*) AS rows, sum(mass_kg), sum(reo_kg) FROM flow_line WHERE period = ${first}`.execute(db);
  const scans: number[] = [];
  let rows = 0;
  for (let run = 0; run < 3; run += 1) {
    const [ms, result] = await timed(scan);
    scans.push(ms);
    rows = Number(result.rows[0]?.rows ?? 0);
  }
  const [forcedMs] = await timed(() =>
    db.transaction().execute(async (tx) => {
      await sql`SET LOCAL enable_indexscan = off`.execute(tx);
      await sql`SET LOCAL enable_bitmapscan = off`.execute(tx);
      await sql`SELECT count(*), sum(mass_kg), sum(reo_kg) FROM flow_line WHERE period = ${first}`.execute(tx);
    }),
  );
  const [checksMs, run] = await timed(() => runChecks(db, period));
  const [rerunMs] = await timed(() => runChecks(db, period));
  return {
    period,
    rows,
    checks_s: round2(checksMs / 1000),
    checks_rerun_s: round2(rerunMs / 1000),
    // Three significant digits: a tiny month scans in well under a millisecond, and the ratio divides by it.
    scan_s: Number((percentile(scans, 0.5) / 1000).toPrecision(3)),
    scan_forced_seq_s: Math.round(forcedMs) / 1000,
    anomalies: run.anomalies_found,
    by_rule: run.by_rule,
  };
}

/** The enterprise with the most flow lines in a month (`YYYY-MM`): what the report drafts and flow pages read. */
export async function busiestMonth(db: Executor, month: string): Promise<{ enterpriseId: string; lines: number }> {
  const rows = await sql<{ enterprise_id: string; lines: number }>`
    SELECT enterprise_id, count(*)::float8 AS lines FROM flow_line WHERE period = ${`${month}-01`}
    GROUP BY enterprise_id ORDER BY 2 DESC, 1 LIMIT 1`.execute(db);
  const row = rows.rows[0];
  if (!row) throw new Error(`no flow lines in ${month}`);
  return { enterpriseId: row.enterprise_id, lines: row.lines };
}
