import { auditPage, auditQuery, auditVerification } from '../../../contracts/audit.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { listAuditPage, verifyAuditChain } from './audit.service.ts';

export async function auditRoutes(api: Api, deps: { db: Executor }): Promise<void> {
  const { db } = deps;
  const tags = ['audit'];

  api.get(
    '/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        tags,
        summary: 'Audit entries, newest first: by actor, action, object, time range and origin (client address)',
        querystring: auditQuery,
        response: { 200: auditPage, ...problemResponses },
      },
    },
    async (request) => {
      const query = request.query;
      return listAuditPage(
        db,
        {
          objectType: query.object_type,
          objectId: query.object_id,
          actorId: query.actor_id,
          actorLogin: query.actor_login,
          action: query.action,
          actionPrefix: query.action_prefix,
          ip: query.ip,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
          beforeSeq: query.before_seq,
        },
        query.limit,
      );
    },
  );

  api.get(
    '/audit/verify',
    {
      config: { access: 'audit.read' },
      schema: {
        tags,
        summary: 'Verify the hash chain from the first entry to the last',
        response: { 200: auditVerification, ...problemResponses },
      },
    },
    async () => {
      const result = await verifyAuditChain(db);
      return {
        ok: result.ok,
        entries: result.entries,
        last_seq: result.lastSeq,
        last_hash: result.lastHash,
        first_break: result.firstBreak,
        pending: { count: result.pending.count, oldest_at: result.pending.oldestAt, stale: result.pending.stale },
      };
    },
  );
}
