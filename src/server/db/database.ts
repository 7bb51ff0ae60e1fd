import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DomainError } from '../shared/errors.ts';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import type { Database } from './schema.ts';

// Dates stay 'YYYY-MM-DD' strings (no time zone games); int8 stays a string (exact).
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Engine = 'postgres' | 'pglite';

const PREPARED_MARK = '/* prepared */';

/**
 * Put first in a hot read's SQL (`sql\`${prepared} SELECT …\``): on PostgreSQL the statement is then prepared once
 * per connection, under a name taken from its text, and run by name, so it is parsed and planned once rather than
 * on every call (parsing and planning were half a trace's time; ADR 0013). Only for statements whose every value is a
 * parameter, and whose plan is index lookups whatever the values (a generic plan serves them all): the plan-shape
 * test explains them as generic plans too.
 */
export const prepared = sql.raw(`${PREPARED_MARK} `);

/** Runs marked statements of this connection by name (see `prepared`); anything else as it was sent. */
function runMarkedStatementsByName(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = named.get(text);
    if (!name) {
      name = `mz_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      named.set(text, name);
    }
    return name;
  };
  Object.assign(client, {
    query: (...args: unknown[]) => {
      const [text, values, ...rest] = args;
      if (typeof text !== 'string' || !text.startsWith(PREPARED_MARK)) return query(...args);
      return query({ name: nameOf(text), text, values }, ...rest);
    },
  });
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** The embedded instance, when the engine is PGlite (for COPY and dumps). */
  readonly pglite: PGlite | undefined;
  /**
   * Runs `work` in one transaction that can also bulk-load with COPY (pg-copy-streams on the server,
   * `COPY … FROM '/dev/blob'` on PGlite). Commits when `work` resolves, rolls back when it throws.
   */
  copyTransaction<T>(work: (tx: Kysely<Database>, copy: CopyIn) => Promise<T>): Promise<T>;
  /** The connection pool now: connections open, idle ones, requests waiting for one, and the most it opens. */
  poolState(): PoolState;
  close(): Promise<void>;
}

export interface PoolState {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  readonly max: number;
}

const stateOf = (pool: pg.Pool): PoolState => ({
  total: pool.totalCount,
  idle: pool.idleCount,
  waiting: pool.waitingCount,
  max: pool.options.max ?? 10,
});

/** A COPY value: text, an integer, a list of texts (a text[] column), or null. */
export type CopyValue = string | number | bigint | boolean | readonly string[] | null;
/** Loads rows into a table's named columns with COPY, inside the transaction. */
export type CopyIn = (
  table: string,
  columns: readonly string[],
  rows: readonly (readonly CopyValue[])[],
) => Promise<void>;

function escapeCopyText(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (char) =>
    char === '\\' ? '\\\\' : char === '\t' ? '\\t' : char === '\n' ? '\\n' : '\\r',
  );
}

function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/["\\]/g, (char) => `\\${char}`)}"`).join(',')}}`;
}

/** Rows as COPY's tab-separated text format (\N for null). */
export function copyText(rows: readonly (readonly CopyValue[])[]): string {
  let text = '';
  for (const row of rows) {
    text +=
      row
        .map((value) =>
          value === null
            ? '\\N'
            : Array.isArray(value)
              ? escapeCopyText(arrayLiteral(value as readonly string[]))
              : escapeCopyText(String(value)),
        )
        .join('\t') + '\n';
  }
  return text;
}

const copyStatement = (table: string, columns: readonly string[], source: string) =>
  `COPY ${table} (${columns.join(', ')}) FROM ${source}`;

export type DatabaseTarget =
  | {
      readonly url: string;
      readonly statementTimeoutMs?: number;
      readonly poolSize?: number;
      /** How long to wait for a connection (0, the default: as long as it takes). */
      readonly connectionTimeoutMs?: number;
    }
  | {
      readonly pgliteDataDir: string;
      /** The admin socket a server will open, recorded in the data directory's lock (data-dir-lock.ts). */
      readonly adminSocket?: string;
      /** Where the lock's take-over of a stale holder is told (stderr by default). */
      readonly log?: (line: string) => void;
    }
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
      connectionTimeoutMillis: target.connectionTimeoutMs ?? 0,
      application_name: 'monazite',
      // No JIT on the request path: compiling costs more than these short queries run (ADR 0009).
      options: '-c jit=off',
    });
    // An idle connection the server closed (restart, failover, a dropped database) must not crash the
    // process: the pool replaces it on next use.
    pool.on('error', (error: Error & { code?: string }) => {
      if (error.code !== '57P01') process.emitWarning(`idle database connection failed: ${error.message}`);
    });
    pool.on('connect', runMarkedStatementsByName);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      engine: 'postgres',
      pglite: undefined,
      copyTransaction: (work) => serverCopyTransaction(pool, work),
      poolState: () => stateOf(pool),
      close: () => db.destroy(),
    };
  }
  const ownsInstance = !('pgliteInstance' in target);
  // A data directory on disk is one process's: lock it before opening it (memory:// is this process's anyway).
  const lock: DataDirLock | undefined =
    'pgliteDataDir' in target && !target.pgliteDataDir.startsWith('memory://')
      ? await acquireDataDirLock(target.pgliteDataDir, {
          ...(target.adminSocket ? { socket: target.adminSocket } : {}),
          ...(target.log ? { log: target.log } : {}),
        })
      : undefined;
  let pglite: PGlite;
  try {
    pglite = 'pgliteInstance' in target ? target.pgliteInstance : await PGlite.create(target.pgliteDataDir);
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: 'pglite',
    pglite,
    copyTransaction: (work) =>
      db.transaction().execute((tx) =>
        work(tx, async (table, columns, rows) => {
          if (rows.length === 0) return;
          const blob = new Blob([copyText(rows)]);
          await pglite.query(copyStatement(table, columns, "'/dev/blob'"), [], { blob });
        }),
      ),
    poolState: () => stateOf(pool),
    close: async () => {
      await db.destroy();
      if (ownsInstance) await pglite.close();
      await lock?.release();
    },
  };
}

/**
 * One pooled connection for the whole transaction: Kysely runs on it (through a one-connection pool whose
 * release does nothing), and COPY streams go through the same client, so both are in the same transaction.
 */
async function serverCopyTransaction<T>(
  pool: pg.Pool,
  work: (tx: Kysely<Database>, copy: CopyIn) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  const single = {
    connect: async () => ({ query: client.query.bind(client), release: () => undefined }),
    end: async () => undefined,
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: single }) });
  const copy: CopyIn = async (table, columns, rows) => {
    if (rows.length === 0) return;
    const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
    await pipeline(Readable.from([copyText(rows)]), stream);
  };
  // A connection left mid-COPY or mid-rollback by an unexpected failure is closed, not reused.
  let destroy = false;
  try {
    return await db.transaction().execute((tx) => work(tx, copy));
  } catch (error) {
    destroy = !(error instanceof DomainError);
    throw error;
  } finally {
    client.release(destroy);
  }
}
