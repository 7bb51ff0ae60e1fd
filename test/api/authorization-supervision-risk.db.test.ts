import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestContext } from '../support/app.ts';
import { runMatrixCase } from './route-matrix.ts';
import {
  riskCallers,
  riskClients,
  riskLogins,
  supervisionRiskMatrix,
  writeOf,
  type RiskFixtures,
} from './supervision-risk-matrix.ts';

/**
 * Invariant 6 (DESIGN.md §3) for the risk-ranked inspection list and its weights (Art. 12): officials read the
 * divisions of their jurisdiction only (another: 403), enterprises and the operator nothing, and weights are set
 * only by the supervising departments for their own division or below. The cases live in
 * supervision-risk-matrix.ts; authorization.db.test.ts checks that, with the other matrices, they cover every route.
 */

const riskRoutes = [
  'GET /api/v1/supervision/risk',
  'GET /api/v1/supervision/risk-weights',
  'PUT /api/v1/supervision/risk-weights',
];

describe('authorization of the risk-ranked list and its weights', () => {
  const fx = {} as RiskFixtures;
  let context: TestContext;

  beforeAll(async () => {
    context = await startTestApp({}, { clock: () => new Date('2026-07-20T10:00:00+08:00') });
    fx.context = context;
    fx.clients = await riskClients(context);
  }, 300_000);
  afterAll(async () => context.close());

  describe('the route matrix', () => {
    it('covers every risk route', () => {
      expect(new Set(supervisionRiskMatrix().map((item) => item.route))).toEqual(new Set(riskRoutes));
    });

    it.each(supervisionRiskMatrix().map((item) => [`${item.route} (${item.name})`, item] as const))(
      '%s',
      async (_title, item) => {
        expect(await runMatrixCase(fx, item, riskCallers)).toEqual([]);
      },
    );

    it('stored exactly one new version per allowed change, and none for a refused one', async () => {
      const rows = await sql<{ division_code: string; versions: number }>`
        SELECT division_code, count(*)::int AS versions FROM risk_weight GROUP BY division_code ORDER BY division_code`.execute(
        context.database.db,
      );
      const allowed = (code: string) => riskLogins.filter((login) => writeOf(code)[login] === 200).length;
      expect(rows.rows).toEqual([
        { division_code: '000000', versions: allowed('000000') },
        { division_code: '150200', versions: allowed('150200') },
        { division_code: '360783', versions: allowed('360783') },
      ]);
    });
  });
});
