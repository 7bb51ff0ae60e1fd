import { expect } from 'vitest';
import type { Client, TestContext } from '../support/app.ts';
import { nextSerial } from './api-helpers.ts';
import type { MatrixCase, MatrixFixtures } from './route-matrix.ts';

/**
 * The authorization matrix of the oversight routes (Art. 15): only the oversight role reads and works the
 * alerts, thresholds and security event log; everyone else is refused, the ministries included.
 * test/oversight/alerts.db.test.ts runs these cases; the route-coverage check counts them as covered.
 */

export const oversightCallers = [
  'miit',
  'mnr',
  'nmg.iit',
  'baotou.iit',
  'ent.bayan',
  'oversight',
  'operator',
  'anonymous',
] as const;
export type OversightCaller = (typeof oversightCallers)[number];

export interface OversightFixtures extends MatrixFixtures<OversightCaller> {
  context: TestContext;
  clients: Record<OversightCaller, Client>;
}
export type OversightCase = MatrixCase<OversightFixtures, OversightCaller>;

/** `ok` for oversight, 403 for the other signed-in callers, 401 for anonymous. */
function oversightOnly(ok: number): Record<OversightCaller, number> {
  const result = {} as Record<OversightCaller, number>;
  for (const caller of oversightCallers)
    result[caller] = caller === 'anonymous' ? 401 : caller === 'oversight' ? ok : 403;
  return result;
}

/** An open alert made for the matrix (the rules find real ones; these routes only need one to act on). */
export async function matrixAlert(context: TestContext): Promise<string> {
  const row = await context.database.db
    .insertInto('oversight_alert')
    .values({
      key: `matrix:${nextSerial()}:${Date.now()}`,
      rule: 'large_export',
      subject_type: 'export',
      subject_id: 'matrix',
      actor_id: null,
      summary: 'An alert for the authorization matrix',
      evidence: JSON.stringify({ made_by: 'test' }),
      occurred_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function thresholdVersion(context: TestContext, name: string): Promise<number> {
  const row = await context.database.db
    .selectFrom('oversight_threshold')
    .select('version')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.version;
}

export function oversightMatrix(): OversightCase[] {
  let alertId: string | null = null;
  const alert = async (fx: OversightFixtures): Promise<string> => (alertId ??= await matrixAlert(fx.context));
  return [
    {
      route: 'POST /api/v1/oversight/runs',
      name: 'run the rules',
      expect: oversightOnly(200),
      url: () => '/api/v1/oversight/runs',
      verify: (_fx, _caller, response) => {
        expect(response.json<{ total_new: number }>().total_new).toBeGreaterThanOrEqual(0);
      },
    },
    {
      route: 'GET /api/v1/oversight/alerts',
      name: 'list',
      expect: oversightOnly(200),
      url: () => '/api/v1/oversight/alerts',
    },
    {
      route: 'GET /api/v1/oversight/alerts/{id}',
      name: 'one alert',
      expect: oversightOnly(200),
      url: () => '/api/v1/oversight/alerts/00000000-0000-4000-8000-000000000000',
      prepare: async (fx) => ({ url: `/api/v1/oversight/alerts/${await alert(fx)}` }),
    },
    {
      route: 'POST /api/v1/oversight/alerts/{id}/acknowledge',
      name: 'acknowledge an open alert',
      expect: oversightOnly(200),
      url: () => '/api/v1/oversight/alerts/00000000-0000-4000-8000-000000000000/acknowledge',
      // A fresh alert for every caller: the refused leave it open, oversight acknowledges it.
      prepare: async (fx) => ({ url: `/api/v1/oversight/alerts/${await matrixAlert(fx.context)}/acknowledge` }),
      body: () => ({ expected_version: 1, note: '已核实：测试用告警' }),
      verify: (_fx, _caller, response) => {
        expect(response.json<{ status: string; version: number }>()).toMatchObject({
          status: 'acknowledged',
          version: 2,
        });
      },
    },
    {
      route: 'GET /api/v1/oversight/thresholds',
      name: 'thresholds',
      expect: oversightOnly(200),
      url: () => '/api/v1/oversight/thresholds',
    },
    {
      route: 'PUT /api/v1/oversight/thresholds/{name}',
      name: 'set lookback_days',
      expect: oversightOnly(200),
      url: () => '/api/v1/oversight/thresholds/lookback_days',
      body: async (fx) => ({ expected_version: await thresholdVersion(fx.context, 'lookback_days'), value: 90 }),
    },
    {
      route: 'GET /api/v1/oversight/security-events',
      name: 'the security event log',
      expect: oversightOnly(200),
      url: () => '/api/v1/oversight/security-events?kind=denied',
    },
  ];
}
