import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, type DatabaseHandle } from '../../db/database.ts';
import { acquireDataDirLock, type DataDirLock } from '../../db/data-dir-lock.ts';
import { migrationNames } from '../../db/migrate.ts';
import { migrateAudited } from '../admin/admin.service.ts';
import {
  recordAudit,
  sealPendingAudit,
  verifyAuditChain,
  type AuditContext,
  type VerifyResult,
} from '../audit/index.ts';
import { readBackupFile } from './backup.file.ts';
import { dropPublicSchema, publicTables } from './backup.repository.ts';
import { countDifferences, type BackupManifest } from './backup.rules.ts';
import { describeDatabase, withPgliteDump, type DatabaseState } from './backup.service.ts';
import { copyPgliteIntoPostgres } from './pglite-to-postgres.ts';
import { pgRestore } from './pg-tools.ts';

/**
 * `monazite restore FILE [--force]`: the backup is read and its digest checked before anything else is touched; the
 * target must be empty unless forced; the dump is restored (pg_restore, a PGlite data directory, or the copy from a
 * PGlite dump into PostgreSQL); the result is compared with the manifest, migrated forward, the restore recorded in
 * the audit chain, and the chain verified.
 */

export type RestoreTarget = { readonly url: string } | { readonly pgliteDataDir: string };

/** A restore that will not start (a held directory, a non-empty target, a backup this version cannot take). */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefused';
  }
}

export interface RestoreResult {
  readonly manifest: BackupManifest;
  /** What the restored database held before it was migrated forward and the restore recorded. */
  readonly restored: DatabaseState;
  /** Where the restored database differs from the manifest: one line each (row counts, audit head, schema). */
  readonly problems: readonly string[];
  /** Migrations applied after the restore (the backup's schema was older). */
  readonly applied: readonly string[];
  readonly chain: VerifyResult;
}

