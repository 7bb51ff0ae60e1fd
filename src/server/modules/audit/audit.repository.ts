import { sql } from 'kysely';
import type { Executor } from '../../db/executor.ts';
import type { AuditEntryRow, NewAuditEntry } from '../../db/schema.ts';

const AUDIT_CHAIN_LOCK = 7265103;

/** Takes the chain's lock for the rest of the transaction and returns the tail it must extend. */
export async function lockChainTail(tx: Executor): Promise<{ seq: number; hash: string } | null> {
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(tx);
  const last = await tx
    .selectFrom('audit_entry')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last ? { seq: Number(last.seq), hash: last.hash } : null;
}

export async function insertEntry(tx: Executor, entry: NewAuditEntry): Promise<void> {
  await tx.insertInto('audit_entry').values(entry).execute();
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

/** Newest first, keyset-paged by sequence. */
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
  return query.orderBy('seq', 'desc').limit(limit).execute();
}

/** The chain in order, a page at a time, so verifying a long chain keeps memory flat. */
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

/** The newest entry (sequence, hash, time) and how many entries the chain holds; null for an empty chain. */
export async function chainHead(
  db: Executor,
): Promise<{ seq: number; hash: string; at: Date; entries: number } | null> {
  const last = await db
    .selectFrom('audit_entry')
    .select(['seq', 'hash', 'at'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return null;
  const { entries } = await db
    .selectFrom('audit_entry')
    .select((eb) => eb.fn.countAll<string>().as('entries'))
    .executeTakeFirstOrThrow();
  return { seq: Number(last.seq), hash: last.hash, at: last.at, entries: Number(entries) };
}

/** The newest sequence stored (0 for an empty chain), whatever the links say. */
export async function lastSeq(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('audit_entry')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq);
}

/** The stored hash of each of these sequences that exists. */
export async function hashesAt(db: Executor, seqs: readonly number[]): Promise<Map<number, string>> {
  if (seqs.length === 0) return new Map();
  const wanted = [...new Set(seqs)].map(String);
  const rows = await db
    .selectFrom('audit_entry')
    .select(['seq', 'hash'])
    .where('seq', '=', sql<string>`ANY(${wanted}::bigint[])`)
    .execute();
  return new Map(rows.map((row) => [Number(row.seq), row.hash]));
}
