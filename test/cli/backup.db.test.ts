import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/database.ts';
import { migrate, migrationNames } from '../../src/server/db/migrate.ts';
import { loadDemoFlows } from '../../src/server/demo/demo-flows.ts';
import { commandLineContext } from '../../src/server/modules/admin/admin.service.ts';
import { sealPendingAudit } from '../../src/server/modules/audit/index.ts';
import { publicTables } from '../../src/server/modules/backup/backup.repository.ts';
import {
  BackupFormatError,
  makeBackup,
  restoreBackup,
  RestoreRefused,
  type BackupManifest,
  type RestoreTarget,
} from '../../src/server/modules/backup/index.ts';
import { freshDatabase, testEngine, type TestDatabase } from '../support/database.ts';
import { withDatabase } from '../support/global-setup.ts';

/**
 * `monazite backup` and `monazite restore` (issue 16 §1) on the engine under test: the demo (with its flows) backed
 * up and restored into a fresh database holds the same rows, table by table, and the same audit head; a PGlite
 * backup restores into PostgreSQL; a non-empty target is refused without --force; a damaged file is refused before
 * anything is written.
 */

const context = commandLineContext({ user: 'test', host: 'localhost', pid: process.pid }, 'direct');
const serverUrl = process.env.DATABASE_URL;

/** Per table: the rows and an md5 of their text, in a fixed order (audit entries up to `auditSeq`). */
async function contents(database: DatabaseHandle, auditSeq: number): Promise<Record<string, string>> {
  return database.db.connection().execute(async (connection) => {
    await sql`SET TIME ZONE 'UTC'`.execute(connection);
    const result: Record<string, string> = {};
    for (const table of await publicTables(connection)) {
      const where = table === 'audit_entry' ? sql`WHERE t.seq <= ${auditSeq}` : sql``;
      const { rows } = await sql<{ rows: string; digest: string | null }>`
        SELECT count(*) AS rows, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest
        FROM ${sql.table(table)} t ${where}`.execute(connection);
      result[table] = `${rows[0]?.rows} ${rows[0]?.digest ?? '-'}`;
    }
    return result;
  });
}

/**
 * An approved indicator batch with its totals: batch_totals_frozen then refuses even an INSERT of a total, so a copy
 * of the tables must fill them with that guard off (and pg_restore, which makes triggers after the data, is unaffected).
 */
async function approvedBatch(database: DatabaseHandle): Promise<void> {
  const users = await database.db.selectFrom('app_user').select('id').orderBy('login').limit(2).execute();
  const [drafter, approver] = users.map((user) => user.id);
  await sql`
    WITH plan AS (
      INSERT INTO indicator_plan (year, memo, weights, penalty_reduction_ppm, created_by)
      VALUES (2031, '{}', '{}', 100000, ${drafter}) RETURNING id),
    batch AS (
      INSERT INTO indicator_batch (plan_id, seq, name, kind, status, drafted_by)
      SELECT id, 1, 'backup test batch', 'regular', 'draft', ${drafter} FROM plan RETURNING id)
    INSERT INTO batch_category_total (batch_id, category, total_reo_kg)
    SELECT id, category, 1000 FROM batch, unnest(ARRAY['mining_rock', 'separation']) AS category`.execute(database.db);
  await sql`
    UPDATE indicator_batch SET status = 'approved', approval_document_no = 'BACKUP-1', approval_date = '2031-01-05',
      approval_recorded_by = ${approver} WHERE name = 'backup test batch'`.execute(database.db);
}

