import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { AuditEntryRow, NewAuditEntry } from '../../db/schema.ts';

const AUDIT_CHAIN_LOCK = 7265103;

/**
 * Takes the chain's lock for the rest of the transaction and returns the tail it must extend. Only the sequencer
 * calls it, in a short transaction of its own (ADR 0011): no business transaction ever waits for it.
 */
export async function lockChainTail(tx: Executor): Promise<{ seq: number; hash: string } | null> {
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(tx);
  const last = await tx
    .selectFrom('audit_entry')
    .select(['seq', 'hash'])
    .where('seq', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last ? { seq: Number(last.seq), hash: sealed(last.hash) } : null;
}

/** A sealed entry's hash (or link): never null once the entry has a sequence (CHECK audit_entry_sealed_whole). */
function sealed(value: string | null): string {
  if (value === null) throw new Error('a sealed audit entry without its hash: the table constraint is missing');
  return value;
}

/** Records an entry, pending: it commits or rolls back with the transaction, and takes no lock. */
export async function insertPendingEntry(tx: Executor, entry: NewAuditEntry): Promise<void> {
  await tx.insertInto('audit_entry').values(entry).execute();
}

/** Whether any entry waits to be sealed (one probe of the pending index). */
export async function hasPending(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('audit_entry').select('id').where('seq', 'is', null).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The oldest pending entries in record order, at most `limit`. */
export async function pendingEntries(tx: Executor, limit: number): Promise<AuditEntryRow[]> {
  return tx.selectFrom('audit_entry').selectAll().where('seq', 'is', null).orderBy('id').limit(limit).execute();
}

/** Seals pending entries (by id); resolves to how many were sealed, which the caller checks. */
export async function sealEntries(
  tx: Executor,
  seals: readonly { id: string; seq: number; prev_hash: string; hash: string }[],
): Promise<number> {
  if (seals.length === 0) return 0;
  const result = await sql`
    UPDATE audit_entry AS e
    SET seq = s.seq, prev_hash = s.prev_hash, hash = s.hash, sealed_at = now()
    FROM unnest(${seals.map((seal) => seal.id)}::bigint[], ${seals.map((seal) => String(seal.seq))}::bigint[],
                ${seals.map((seal) => seal.prev_hash)}::text[], ${seals.map((seal) => seal.hash)}::text[])
      AS s(id, seq, prev_hash, hash)
    WHERE e.id = s.id AND e.seq IS NULL`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

/** How many entries wait to be sealed, and when the oldest of them was recorded (null: none). */
export async function pendingSummary(db: Executor): Promise<{ count: number; oldestAt: Date | null }> {
  const row = await db
    .selectFrom('audit_entry')
    .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('at').as('oldest')])
    .where('seq', 'is', null)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldestAt: row.oldest === null ? null : new Date(row.oldest) };
}

export interface AuditFilter {
  readonly objectType?: string | undefined;
  readonly objectId?: string | undefined;
  readonly actorId?: string | undefined;
  readonly actorLogin?: string | undefined;
  readonly action?: string | undefined;
  /** Actions starting with this text (e.g. `allocation.` for every allocation action). */
  readonly actionPrefix?: string | undefined;
  /** From where: the client address the request came from. */
  readonly ip?: string | undefined;
  /** Time range: entries at or after `from`, before `to`. */
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly beforeSeq?: number | undefined;
}

/**
 * Newest first, keyset-paged by sequence. Pending entries (no sequence yet) are the newest: they come first, newest
 * recorded first, on the first page (a page after `beforeSeq` holds sealed entries only).
 */
export async function listEntries(db: Executor, filter: AuditFilter, limit: number): Promise<AuditEntryRow[]> {
  let query = db.selectFrom('audit_entry').selectAll();
  if (filter.objectType) query = query.where('object_type', '=', filter.objectType);
  if (filter.objectId) query = query.where('object_id', '=', filter.objectId);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.actorLogin) query = query.where('actor_login', '=', filter.actorLogin);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.actionPrefix)
    query = query.where('action', 'like', `${filter.actionPrefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`);
  if (filter.ip) query = query.where('ip', '=', filter.ip);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', String(filter.beforeSeq));
  return query
    .orderBy('seq', (order) => order.desc().nullsFirst())
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The sealed chain in order, a page at a time, so verifying a long chain keeps memory flat. */
export async function* entriesInOrder(db: Executor, pageSize = 5000): AsyncGenerator<AuditEntryRow> {
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('audit_entry')
      .selectAll()
      .where('seq', '>', String(after))
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < pageSize) return;
    after = Number(last.seq);
  }
}

/**
 * The number of the newest entry recorded, sealed or not ('0' for none): every write is recorded in its own
 * transaction, so this changes whenever anything committed changes — a cheap mark for answers kept in memory.
 */
export async function latestRecordNumber(db: Executor): Promise<string> {
  const row = await db
    .selectFrom('audit_entry')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  return String(row?.id ?? '0');
}

/** The newest sealed entry (sequence, hash, time) and how many sealed entries the chain holds; null for none. */
export async function chainHead(
  db: Executor,
): Promise<{ seq: number; hash: string; at: Date; entries: number } | null> {
  const last = await db
    .selectFrom('audit_entry')
    .select(['seq', 'hash', 'at'])
    .where('seq', 'is not', null)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return null;
  const { entries } = await db
    .selectFrom('audit_entry')
    .select((eb) => eb.fn.count<string>('seq').as('entries'))
    .executeTakeFirstOrThrow();
  return { seq: Number(last.seq), hash: sealed(last.hash), at: last.at, entries: Number(entries) };
}

/** The newest sequence stored (0 for an empty chain), whatever the links say. */
export async function lastSeq(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('audit_entry')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq);
}

/** The stored hash of each of these sequences that exists (sealed entries only: a pending one has none). */
export async function hashesAt(db: Executor, seqs: readonly number[]): Promise<Map<number, string>> {
  if (seqs.length === 0) return new Map();
  const wanted = [...new Set(seqs)].map(String);
  const rows = await db
    .selectFrom('audit_entry')
    .select(['seq', 'hash'])
    .where('seq', '=', sql<string>`ANY(${wanted}::bigint[])`)
    .execute();
  return new Map(rows.map((row) => [Number(row.seq), sealed(row.hash)]));
}
