import { z } from 'zod';
import { idParam, uuid } from '../../../contracts/common.ts';
import {
  anomalyDetail,
  anomalyRules,
  anomalyStatuses,
  anomalyTransitionBody,
  anomalyView,
  checkRun,
  month,
} from '../../../contracts/flows.ts';
import { pageOf } from '../../../contracts/common.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { recordAudit } from '../audit/index.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import { getAnomaly, listAnomalies, transitionAnomaly } from './anomalies.service.ts';
import { runChecks } from './checks.service.ts';

export function checksRoutes(api: Api, deps: { db: Executor }): void {
  const { db } = deps;
  const tags = ['checks'];
  api.post(
    '/checks/runs',
    {
      config: { access: 'checks.run' },
      schema: {
        tags,
        summary: "Run a month's checks; new findings become anomalies (found once, by key)",
        body: z.strictObject({ period: month }),
        response: { 200: checkRun, ...problemResponses },
      },
    },
    async (request) => {
      const run = await runChecks(db, request.body.period);
      await db.transaction().execute((tx) =>
        recordAudit(tx, auditContextOf(request), {
          action: 'checks.run',
          objectType: 'check_run',
          objectId: request.body.period,
          after: run,
        }),
      );
      return run;
    },
  );
  api.get(
    '/anomalies',
    {
      config: { access: 'anomaly.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'Anomalies in your jurisdiction (an enterprise: its own), newest first',
        querystring: z.object({
          period: month.optional(),
          rule: z.enum(anomalyRules).optional(),
          status: z.enum(anomalyStatuses).optional(),
          enterprise_id: uuid.optional(),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          page_size: z.coerce.number().int().min(1).max(200).default(20),
        }),
        response: { 200: pageOf(anomalyView), ...problemResponses },
      },
    },
    async (request) => listAnomalies(request.db, actorOf(request), request.query),
  );
  api.get(
    '/anomalies/:id',
    {
      config: { access: 'anomaly.read' },
      schema: {
        tags,
        summary: 'An anomaly, its evidence and its history',
        params: idParam,
        response: { 200: anomalyDetail, ...problemResponses },
      },
    },
    async (request) => getAnomaly(db, actorOf(request), request.params.id),
  );
  api.post(
    '/anomalies/:id/transitions',
    {
      config: { access: 'anomaly.write' },
      schema: {
        tags,
        summary: "Move an anomaly's status (open, explained, confirmed, closed) with a note",
        params: idParam,
        body: anomalyTransitionBody,
        response: { 200: anomalyDetail, ...problemResponses },
      },
    },
    async (request) =>
      transitionAnomaly(db, actorOf(request), auditContextOf(request), request.params.id, request.body),
  );
}
