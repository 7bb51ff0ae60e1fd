import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit, sealPendingAudit, SYSTEM_ACTOR, verifyAuditChain } from '../../src/server/modules/audit/index.ts';
import { freshDatabase, testEngine, type TestDatabase } from '../support/database.ts';

const run = promisify(execFile);

/** Runs `monazite audit verify` as an operator would, against the given database. */
async function cliVerify(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/monazite.mjs', 'audit', 'verify'], {
      env: { ...process.env, DATABASE_URL: '', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the audit chain in the database', () => {
  let directory: string;
  let database: TestDatabase;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-audit-'));
    database = await freshDatabase(join(directory, 'pglite'));
  });
  afterAll(async () => {
    await database.close().catch(() => undefined);
    await rm(directory, { recursive: true, force: true });
  });

  it('verifies the demo history from first to last entry', async () => {
    const result = await verifyAuditChain(database.db);
    expect(result.ok).toBe(true);
    expect(result.entries).toBeGreaterThan(30);
    expect(result.lastSeq).toBe(result.entries);
  });

  it('refuses UPDATE, DELETE and TRUNCATE of audit rows', async () => {
    await expect(
      sql`UPDATE audit_entry SET actor_login = 'someone' WHERE seq = 1`.execute(database.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_entry WHERE seq = 1`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_entry`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('keeps the chain whole when entries are written concurrently', async () => {
    const before = await verifyAuditChain(database.db);
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        database.db
          .transaction()
          .execute((tx) =>
            recordAudit(
              tx,
              { actor: SYSTEM_ACTOR, requestId: `concurrent-${index}` },
              { action: 'test.concurrent', objectType: 'test', objectId: String(index), after: { index } },
            ),
          ),
      ),
    );
    // Recorded pending (ADR 0011): committed, not in the chain until the sequencer seals them.
    const recorded = await verifyAuditChain(database.db);
    expect(recorded.entries).toBe(before.entries);
    expect(recorded.pending.count).toBe(12);
    expect(await sealPendingAudit(database.db)).toBe(12);
    const after = await verifyAuditChain(database.db);
    expect(after.ok).toBe(true);
    expect(after.entries).toBe(before.entries + 12);
    expect(after.pending.count).toBe(0);
  });

  it('names the first edited row, through the API service and the CLI', async () => {
    const target = 7;
    // A person with direct database access gets past the trigger and edits one row.
    await sql`ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only`.execute(database.db);
    await sql`UPDATE audit_entry SET after = '{"edited": true}' WHERE seq = ${target}`.execute(database.db);
    await sql`ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only`.execute(database.db);

    const result = await verifyAuditChain(database.db);
    expect(result.ok).toBe(false);
    expect(result.firstBreak?.seq).toBe(target);
    expect(result.entries).toBe(target - 1);

    if (testEngine === 'pglite') await database.close(); // one process at a time on a PGlite data directory
    const cli = await cliVerify(database.env);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`BROKEN at entry #${target}`);
  });
});
