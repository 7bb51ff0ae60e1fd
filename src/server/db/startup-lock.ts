import { sql } from 'kysely';
import type { DatabaseHandle } from './database.ts';

/** The session-level advisory lock the starting servers take around migrating and loading the demo. */
const STARTUP_LOCK = 7265104;

/**
 * Runs `work` while holding the start-up lock on PostgreSQL, so that of several processes starting at once on one
 * database, one migrates and loads the demo into an empty database while the others wait, then find it done. The
 * lock is held on a connection of its own (the work uses the pool); PGlite has one process and needs none.
 */
export async function withStartupLock<T>(database: DatabaseHandle, work: () => Promise<T>): Promise<T> {
  if (database.engine !== 'postgres') return work();
  return database.db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${STARTUP_LOCK})`.execute(connection);
    try {
      return await work();
    } finally {
      await sql`SELECT pg_advisory_unlock(${STARTUP_LOCK})`.execute(connection);
    }
  });
}
