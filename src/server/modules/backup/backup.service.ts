import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../../db/database.ts';
import type { Executor } from '../../db/executor.ts';
import { auditChainHead } from '../audit/index.ts';
import { rowCounts, schemaVersion } from './backup.repository.ts';
import { sm3OfFile, writeBackupFile } from './backup.file.ts';
import { BACKUP_FORMAT_VERSION, DUMP_FORMATS, type BackupManifest } from './backup.rules.ts';
import { pgDump } from './pg-tools.ts';

/** What a database holds, as a backup's manifest records it and a restore checks it. */
export interface DatabaseState {
  readonly schemaVersion: string | null;
  readonly auditHead: { readonly seq: number; readonly hash: string } | null;
  readonly rowCounts: Record<string, number>;
}

export async function describeDatabase(db: Executor): Promise<DatabaseState> {
  const version = await schemaVersion(db);
  const head = version === null ? null : await auditChainHead(db);
  return {
    schemaVersion: version,
    auditHead: head ? { seq: head.seq, hash: head.hash } : null,
    rowCounts: await rowCounts(db),
  };
}

let monaziteVersion: string | undefined;
async function packageVersion(): Promise<string> {
  monaziteVersion ??= (
    JSON.parse(await readFile(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return monaziteVersion;
}

/**
 * `monazite backup --out FILE`: the whole database, as one backup file (backup.rules.ts). On PostgreSQL, pg_dump
 * runs on a snapshot exported by a read-only transaction that also counts the rows, so the manifest describes
 * exactly what the dump holds while the server goes on writing. On PGlite, the data directory's dump is loaded into
 * a throwaway in-memory copy and described there: the counts are the dump's own, and a dump that does not load is
 * never written out as a backup.
 */
export async function makeBackup(
  database: DatabaseHandle,
  url: string | undefined,
  out: string,
): Promise<BackupManifest> {
  const work = await mkdtemp(join(dirname(out), '.monazite-backup-'));
  try {
    const dumpFile = join(work, 'dump');
    const state =
      database.engine === 'postgres'
        ? await dumpPostgres(database, url ?? '', dumpFile)
        : await dumpPglite(database, dumpFile);
    if (state.schemaVersion === null) throw new Error('The database has no schema yet: nothing to back up.');
    const { size } = await stat(dumpFile);
    const manifest: BackupManifest = {
      format_version: BACKUP_FORMAT_VERSION,
      engine: database.engine,
      dump_format: DUMP_FORMATS[database.engine],
      schema_version: state.schemaVersion,
      audit_head: state.auditHead,
      row_counts: state.rowCounts,
      dump_bytes: size,
      dump_sm3: await sm3OfFile(dumpFile),
      created_at: new Date().toISOString(),
      monazite_version: await packageVersion(),
    };
    await writeBackupFile(out, manifest, dumpFile);
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function dumpPostgres(database: DatabaseHandle, url: string, dumpFile: string): Promise<DatabaseState> {
  return database.db.connection().execute(async (connection) => {
    await sql`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`.execute(connection);
    try {
      await sql`SET LOCAL statement_timeout = 0`.execute(connection);
      const { rows } = await sql<{ id: string }>`SELECT pg_export_snapshot() AS id`.execute(connection);
      const state = await describeDatabase(connection);
      // The snapshot lives while this transaction is open: pg_dump sees exactly what was counted.
      await pgDump(url, dumpFile, rows[0]?.id);
      return state;
    } finally {
      await sql`COMMIT`.execute(connection);
    }
  });
}

async function dumpPglite(database: DatabaseHandle, dumpFile: string): Promise<DatabaseState> {
  if (!database.pglite) throw new Error('no embedded database to dump');
  const dump = await database.pglite.dumpDataDir('gzip');
  const bytes = Buffer.from(await dump.arrayBuffer());
  await writeFile(dumpFile, bytes, { mode: 0o600 });
  return withPgliteDump(bytes, (copy) => describeDatabase(copy.db));
}

/** Runs `work` on a throwaway in-memory PGlite loaded from a data-directory dump. */
export async function withPgliteDump<T>(
  dump: Uint8Array<ArrayBuffer>,
  work: (copy: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const pglite = await PGlite.create({ loadDataDir: new Blob([dump]) });
  try {
    const copy = await openDatabase({ pgliteInstance: pglite });
    try {
      return await work(copy);
    } finally {
      await copy.close();
    }
  } finally {
    await pglite.close();
  }
}
