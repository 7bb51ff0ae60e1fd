import { z } from 'zod';
import { adjustmentBody, ledgerEntry, quota, quotaQuery } from '../../../contracts/allocation.ts';
import type { Executor } from '../../db/executor.ts';
import { dateInShanghai } from '../../shared/clock.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { recordAudit } from '../audit/index.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import { getEnterprise } from '../registry/index.ts';
import { accounts, enterpriseEntries, enterpriseQuota, transfer, trialBalance } from './ledger.service.ts';

const idParam = z.object({ id: z.uuid() });

export function ledgerRoutes(api: Api, deps: { db: Executor; clock: () => Date }): void {
  const { db, clock } = deps;
  const tags = ['ledger'];
  api.get(
    '/quota/enterprises/:id',
    {
      config: { access: 'ledger.read' },
      schema: {
        tags,
        summary: "An enterprise's quota: allocated, consumed, remaining, utilisation against the year elapsed",
        params: idParam,
        querystring: quotaQuery,
        response: { 200: quota, ...problemResponses },
      },
    },
    async (request) => {
      await getEnterprise(db, actorOf(request), request.params.id); // 404 outside scope
      return enterpriseQuota(db, request.params.id, request.query.year, dateInShanghai(clock()));
    },
  );
  api.get(
    '/quota/enterprises/:id/entries',
    {
      config: { access: 'ledger.read' },
      schema: {
        tags,
        summary: "The ledger entries of an enterprise's accounts, newest first",
        params: idParam,
        querystring: quotaQuery,
        response: { 200: z.array(ledgerEntry), ...problemResponses },
      },
    },
    async (request) => {
      await getEnterprise(db, actorOf(request), request.params.id);
      return enterpriseEntries(db, request.params.id, request.query.year);
    },
  );
  api.post(
    '/ledger/adjustments',
    {
      config: { access: 'ledger.write', stepUp: true },
      schema: {
        tags,
        summary: 'A signed adjustment between the national pool and an enterprise, or an Art. 14 reduction',
        body: adjustmentBody,
        response: { 201: ledgerEntry, 200: ledgerEntry, ...problemResponses },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const actor = actorOf(request);
      await getEnterprise(db, actor, body.enterprise_id);
      const enterprise = accounts.enterprise(body.enterprise_id, body.year, body.category);
      const pool = accounts.pool(body.year, body.category);
      const [from, to] =
        body.kind === 'reduce'
          ? [enterprise, accounts.reduced(body.year, body.category)]
          : body.reo_kg > 0
            ? [pool, enterprise]
            : [enterprise, pool];
      const result = await db.transaction().execute(async (tx) => {
        const posted = await transfer(tx, {
          kind: body.kind,
          year: body.year,
          category: body.category,
          from,
          to,
          reoKg: Math.abs(body.reo_kg),
          key: `manual:${body.key}`,
          reference: `adjustment:${body.key}`,
          memo: body.memo,
          createdBy: actor.userId,
          enterpriseId: body.enterprise_id,
        });
        if (!posted.replayed)
          await recordAudit(tx, auditContextOf(request), {
            action: `ledger.${body.kind}`,
            objectType: 'ledger_entry',
            objectId: String(Number(posted.entry.id)),
            after: { ...body },
          });
        return posted;
      });
      const entry = result.entry;
      return reply.code(result.replayed ? 200 : 201).send({
        id: Number(entry.id),
        kind: entry.kind,
        category: entry.category,
        direction: from === pool ? 'in' : 'out',
        reo_kg: Number(entry.reo_kg),
        reference: entry.reference,
        memo: entry.memo,
        over_balance: entry.over_balance,
        created_by: entry.created_by,
        created_at: entry.created_at.toISOString(),
      });
    },
  );
  api.get(
    '/ledger/trial-balance',
    {
      config: { access: 'ledger.write' },
      schema: {
        tags,
        summary: "Every account's balance for a year summed: zero in a balanced double-entry ledger",
        querystring: quotaQuery,
        response: { 200: z.object({ accounts: z.number().int(), sum: z.number().int() }), ...problemResponses },
      },
    },
    async (request) => trialBalance(db, request.query.year),
  );
}