export async function restoreBackup(options: {
  readonly file: string;
  readonly force: boolean;
  readonly target: RestoreTarget;
  readonly context: AuditContext;
}): Promise<RestoreResult> {
  const work = await mkdtemp(join(tmpdir(), 'monazite-restore-'));
  try {
    const dumpFile = join(work, 'dump');
    const manifest = await readBackupFile(options.file, dumpFile);
    const known = await migrationNames();
    if (!known.includes(manifest.schema_version))
      throw new RestoreRefused(
        `The backup's schema ${manifest.schema_version} is not one this Monazite knows (its latest is ` +
          `${known.at(-1)}): restore it with the Monazite version that made it (${manifest.monazite_version}) or newer.`,
      );
    const opened =
      'url' in options.target
        ? await restoreIntoPostgres(options.target.url, manifest, dumpFile, options.force)
        : await restoreIntoPglite(options.target.pgliteDataDir, manifest, dumpFile, options.force);
    try {
      return await finish(opened.database, manifest, options);
    } finally {
      await opened.close();
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface Opened {
  readonly database: DatabaseHandle;
  close(): Promise<void>;
}

const summary = (state: DatabaseState): string => {
  const counts = Object.values(state.rowCounts);
  const rows = counts.reduce((sum, count) => sum + count, 0);
  const head = state.auditHead ? `, audit head #${state.auditHead.seq}` : '';
  return `${counts.length} tables, ${rows} rows, schema ${state.schemaVersion ?? '(none)'}${head}`;
};

async function restoreIntoPostgres(
  url: string,
  manifest: BackupManifest,
  dumpFile: string,
  force: boolean,
): Promise<Opened> {
  const database = await openDatabase({ url, poolSize: 2, statementTimeoutMs: 0 });
  try {
    if ((await publicTables(database.db)).length > 0) {
      const what = summary(await describeDatabase(database.db));
      if (!force)
        throw new RestoreRefused(
          `The target PostgreSQL database is not empty (${what}). Restoring would replace all of it: ` +
            'run again with --force to do so, or restore into an empty database.',
        );
      await dropPublicSchema(database.db);
    }
    if (manifest.engine === 'postgres') await pgRestore(url, dumpFile);
    else
      await withPgliteDump(await readFile(dumpFile), (source) =>
        copyPgliteIntoPostgres(source, database, url, manifest.schema_version),
      );
    return { database, close: () => database.close() };
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function restoreIntoPglite(
  dataDir: string,
  manifest: BackupManifest,
  dumpFile: string,
  force: boolean,
): Promise<Opened> {
  if (manifest.engine === 'postgres')
    throw new RestoreRefused(
      'This is a backup of PostgreSQL (pg_dump): it restores into PostgreSQL only. Set DATABASE_URL to an empty database.',
    );
  if (dataDir.startsWith('memory://'))
    throw new RestoreRefused(
      'PGLITE_DATA_DIR is memory://: nothing would keep the restored database. Name a directory.',
    );
  const lock: DataDirLock = await acquireDataDirLock(dataDir);
  try {
    const entries = await readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    if (entries.length > 0) {
      // A database with no table (a directory PGlite was only opened on) counts as empty, as on PostgreSQL.
      const found = await describeDataDir(dataDir);
      if (!found.empty && !force)
        throw new RestoreRefused(
          `The data directory ${dataDir} is not empty (${found.what}). Restoring would replace all of it: run again ` +
            'with --force to do so, or name an empty directory in PGLITE_DATA_DIR.',
        );
      await rm(dataDir, { recursive: true, force: true });
    }
    await mkdir(dataDir, { recursive: true });
    const pglite = await PGlite.create(dataDir, { loadDataDir: new Blob([await readFile(dumpFile)]) });
    const database = await openDatabase({ pgliteInstance: pglite });
    return {
      database,
      close: async () => {
        await database.close();
        await pglite.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** What a data directory with files in it holds, as far as it opens; empty when it is a database with no table. */
async function describeDataDir(dataDir: string): Promise<{ empty: boolean; what: string }> {
  try {
    const pglite = await PGlite.create(dataDir);
    try {
      const database = await openDatabase({ pgliteInstance: pglite });
      try {
        if ((await publicTables(database.db)).length === 0) return { empty: true, what: 'no tables' };
        return { empty: false, what: summary(await describeDatabase(database.db)) };
      } finally {
        await database.close();
      }
    } finally {
      await pglite.close();
    }
  } catch (error) {
    return {
      empty: false,
      what: `files that do not open as a database: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

async function finish(
  database: DatabaseHandle,
  manifest: BackupManifest,
  options: { readonly file: string; readonly force: boolean; readonly context: AuditContext },
): Promise<RestoreResult> {
  const { db } = database;
  const restored = await describeDatabase(db);
  const problems = countDifferences(manifest.row_counts, restored.rowCounts);
  const head = (value: DatabaseState['auditHead']) => (value ? `#${value.seq} ${value.hash}` : '(empty chain)');
  if (head(manifest.audit_head) !== head(restored.auditHead))
    problems.push(`audit head: the backup's is ${head(manifest.audit_head)}, restored ${head(restored.auditHead)}`);
  if (restored.schemaVersion !== manifest.schema_version)
    problems.push(`schema: the backup's is ${manifest.schema_version}, restored ${restored.schemaVersion ?? '(none)'}`);
  const { applied } = await migrateAudited(db, options.context);
  await db.transaction().execute((tx) =>
    recordAudit(tx, options.context, {
      action: 'backup.restore',
      objectType: 'database',
      objectId: manifest.dump_sm3,
      after: {
        file: options.file,
        engine: manifest.engine,
        into: database.engine,
        created_at: manifest.created_at,
        schema_version: manifest.schema_version,
        audit_head: manifest.audit_head,
        forced: options.force,
        migrated: applied,
        problems,
      },
    }),
  );
  await sealPendingAudit(db);
  return { manifest, restored, problems, applied, chain: await verifyAuditChain(db) };
}
