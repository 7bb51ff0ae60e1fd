import pg from 'pg';
import { withDatabase } from './global-setup.ts';
import type { TestDatabase } from './database.ts';

/** The streaming replica of the test server (scripts/pg-replica.sh), when DATABASE_READ_URL names one. */
export const replicaBaseUrl: string | undefined = process.env.DATABASE_READ_URL?.split(',')[0]?.trim() || undefined;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The replica's URL of a test database made on the primary, once the replica has replayed its creation (the replica
 * copies the whole cluster).
 */
export async function replicaUrlOf(database: TestDatabase): Promise<string> {
  const primaryUrl = database.env.DATABASE_URL;
  if (!replicaBaseUrl || !primaryUrl) throw new Error('a replica needs DATABASE_READ_URL and a PostgreSQL database');
  const url = withDatabase(replicaBaseUrl, new URL(primaryUrl).pathname.slice(1));
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return url;
    } catch (error) {
      // 3D000: the database is not there yet; anything else is a real failure.
      if ((error as { code?: string }).code !== '3D000') throw error;
      await pause(100);
    }
  }
}

/** Polls `check` until it gives a value (the test's timeout bounds the wait). */
export async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    await pause(50);
  }
}
