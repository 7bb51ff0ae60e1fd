import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Dates stay 'YYYY-MM-DD' strings (no time zone games); int8 stays a string (exact).
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Engine = 'postgres' | 'pglite';

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** The embedded instance, when the engine is PGlite (for COPY and dumps). */
  readonly pglite: PGlite | undefined;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { readonly url: string; readonly statementTimeoutMs?: number; readonly poolSize?: number }
  | { readonly pgliteDataDir: string }
  | { readonly pgliteInstance: PGlite };

/**
 * One dialect for both engines: Kysely's PostgresDialect over a `pg` pool, given either a real server
 * or the embedded PGlite through its node-postgres adapter (pool size 1 keeps transactions apart).
 */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if ('url' in target) {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      statement_timeout: target.statementTimeoutMs ?? 30_000,
      application_name: 'monazite',
    });
    // An idle connection the server closed (restart, failover, a dropped database) must not crash the
    // process: the pool replaces it on next use.
    pool.on('error', (error: Error & { code?: string }) => {
      if (error.code !== '57P01') process.emitWarning(`idle database connection failed: ${error.message}`);
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres', pglite: undefined, close: () => db.destroy() };
  }
  const ownsInstance = !('pgliteInstance' in target);
  const pglite = 'pgliteInstance' in target ? target.pgliteInstance : await PGlite.create(target.pgliteDataDir);
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'pglite',
    pglite,
    close: async () => {
      await db.destroy();
      if (ownsInstance) await pglite.close();
    },
  };
}
