import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DatabaseHandle } from '../../db/database.ts';
import { migrate } from '../../db/migrate.ts';
import type { Database } from '../../db/schema.ts';
import {
  copyColumns,
  emptyTablesForCopy,
  enableTriggers,
  foreignKeyTargets,
  publicTables,
  sequenceStates,
  setSequence,
} from './backup.repository.ts';
import { fillOrder } from './backup.rules.ts';

/**
 * Moving from the embedded start to a server: a PGlite data-directory dump cannot be given to pg_restore, so the
 * dump is loaded into a throwaway PGlite (`source`) and copied table by table into PostgreSQL. The empty target is
 * first migrated to the backup's schema version (the migrations' own rows are then replaced by the backup's); the
 * copy is one transaction: every table emptied, its append-only triggers off (COPY only inserts, but a guard such
 * as batch_totals_frozen refuses even inserts once a batch is approved), tables filled in foreign-key order with
 * COPY, triggers back on, sequences set where the source's stood.
 */
export async function copyPgliteIntoPostgres(
  source: DatabaseHandle,
  target: DatabaseHandle,
  url: string,
  schemaVersion: string,
): Promise<void> {
  if (!source.pglite) throw new Error('the source of the copy must be a PGlite instance');
  const pglite = source.pglite;
  await migrate(target.db, { upTo: schemaVersion });
  const client = new pg.Client({ connectionString: url, application_name: 'monazite restore' });
  await client.connect();
  // Kysely on this one client, so the catalog reads and the COPYs are in the same transaction.
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        connect: async () => ({ query: client.query.bind(client), release: () => undefined }),
        end: async () => undefined,
      },
    }),
  });
  try {
    const tables = await publicTables(db);
    const sourceTables = await publicTables(source.db);
    if (tables.join() !== sourceTables.join())
      throw new Error(
        `the backup's tables differ from schema ${schemaVersion}'s: ` +
          `${sourceTables.filter((table) => !tables.includes(table)).join(', ') || '(none missing here)'} / ` +
          `${tables.filter((table) => !sourceTables.includes(table)).join(', ') || '(none extra here)'}`,
      );
    const order = fillOrder(tables, await foreignKeyTargets(db));
    await client.query('BEGIN');
    await sql`SET LOCAL statement_timeout = 0`.execute(db);
    await emptyTablesForCopy(db, tables);
    for (const table of order) {
      const columns = (await copyColumns(db, table)).map((column) => `"${column}"`).join(', ');
      const out = await pglite.query(`COPY (SELECT ${columns} FROM public."${table}") TO '/dev/blob'`);
      const text = out.blob ? Buffer.from(await out.blob.arrayBuffer()) : Buffer.alloc(0);
      if (text.length === 0) continue;
      await pipeline(Readable.from([text]), client.query(copyFrom(`COPY public."${table}" (${columns}) FROM STDIN`)));
    }
    await enableTriggers(db, tables);
    for (const state of await sequenceStates(source.db)) await setSequence(db, state);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
