import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/server/db/database.ts';
import type { Executor } from '../../src/server/db/executor.ts';
import {
  anchorAuditHead,
  recordAudit,
  sealPendingAudit,
  SYSTEM_ACTOR,
  verifyAuditChain,
  verifyAuditChainWithAnchors,
} from '../../src/server/modules/audit/index.ts';
import { GENESIS_HASH, hashAuditEntry, sealInOrder } from '../../src/server/modules/audit/audit.rules.ts';
import { createSealer } from '../../src/server/shared/signing.ts';
import { freshDatabase, testEngine, type TestDatabase } from '../support/database.ts';

/**
 * The audit sequencer (issue #22, ADR 0011): business transactions record entries pending, without a lock; the
 * sequencer seals them in its own short transactions. Random interleavings of writers — really concurrent on
 * PostgreSQL (each writer an open transaction on a pool), one transaction at a time on PGlite — some rolling back,
 * with sealing runs (concurrent with each other and with the writers on PostgreSQL) at random points, always give a
 * chain that verifies, every committed entry sealed once, no rolled-back entry; and any single edit, deletion,
 * insertion or cut of a sealed entry is caught.
 */

const ACTION = 'test.sequencer';
const context = (requestId: string) => ({ actor: SYSTEM_ACTOR, requestId });

class Rollback extends Error {}

/** A transaction driven step by step from outside: each `record` runs in it when sent; `finish` ends it. */
class ScriptedWriter {
  private readonly inbox: { step: (tx: Executor) => Promise<boolean>; done: (error?: Error) => void }[] = [];
  private wake: (() => void) | undefined;
  private readonly finished: Promise<void>;
  private recorded = 0;

  constructor(
    db: Executor,
    private readonly name: string,
    private readonly commit: boolean,
  ) {
    this.finished = db
      .transaction()
      .execute(async (tx) => {
        for (;;) {
          while (this.inbox.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
          const { step, done } = this.inbox.shift()!;
          const more = await step(tx).catch((error: unknown) => {
            done(error instanceof Error ? error : new Error(String(error)));
            throw error;
          });
          if (!more) {
            if (!this.commit) throw new Rollback();
            return;
          }
          done();
        }
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
  }

  private send(step: (tx: Executor) => Promise<boolean>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.inbox.push({ step, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.wake?.();
    });
  }

  record(): Promise<void> {
    const objectId = `${this.name}:${this.recorded++}`;
    return this.send(async (tx) => {
      await recordAudit(tx, context(objectId), { action: ACTION, objectType: 'test', objectId, after: { objectId } });
      return true;
    });
  }

  /** Commits or rolls back; resolves when the transaction has ended. */
  async finish(): Promise<void> {
    void this.send(async () => false);
    await this.finished;
  }
}

interface WriterPlan {
  readonly entries: number;
  readonly commit: boolean;
}

const plans = fc.array(fc.record({ entries: fc.integer({ min: 1, max: 3 }), commit: fc.boolean() }), {
  minLength: 1,
  maxLength: 5,
});
/** Who moves next, as indexes into what can move (writers with steps left, or a sealing run). */
const picks = fc.array(fc.nat({ max: 1000 }), { maxLength: 30 });

describe('the audit sequencer', () => {
  let database: TestDatabase;
  /** Writers' connections: on PostgreSQL a pool with room for every writer and sealer at once. */
  let handle: DatabaseHandle;
  let directory: string;
  let run = 0;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'monazite-sequencer-'));
    database = await freshDatabase();
    handle =
      testEngine === 'postgres' ? await openDatabase({ url: database.env.DATABASE_URL!, poolSize: 12 }) : database;
  });
  afterAll(async () => {
    if (handle !== database) await handle.close();
    await database.close();
    await rm(directory, { recursive: true, force: true });
  });

  /** Runs one interleaving; resolves to the object ids of the entries that committed. */
  async function interleave(writers: readonly WriterPlan[], moves: readonly number[], seals: number) {
    const tag = `run${run++}`;
    const { db } = handle;
    const left = writers.map((plan) => plan.entries + 1); // its records, then its end
    const open = new Map<number, ScriptedWriter>();
    const sealing: Promise<number>[] = [];
    const committed: string[] = [];
    let sealsLeft = seals;
    for (let move = 0; ; move += 1) {
      const movable = writers.flatMap((_, index) => ((left[index] ?? 0) > 0 ? [index] : []));
      const choices = [...movable, ...(sealsLeft > 0 ? ['seal' as const] : [])];
      if (choices.length === 0) break;
      const choice = choices[(moves[move] ?? 0) % choices.length]!;
      if (choice === 'seal') {
        sealsLeft -= 1;
        sealing.push(sealPendingAudit(db)); // not awaited: it runs alongside what follows
        continue;
      }
      const plan = writers[choice]!;
      const name = `${tag}:${choice}`;
      let writer = open.get(choice);
      if (!writer) open.set(choice, (writer = new ScriptedWriter(db, name, plan.commit)));
      // PGlite has one connection: a writer's transaction runs whole, the others wait their turn for it.
      const steps = testEngine === 'pglite' ? left[choice]! : 1;
      for (let step = 0; step < steps; step += 1) {
        left[choice] = left[choice]! - 1;
        if (left[choice] > 0) await writer.record();
        else await writer.finish();
      }
      if (left[choice] === 0 && plan.commit)
        committed.push(...Array.from({ length: plan.entries }, (_, index) => `${name}:${index}`));
    }
    await Promise.all(sealing);
    // The periodic sweep: whatever committed after the last run's look.
    await sealPendingAudit(db);
    return { tag, committed };
  }

