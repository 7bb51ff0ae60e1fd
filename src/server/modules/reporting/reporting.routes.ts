import { z } from 'zod';
import { idParam, uuid } from '../../../contracts/common.ts';
import { checkRun } from '../../../contracts/flows.ts';
import {
  boardView,
  compilationDraft as compilationDraftSchema,
  compilationView,
  compileBody,
  deadlineRule,
  deadlineRuleView,
  reconciliationView,
  reminderResult,
  reminderView,
  reportDraft as reportDraftSchema,
  reportPeriod,
  reportSubmitBody,
  reportView,
  returnBody,
} from '../../../contracts/reporting.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import type { Sealer } from '../../shared/signing.ts';
import { recordAudit } from '../audit/index.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import { board, myReminders, sendReminders } from './board.service.ts';
import {
  compilationDraft,
  compile,
  forwardCompilation,
  getCompilation,
  listCompilations,
  returnCompilation,
} from './compilations.service.ts';
import { listDeadlineRules, setDeadlineRule } from './deadlines.service.ts';
import { reconcileToAnomalies, reconciliation } from './reconciliation.service.ts';
import { enterpriseReports, getReport, reportDraft, returnReport, submitReport } from './reports.service.ts';

const divisionOrNation = z.string().regex(/^[0-9]{6}$/, 'must be a 6-digit division code (000000 for the nation)');
const year = z.coerce.number().int().min(2000).max(2100);

