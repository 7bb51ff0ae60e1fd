import { idParam, pageOf } from '../../../contracts/common.ts';
import {
  acknowledgeBody,
  alertQuery,
  oversightAlert,
  ruleRun,
  securityEventPage,
  securityEventQuery,
  thresholdList,
  thresholdParam,
  thresholdUpdateBody,
} from '../../../contracts/oversight.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import {
  acknowledge,
  getAlert,
  listAlerts,
  listSecurityEvents,
  listThresholds,
  runRules,
  setThreshold,
} from './oversight.service.ts';

/** Oversight of officials (Art. 15): the alert rules, their alerts and thresholds, the security event log. */
export function oversightRoutes(api: Api, deps: { db: Executor; clock?: () => Date }): void {
  const { db } = deps;
  const clock = deps.clock ?? (() => new Date());
  const tags = ['oversight'];

  api.post(
    '/oversight/runs',
    {
      config: { access: 'oversight.write' },
      schema: {
        tags,
        summary: 'Run every alert rule; new findings become alerts (found once, by key)',
        response: { 200: ruleRun, ...problemResponses },
      },
    },
    async (request) => runRules(db, auditContextOf(request), clock()),
  );
  api.get(
    '/oversight/alerts',
    {
      config: { access: 'oversight.read' },
      schema: {
        tags,
        summary: 'Alerts, open first, newest first',
        querystring: alertQuery,
        response: { 200: pageOf(oversightAlert), ...problemResponses },
      },
    },
    async (request) => listAlerts(db, request.query),
  );
  api.get(
    '/oversight/alerts/:id',
    {
      config: { access: 'oversight.read' },
      schema: {
        tags,
        summary: 'An alert and its evidence',
        params: idParam,
        response: { 200: oversightAlert, ...problemResponses },
      },
    },
    async (request) => getAlert(db, request.params.id),
  );
  api.post(
    '/oversight/alerts/:id/acknowledge',
    {
      config: { access: 'oversight.write' },
      schema: {
        tags,
        summary: 'Acknowledge an alert with a note (checked against the version you read; audited)',
        params: idParam,
        body: acknowledgeBody,
        response: { 200: oversightAlert, ...problemResponses },
      },
    },
    async (request) => acknowledge(db, actorOf(request), auditContextOf(request), request.params.id, request.body),
  );
  api.get(
    '/oversight/thresholds',
    {
      config: { access: 'oversight.read' },
      schema: { tags, summary: "The alert rules' thresholds", response: { 200: thresholdList, ...problemResponses } },
    },
    async () => listThresholds(db),
  );
  api.put(
    '/oversight/thresholds/:name',
    {
      config: { access: 'oversight.write' },
      schema: {
        tags,
        summary: 'Set one threshold (checked against the version you read; audited)',
        params: thresholdParam,
        body: thresholdUpdateBody,
        response: { 200: thresholdList, ...problemResponses },
      },
    },
    async (request) => setThreshold(db, actorOf(request), auditContextOf(request), request.params.name, request.body),
  );
  api.get(
    '/oversight/security-events',
    {
      config: { access: 'oversight.read' },
      schema: {
        tags,
        summary: 'Refused requests and file exports, newest first: by kind, user, client address and time',
        querystring: securityEventQuery,
        response: { 200: securityEventPage, ...problemResponses },
      },
    },
    async (request) => listSecurityEvents(db, request.query),
  );
}
