import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';

/**
 * Counts one request against `key` in a fixed window of `windowMs`, on the database's clock (one clock for every
 * process): a window that has run out starts again at 1. Returns the count and the window's remaining ms.
 */
export async function countHit(db: Executor, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  const window = sql`(${windowMs} * interval '1 millisecond')`;
  const result = await sql<{ current: number; ttl: number }>`
    INSERT INTO rate_limit_window AS w (key, window_start, hits) VALUES (${key}, clock_timestamp(), 1)
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN w.window_start + ${window} <= clock_timestamp() THEN 1 ELSE w.hits + 1 END,
      window_start = CASE WHEN w.window_start + ${window} <= clock_timestamp() THEN clock_timestamp() ELSE w.window_start END
    RETURNING hits AS current,
      greatest(0, ${windowMs} - extract(epoch FROM clock_timestamp() - w.window_start) * 1000)::float8 AS ttl`.execute(
    db,
  );
  return result.rows[0]!;
}

/** Forgets windows that ended more than `olderThanMs` ago; returns how many. */
export async function forgetOldWindows(db: Executor, olderThanMs: number): Promise<number> {
  const result = await sql`
    DELETE FROM rate_limit_window WHERE window_start < clock_timestamp() - (${olderThanMs} * interval '1 millisecond')`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}