export function reportingRoutes(api: Api, deps: { db: Executor; sealer: Sealer; clock: () => Date }): void {
  const { db, sealer, clock } = deps;
  const tags = ['reporting'];
  api.get(
    '/reports/draft',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: "An enterprise's report for a month (YYYY-MM) or year (YYYY), pre-filled from flows and ledger",
        querystring: z.object({ enterprise_id: uuid, period: reportPeriod }),
        response: { 200: reportDraftSchema, ...problemResponses },
      },
    },
    async (request) => reportDraft(db, actorOf(request), request.query.enterprise_id, request.query.period, clock()),
  );
  api.get(
    '/reports',
    {
      config: { access: 'report.read', reads: 'replica' },
      schema: {
        tags,
        summary: "Every version of an enterprise's reports of a year (months and the year)",
        querystring: z.object({ enterprise_id: uuid, year }),
        response: { 200: z.array(reportView), ...problemResponses },
      },
    },
    async (request) => enterpriseReports(request.db, actorOf(request), request.query.enterprise_id, request.query.year),
  );
  api.post(
    '/reports',
    {
      config: { access: 'report.submit' },
      schema: {
        tags,
        summary:
          'Submit your report: signed (SM2) and frozen; a correction is a new version naming the one it replaces',
        body: reportSubmitBody,
        response: { 200: reportView, 201: reportView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await submitReport(db, sealer, actorOf(request), auditContextOf(request), request.body, clock());
      return reply.code(result.replayed ? 200 : 201).send(result.report);
    },
  );
  api.get(
    '/reports/:id',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: 'One report version',
        params: idParam,
        response: { 200: reportView, ...problemResponses },
      },
    },
    async (request) => getReport(db, actorOf(request), request.params.id),
  );
  api.post(
    '/reports/:id/return',
    {
      config: { access: 'report.review' },
      schema: {
        tags,
        summary: "Return an enterprise's report for correction (the county of its domicile), with the reason",
        params: idParam,
        body: returnBody,
        response: { 200: reportView, ...problemResponses },
      },
    },
    async (request) =>
      returnReport(db, actorOf(request), auditContextOf(request), request.params.id, request.body.reason, clock()),
  );
  api.get(
    '/compilations/draft',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: "What compiling a division's reports would give now: children in, missing, late, returned; totals",
        querystring: z.object({ division_code: divisionOrNation, period: reportPeriod }),
        response: { 200: compilationDraftSchema, ...problemResponses },
      },
    },
    async (request) => compilationDraft(db, actorOf(request), request.query.division_code, request.query.period),
  );
  api.get(
    '/compilations',
    {
      config: { access: 'report.read', reads: 'replica' },
      schema: {
        tags,
        summary: "Every version of a division's compilation for a period",
        querystring: z.object({ division_code: divisionOrNation, period: reportPeriod }),
        response: { 200: z.array(compilationView), ...problemResponses },
      },
    },
    async (request) =>
      listCompilations(request.db, actorOf(request), request.query.division_code, request.query.period),
  );
  api.post(
    '/compilations',
    {
      config: { access: 'report.review', stepUp: true },
      schema: {
        tags,
        summary: "Compile your division's reports for a period: sums only, signed (SM2); reasons for missing and late",
        body: compileBody,
        response: { 200: compilationView, 201: compilationView, ...problemResponses },
      },
    },
    async (request, reply) => {
      const result = await compile(db, sealer, actorOf(request), auditContextOf(request), request.body, clock());
      return reply.code(result.replayed ? 200 : 201).send(result.compilation);
    },
  );
  api.get(
    '/compilations/:id',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: 'One compilation version',
        params: idParam,
        response: { 200: compilationView, ...problemResponses },
      },
    },
    async (request) => getCompilation(db, actorOf(request), request.params.id),
  );
  api.post(
    '/compilations/:id/forward',
    {
      config: { access: 'report.review', stepUp: true },
      schema: {
        tags,
        summary: 'Submit your compilation to the next level up',
        params: idParam,
        response: { 200: compilationView, ...problemResponses },
      },
    },
    async (request) => forwardCompilation(db, actorOf(request), auditContextOf(request), request.params.id, clock()),
  );
  api.post(
    '/compilations/:id/return',
    {
      config: { access: 'report.review' },
      schema: {
        tags,
        summary: 'Return a compilation forwarded to you for correction, with the reason',
        params: idParam,
        body: returnBody,
        response: { 200: compilationView, ...problemResponses },
      },
    },
    async (request) =>
      returnCompilation(db, actorOf(request), auditContextOf(request), request.params.id, request.body.reason, clock()),
  );
  api.get(
    '/reporting/board',
    {
      config: { access: 'report.read', reads: 'replica' },
      schema: {
        tags,
        summary: 'Where every report of a period stands under a division (default: your jurisdiction), one level down',
        querystring: z.object({ period: reportPeriod, division_code: divisionOrNation.optional() }),
        response: { 200: boardView, ...problemResponses },
      },
    },
    async (request) => board(request.db, actorOf(request), request.query.period, request.query.division_code, clock()),
  );
  api.post(
    '/reporting/reminders',
    {
      config: { access: 'report.review' },
      schema: {
        tags,
        summary: 'Remind everyone overdue in your jurisdiction for a period (once a day each)',
        body: z.strictObject({ period: reportPeriod }),
        response: { 200: reminderResult, ...problemResponses },
      },
    },
    async (request) => sendReminders(db, actorOf(request), auditContextOf(request), request.body.period, clock()),
  );
  api.get(
    '/reporting/reminders',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: 'Reminders addressed to you (your enterprise or your division), newest first',
        response: { 200: z.array(reminderView), ...problemResponses },
      },
    },
    async (request) => myReminders(db, actorOf(request)),
  );
  api.get(
    '/reporting/reconciliation',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: 'Reported vs flow-derived vs ledger figures per child and category under a division',
        querystring: z.object({ period: reportPeriod, division_code: divisionOrNation.optional() }),
        response: { 200: reconciliationView, ...problemResponses },
      },
    },
    async (request) => reconciliation(db, actorOf(request), request.query.period, request.query.division_code),
  );
  api.post(
    '/reporting/reconciliation/runs',
    {
      config: { access: 'checks.run' },
      schema: {
        tags,
        summary: 'Record the differences beyond tolerance as anomalies (found once, by key)',
        body: z.strictObject({ period: reportPeriod }),
        response: { 200: checkRun.omit({ by_rule: true }), ...problemResponses },
      },
    },
    async (request) => {
      const run = await reconcileToAnomalies(db, request.body.period);
      await db.transaction().execute((tx) =>
        recordAudit(tx, auditContextOf(request), {
          action: 'reporting.reconcile',
          objectType: 'reporting_period',
          objectId: request.body.period,
          after: run,
        }),
      );
      return run;
    },
  );
  api.get(
    '/reporting/deadlines',
    {
      config: { access: 'report.read' },
      schema: {
        tags,
        summary: 'The deadline calendar in force, per level and period kind',
        response: { 200: z.array(deadlineRuleView), ...problemResponses },
      },
    },
    async () => listDeadlineRules(db),
  );
  api.put(
    '/reporting/deadlines',
    {
      config: { access: 'reporting.configure' },
      schema: {
        tags,
        summary: "Set a level's deadline (a calendar day, or the n-th working day on the official calendar)",
        body: deadlineRule.strict(),
        response: { 200: deadlineRuleView, ...problemResponses },
      },
    },
    async (request) => setDeadlineRule(db, actorOf(request), auditContextOf(request), request.body),
  );
}
