import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';

/**
 * What a backup describes and a restore checks, read from the catalog: the tables of the `public` schema (a
 * partitioned table counted as one, through its parent), their rows, the schema version, the sequences, and the
 * order the foreign keys allow them to be filled in.
 */

/** The tables of `public`, by name (partitions are counted through their parent). */
export async function publicTables(db: Executor): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    ORDER BY c.relname`.execute(db);
  return rows.map((row) => row.name);
}

/** Rows in every table of `public`. */
export async function rowCounts(db: Executor): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await publicTables(db)) {
    const { rows } = await sql<{ count: string }>`SELECT count(*) AS count FROM ${sql.table(table)}`.execute(db);
    counts[table] = Number(rows[0]?.count ?? 0);
  }
  return counts;
}

/** The latest migration applied, or null when none is (no schema_migration table, or an empty one). */
export async function schemaVersion(db: Executor): Promise<string | null> {
  const { rows } = await sql<{ present: boolean }>`
    SELECT to_regclass('public.schema_migration') IS NOT NULL AS present`.execute(db);
  if (!rows[0]?.present) return null;
  const latest = await db
    .selectFrom('schema_migration')
    .select((eb) => eb.fn.max('name').as('name'))
    .executeTakeFirst();
  return latest?.name ?? null;
}

/** Column names a COPY can write (generated columns are computed by the target itself), in table order. */
export async function copyColumns(db: Executor, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT a.attname AS name FROM pg_attribute a
    WHERE a.attrelid = ${`public.${table}`}::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    ORDER BY a.attnum`.execute(db);
  return rows.map((row) => row.name);
}

/** Which tables each table's foreign keys point at (itself aside: a COPY checks those at its end). */
export async function foreignKeyTargets(db: Executor): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ source: string; target: string }>`
    SELECT DISTINCT src.relname AS source, dst.relname AS target
    FROM pg_constraint k
    JOIN pg_class src ON src.oid = k.conrelid JOIN pg_namespace n ON n.oid = src.relnamespace
    JOIN pg_class dst ON dst.oid = k.confrelid
    WHERE k.contype = 'f' AND n.nspname = 'public' AND NOT src.relispartition AND k.conrelid <> k.confrelid`.execute(
    db,
  );
  const targets = new Map<string, string[]>();
  for (const row of rows) targets.set(row.source, [...(targets.get(row.source) ?? []), row.target]);
  return targets;
}

/** The sequences of `public` and where each stands. */
export async function sequenceStates(
  db: Executor,
): Promise<{ name: string; lastValue: string | null; isCalled: boolean }[]> {
  const { rows } = await sql<{ name: string; last_value: string | null }>`
    SELECT sequencename AS name, last_value::text AS last_value FROM pg_sequences WHERE schemaname = 'public'
    ORDER BY sequencename`.execute(db);
  // pg_sequences shows null for a sequence never used: setval(…, start, false) gives the same state.
  return rows.map((row) => ({ name: row.name, lastValue: row.last_value, isCalled: row.last_value !== null }));
}

/** Puts a sequence where it stood in the source (a never-used one back at its start). */
export async function setSequence(
  db: Executor,
  state: { name: string; lastValue: string | null; isCalled: boolean },
): Promise<void> {
  const qualified = `public.${state.name}`;
  if (state.lastValue === null)
    await sql`SELECT setval(${qualified}::regclass, (SELECT seqstart FROM pg_sequence WHERE seqrelid = ${qualified}::regclass), false)`.execute(
      db,
    );
  else await sql`SELECT setval(${qualified}::regclass, ${state.lastValue}::bigint, true)`.execute(db);
}

/** Every table of `public` emptied at once, its user triggers (append-only guards) off until `enableTriggers`. */
export async function emptyTablesForCopy(db: Executor, tables: readonly string[]): Promise<void> {
  for (const table of tables) await sql`ALTER TABLE ${sql.table(table)} DISABLE TRIGGER USER`.execute(db);
  if (tables.length > 0) await sql`TRUNCATE ${sql.join(tables.map((table) => sql.table(table)))}`.execute(db);
}

export async function enableTriggers(db: Executor, tables: readonly string[]): Promise<void> {
  for (const table of tables) await sql`ALTER TABLE ${sql.table(table)} ENABLE TRIGGER USER`.execute(db);
}

/** A fresh `public` schema on PostgreSQL, for a forced restore: everything the database held in it is dropped. */
export async function dropPublicSchema(db: Executor): Promise<void> {
  await sql`DROP SCHEMA public CASCADE`.execute(db);
  await sql`CREATE SCHEMA public AUTHORIZATION pg_database_owner`.execute(db);
  await sql`GRANT USAGE ON SCHEMA public TO PUBLIC`.execute(db);
}
