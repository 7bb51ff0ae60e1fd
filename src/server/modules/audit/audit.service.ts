import type { Executor } from '../../db/executor.ts';
import type { AuditEntryRow } from '../../db/schema.ts';
import { checkLink, GENESIS_HASH, hashAuditEntry, type AuditFields, type ChainBreak } from './audit.rules.ts';
import { entriesInOrder, insertEntry, lockChainTail } from './audit.repository.ts';

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

/** Appends one entry to the chain. Call inside the transaction that makes the change it records. */
export async function recordAudit(tx: Executor, context: AuditContext, record: AuditRecord): Promise<void> {
  const tail = await lockChainTail(tx);
  const fields: AuditFields = {
    seq: (tail?.seq ?? 0) + 1,
    at: new Date().toISOString(),
    actor_id: context.actor.id,
    actor_login: context.actor.login,
    actor_role: context.actor.role,
    action: record.action,
    object_type: record.objectType,
    object_id: record.objectId,
    before: jsonSafe(record.before),
    after: jsonSafe(record.after),
    request_id: context.requestId,
    prev_hash: tail?.hash ?? GENESIS_HASH,
    ...(context.ip ? { ip: context.ip } : {}),
    ...(context.socketIp ? { socket_ip: context.socketIp } : {}),
    ...(context.userAgent ? { user_agent: context.userAgent.slice(0, USER_AGENT_MAX) } : {}),
  };
  await insertEntry(tx, {
    ...fields,
    ip: fields.ip ?? null,
    socket_ip: fields.socket_ip ?? null,
    user_agent: fields.user_agent ?? null,
    seq: fields.seq,
    before: fields.before === null ? null : JSON.stringify(fields.before),
    after: fields.after === null ? null : JSON.stringify(fields.after),
    hash: hashAuditEntry(fields),
  });
}

/** What jsonb will give back: plain JSON, Dates as ISO strings, undefined dropped. */
function jsonSafe(value: unknown): unknown {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

export function rowToFields(row: AuditEntryRow): AuditFields & { hash: string } {
  return {
    seq: Number(row.seq),
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
    prev_hash: row.prev_hash,
    hash: row.hash,
    ...(row.ip !== null ? { ip: row.ip } : {}),
    ...(row.socket_ip !== null ? { socket_ip: row.socket_ip } : {}),
    ...(row.user_agent !== null ? { user_agent: row.user_agent } : {}),
  };
}

/** An entry as the API shows it: every field, `ip`, `socket_ip` and `user_agent` null where they were not recorded. */
export function entryView(row: AuditEntryRow) {
  return { ...rowToFields(row), ip: row.ip, socket_ip: row.socket_ip, user_agent: row.user_agent };
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly entries: number;
  readonly lastSeq: number;
  readonly lastHash: string;
  readonly firstBreak: ChainBreak | null;
}

/** Walks the chain from the first entry to the last and stops at the first broken link. */
export async function verifyAuditChain(db: Executor): Promise<VerifyResult> {
  let previous: { seq: number; hash: string } | null = null;
  let entries = 0;
  for await (const row of entriesInOrder(db)) {
    const entry = rowToFields(row);
    const broken = checkLink(entry, previous);
    if (broken) {
      return {
        ok: false,
        entries,
        lastSeq: previous?.seq ?? 0,
        lastHash: previous?.hash ?? GENESIS_HASH,
        firstBreak: broken,
      };
    }
    previous = { seq: entry.seq, hash: entry.hash };
    entries += 1;
  }
  return { ok: true, entries, lastSeq: previous?.seq ?? 0, lastHash: previous?.hash ?? GENESIS_HASH, firstBreak: null };
}
