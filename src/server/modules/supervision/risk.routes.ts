import {
  riskQuery,
  riskView,
  riskWeightsBody,
  riskWeightsQuery,
  riskWeightsView,
} from '../../../contracts/supervision-risk.ts';
import type { Executor } from '../../db/executor.ts';
import { problemResponses, type Api } from '../../shared/http.ts';
import { actorOf, auditContextOf } from '../auth/index.ts';
import { getRiskWeights, riskList, setRiskWeights } from './risk.service.ts';

/** The risk-ranked inspection list (Art. 12) and its weights per jurisdiction (docs/supervision.md). */
export function riskRoutes(api: Api, deps: { db: Executor; clock: () => Date }): void {
  const { db, clock } = deps;
  const tags = ['supervision'];
  api.get(
    '/supervision/risk',
    {
      config: { access: 'supervision.read' },
      schema: {
        tags,
        summary: 'Designated enterprises of a division ranked by inspection risk, with the reasons of each score',
        description:
          'Officials only: the division defaults to your own; another jurisdiction is 403, an unknown division 404. ' +
          'Scored with the weights in force at the division asked about.',
        querystring: riskQuery,
        response: { 200: riskView, ...problemResponses },
      },
    },
    async (request) => riskList(db, actorOf(request), request.query, clock()),
  );
  api.get(
    '/supervision/risk-weights',
    {
      config: { access: 'supervision.read' },
      schema: {
        tags,
        summary: "The risk weights in force at a division, and where they come from (its own, an ancestor's, defaults)",
        querystring: riskWeightsQuery,
        response: { 200: riskWeightsView, ...problemResponses },
      },
    },
    async (request) => getRiskWeights(db, actorOf(request), request.query.division),
  );
  api.put(
    '/supervision/risk-weights',
    {
      config: { access: 'supervision.write' },
      schema: {
        tags,
        summary: 'Set the risk weights of your division or one below it, as a new version (expected_version)',
        description:
          'Weights are whole numbers from 0 to 1000; utilisation_threshold_points 0–100; lookback_years 0–10. ' +
          'A value out of range is 422 naming it; a stale expected_version is 409.',
        body: riskWeightsBody,
        response: { 200: riskWeightsView, ...problemResponses },
      },
    },
    async (request) => setRiskWeights(db, actorOf(request), auditContextOf(request), request.body),
  );
}