describe(`backup and restore (${testEngine})`, () => {
  let directory: string;
  let source: TestDatabase;
  let backup: string;
  let manifest: BackupManifest;
  let sourceContents: Record<string, string>;
  const databases: string[] = [];

  /** A PostgreSQL database with nothing in it, dropped after the tests. */
  async function emptyServerDatabase(): Promise<string> {
    const url = serverUrl ?? '';
    const name = `monazite_t_${inject('runTag')}_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    databases.push(name);
    return withDatabase(url, name);
  }

  let targets = 0;
  /** An empty target on the engine under test. */
  async function emptyTarget(): Promise<RestoreTarget> {
    targets += 1;
    if (testEngine === 'postgres') return { url: await emptyServerDatabase() };
    return { pgliteDataDir: join(directory, `target-${targets}`) };
  }

  async function inTarget<T>(target: RestoreTarget, look: (database: DatabaseHandle) => Promise<T>): Promise<T> {
    const database = await openDatabase('url' in target ? { url: target.url, poolSize: 1 } : target);
    try {
      return await look(database);
    } finally {
      await database.close();
    }
  }

  /** Whether the target is still as empty as it was made: no data directory files, or no table. */
  async function untouched(target: RestoreTarget): Promise<boolean> {
    if ('pgliteDataDir' in target)
      return (await readdir(target.pgliteDataDir).catch(() => [] as string[])).length === 0;
    return inTarget(target, async ({ db }) => (await publicTables(db)).length === 0);
  }

  const restore = (target: RestoreTarget, file = backup, force = false) =>
    restoreBackup({ file, force, target, context });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-backup-'));
    source = await freshDatabase();
    await loadDemoFlows(source);
    await approvedBatch(source);
    await sealPendingAudit(source.db);
    backup = join(directory, 'source.mzb');
    manifest = await makeBackup(source, source.env.DATABASE_URL, backup);
    sourceContents = await contents(source, manifest.audit_head?.seq ?? 0);
  }, 300_000);

  afterAll(async () => {
    await source.close();
    if (serverUrl && databases.length > 0) {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      for (const name of databases) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
    await rm(directory, { recursive: true, force: true });
  });

  it('describes the database in the manifest: engine, schema, audit head, every table counted', async () => {
    expect(manifest.engine).toBe(testEngine);
    expect(manifest.schema_version).toBe((await migrationNames()).at(-1));
    expect(manifest.audit_head?.seq).toBeGreaterThan(0);
    expect(Object.keys(manifest.row_counts).sort()).toEqual(Object.keys(sourceContents).sort());
    expect(manifest.row_counts.flow_line).toBeGreaterThan(0);
    expect(manifest.row_counts.batch_category_total).toBe(2);
    for (const [table, text] of Object.entries(sourceContents))
      if (table !== 'audit_entry') expect(`${manifest.row_counts[table]}`, table).toBe(text.split(' ')[0]);
  });

  it('restores into an empty database: every table the same, row by row, and the same audit head', async () => {
    const target = await emptyTarget();
    const result = await restore(target);
    expect(result.problems).toEqual([]);
    expect(result.restored.auditHead).toEqual(manifest.audit_head);
    expect(result.restored.rowCounts).toEqual(manifest.row_counts);
    expect(result.chain.ok).toBe(true);
    await inTarget(target, async (database) => {
      expect(await contents(database, manifest.audit_head?.seq ?? 0)).toEqual(sourceContents);
      const after = await database.db
        .selectFrom('audit_entry')
        .select(['seq', 'action', 'actor_login'])
        .where('seq', '>', String(manifest.audit_head?.seq ?? 0))
        .execute();
      expect(after.map((entry) => [entry.action, entry.actor_login])).toEqual([
        ['backup.restore', 'cli:test@localhost'],
      ]);
    });
  });

  it('refuses a non-empty target without --force, saying what it holds; replaces it with --force', async () => {
    const target = await emptyTarget();
    await restore(target);
    await expect(restore(target)).rejects.toThrow(RestoreRefused);
    await expect(restore(target)).rejects.toThrow(
      /not empty \(\d+ tables, \d+ rows, schema .*audit head #\d+\).*--force/,
    );
    const entries = await inTarget(target, ({ db }) => db.selectFrom('audit_entry').select('id').execute());
    expect(entries).toHaveLength((manifest.row_counts.audit_entry ?? 0) + 1);
    const forced = await restore(target, backup, true);
    expect(forced.problems).toEqual([]);
    expect(forced.chain.ok).toBe(true);
    await inTarget(target, async (database) => {
      expect(await contents(database, manifest.audit_head?.seq ?? 0)).toEqual(sourceContents);
      // The first restore's entry went with the rest: one restore recorded, the forced one.
      const restores = await database.db
        .selectFrom('audit_entry')
        .select('after')
        .where('action', '=', 'backup.restore')
        .execute();
      expect(restores.map((entry) => (entry.after as { forced: boolean }).forced)).toEqual([true]);
    });
  });

  it('refuses a tampered file (one byte flipped) before anything is written, even with --force', async () => {
    const bytes = await readFile(backup);
    const at = bytes.length - Math.floor(manifest.dump_bytes / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0x01;
    const tampered = join(directory, 'tampered.mzb');
    await writeFile(tampered, bytes);
    const empty = await emptyTarget();
    await expect(restore(empty, tampered)).rejects.toThrow(BackupFormatError);
    await expect(restore(empty, tampered)).rejects.toThrow(/digest mismatch/);
    expect(await untouched(empty)).toBe(true);

    const full = await emptyTarget();
    await restore(full);
    const before = await inTarget(full, (database) => contents(database, Number.MAX_SAFE_INTEGER));
    await expect(restore(full, tampered, true)).rejects.toThrow(/digest mismatch/);
    expect(await inTarget(full, (database) => contents(database, Number.MAX_SAFE_INTEGER))).toEqual(before);
  });

  it('refuses a truncated or garbage file with a clear error, writing nothing', async () => {
    const bytes = await readFile(backup);
    const cases: [string, Buffer, RegExp][] = [
      [
        'truncated.mzb',
        bytes.subarray(0, Math.floor(bytes.length / 2)),
        /truncated: the dump has \d+ of its \d+ bytes/,
      ],
      ['header.mzb', bytes.subarray(0, 100), /truncated: the file ends inside its manifest/],
      ['garbage.mzb', randomBytes(4096), /bad magic/],
      ['empty.mzb', Buffer.alloc(0), /bad magic/],
    ];
    const target = await emptyTarget();
    for (const [name, content, message] of cases) {
      await writeFile(join(directory, name), content);
      await expect(restore(target, join(directory, name))).rejects.toThrow(message);
    }
    await expect(restore(target, join(directory, 'missing.mzb'))).rejects.toThrow(/cannot be read \(ENOENT\)/);
    expect(await untouched(target)).toBe(true);
  });

  it('migrates forward a backup of an older schema, audited, and the chain verifies', async () => {
    const names = await migrationNames();
    const older = names.at(-3) ?? '';
    const oldTarget = await emptyTarget();
    const oldDatabase =
      'url' in oldTarget
        ? await openDatabase({ url: oldTarget.url, poolSize: 1 })
        : await openDatabase({ pgliteInstance: await PGlite.create() });
    let oldManifest: BackupManifest;
    try {
      await migrate(oldDatabase.db, { upTo: older });
      oldManifest = await makeBackup(
        oldDatabase,
        'url' in oldTarget ? oldTarget.url : undefined,
        join(directory, 'old.mzb'),
      );
    } finally {
      await oldDatabase.close();
      if (oldDatabase.pglite) await oldDatabase.pglite.close();
    }
    expect(oldManifest.schema_version).toBe(older);
    const result = await restore(await emptyTarget(), join(directory, 'old.mzb'));
    expect(result.problems).toEqual([]);
    expect(result.applied).toEqual(names.slice(-2));
    expect(result.chain.ok).toBe(true);
    expect(result.chain.entries).toBeGreaterThanOrEqual(2);
  });

  if (testEngine === 'pglite' && serverUrl)
    it('restores a PGlite backup into PostgreSQL: every table the same, row by row, the same audit head', async () => {
      const url = await emptyServerDatabase();
      const result = await restore({ url });
      expect(result.problems).toEqual([]);
      expect(result.restored.auditHead).toEqual(manifest.audit_head);
      expect(result.chain.ok).toBe(true);
      await inTarget({ url }, async (database) => {
        expect(database.engine).toBe('postgres');
        expect(await contents(database, manifest.audit_head?.seq ?? 0)).toEqual(sourceContents);
        // Sequences stand where they stood: the next audit record and flow batch get new ids.
        const { rows } = await sql<{ ok: boolean }>`
          SELECT (SELECT last_value FROM audit_entry_id_seq) >= (SELECT max(id) FROM audit_entry) AS ok`.execute(
          database.db,
        );
        expect(rows[0]?.ok).toBe(true);
      });
    });

  if (testEngine === 'postgres')
    it('refuses a PostgreSQL backup into the embedded database', async () => {
      const dataDir = join(directory, 'embedded');
      await expect(restore({ pgliteDataDir: dataDir })).rejects.toThrow(/restores into PostgreSQL only/);
      expect(await untouched({ pgliteDataDir: dataDir })).toBe(true);
    });
});
