import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepStatistics, noteWrites, statisticsKeeperOf } from '../../src/server/db/statistics.ts';
import { freshDatabase, testEngine, type TestDatabase } from '../support/database.ts';

/**
 * The statistics keeper on the engine under test: committed writes above the threshold get the touched tables
 * analysed in the background, each at most once per interval; below it, nothing runs; stopped, it runs no more.
 */

let database: TestDatabase;

beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => {
  await database?.close();
});

const analyses = async (table: string) => {
  const rows = await sql<{ n: number }>`
    SELECT (coalesce(analyze_count, 0) + coalesce(autoanalyze_count, 0))::float8 AS n
    FROM pg_stat_user_tables WHERE relname = ${table}`.execute(database.db);
  return rows.rows[0]?.n ?? 0;
};

describe(`the statistics keeper (${testEngine})`, () => {
  it('analyses only the touched tables that reached the threshold, once per interval, off the caller', async () => {
    const keeper = keepStatistics(database, { policy: { floorRows: 100, fraction: 0, intervalMs: 3_600_000 } });
    expect(statisticsKeeperOf(database)).toBe(keeper);
    const before = { edge: await analyses('batch_edge'), origin: await analyses('batch_origin') };
    noteWrites(database, { batch_edge: 150, batch_origin: 99 });
    // Nothing ran yet: note() returns at once and the ANALYZE starts after the current work.
    expect(keeper.analysed).toEqual([]);
    await keeper.idle();
    expect(keeper.analysed.map((run) => run.table)).toEqual(['batch_edge']);
    // The statistics views may lag a moment behind the command on the server.
    for (let wait = 0; wait < 50 && (await analyses('batch_edge')) === before.edge; wait += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await analyses('batch_edge')).toBeGreaterThan(before.edge);
    expect(await analyses('batch_origin')).toBe(before.origin);

    // Enough again within the interval: it waits; the table below the floor now reaches it and is analysed.
    noteWrites(database, { batch_edge: 500, batch_origin: 1 });
    await keeper.idle();
    expect(keeper.analysed.map((run) => run.table)).toEqual(['batch_edge', 'batch_origin']);

    await keeper.stop();
    expect(statisticsKeeperOf(database)).toBeUndefined();
    noteWrites(database, { flow_line: 1_000_000 });
    expect(keeper.analysed).toHaveLength(2);
  });
});
