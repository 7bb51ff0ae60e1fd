import { sql } from 'kysely';
import type { Executor } from '../db/executor.ts';

/**
 * Holds the transaction-scoped advisory lock of one idempotency key until the transaction ends. Two requests with
 * the same key queue here; a different key (a hash collision aside, which only makes two writes wait for each
 * other) never waits. Works alike on PostgreSQL and PGlite.
 */
export async function lockIdempotencyKey(tx: Executor, lockName: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${lockName}, 0))`.execute(tx);
}
