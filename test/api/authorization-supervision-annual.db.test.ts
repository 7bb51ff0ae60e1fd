import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../support/app.ts';
import { expectProblem } from './api-helpers.ts';
import {
  annualCallers,
  annualClients,
  runAnnualCase,
  supervisionAnnualMatrix,
  type AnnualFixtures,
} from './supervision-annual-matrix.ts';

/**
 * Invariant 6 (DESIGN.md §3) for the provincial annual supervision report (Art. 12 ¶3): the ministries and
 * oversight read every province's report, a provincial official their own; prefecture and county officials,
 * enterprises and other provinces' officials are refused; only the province's own departments submit. The cases
 * live in supervision-annual-matrix.ts; authorization.db.test.ts checks that, with the other matrices, they cover
 * every route.
 */

const annualRoutes = [
  'GET /api/v1/supervision/annual-reports',
  'GET /api/v1/supervision/annual-reports/{province}/{year}',
  'POST /api/v1/supervision/annual-reports/{province}/{year}/submit',
  'GET /api/v1/supervision/annual-reports/{province}/{year}/export',
];

describe('authorization of the annual supervision report routes', () => {
  const fx = {} as AnnualFixtures;
  let context: TestContext;

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => new Date('2026-12-15T10:00:00+08:00') });
    fx.context = context;
    fx.clients = await annualClients(context);
  }, 300_000);
  afterAll(async () => context.close());

  it('a refusal does not tell whether a province exists: out of jurisdiction is 403 by the code alone', async () => {
    for (const url of [
      '/api/v1/supervision/annual-reports/990000/2026',
      '/api/v1/supervision/annual-reports/360000/2026',
    ]) {
      expectProblem(await fx.clients['nmg.iit'].get(url), 403, 'forbidden');
      expectProblem(await fx.clients['baotou.iit'].get(url), 403, 'forbidden');
    }
  });

  describe('the route matrix', () => {
    it('covers every annual report route', () => {
      expect(new Set(supervisionAnnualMatrix().map((item) => item.route))).toEqual(new Set(annualRoutes));
    });

    it.each(supervisionAnnualMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        expect(await runAnnualCase(fx, item, annualCallers)).toEqual([]);
      },
    );
  });
});
