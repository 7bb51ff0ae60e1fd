import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/database.ts';
import type { Executor } from '../../src/server/db/executor.ts';
import {
  anchorLine,
  createAnchorScheduler,
  recordAudit,
  SYSTEM_ACTOR,
  verifyAuditChain,
  verifyAuditChainWithAnchors,
  type AuditAnchor,
} from '../../src/server/modules/audit/index.ts';
import { createSealer, generateSm2KeyPair, signText } from '../../src/server/shared/signing.ts';
import { sm3Hex } from '../../src/server/shared/canonical-json.ts';
import { anchorSignedText } from '../../src/server/modules/audit/audit.rules.ts';
import { startTestApp } from '../support/app.ts';
import { freshDatabase, testEngine, type TestDatabase } from '../support/database.ts';

/**
 * Anchoring the audit chain (issue 12, item 4): `monazite audit anchor` signs the head and appends it to an anchor
 * log; `monazite audit verify --anchor LOG` fails naming what is missing when the chain is shorter than an anchor
 * says, or names the entry whose hash differs, and refuses an anchor whose signature does not hold. The CLI runs
 * as an operator runs it (a child process); on PGlite the test closes its handle first (one process at a time).
 */

const run = promisify(execFile);
const SECRET = 'anchor-test-signing-secret';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('anchoring the audit chain (CLI)', () => {
  let directory: string;
  let database: TestDatabase;
  let log: string;

  /** `monazite …` against the test's database. */
  async function cli(...args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['bin/monazite.mjs', ...args], {
        env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', SIGNING_KEY_SECRET: SECRET, ...database.env },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  /** Work on the database in this process: on PGlite by opening the data directory for the while. */
  async function withDb<T>(task: (db: Executor) => Promise<T>): Promise<T> {
    if (testEngine === 'postgres') return task(database.db);
    const handle = await openDatabase({ pgliteDataDir: database.env.PGLITE_DATA_DIR! });
    try {
      return await task(handle.db);
    } finally {
      await handle.close();
    }
  }

  const record = (db: Executor, count: number) =>
    db.transaction().execute(async (tx) => {
      for (let index = 0; index < count; index += 1)
        await recordAudit(
          tx,
          { actor: SYSTEM_ACTOR, requestId: `anchor-test-${index}` },
          { action: 'test.anchor', objectType: 'test', objectId: String(index), after: { index } },
        );
    });

  const anchorsIn = async (file: string): Promise<AuditAnchor[]> =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditAnchor);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-anchor-'));
    log = join(directory, 'anchors', 'audit-anchors.jsonl');
    database = await freshDatabase(join(directory, 'pglite'));
    if (testEngine === 'pglite') await database.close(); // the CLI and withDb open the data directory in turn
  });
  afterAll(async () => {
    if (testEngine === 'postgres') await database.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('anchors the head to a log, and a log over which the chain is complete verifies', async () => {
    const first = await cli('audit', 'anchor', '--out', log);
    expect(first.code, first.stderr).toBe(0);
    await withDb((db) => record(db, 3));
    const second = await cli('audit', 'anchor', '--out', log);
    expect(second.code, second.stderr).toBe(0);

    const anchors = await anchorsIn(log);
    expect(anchors).toHaveLength(2);
    const [older, newer] = anchors as [AuditAnchor, AuditAnchor];
    expect(newer.seq).toBe(older.seq + 3);
    expect(newer.entries).toBe(newer.seq);
    expect(second.stdout).toContain(`Anchored entry #${newer.seq} ${newer.hash}`);
    const head = await withDb((db) => verifyAuditChain(db));
    expect(head).toMatchObject({ ok: true, lastSeq: newer.seq, lastHash: newer.hash });

    const verified = await cli('audit', 'verify', '--anchor', log);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('Audit chain intact');
    expect(verified.stdout).toContain(`All 2 anchors of ${log} hold.`);

    // The public key prints as PEM, and pinning it gives the same verdict.
    const key = await cli('audit', 'anchor', '--public-key');
    expect(key.stdout).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(sm3Hex(key.stdout)).toBe(newer.key_sm3);
    const pemFile = join(directory, 'audit-key.pem');
    await writeFile(pemFile, key.stdout);
    const pinned = await cli('audit', 'verify', '--anchor', log, '--public-key', pemFile);
    expect(pinned.code, pinned.stderr).toBe(0);
  }, 180_000);

  it('reports a tampered anchor line and an anchor signed with another key as forged', async () => {
    const [, newer] = (await anchorsIn(log)) as [AuditAnchor, AuditAnchor];
    // Someone edits the log to claim a longer chain.
    const edited = { ...newer, seq: newer.seq + 100, entries: newer.entries + 100 };
    // Someone makes an anchor with a key of their own.
    const sealer = createSealer(SECRET);
    const pair = generateSm2KeyPair(sealer);
    const impostor = { ...newer, anchored_at: '2030-01-01T00:00:00.000Z', key_sm3: sm3Hex(pair.publicKeyPem) };
    const signed = { ...impostor, signature: signText(anchorSignedText(impostor), pair.privateKeySealed, sealer) };
    const forged = join(directory, 'forged.jsonl');
    await writeFile(forged, `${anchorLine(edited)}\n${anchorLine(signed)}\n`);

    const result = await cli('audit', 'verify', '--anchor', forged);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `the anchor of ${newer.anchored_at} (entry ${newer.seq + 100}) is not trustworthy: its signature does not verify`,
    );
    expect(result.stderr).toContain('the anchor of 2030-01-01T00:00:00.000Z');
    expect(result.stderr).toMatch(/names key [0-9a-f]{16}…, not the server audit key/);
    // A forged anchor is not mistaken for a cut chain.
    expect(result.stderr).not.toContain('missing');
  }, 120_000);

  it('names the missing range when the newest entries were deleted, where the chain alone says intact', async () => {
    await withDb((db) => record(db, 5));
    const anchored = await cli('audit', 'anchor', '--out', log);
    expect(anchored.code, anchored.stderr).toBe(0);
    const head = (await anchorsIn(log)).at(-1)!;
    const cut = 4;
    const end = head.seq - cut;
    // A superuser gets past the refusal trigger and deletes the newest entries.
    await withDb(async (db) => {
      await sql`ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only`.execute(db);
      await sql`DELETE FROM audit_entry WHERE seq > ${end}`.execute(db);
      await sql`ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only`.execute(db);
    });

    // The documented gap: the shorter chain verifies on its own.
    const plain = await cli('audit', 'verify');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(`Audit chain intact: ${end} entries, last #${end}`);

    const result = await cli('audit', 'verify', '--anchor', log);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Audit chain intact');
    expect(result.stderr).toContain(
      `entries ${end + 1}–${head.seq} are missing: the chain ends at ${end} but the anchor of ${head.anchored_at} says ${head.seq}`,
    );
    // The earlier anchors still hold: only the newest one is reported.
    expect(result.stderr.match(/Anchor check FAILED/g)).toHaveLength(1);
  }, 180_000);

  it('names the entry whose hash differs when the cut tail was written again', async () => {
    const head = (await anchorsIn(log)).at(-1)!;
    // After the cut, new entries chain validly from the shortened tail, past the anchored sequence.
    await withDb((db) => record(db, 6));
    const plain = await cli('audit', 'verify');
    expect(plain.code, plain.stderr).toBe(0);

    const result = await cli('audit', 'verify', '--anchor', log);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`entry ${head.seq} differs from the anchor of ${head.anchored_at}`);
    expect(result.stderr).toContain(`the anchor says ${head.hash}`);
  }, 180_000);

  it('refuses a log line that is not an anchor', async () => {
    const file = join(directory, 'garbage.jsonl');
    await writeFile(file, '{"kind":"something else"}\n');
    const result = await cli('audit', 'verify', '--anchor', file);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}:1: not an anchor`);
  }, 120_000);
});

describe('the server anchors on a schedule', () => {
  let directory: string;
  let database: TestDatabase;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-anchor-schedule-'));
    database = await freshDatabase();
  });
  afterAll(async () => {
    await database.close();
    await rm(directory, { recursive: true, force: true });
  });

  const quietLog = () => {
    const errors: unknown[] = [];
    return { errors, log: { info: () => undefined, error: (object: object) => void errors.push(object) } };
  };

  it('writes a signed anchor of the head at each tick, with the clock it is given', async () => {
    const file = join(directory, 'ticks.jsonl');
    let now = new Date('2026-12-07T02:00:00.000Z');
    const { errors, log } = quietLog();
    const scheduler = createAnchorScheduler({
      db: database.db,
      sealer: createSealer(SECRET),
      file,
      intervalMinutes: 60,
      clock: () => now,
      log,
    });
    const first = await scheduler.tick();
    now = new Date('2026-12-07T03:00:00.000Z');
    const second = await scheduler.tick();
    expect(errors).toEqual([]);
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    expect(lines).toEqual([anchorLine(first!), anchorLine(second!)]);
    expect(first).toMatchObject({ anchored_at: '2026-12-07T02:00:00.000Z' });
    expect(second).toMatchObject({ anchored_at: '2026-12-07T03:00:00.000Z' });
    // The first tick made the audit key (an audited event, in the head it anchored); nothing was written since.
    expect(second).toMatchObject({ seq: first!.seq, hash: first!.hash });
    const verified = await verifyAuditChainWithAnchors(database.db, file);
    expect(verified).toMatchObject({ ok: true, anchors: 2, problems: [] });
  });

  it('logs a failed anchor and carries on, never throwing into the server', async () => {
    const { errors, log } = quietLog();
    const scheduler = createAnchorScheduler({
      db: database.db,
      sealer: createSealer(SECRET),
      file: directory, // a folder: appending to it fails
      intervalMinutes: 60,
      clock: () => new Date(),
      log,
    });
    await expect(scheduler.tick()).resolves.toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: directory });
  });

  it('is started by the server when AUDIT_ANCHOR_FILE is set, and anchors before it closes', async () => {
    const file = join(directory, 'server.jsonl');
    const context = await startTestApp({ AUDIT_ANCHOR_FILE: file, AUDIT_ANCHOR_INTERVAL_MINUTES: '5' });
    try {
      await context.app.close(); // waits for the anchor made at start
      const anchors = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
      expect(anchors).toHaveLength(1);
      const head = await verifyAuditChain(context.database.db);
      expect(JSON.parse(anchors[0]!)).toMatchObject({ kind: 'monazite.audit.anchor', seq: head.lastSeq });
      expect(await verifyAuditChainWithAnchors(context.database.db, file)).toMatchObject({ ok: true, anchors: 1 });
    } finally {
      await context.database.close();
    }
  });
});
