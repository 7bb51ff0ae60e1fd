import type { Executor } from '../../db/executor.ts';
import type { AuditEntryRow } from '../../db/schema.ts';
import {
  checkLink,
  GENESIS_HASH,
  PENDING_STALE_SECONDS,
  type AuditFields,
  type ChainBreak,
  type PendingFields,
} from './audit.rules.ts';
import {
  entriesInOrder,
  insertPendingEntry,
  lastSeq,
  listEntries,
  pendingSummary,
  type AuditFilter,
} from './audit.repository.ts';

/** Who acted, for the audit chain: a signed-in user, or the system itself (migrations, demo data). */
export interface AuditActor {
  readonly id: string;
  readonly login: string;
  readonly role: string;
}

export const SYSTEM_ACTOR: AuditActor = { id: 'system', login: 'system', role: 'system' };

export interface AuditContext {
  readonly actor: AuditActor;
  readonly requestId: string;
  /** Where the request came from (Art. 15: who did what, to what, when, from where); absent for the system. */
  readonly ip?: string | undefined;
  /** The socket's own address: the proxy's when `ip` came from a trusted proxy's X-Forwarded-For. */
  readonly socketIp?: string | undefined;
  readonly userAgent?: string | undefined;
  /** On an official act: when the actor's session last gave a second factor (step-up; docs/security.md). */
  readonly secondFactorAt?: string | undefined;
}

/** User agents are cut to this many characters: enough to tell clients apart, bounded in size. */
export const USER_AGENT_MAX = 300;

