import { auditPage, auditQuery, auditVerification } from '../../../contracts/audit.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { listEntries } from './audit.repository.ts';
import { rowToFields, verifyAuditChain } from './audit.service.ts';

export async function auditRoutes(api: Api, deps: { db: Executor }): Promise<void> {
  const { db } = deps;
  const tags = ['audit'];

  api.get(
    '/audit',
    {
      config: { access: 'audit.read' },
      schema: {
        tags,
        summary: 'Audit entries, newest first',
        querystring: auditQuery,
        response: { 200: auditPage, ...problemResponses },
      },
    },
    async (request) => {
      const { limit, before_seq, object_type, object_id, actor_id, action } = request.query;
      const rows = await listEntries(
        db,
        { objectType: object_type, objectId: object_id, actorId: actor_id, action, beforeSeq: before_seq },
        limit,
      );
      const items = rows.map(rowToFields);
      return { items, next_before_seq: items.length === limit ? (items.at(-1)?.seq ?? null) : null };
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
      };
    },
  );
}
