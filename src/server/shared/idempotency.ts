import type { Executor } from '../db/executor.ts';
import { conflict } from './errors.ts';
import { lockIdempotencyKey } from './idempotency.repository.ts';
import { replayDifferences } from './idempotency.rules.ts';

/**
 * Idempotency under concurrency (docs/api.md): every write that takes a client-made key — or is keyed by its
 * content — goes through here. The key's lock is taken first, in the write's own transaction, and the replay check
 * runs under it: a duplicate sent while the first is still being written waits for the first to commit, then finds
 * its record and answers as a replay (the same answer a duplicate sent later gets). Without the lock both would
 * miss the record and the second would fail on the unique index (409).
 */

/** What a key is unique within: the kind of write, who owns the key (a login, an enterprise, a division…), the key. */
export interface IdempotencyKey {
  /** The kind of write, e.g. `inspection.plan`: the same client key for two kinds never collides. */
  readonly scope: string;
  /** Whose key it is, as the record's unique index has it (the submitter, the enterprise, the division …). */
  readonly owner: string;
  readonly key: string;
}

/** The lock name of a key: its parts length-prefixed, so that no two different keys give the same name. */
export function idempotencyLockName(key: IdempotencyKey): string {
  return ['idempotency', key.scope, key.owner, key.key].map((part) => `${part.length}:${part}`).join('|');
}

/** Takes the key's lock inside an open transaction (for writes whose transaction is opened by a caller). */
export async function claimIdempotencyKey(tx: Executor, key: IdempotencyKey): Promise<void> {
  await lockIdempotencyKey(tx, idempotencyLockName(key));
}

/**
 * Runs a keyed write in one transaction under its key's lock: `replay` looks for what an earlier request with the
 * key stored (it may refuse a replay whose parameters differ, by throwing); when it finds nothing, `write` stores
 * the new record. Everything inside must use `tx` (PGlite has one connection).
 */
export async function idempotentWrite<Stored, Written = Stored>(
  db: Executor,
  key: IdempotencyKey,
  steps: {
    replay: (tx: Executor) => Promise<Stored | undefined>;
    write: (tx: Executor) => Promise<Written>;
  },
): Promise<{ replayed: true; value: Stored } | { replayed: false; value: Written }> {
  return db.transaction().execute(async (tx) => {
    await claimIdempotencyKey(tx, key);
    const stored = await steps.replay(tx);
    if (stored !== undefined) return { replayed: true as const, value: stored };
    return { replayed: false as const, value: await steps.write(tx) };
  });
}

/**
 * Refuses a request that reuses a key with other parameters (409 `conflict`, one field error per parameter that
 * differs): a key stands for one request, and answering it with the first one's record would hide the change.
 */
export function refuseChangedReplay(
  stored: Readonly<Record<string, unknown>>,
  sent: Readonly<Record<string, unknown>>,
  keyField = 'idempotency_key',
): void {
  const fields = replayDifferences(stored, sent);
  if (fields.length === 0) return;
  throw conflict(
    `This ${keyField} was used for a request with another ${fields.join(', ')}: send a new key for a new request.`,
    fields.map((field) => ({ field, message: `differs from the first request with this ${keyField}` })),
  );
}
