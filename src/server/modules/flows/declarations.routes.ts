import { z } from 'zod';
import { uuid } from '../../../contracts/common.ts';
import { declarationSeal, declarationView, month } from '../../../contracts/flows.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import { declarationBoard, enterpriseDeclarations, sealMonth } from './declarations.service.ts';

export function declarationRoutes(api: Api, deps: { db: Executor }): void {
  const { db } = deps;
  const tags = ['declarations'];
  api.get(
    '/declarations',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: {
        tags,
        summary: "An enterprise's monthly declarations of a year: open, due, sealed, late or missing",
        querystring: z.object({ enterprise_id: uuid, year: z.coerce.number().int().min(2000).max(2100) }),
        response: { 200: z.array(declarationView), ...problemResponses },
      },
    },
    async (request) =>
      enterpriseDeclarations(request.db, actorOf(request), request.query.enterprise_id, request.query.year),
  );
  api.get(
    '/declarations/board',
    {
      config: { access: 'flow.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'Every designated enterprise in your jurisdiction: where its declaration of a month stands',
        querystring: z.object({ period: month }),
        response: { 200: z.array(declarationView), ...problemResponses },
      },
    },
    async (request) => declarationBoard(request.db, actorOf(request), request.query.period),
  );
  api.post(
    '/declarations',
    {
      config: { access: 'flow.write' },
      schema: {
        tags,
        summary: 'Seal (declare) an ended month of your flows: by the 10th of the next month, 23:59:59 Beijing time',
        body: z.strictObject({ period: month }),
        response: { 201: declarationSeal, ...problemResponses },
      },
    },
    async (request, reply) => {
      const sealed = await sealMonth(db, actorOf(request), auditContextOf(request), request.body.period);
      return reply
        .code(201)
        .send({ ...sealed, period: sealed.period.slice(0, 7), sealed_at: sealed.sealed_at.toISOString() });
    },
  );
}
