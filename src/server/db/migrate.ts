import { readdir, readFile } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import { pendingMigrations } from './replicas.rules.ts';
import type { Database } from './schema.ts';

const migrationsDir = new URL('./migrations/', import.meta.url);

/**
 * Forward-only SQL migrations, applied in file-name order, each in its own transaction with its record.
 * An advisory lock keeps two starting servers from applying the same file twice. `alsoWrite` runs in the same
 * transaction when something was applied (the audit entry of `migrateAudited`, modules/admin).
 */
export async function migrate(
  db: Kysely<Database>,
  options: {
    readonly alsoWrite?: (tx: Kysely<Database>, applied: readonly string[]) => Promise<void>;
    /** Apply the files up to this one only (a restore rebuilds the schema a backup was made on). */
    readonly upTo?: string;
  } = {},
): Promise<string[]> {
  const files = (await migrationNames()).filter((name) => options.upTo === undefined || name <= options.upTo);
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(7265102)`.execute(tx);
    await sql`CREATE TABLE IF NOT EXISTS schema_migration (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(tx);
    const done = new Set((await tx.selectFrom('schema_migration').select('name').execute()).map((row) => row.name));
    const applied: string[] = [];
    for (const name of files) {
      if (done.has(name)) continue;
      const text = await readFile(new URL(name, migrationsDir), 'utf8');
      await sql.raw(text).execute(tx);
      await tx.insertInto('schema_migration').values({ name }).execute();
      applied.push(name);
    }
    if (applied.length > 0) await options.alsoWrite?.(tx, applied);
    return applied;
  });
}

/** The migration files this version of Monazite has, in the order they apply. */
export async function migrationNames(): Promise<string[]> {
  return (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql')).sort();
}

/** The migration files this build has that the database has not applied (all of them on an empty database). */
export async function pendingMigrationsOf(db: Kysely<Database>): Promise<string[]> {
  const table = await sql<{ name: string | null }>`SELECT to_regclass('schema_migration')::text AS name`.execute(db);
  const applied = table.rows[0]?.name
    ? (await db.selectFrom('schema_migration').select('name').execute()).map((row) => row.name)
    : [];
  return pendingMigrations(await migrationNames(), new Set(applied));
}