export interface AuditRecord {
  readonly action: string;
  readonly objectType: string;
  readonly objectId: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * Requests being answered (by request id), and whether they recorded an entry: the app seals after such a request's
 * commit, before it answers (app.ts). Only watched ids are kept, and the app forgets each when the answer is sent.
 */
const watched = new Map<string, boolean>();

/** Starts noting whether this request records an entry. */
export function watchAuditRecordings(requestId: string): void {
  watched.set(requestId, false);
}

/** Whether this request recorded an entry (committed or not); forgets the request. */
export function takeAuditRecorded(requestId: string): boolean {
  const recorded = watched.get(requestId) ?? false;
  watched.delete(requestId);
  return recorded;
}

/**
 * Records one entry, pending: call inside the transaction that makes the change it records, with which it commits
 * or rolls back. It takes no lock: the sequencer (audit.sequencer.ts) seals it into the chain after the commit.
 */
export async function recordAudit(tx: Executor, context: AuditContext, record: AuditRecord): Promise<void> {
  const userAgent = context.userAgent ? context.userAgent.slice(0, USER_AGENT_MAX) : null;
  const before = jsonSafe(record.before);
  const after = jsonSafe(record.after);
  await insertPendingEntry(tx, {
    at: new Date().toISOString(),
    actor_id: context.actor.id,
    actor_login: context.actor.login,
    actor_role: context.actor.role,
    action: record.action,
    object_type: record.objectType,
    object_id: record.objectId,
    before: before === null ? null : JSON.stringify(before),
    after: after === null ? null : JSON.stringify(after),
    request_id: context.requestId,
    ip: context.ip || null,
    socket_ip: context.socketIp || null,
    user_agent: userAgent || null,
    second_factor_at: context.secondFactorAt ?? null,
  });
  if (watched.has(context.requestId)) watched.set(context.requestId, true);
}

/** What jsonb will give back: plain JSON, Dates as ISO strings, undefined dropped. */
function jsonSafe(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** The hashed fields of a recorded entry, sealed or not (the sequence and link aside). */
export function pendingFields(row: AuditEntryRow): PendingFields {
  return {
    at: row.at.toISOString(),
    actor_id: row.actor_id,
    actor_login: row.actor_login,
    actor_role: row.actor_role,
    action: row.action,
    object_type: row.object_type,
    object_id: row.object_id,
    before: row.before,
    after: row.after,
    request_id: row.request_id,
    ...(row.ip !== null ? { ip: row.ip } : {}),
    ...(row.socket_ip !== null ? { socket_ip: row.socket_ip } : {}),
    ...(row.user_agent !== null ? { user_agent: row.user_agent } : {}),
    ...(row.second_factor_at !== null ? { second_factor_at: row.second_factor_at } : {}),
  };
}

/** A sealed entry's hashed fields and hash (the verifier's view). */
export function rowToFields(row: AuditEntryRow): AuditFields & { hash: string } {
  if (row.seq === null || row.prev_hash === null || row.hash === null)
    throw new Error(`audit entry ${row.id} is pending: it has no place in the chain yet`);
  return { ...pendingFields(row), seq: Number(row.seq), prev_hash: row.prev_hash, hash: row.hash };
}

/**
 * An entry as the API shows it: every field, `ip`, `socket_ip` and `user_agent` null where they were not recorded;
 * `seq`, `prev_hash` and `hash` null while the entry is pending.
 */
export function entryView(row: AuditEntryRow) {
  return {
    ...pendingFields(row),
    id: Number(row.id),
    seq: row.seq === null ? null : Number(row.seq),
    prev_hash: row.prev_hash,
    hash: row.hash,
    ip: row.ip,
    socket_ip: row.socket_ip,
    user_agent: row.user_agent,
    second_factor_at: row.second_factor_at,
    sealed_at: row.sealed_at?.toISOString() ?? null,
  };
}

/** Entries recorded and committed but not sealed yet (ADR 0011): not part of the chain, and not a break. */
export interface PendingReport {
  readonly count: number;
  /** When the oldest was recorded; null when none waits. */
  readonly oldestAt: string | null;
  /** The oldest has waited longer than PENDING_STALE_SECONDS: no server seals (a finding, not a break). */
  readonly stale: boolean;
}

/**
 * A page of entries, newest first, and the next page's `before_seq` (null: no more). A full page that ends in pending
 * entries continues with the newest sealed one.
 */
export async function listAuditPage(db: Executor, filter: AuditFilter, limit: number) {
  const items = (await listEntries(db, filter, limit)).map(entryView);
  const last = items.at(-1);
  if (!last || items.length < limit) return { items, next_before_seq: null };
  if (last.seq !== null) return { items, next_before_seq: last.seq };
  const head = await lastSeq(db);
  return { items, next_before_seq: head === 0 ? null : head + 1 };
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Sealed entries that verify. */
  readonly entries: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly firstBreak: ChainBreak | null;
  readonly pending: PendingReport;
}

/** The pending entries, as verification reports them. */
export async function pendingReport(db: Executor, now: Date = new Date()): Promise<PendingReport> {
  const { count, oldestAt } = await pendingSummary(db);
  return {
    count,
    oldestAt: oldestAt?.toISOString() ?? null,
    stale: oldestAt !== null && now.getTime() - oldestAt.getTime() > PENDING_STALE_SECONDS * 1000,
  };
}

/**
 * Walks the sealed chain from the first entry to the last and stops at the first broken link; reports the entries
 * still pending beside it.
 */
export async function verifyAuditChain(db: Executor): Promise<VerifyResult> {
  const pending = await pendingReport(db);
  let previous: { seq: number; hash: string } | null = null;
  let entries = 0;
  const result = (firstBreak: ReturnType<typeof checkLink>) => ({
    ok: firstBreak === null,
    entries,
    lastSeq: previous?.seq ?? 0,
    lastHash: previous?.hash ?? GENESIS_HASH,
    firstBreak,
    pending,
  });
  for await (const row of entriesInOrder(db)) {
    const entry = rowToFields(row);
    const broken = checkLink(entry, previous);
    if (broken) return result(broken);
    previous = { seq: entry.seq, hash: entry.hash };
    entries += 1;
  }
  return result(null);
}