  it('seals every committed entry once, in a chain that verifies, whatever the interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(plans, picks, fc.integer({ min: 0, max: 4 }), async (writers, moves, seals) => {
        const { tag, committed } = await interleave(writers, moves, seals);
        const chain = await verifyAuditChain(database.db);
        expect(chain.ok).toBe(true);
        expect(chain.pending.count).toBe(0);
        const rows = await database.db
          .selectFrom('audit_entry')
          .select(['object_id', 'seq', 'id'])
          .where('action', '=', ACTION)
          .where('object_id', 'like', `${tag}:%`)
          .execute();
        // Every committed entry once, sealed; nothing of a rolled-back writer.
        expect(rows.map((row) => row.object_id).sort()).toEqual([...committed].sort());
        expect(rows.every((row) => row.seq !== null)).toBe(true);
        // A writer's entries keep their order in the chain (they committed together, recorded in order).
        const byWriter = new Map<string, number[]>();
        for (const row of [...rows].sort((a, b) => Number(a.id) - Number(b.id))) {
          const writer = row.object_id.split(':').slice(0, 2).join(':');
          byWriter.set(writer, [...(byWriter.get(writer) ?? []), Number(row.seq)]);
        }
        for (const seqs of byWriter.values()) expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }),
      { numRuns: 30 },
    );
  });

  it('records without any lock and seals without waiting for open transactions', async () => {
    const { db } = handle;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let recordedA: () => void = () => undefined;
    const aRecorded = new Promise<void>((resolve) => (recordedA = resolve));
    let backendA = 0;
    // Writer A records and keeps its transaction open.
    const writerA = db.transaction().execute(async (tx) => {
      await recordAudit(tx, context('lock-a'), { action: ACTION, objectType: 'test', objectId: 'lock-a' });
      backendA = (await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(tx)).rows[0]!.pid;
      const advisory = await sql<{ count: string }>`
        SELECT count(*) AS count FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`.execute(tx);
      expect(Number(advisory.rows[0]!.count)).toBe(0);
      recordedA();
      await held;
    });
    await aRecorded;
    if (testEngine === 'postgres') {
      // Writer B records and commits while A is open: it does not wait for A (were it to, this would never resolve).
      await db
        .transaction()
        .execute((tx) =>
          recordAudit(tx, context('lock-b'), { action: ACTION, objectType: 'test', objectId: 'lock-b' }),
        );
      const advisory = await sql<{ count: string }>`
        SELECT count(*) AS count FROM pg_locks WHERE locktype = 'advisory' AND pid = ${backendA}`.execute(db);
      expect(Number(advisory.rows[0]!.count)).toBe(0);
      // The sequencer seals B meanwhile; A's entry, not committed, is not visible to it.
      expect(await sealPendingAudit(db)).toBe(1);
    }
    release();
    await writerA;
    expect(await sealPendingAudit(db)).toBe(1);
    const rows = await db
      .selectFrom('audit_entry')
      .select(['object_id', 'seq'])
      .where('object_id', 'in', ['lock-a', 'lock-b'])
      .orderBy('seq')
      .execute();
    // Chained in the order sealed, not recorded: B (recorded second, committed first) before A.
    expect(rows.map((row) => row.object_id)).toEqual(testEngine === 'postgres' ? ['lock-b', 'lock-a'] : ['lock-a']);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('lets a pending entry be sealed once, and nothing else be changed', async () => {
    const { db } = database;
    await db
      .transaction()
      .execute((tx) => recordAudit(tx, context('once'), { action: ACTION, objectType: 'test', objectId: 'once' }));
    const pending = await db
      .selectFrom('audit_entry')
      .select('id')
      .where('object_id', '=', 'once')
      .executeTakeFirstOrThrow();
    // Changing what was recorded while sealing, or deleting a pending entry, is refused.
    await expect(
      sql`UPDATE audit_entry SET seq = 999999, prev_hash = ${GENESIS_HASH}, hash = ${GENESIS_HASH},
            sealed_at = now(), actor_login = 'someone' WHERE id = ${pending.id}`.execute(db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_entry WHERE id = ${pending.id}`.execute(db)).rejects.toThrow(/append-only/);
    await sealPendingAudit(db);
    // Sealed: sealing it again is refused.
    await expect(
      sql`UPDATE audit_entry SET seq = 999999, prev_hash = ${GENESIS_HASH}, hash = ${GENESIS_HASH},
            sealed_at = now() WHERE id = ${pending.id}`.execute(db),
    ).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('catches any single edit, deletion, insertion or cut of a sealed entry', async () => {
    const { db } = database;
    await sealPendingAudit(db);
    const log = join(directory, 'anchors.log');
    const sealer = createSealer('sequencer-test-secret');
    const anchor = await anchorAuditHead(db, sealer, log, new Date());
    const last = anchor.seq;
    expect((await verifyAuditChainWithAnchors(db, log)).ok).toBe(true);

    const tamper = fc.oneof(
      fc.record({ kind: fc.constant('edit' as const), seq: fc.integer({ min: 1, max: last }) }),
      fc.record({ kind: fc.constant('delete' as const), seq: fc.integer({ min: 1, max: last - 1 }) }),
      fc.record({ kind: fc.constant('insert' as const), seq: fc.integer({ min: 1, max: last - 1 }) }),
      fc.record({ kind: fc.constant('cut' as const), seq: fc.integer({ min: last - 3, max: last }) }),
    );
    await fc.assert(
      fc.asyncProperty(tamper, async (change) => {
        // A superuser gets past the trigger, changes one thing, and the verification runs; then it is undone.
        await db
          .transaction()
          .execute(async (tx) => {
            await sql`ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only`.execute(tx);
            await applyTamper(tx, change.kind, change.seq);
            const result = await verifyAuditChainWithAnchors(tx, log);
            expect(result.ok).toBe(false);
            if (change.kind === 'cut') {
              // The chain alone still verifies, shorter: the anchor names what is missing.
              expect(result.chain.ok).toBe(true);
              expect(result.problems[0]?.finding.kind).toBe('missing');
            } else {
              const expected = { edit: change.seq, delete: change.seq + 1, insert: change.seq + 2 }[change.kind];
              expect(result.chain.firstBreak?.seq).toBe(expected);
            }
            throw new Rollback();
          })
          .catch((error: unknown) => {
            if (!(error instanceof Rollback)) throw error;
          });
      }),
      { numRuns: 40 },
    );
    expect((await verifyAuditChainWithAnchors(db, log)).ok).toBe(true);
  });

  it('chains in the order given, from the genesis or a tail (the pure rule)', () => {
    const fields = fc.record({
      at: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      actor_id: fc.string(),
      actor_login: fc.string(),
      actor_role: fc.string(),
      action: fc.string(),
      object_type: fc.string(),
      object_id: fc.string(),
      before: fc.constant(null),
      after: fc.jsonValue(),
      request_id: fc.string(),
    });
    fc.assert(
      fc.property(fc.array(fields, { maxLength: 8 }), fc.nat({ max: 1000 }), (pending, from) => {
        const tail = from === 0 ? null : { seq: from, hash: 'a'.repeat(64) };
        const seals = sealInOrder(tail, pending);
        let previous = tail ?? { seq: 0, hash: GENESIS_HASH };
        expect(seals).toHaveLength(pending.length);
        seals.forEach((seal, index) => {
          expect(seal.seq).toBe(previous.seq + 1);
          expect(seal.prev_hash).toBe(previous.hash);
          expect(seal.hash).toBe(hashAuditEntry({ ...pending[index]!, seq: seal.seq, prev_hash: seal.prev_hash }));
          previous = seal;
        });
      }),
    );
  });
});

/** One change a superuser could make with the trigger off (the caller has disabled it). */
async function applyTamper(tx: Executor, kind: 'edit' | 'delete' | 'insert' | 'cut', seq: number): Promise<void> {
  switch (kind) {
    case 'edit':
      await sql`UPDATE audit_entry SET after = '{"edited": true}' WHERE seq = ${seq}`.execute(tx);
      return;
    case 'delete':
    case 'cut':
      await sql`DELETE FROM audit_entry WHERE seq ${sql.raw(kind === 'delete' ? '=' : '>=')} ${seq}`.execute(tx);
      return;
    case 'insert': {
      // A forged entry after `seq`, correctly linked to it and hashed; the later entries renumbered to make room.
      const before = await tx
        .selectFrom('audit_entry')
        .select('hash')
        .where('seq', '=', String(seq))
        .executeTakeFirstOrThrow();
      const forged = {
        seq: seq + 1,
        at: new Date().toISOString(),
        actor_id: 'forger',
        actor_login: 'forger',
        actor_role: 'system',
        action: 'forged',
        object_type: 'test',
        object_id: 'forged',
        before: null,
        after: null,
        request_id: 'forged',
        prev_hash: before.hash!,
      };
      await sql`UPDATE audit_entry SET seq = -(seq + 1) WHERE seq > ${seq}`.execute(tx);
      await sql`UPDATE audit_entry SET seq = -seq WHERE seq < 0`.execute(tx);
      await sql`
        INSERT INTO audit_entry (seq, at, actor_id, actor_login, actor_role, action, object_type, object_id,
                                 request_id, prev_hash, hash, sealed_at)
        VALUES (${forged.seq}, ${forged.at}, ${forged.actor_id}, ${forged.actor_login}, ${forged.actor_role},
                ${forged.action}, ${forged.object_type}, ${forged.object_id}, ${forged.request_id},
                ${forged.prev_hash}, ${hashAuditEntry(forged)}, now())`.execute(tx);
    }
  }
}
