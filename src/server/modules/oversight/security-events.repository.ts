import type { Executor } from '../../db/executor.ts';
import type { SecurityEventKind } from '../../db/schema-oversight.ts';

/**
 * The security event log's SQL: refused requests and file exports, one row each. The auth hook writes here
 * (outside any request transaction, so a refusal still changes no business table); the oversight rules read.
 */

export interface NewSecurityEvent {
  readonly kind: SecurityEventKind;
  readonly actorId: string | null;
  readonly actorLogin: string | null;
  readonly method: string;
  readonly route: string;
  readonly url: string;
  readonly status: number;
  readonly code: string;
  readonly ip: string;
  /** The socket's own address (the proxy's behind a trusted proxy). */
  readonly socketIp: string | null;
  readonly userAgent: string;
  readonly requestId: string;
  readonly bytes: number | null;
}

export async function insertSecurityEvent(db: Executor, event: NewSecurityEvent): Promise<void> {
  await db
    .insertInto('security_event')
    .values({
      kind: event.kind,
      actor_id: event.actorId,
      actor_login: event.actorLogin,
      method: event.method,
      route: event.route,
      url: event.url,
      status: event.status,
      code: event.code,
      ip: event.ip,
      socket_ip: event.socketIp,
      user_agent: event.userAgent,
      request_id: event.requestId,
      bytes: event.bytes,
    })
    .execute();
}

export type SecurityEventRow = Awaited<ReturnType<typeof securityEventsSince>>[number];

/** Events of a kind since a time, oldest first, at most `limit` (the rules' lookback is bounded). */
export async function securityEventsSince(db: Executor, kind: SecurityEventKind, since: Date, limit: number) {
  return db
    .selectFrom('security_event')
    .select([
      'id',
      'at',
      'actor_id',
      'actor_login',
      'method',
      'route',
      'url',
      'status',
      'code',
      'ip',
      'request_id',
      'bytes',
    ])
    .where('kind', '=', kind)
    .where('at', '>=', since)
    .orderBy('at')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export interface SecurityEventFilter {
  readonly kind?: SecurityEventKind | undefined;
  readonly actorId?: string | undefined;
  readonly ip?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly beforeId?: number | undefined;
}

/** Newest first, keyset-paged by id. */
export async function listSecurityEvents(db: Executor, filter: SecurityEventFilter, limit: number) {
  let query = db
    .selectFrom('security_event')
    .select([
      'id',
      'kind',
      'at',
      'actor_id',
      'actor_login',
      'method',
      'route',
      'url',
      'status',
      'code',
      'ip',
      'socket_ip',
      'user_agent',
      'request_id',
      'bytes',
    ]);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.ip) query = query.where('ip', '=', filter.ip);
  if (filter.from) query = query.where('at', '>=', filter.from);
  if (filter.to) query = query.where('at', '<', filter.to);
  if (filter.beforeId !== undefined) query = query.where('id', '<', String(filter.beforeId));
  return query.orderBy('id', 'desc').limit(limit).execute();
}
